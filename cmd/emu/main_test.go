package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// emu runs the command in-process with empty stdin.
func emu(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(args, hostIO{in: strings.NewReader(""), out: &out, err: &errb})
	return code, out.String(), errb.String()
}

func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	notKernel := filepath.Join(dir, "notes.txt")
	require.NoError(t, os.WriteFile(notKernel, bytes.Repeat([]byte("not a kernel\n"), 100), 0o644))
	kernel := filepath.Join(dir, "bzImage")
	require.NoError(t, os.WriteFile(kernel, bzImage(), 0o644))
	bigInitrd := filepath.Join(dir, "big.img")
	require.NoError(t, os.WriteFile(bigInitrd, make([]byte, 5<<20), 0o644))
	empty := filepath.Join(dir, "empty")
	require.NoError(t, os.WriteFile(empty, nil, 0o644))
	truncated := filepath.Join(dir, "truncated")
	require.NoError(t, os.WriteFile(truncated, bzImage()[:700], 0o644))
	noPayload := filepath.Join(dir, "nopayload")
	require.NoError(t, os.WriteFile(noPayload, bzImage()[:1024], 0o644))
	badMagic := filepath.Join(dir, "badmagic")
	require.NoError(t, os.WriteFile(badMagic, corrupt(bzImage(), 0x202, 'X'), 0o644))
	oldProtocol := filepath.Join(dir, "oldprotocol")
	require.NoError(t, os.WriteFile(oldProtocol, corrupt(bzImage(), 0x207, 1), 0o644))
	hugeSetup := filepath.Join(dir, "hugesetup")
	require.NoError(t, os.WriteFile(hugeSetup, corrupt(bzImage(), 0x1F1, 0xFF), 0o644))
	emuBin := buildEmu(t)

	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"missing kernel", []string{"-kernel", filepath.Join(dir, "nope")}, "bt86: -kernel " + filepath.Join(dir, "nope") + ": no such file or directory"},
		{"missing initrd", []string{"-kernel", kernel, "-initrd", filepath.Join(dir, "nope")}, "-initrd " + filepath.Join(dir, "nope") + ": no such file or directory"},
		{"not a bzImage", []string{"-kernel", notKernel}, "bt86: -kernel " + notKernel + ": not a bzImage: boot flag is"},
		{"initrd too large", []string{"-kernel", kernel, "-initrd", bigInitrd, "-m", "4"}, "initrd (5 MiB) does not fit in RAM (4 MiB)"},
		{"memory too small", []string{"-m", "1"}, "bt86: memory size 1 MiB out of range: use 2 to 3072 MiB"},
		{"memory too large", []string{"-m", "5000"}, "out of range"},
		{"unknown flag", []string{"-hda", "disk.img"}, "bt86: flag provided but not defined: -hda (emu -h for help)"},
		{"stray argument", []string{"disk.img"}, `unexpected argument "disk.img"`},
		{"initrd without kernel", []string{"-initrd", bigInitrd}, "-initrd and -append need -kernel"},
		{"bad serial", []string{"-serial", "tcp:1234"}, `-serial "tcp:1234": want stdio, none or file:PATH`},
		{"bad icount", []string{"-icount=shift=x"}, "invalid boolean value"},
		{"icount shift too large", []string{"-icount=shift=99"}, "want shift=N with N in 0..10"},
		{"empty kernel", []string{"-kernel", empty}, "-kernel " + empty + ": kernel image is empty"},
		{"truncated kernel setup", []string{"-kernel", truncated}, "truncated kernel: 700 bytes"},
		{"kernel without payload", []string{"-kernel", noPayload}, "truncated kernel: no protected-mode code"},
		{"corrupt kernel magic", []string{"-kernel", badMagic}, `not a bzImage: no "HdrS" signature`},
		{"kernel protocol too old", []string{"-kernel", oldProtocol}, "protocol 1.10 too old (need 2.02 or later)"},
		{"kernel setup sectors beyond file", []string{"-kernel", hugeSetup}, "truncated kernel"},
		{"kernel is a directory", []string{"-kernel", dir}, "-kernel " + dir + ": is a directory"},
		{"initrd is a directory", []string{"-kernel", kernel, "-initrd", dir}, "-initrd " + dir + ": is a directory"},
		{"memory zero", []string{"-m", "0"}, "memory size 0 MiB out of range"},
		{"memory negative", []string{"-m", "-5"}, "memory size -5 MiB out of range"},
		{"memory not a number", []string{"-m", "lots"}, `invalid value "lots" for flag -m`},
		{"memory overflows int", []string{"-m", "99999999999999999999999"}, "value out of range"},
		{"unknown engine", []string{"-engine", "jit"}, `engine "jit" is not available here`},
		{"serial file in missing directory", []string{"-serial", "file:" + filepath.Join(dir, "no", "such", "dir")}, "-serial: open"},
		{"serial file empty path", []string{"-serial", "file:"}, `-serial "file:": want stdio, none or file:PATH`},
	} {
		check := func(t *testing.T, code int, stdout, stderr string) {
			t.Helper()
			require.Equal(t, exitUsage, code, "stderr: %s", stderr)
			require.Empty(t, stdout)
			require.Contains(t, stderr, tc.want)
			require.Equal(t, 1, strings.Count(stderr, "\n"), "one line: %q", stderr)
			require.True(t, strings.HasSuffix(stderr, "\n"), "one whole line: %q", stderr)
			require.NotContains(t, stderr, "goroutine", "no Go traceback")
			require.NotContains(t, stderr, "panic", "no Go panic")
		}
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := emu(tc.args...)
			check(t, code, stdout, stderr)
		})
		t.Run(tc.name+"/binary", func(t *testing.T) {
			code, stdout, stderr := emuProcess(t, emuBin, tc.args...)
			check(t, code, stdout, stderr)
		})
	}
}

