package singlestep

import (
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// orTest is "or [bx],al" (file 08: AF undefined). FLAGS start with bits
// 12-15 set, as the LOADALL-captured vectors do; 0x20200 is a byte named
// only in the initial state.
func orTest() Test {
	r := Regs16{AX: 0x0011, BX: 0x0100, CS: 0x1000, DS: 0x2000, SS: 0x3000, SP: 0x0100, IP: 0x0010, Flags: 0xF002}
	ram := append(codeAt(r, 0x08, 0x07, 0xf4), RAMByte{0x20100, 0x22}, RAMByte{0x20200, 0x55})
	return Test{
		Index: 1, Name: "or [bx],al", Bytes: []byte{0x08, 0x07, 0xf4},
		Init:  fullState(r, ram...),
		Final: partialState(map[Reg]uint16{RegIP: 0x0013, RegFlags: 0x0006}, RAMByte{0x20100, 0x33}),
		Hash:  [20]byte{1}, HasHash: true,
	}
}

// excTest is "or [si],ax" at SI=FFFF raising interrupt 13: FLAGS, CS and IP
// pushed at SS:00FA.., a HLT at the handler.
func excTest() Test {
	r := Regs16{SI: 0xFFFF, CS: 0x1000, DS: 0x2000, SS: 0x3000, SP: 0x0100, IP: 0x0020, Flags: 0x0802}
	ram := append(codeAt(r, 0x09, 0x04, 0xf4), RAMByte{0x34, 0x00}, RAMByte{0x35, 0x50}, RAMByte{0x36, 0x00}, RAMByte{0x37, 0x40}, RAMByte{0x45000, 0xf4})
	return Test{
		Index: 2, Name: "or [si],ax", Bytes: []byte{0x09, 0x04, 0xf4},
		Init: fullState(r, ram...),
		Final: partialState(map[Reg]uint16{RegCS: 0x4000, RegIP: 0x5001, RegSP: 0x00FA, RegFlags: 0x0802},
			RAMByte{0x300FE, 0x02}, RAMByte{0x300FF, 0x08}, // pushed FLAGS
			RAMByte{0x300FC, 0x00}, RAMByte{0x300FD, 0x10}, // CS
			RAMByte{0x300FA, 0x20}, RAMByte{0x300FB, 0x00}), // IP
		Exception: &Exception{Vector: 13, FlagsAddr: 0x300FE},
		Hash:      [20]byte{2}, HasHash: true,
	}
}

func testMetadata(t *testing.T) *Metadata {
	m, err := ParseMetadata([]byte(metadataJSON))
	require.NoError(t, err)
	return m
}

func TestRunnerWithFakeTarget(t *testing.T) {
	file := &File{Header: Header{CPU: "C286"}, Meta: &Meta{Mnemonic: "or"}, Tests: []Test{orTest(), excTest()}}
	or := &file.Tests[0]
	exc := &file.Tests[1]
	o := newOracle(or, exc)
	only := func(which *Test, f func(c *fakeCPU)) func(c *fakeCPU, t *Test) error {
		return func(c *fakeCPU, t *Test) error {
			if t == which {
				f(c)
			}
			return nil
		}
	}
	for _, tc := range []struct {
		name     string
		mutate   func(c *fakeCPU, t *Test) error
		noMeta   bool
		passed   int
		failed   int
		contains []string // in the first failure's description
		category string
	}{
		{name: "exact expected state passes", passed: 2},
		{name: "corrupt register fails",
			mutate: only(or, func(c *fakeCPU) { c.regs.AX ^= 1 }),
			passed: 1, failed: 1,
			contains: []string{`08.MOO.gz #1 "or [bx],al" [08 07 F4]:`, "AX want 0011 got 0010"}},
		{name: "register absent from FINA must keep its initial value",
			mutate: only(exc, func(c *fakeCPU) { c.regs.SI = 0 }),
			passed: 1, failed: 1,
			contains: []string{"SI want FFFF got 0000"}},
		{name: "undefined flag (AF) is masked",
			mutate: only(or, func(c *fakeCPU) { c.regs.Flags ^= flagAF }),
			passed: 2},
		{name: "defined flag (CF) fails",
			mutate: only(or, func(c *fakeCPU) { c.regs.Flags ^= flagCF }),
			passed: 1, failed: 1,
			contains: []string{"FLAGS want 0006 got 0007 (mask FFEF, differs in CF)"}},
		{name: "without metadata every flag counts",
			mutate: only(or, func(c *fakeCPU) { c.regs.Flags ^= flagAF }),
			noMeta: true,
			passed: 1, failed: 1,
			contains: []string{"mask FFFF, differs in AF"},
			category: "undefined-flags"},
		{name: "FLAGS bits 12-15 are compared, and classified",
			mutate: only(or, func(c *fakeCPU) { c.regs.Flags |= 0x3000 }),
			passed: 1, failed: 1,
			contains: []string{"differs in IOPL0,IOPL1", "known difference flags-12-15"},
			category: "flags-12-15"},
		{name: "final RAM byte wrong",
			mutate: only(or, func(c *fakeCPU) { c.WriteRAM(0x20100, 0x34) }),
			passed: 1, failed: 1,
			contains: []string{"RAM[020100] want 33 got 34"}},
		{name: "initial-only RAM byte must be unchanged",
			mutate: only(or, func(c *fakeCPU) { c.WriteRAM(0x20200, 0) }),
			passed: 1, failed: 1,
			contains: []string{"RAM[020200] want 55 got 00"}},
		{name: "undefined flag in the pushed FLAGS word is masked",
			mutate: only(exc, func(c *fakeCPU) { c.WriteRAM(0x300FE, 0x02|flagAF) }),
			passed: 2},
		{name: "defined flag in the pushed FLAGS word fails",
			mutate: only(exc, func(c *fakeCPU) { c.WriteRAM(0x300FF, 0x00) }),
			passed: 1, failed: 1,
			contains: []string{"RAM[0300FF] want 08 got 00 (pushed FLAGS byte, mask FF)"}},
		{name: "straddling access where the CPU went elsewhere is a known difference",
			mutate: only(exc, func(c *fakeCPU) { c.regs.IP = 0x6001 }), // as if it took #SS
			passed: 1, failed: 1,
			contains: []string{"IP want 5001 got 6001", "known difference segment-wrap: 2-byte memory operand at DS:FFFF"},
			category: "segment-wrap"},
		{name: "budget exhausted fails even with the right state",
			mutate: func(c *fakeCPU, t *Test) error {
				if t == or {
					return errors.New("budget exhausted")
				}
				return nil
			},
			passed: 1, failed: 1,
			contains: []string{"error: budget exhausted;"}},
		{name: "a panicking target fails that test only",
			mutate: func(c *fakeCPU, t *Test) error {
				if t == or {
					panic("unimplemented opcode 08")
				}
				return nil
			},
			passed: 1, failed: 1,
			contains: []string{"target panicked: unimplemented opcode 08"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opt := Options{Metadata: testMetadata(t)}
			if tc.noMeta {
				opt.Metadata = nil
			}
			res := NewRunner(newFake(o.behave(tc.mutate)), opt).RunFile("08.MOO.gz", file)
			assert.Equal(t, tc.passed, res.Passed, "passed")
			assert.Equal(t, tc.failed, res.Failed, "failed")
			assert.Equal(t, "08", res.Stem)
			assert.Equal(t, "or", res.Mnemonic)
			if !tc.noMeta {
				assert.Equal(t, "normal", res.Status)
			}
			if tc.failed == 0 {
				assert.Empty(t, res.Failures)
				return
			}
			require.Len(t, res.Failures, tc.failed)
			desc := res.Failures[0].String()
			for _, s := range tc.contains {
				assert.Contains(t, desc, s)
			}
			assert.Equal(t, tc.category, res.Failures[0].Category, desc)
			if tc.category != "" {
				assert.Equal(t, map[string]int{tc.category: 1}, res.Known)
			} else {
				assert.Empty(t, res.Known)
			}
		})
	}
}

func TestRunnerLoadsAsTheREADMESays(t *testing.T) {
	file := &File{Tests: []Test{orTest(), excTest(), orTest()}}
	file.Tests[2].Index = 3
	o := newOracle(&file.Tests[0], &file.Tests[1])
	var budgets []int
	c := newFake(nil)
	c.behave = func(c *fakeCPU) error {
		_, err := o.apply(c)
		return err
	}
	r := NewRunner(budgetSpy{c, &budgets}, Options{MaxInstructions: 1234})
	res := r.RunFile("08.MOO.gz", file)
	assert.Equal(t, 3, res.Passed)

	// FLAGS bits 12-15 cleared before Reset; the other registers as given.
	require.Len(t, c.resets, 3)
	assert.Equal(t, uint16(0x0002), c.resets[0].Flags)
	assert.Equal(t, uint16(0x0100), c.resets[0].BX)
	// Before each run RAM holds exactly the test's (non-zero) initial bytes:
	// the previous test's bytes, initial and final, were cleared.
	nonzero := func(tc *Test) int {
		n := 0
		for _, b := range tc.Init.RAM {
			if b.Value != 0 {
				n++
			}
		}
		return n
	}
	assert.Equal(t, []int{nonzero(&file.Tests[0]), nonzero(&file.Tests[1]), nonzero(&file.Tests[2])}, c.dirtySeen)
	assert.Equal(t, []int{1234, 1234, 1234}, budgets)

	budgets = nil
	NewRunner(budgetSpy{c, &budgets}, Options{}).RunFile("08.MOO.gz", file)
	assert.Equal(t, []int{DefaultMaxInstructions, DefaultMaxInstructions, DefaultMaxInstructions}, budgets)
}

// budgetSpy records the budget passed to RunUntilHalt.
type budgetSpy struct {
	*fakeCPU
	budgets *[]int
}

func (b budgetSpy) RunUntilHalt(max int) error {
	*b.budgets = append(*b.budgets, max)
	return b.fakeCPU.RunUntilHalt(max)
}

func TestRunnerRevokedAndMaxFailures(t *testing.T) {
	file := &File{}
	for i := 0; i < 10; i++ {
		tc := orTest()
		tc.Index = uint32(i)
		tc.Hash = [20]byte{byte(i)}
		file.Tests = append(file.Tests, tc)
	}
	rev := Revocations{file.Tests[3].HashString(): {}}
	nop := newFake(nil) // never changes anything: IP and RAM mismatch
	for _, tc := range []struct {
		maxFailures int
		kept        int
	}{{0, DefaultMaxFailures}, {2, 2}, {-1, 0}, {100, 9}} {
		res := NewRunner(nop, Options{Revoked: rev, MaxFailures: tc.maxFailures}).RunFile("08.MOO.gz", file)
		assert.Equal(t, 0, res.Passed)
		assert.Equal(t, 9, res.Failed)
		assert.Equal(t, 1, res.Skipped)
		assert.Len(t, res.Failures, tc.kept, "MaxFailures %d", tc.maxFailures)
	}
}

func TestReport(t *testing.T) {
	cats := KnownDifferences()
	s := Summary{Categories: cats}
	s.add(FileResult{File: "00.MOO.gz", Stem: "00", Mnemonic: "add", Passed: 1000})
	s.add(FileResult{File: "F0.MOO.gz", Stem: "F0", Mnemonic: "lock", Passed: 990, Failed: 10, Skipped: 1,
		Known:    map[string]int{"lock-prefix": 7, "segment-wrap": 1},
		Failures: []Failure{{File: "F0.MOO.gz", Index: 4, Name: "lock mov", Bytes: []byte{0xf0, 0x88, 0x07, 0xf4}, Category: "lock-prefix", Detail: "LOCK prefix, #UD on a 386"}}})
	s.add(FileResult{File: "XX.MOO.gz", Err: errors.New("boom")})
	var buf bytes.Buffer
	require.NoError(t, s.Report(&buf))
	out := buf.String()
	t.Log("\n" + out)

	total := regexp.MustCompile(`(?m)^singlestep: (\d+) passed, (\d+) failed$`).FindAllStringSubmatch(out, -1)
	require.Len(t, total, 1, "exactly one totals line")
	assert.Equal(t, []string{"singlestep: 1990 passed, 10 failed", "1990", "10"}, total[0])
	assert.Contains(t, out, "\nsinglestep: 8 of the failures are known 286/386 differences: lock-prefix 7, segment-wrap 1\n")
	assert.Contains(t, out, "  00.MOO.gz    add        1000 passed,    0 failed\n")
	assert.Contains(t, out, "990 passed,   10 failed (8 known: lock-prefix 7, segment-wrap 1), 1 revoked")
	assert.Contains(t, out, `F0.MOO.gz #4 "lock mov" [F0 88 07 F4]: [known difference lock-prefix: LOCK prefix, #UD on a 386]`)
	assert.Contains(t, out, "... and 9 more")
	assert.Contains(t, out, "XX.MOO.gz    error: boom")
	assert.Contains(t, out, "singlestep: 1 revoked tests skipped\n")
	assert.True(t, strings.HasSuffix(out, "lock-prefix 7, segment-wrap 1\n"))

	var clean Summary
	buf.Reset()
	require.NoError(t, clean.Report(&buf))
	assert.Equal(t, "singlestep: 0 passed, 0 failed\n", buf.String())
}

// writeSuite writes MOO files (gzip) plus metadata and revocation list into
// a temporary singlestep-80286/v1_real_mode layout and returns the top folder.
func writeSuite(t *testing.T, files map[string]*File, extra map[string][]byte) string {
	top := filepath.Join(t.TempDir(), "singlestep-80286")
	dir := filepath.Join(top, "v1_real_mode")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	for name, f := range files {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		_, err := zw.Write(encodeMOO(f))
		require.NoError(t, err)
		require.NoError(t, zw.Close())
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), buf.Bytes(), 0o644))
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "metadata.json"), []byte(metadataJSON), 0o644))
	for name, data := range extra {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), data, 0o644))
	}
	return top
}