func TestHelp(t *testing.T) {
	code, _, stderr := emu("-h")
	require.Equal(t, exitOK, code)
	require.Contains(t, stderr, "usage: emu")
}

// TestDemo boots the built-in demo, as `emu` with no arguments does.
func TestDemo(t *testing.T) {
	code, stdout, stderr := emu("-icount", "-stats")
	require.Equal(t, exitOK, code, "stderr: %s", stderr)
	require.Contains(t, stdout, "bt86 demo guest")
	require.Contains(t, stdout, "demo: done")
	require.Regexp(t, `^bt86: guest powered off \(halted with interrupts disabled\) after \d+ instructions, [\d.]+ s, [\d.]+ MIPS\n`, stderr)
	require.Contains(t, stderr, "bt86: stats: cpu retired=")
	require.Contains(t, stderr, "bt86: stats: mmu misses=")
}

func TestSerialFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "com1.txt")
	code, stdout, stderr := emu("-icount", "-serial", "file:"+path, "-nographic")
	require.Equal(t, exitOK, code, "stderr: %s", stderr)
	require.Empty(t, stdout)
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Contains(t, string(b), "bt86 demo guest")
}

func TestKernelBoot(t *testing.T) {
	dir := t.TempDir()
	kernel := filepath.Join(dir, "bzImage")
	require.NoError(t, os.WriteFile(kernel, bzImage(), 0o644))
	code, stdout, stderr := emu("-kernel", kernel, "-append", "console=ttyS0", "-m", "16", "-nographic")
	require.Equal(t, exitOK, code, "stderr: %s", stderr)
	require.Empty(t, stdout) // the stub kernel halts without printing on COM1
	require.Contains(t, stderr, "bt86: guest powered off")
}

func TestIcountFlag(t *testing.T) {
	var f icountFlag
	require.NoError(t, f.Set("true"))
	require.Equal(t, icountFlag{on: true}, f)
	require.NoError(t, f.Set("shift=3"))
	require.Equal(t, icountFlag{on: true, shift: 3}, f)
	require.NoError(t, f.Set("auto"))
	require.Equal(t, 0, f.shift)
	require.Error(t, f.Set("shift=99"))
}

// bzImage is a minimal bzImage whose protected-mode code is cli; hlt.
func bzImage() []byte {
	b := make([]byte, 2*512+16)
	b[0x1F1] = 1
	put16 := func(off int, v uint16) { b[off], b[off+1] = byte(v), byte(v>>8) }
	put32 := func(off int, v uint32) { put16(off, uint16(v)); put16(off+2, uint16(v>>16)) }
	put16(0x1FE, 0xAA55)
	b[0x200], b[0x201] = 0xEB, 0x264-0x202
	put32(0x202, 0x53726448)
	put16(0x206, 0x020A)
	b[0x211] = 1
	put32(0x214, 0x100000)
	put32(0x22C, 0x7FFFFFFF)
	put32(0x238, 2047)
	put32(0x258, 0x100000)
	put32(0x260, 0x10000)
	copy(b[1024:], []byte{0xFA, 0xF4})
	return b
}

func TestKeystroke(t *testing.T) {
	require.Equal(t, []byte{0x1E, 0x9E}, keystroke('a'))
	require.Equal(t, []byte{0x2A, 0x1E, 0x9E, 0xAA}, keystroke('A'))
	require.Equal(t, []byte{0x1C, 0x9C}, keystroke('\r'))
	require.Equal(t, []byte{0x2A, 0x03, 0x83, 0xAA}, keystroke('@'))
	require.Equal(t, []byte{0x35, 0xB5}, keystroke('/'))
	require.Equal(t, []byte{0x1D, 0x2E, 0xAE, 0x9D}, keystroke(3)) // Ctrl-C
	require.Nil(t, keystroke(0x80))
}

func TestConsoleEscapes(t *testing.T) {
	var out bytes.Buffer
	c := newConsole(hostIO{in: strings.NewReader("ab\x01\x01c\x01zd\x01xignored"), out: &out, err: &out})
	var got []byte
	quit := make(chan struct{})
	c.forward(func(b []byte) { got = append(got, b...) }, func() { close(quit) })
	<-quit
	require.Equal(t, "ab\x01c\x01zd", string(got))
}