func TestRunAll(t *testing.T) {
	a := &File{Header: Header{CPU: "C286"}, Tests: []Test{orTest(), excTest()}}
	b := &File{Header: Header{CPU: "C286"}, Tests: []Test{orTest()}}
	b.Tests[0].Hash = [20]byte{0xaa}
	top := writeSuite(t, map[string]*File{"08.MOO.gz": a, "80.1.MOO.gz": b}, map[string][]byte{
		"09.MOO.gz": []byte("not a MOO file"),
	})
	require.NoError(t, os.WriteFile(filepath.Join(top, "revocation_list.txt"),
		[]byte("# list\n"+b.Tests[0].HashString()+"\n"), 0o644))

	o := newOracle(&a.Tests[0], &a.Tests[1])
	sum, err := RunAll(top, newFake(o.behave(nil)), nil)
	require.Error(t, err, "the corrupt file is reported")
	assert.Contains(t, err.Error(), "09.MOO.gz")
	assert.Equal(t, 2, sum.Passed)
	assert.Equal(t, 0, sum.Failed)
	assert.Equal(t, 1, sum.Skipped, "revoked")
	require.Len(t, sum.Files, 3)
	assert.Equal(t, []string{"08.MOO.gz", "09.MOO.gz", "80.1.MOO.gz"},
		[]string{sum.Files[0].File, sum.Files[1].File, sum.Files[2].File})
	assert.Error(t, sum.Files[1].Err)

	// The filter sees base names; the v1_real_mode folder works as dir too.
	sum, err = RunAll(filepath.Join(top, "v1_real_mode"), newFake(o.behave(nil)),
		func(f string) bool { return f == "08.MOO.gz" })
	require.NoError(t, err)
	assert.Equal(t, 2, sum.Passed)
	require.Len(t, sum.Files, 1)

	s, err := LoadDir(top, func(f string) bool { return f != "09.MOO.gz" })
	require.NoError(t, err)
	assert.Equal(t, 3, s.Tests())
	assert.Len(t, s.Revoked, 1)
	assert.NotNil(t, s.Metadata)

	_, err = RunAll(filepath.Join(top, "nope"), newFake(nil), nil)
	var missing *MissingDataError
	assert.True(t, errors.As(err, &missing))
}

func TestFindDataDir(t *testing.T) {
	root := t.TempDir()
	repo := filepath.Join(root, "main")
	deep := filepath.Join(repo, "testsuite", "singlestep")
	require.NoError(t, os.MkdirAll(deep, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(repo, "go.mod"), []byte("module bt86\n"), 0o644))

	_, err := FindDataDir(deep)
	var missing *MissingDataError
	require.True(t, errors.As(err, &missing), "%v", err)
	assert.Contains(t, err.Error(), "test vectors not found")
	assert.Contains(t, err.Error(), DataDirRel)

	want := filepath.Join(root, "shared", "testdata", "singlestep-80286")
	require.NoError(t, os.MkdirAll(filepath.Join(want, "v1_real_mode"), 0o755))
	got, err := FindDataDir(deep)
	require.NoError(t, err)
	assert.Equal(t, want, got)

	_, err = FindDataDir(string(filepath.Separator))
	assert.True(t, errors.As(err, &missing))
}
