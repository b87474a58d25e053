package singlestep

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDecode(t *testing.T) {
	for _, tc := range []struct {
		name    string
		bytes   []byte
		ok      bool
		length  int
		op      byte
		modrm   bool
		lock    bool
		rep     byte
		seg     int
		twoByte bool
	}{
		{"add [bx+si],al", []byte{0x00, 0x00}, true, 2, 0x00, true, false, 0, -1, false},
		{"add [bx+0Eh],bl", []byte{0x00, 0x5f, 0x0e, 0xf4}, true, 3, 0x00, true, false, 0, -1, false},
		{"add [1234h],al", []byte{0x00, 0x06, 0x34, 0x12}, true, 4, 0x00, true, false, 0, -1, false},
		{"add [bp+si+1234h],al", []byte{0x00, 0x82, 0x34, 0x12}, true, 4, 0x00, true, false, 0, -1, false},
		{"add al,1", []byte{0x04, 0x01}, true, 2, 0x04, false, false, 0, -1, false},
		{"add ax,1", []byte{0x05, 0x01, 0x00}, true, 3, 0x05, false, false, 0, -1, false},
		{"es: lock add [bx],al", []byte{0x26, 0xf0, 0x00, 0x07}, true, 4, 0x00, true, true, 0, int(RegES), false},
		{"rep movsw", []byte{0xf3, 0xa5}, true, 2, 0xa5, false, false, 0xf3, -1, false},
		{"imul di,[4A9h],6133h", []byte{0x69, 0x3e, 0xa9, 0x04, 0x33, 0x61}, true, 6, 0x69, true, false, 0, -1, false},
		{"test byte [bx],1", []byte{0xf6, 0x07, 0x01}, true, 3, 0xf6, true, false, 0, -1, false},
		{"not byte [bx]", []byte{0xf6, 0x17}, true, 2, 0xf6, true, false, 0, -1, false},
		{"test word [bx+1],2", []byte{0xf7, 0x47, 0x01, 0x02, 0x00}, true, 5, 0xf7, true, false, 0, -1, false},
		{"call 1234h:5678h", []byte{0x9a, 0x78, 0x56, 0x34, 0x12}, true, 5, 0x9a, false, false, 0, -1, false},
		{"mov ax,[1234h]", []byte{0xa1, 0x34, 0x12}, true, 3, 0xa1, false, false, 0, -1, false},
		{"enter 10h,1", []byte{0xc8, 0x10, 0x00, 0x01}, true, 4, 0xc8, false, false, 0, -1, false},
		{"lldt [bx]", []byte{0x0f, 0x00, 0x17}, true, 3, 0x00, true, false, 0, -1, true},
		{"clts", []byte{0x0f, 0x06}, true, 2, 0x06, false, false, 0, -1, true},
		{"truncated disp16", []byte{0x00, 0x06, 0x34}, false, 0, 0x00, true, false, 0, -1, false},
		{"truncated imm", []byte{0x81, 0xc0, 0x01}, false, 0, 0x81, true, false, 0, -1, false},
		{"prefixes only", []byte{0x26, 0x2e}, false, 0, 0, false, false, 0, int(RegCS), false},
		{"empty", nil, false, 0, 0, false, false, 0, -1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := decode(tc.bytes)
			assert.Equal(t, tc.ok, in.ok, "ok")
			if tc.ok {
				assert.Equal(t, tc.length, in.length, "length")
			}
			assert.Equal(t, tc.op, in.op, "op")
			assert.Equal(t, tc.modrm, in.modrm, "modrm")
			assert.Equal(t, tc.lock, in.lock, "lock")
			assert.Equal(t, tc.rep, in.rep, "rep")
			assert.Equal(t, tc.seg, in.seg, "seg")
			assert.Equal(t, tc.twoByte, in.twoByte, "twoByte")
		})
	}
}

// wrapTest builds a test from bytes and initial registers.
func wrapTest(b []byte, r Regs16, excp *Exception) *Test {
	return &Test{Bytes: b, Init: fullState(r), Exception: excp}
}

func TestSegmentWrap(t *testing.T) {
	gp := &Exception{Vector: 13}
	ud := &Exception{Vector: 6}
	base := Regs16{CS: 0x1000, IP: 0x100, SP: 0x200, Flags: 0x0002}
	with := func(mod func(r *Regs16)) Regs16 { r := base; mod(&r); return r }
	for _, tc := range []struct {
		name   string
		bytes  []byte
		regs   Regs16
		excp   *Exception
		final  map[Reg]uint16
		wrap   bool
		reason string
	}{
		{"add [si],ax at SI=FFFF", []byte{0x01, 0x04, 0xf4}, with(func(r *Regs16) { r.SI = 0xFFFF }), gp, nil, true, "2-byte memory operand at DS:FFFF"},
		{"add [si],al at SI=FFFF (byte)", []byte{0x00, 0x04, 0xf4}, with(func(r *Regs16) { r.SI = 0xFFFF }), nil, nil, false, ""},
		{"add [bp+di+2],ax wraps to FFFF", []byte{0x01, 0x43, 0x02, 0xf4}, with(func(r *Regs16) { r.BP, r.DI = 0xFFF0, 0x000D }), gp, nil, true, "at SS:FFFF"},
		{"es: add [bx],ax", []byte{0x26, 0x01, 0x07, 0xf4}, with(func(r *Regs16) { r.BX = 0xFFFF }), gp, nil, true, "at ES:FFFF"},
		{"add [bx],ax at FFFE", []byte{0x01, 0x07, 0xf4}, with(func(r *Regs16) { r.BX = 0xFFFE }), nil, nil, false, ""},
		{"lea ax,[bx] at FFFF (no access)", []byte{0x8d, 0x07, 0xf4}, with(func(r *Regs16) { r.BX = 0xFFFF }), nil, nil, false, ""},
		{"les ax,[bx] at FFFD", []byte{0xc4, 0x07, 0xf4}, with(func(r *Regs16) { r.BX = 0xFFFD }), gp, nil, true, "4-byte memory operand at DS:FFFD"},
		{"mov cs,[bx] at FFFF is #UD first", []byte{0x8e, 0x0f, 0xf4}, with(func(r *Regs16) { r.BX = 0xFFFF }), ud, nil, false, ""},
		{"mov ax,[FFFF]", []byte{0xa1, 0xff, 0xff, 0xf4}, base, gp, nil, true, "at DS:FFFF"},
		{"pop es at SP=FFFF", []byte{0x07, 0xf4}, with(func(r *Regs16) { r.SP = 0xFFFF }), gp, nil, true, "2-byte pop at SS:FFFF"},
		{"push ax at SP=1", []byte{0x50, 0xf4}, with(func(r *Regs16) { r.SP = 1 }), gp, nil, true, "2-byte push at SS:FFFF"},
		{"push ax at SP=0 (wraps cleanly)", []byte{0x50, 0xf4}, with(func(r *Regs16) { r.SP = 0 }), nil, nil, false, ""},
		{"pusha at SP=5", []byte{0x60, 0xf4}, with(func(r *Regs16) { r.SP = 5 }), gp, nil, true, "push at SS:FFFF"},
		{"iret at SP=FFFB", []byte{0xcf}, with(func(r *Regs16) { r.SP = 0xFFFB }), gp, nil, true, "pop at SS:FFFF"},
		{"leave with BP=FFFF", []byte{0xc9, 0xf4}, with(func(r *Regs16) { r.BP = 0xFFFF }), gp, nil, true, "pop at SS:FFFF"},
		{"int 3 at SP=3", []byte{0xcc}, with(func(r *Regs16) { r.SP = 3 }), &Exception{Vector: 3}, nil, true, "push at SS:FFFF"},
		{"movsw at SI=FFFF", []byte{0xa5, 0xf4}, with(func(r *Regs16) { r.SI = 0xFFFF }), gp, nil, true, "string source at DS:FFFF"},
		{"stosw at DI=FFFF", []byte{0xab, 0xf4}, with(func(r *Regs16) { r.DI = 0xFFFF }), gp, nil, true, "string destination at ES:FFFF"},
		{"movsb at SI=FFFF (byte)", []byte{0xa4, 0xf4}, with(func(r *Regs16) { r.SI = 0xFFFF }), nil, nil, false, ""},
		{"rep stosw reaches FFFF on iteration 7", []byte{0xf3, 0xab, 0xf4}, with(func(r *Regs16) { r.DI, r.CX = 0xFFF1, 10 }),
			gp, map[Reg]uint16{RegCX: 3}, true, "ES:FFFF"},
		{"rep stosw stops before FFFF", []byte{0xf3, 0xab, 0xf4}, with(func(r *Regs16) { r.DI, r.CX = 0xFFF1, 5 }),
			nil, map[Reg]uint16{RegCX: 0}, false, ""},
		{"std; rep stosw down to FFFF through 0", []byte{0xf3, 0xab, 0xf4}, with(func(r *Regs16) { r.DI, r.CX, r.Flags = 0x0003, 4, 0x0402 }),
			gp, map[Reg]uint16{RegCX: 2}, true, "ES:FFFF"},
		{"repne cmpsw that stops early", []byte{0xf2, 0xa7, 0xf4}, with(func(r *Regs16) { r.SI, r.CX = 0xFFFD, 63 }),
			nil, map[Reg]uint16{RegCX: 62}, false, ""},
		{"instruction runs past FFFF", []byte{0xb8, 0x34, 0x12, 0xf4}, with(func(r *Regs16) { r.IP = 0xFFFE }), gp, nil, true, "3-byte instruction at CS:FFFE"},
		{"HLT after the instruction wraps to 0", []byte{0xb8, 0x34, 0x12, 0xf4}, with(func(r *Regs16) { r.IP = 0xFFFD }), nil, nil, true, "runs past offset FFFF"},
		{"undecodable bytes", []byte{0x81}, base, nil, nil, false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tst := wrapTest(tc.bytes, tc.regs, tc.excp)
			if tc.final != nil {
				tst.Final = partialState(tc.final)
			}
			reason, ok := segmentWrap(tst)
			assert.Equal(t, tc.wrap, ok, reason)
			if tc.wrap {
				assert.Contains(t, reason, tc.reason)
			}
		})
	}
}

func TestKnownDifferences(t *testing.T) {
	cats := KnownDifferences()
	names := map[string]bool{}
	for _, c := range cats {
		assert.NotEmpty(t, c.Name)
		assert.NotEmpty(t, c.Title)
		assert.NotEmpty(t, c.Explanation)
		require.NotNil(t, c.Match)
		assert.False(t, names[c.Name], "duplicate %s", c.Name)
		names[c.Name] = true
	}
	gp := &Exception{Vector: 13, FlagsAddr: 0x2000}
	base := Regs16{CS: 0x1000, IP: 0x100, SP: 0x200, BX: 0x300, CX: 3, Flags: 0x0002}
	regFlags := func(want, got uint16) Mismatch {
		return Mismatch{Reg: RegFlags, Want: want, Got: got, Mask: 0xFFFF}
	}
	pushedHigh := func(want, got uint16) Mismatch {
		return Mismatch{IsRAM: true, PushedFlags: true, PushedHigh: true, Addr: 0x2001, Want: want, Got: got, Mask: 0xFF}
	}
	ax := Mismatch{Reg: RegAX, Want: 1, Got: 2, Mask: 0xFFFF}
	ip := Mismatch{Reg: RegIP, Want: 0x104, Got: 0x5001, Mask: 0xFFFF}
	// raised: the CPU under test took an exception where the 286 did not
	// (IP elsewhere, three words pushed).
	raised := []Mismatch{ip, {Reg: RegSP, Want: 0x200, Got: 0x1FA, Mask: 0xFFFF}}
	for _, tc := range []struct {
		name  string
		bytes []byte
		regs  Regs16
		excp  *Exception
		mm    []Mismatch
		err   error
		want  string
	}{
		{"11-byte instruction, #GP on the 286", []byte{0x26, 0x26, 0x26, 0x3e, 0xf0, 0x69, 0x3e, 0xa9, 0x04, 0x33, 0x61, 0xf4}, base, gp, []Mismatch{ip}, nil, "length-limit"},
		{"11-byte instruction, same CS:IP", []byte{0x26, 0x26, 0x26, 0x3e, 0xf0, 0x69, 0x3e, 0xa9, 0x04, 0x33, 0x61, 0xf4}, base, gp, []Mismatch{ax}, nil, ""},
		{"10-byte instruction is fine", []byte{0x26, 0x26, 0x26, 0x3e, 0x69, 0x3e, 0xa9, 0x04, 0x33, 0x61, 0xf4}, base, nil, []Mismatch{ax}, nil, ""},
		{"lock mov", []byte{0xf0, 0x88, 0x07, 0xf4}, base, nil, raised, nil, "lock-prefix"},
		{"lock mov completed wrongly", []byte{0xf0, 0x88, 0x07, 0xf4}, base, nil, []Mismatch{ax}, nil, ""},
		{"lock mov went elsewhere without pushing", []byte{0xf0, 0x88, 0x07, 0xf4}, base, nil, []Mismatch{ip}, nil, ""},
		{"lock add reg,reg", []byte{0xf0, 0x00, 0xc0, 0xf4}, base, nil, raised, nil, "lock-prefix"},
		{"lock cmp [bx],al", []byte{0xf0, 0x38, 0x07, 0xf4}, base, nil, raised, nil, "lock-prefix"},
		{"lock add [bx],al is lockable", []byte{0xf0, 0x00, 0x07, 0xf4}, base, nil, raised, nil, ""},
		{"lock xchg [bx],ax is lockable", []byte{0xf0, 0x87, 0x07, 0xf4}, base, nil, []Mismatch{ax}, nil, ""},
		{"lock inc word [bx] is lockable", []byte{0xf0, 0xff, 0x07, 0xf4}, base, nil, []Mismatch{ax}, nil, ""},
		{"lock neg byte [bx] is lockable", []byte{0xf0, 0xf6, 0x1f, 0xf4}, base, nil, []Mismatch{ax}, nil, ""},
		{"lock add [bx],1 is lockable", []byte{0xf0, 0x80, 0x07, 0x01, 0xf4}, base, nil, []Mismatch{ax}, nil, ""},
		{"lock cmp [bx],1", []byte{0xf0, 0x80, 0x3f, 0x01, 0xf4}, base, nil, raised, nil, "lock-prefix"},
		{"word at FFFF", []byte{0x01, 0x07, 0xf4}, func() Regs16 { r := base; r.BX = 0xFFFF; return r }(), gp, []Mismatch{ip}, nil, "segment-wrap"},
		{"word at FFFF, CPU did not halt", []byte{0x01, 0x07, 0xf4}, func() Regs16 { r := base; r.BX = 0xFFFF; return r }(), gp, nil, assert.AnError, "segment-wrap"},
		{"word at FFFF, right CS:IP but wrong pushed FLAGS", []byte{0x01, 0x07, 0xf4}, func() Regs16 { r := base; r.BX = 0xFFFF; return r }(), gp, []Mismatch{pushedHigh(0x08, 0x00)}, nil, ""},
		{"fadd dword [bx]", []byte{0xd8, 0x07, 0xf4}, base, nil, []Mismatch{ax}, nil, "fpu-escape"},
		{"popf loading IOPL", []byte{0x9d, 0xf4}, base, nil, []Mismatch{regFlags(0x0002, 0x3002)}, nil, "flags-12-15"},
		{"pushed FLAGS high nibble", []byte{0xcd, 0x21, 0xf4}, base, gp, []Mismatch{pushedHigh(0x00, 0x70)}, nil, "flags-12-15"},
		{"FLAGS high bits and a register", []byte{0x9d, 0xf4}, base, nil, []Mismatch{regFlags(0x0002, 0x3002), ax}, nil, ""},
		{"FLAGS high bits but the run failed", []byte{0x9d, 0xf4}, base, nil, []Mismatch{regFlags(0x0002, 0x3002)}, assert.AnError, ""},
		{"OF after rol by 3 (undefined)", []byte{0xc0, 0x07, 0x03, 0xf4}, base, nil, []Mismatch{regFlags(0x0002, 0x0802)}, nil, "undefined-flags"},
		{"OF after rol by 1 (defined)", []byte{0xd0, 0x07, 0xf4}, base, nil, []Mismatch{regFlags(0x0002, 0x0802)}, nil, ""},
		{"OF after shl by CL=3 (undefined)", []byte{0xd2, 0x27, 0xf4}, base, nil, []Mismatch{regFlags(0x0002, 0x0802)}, nil, "undefined-flags"},
		{"CF after shl by CL=3 (defined)", []byte{0xd2, 0x27, 0xf4}, base, nil, []Mismatch{regFlags(0x0002, 0x0003)}, nil, ""},
		{"CF after shl byte by 8 (undefined)", []byte{0xc0, 0x27, 0x08, 0xf4}, base, nil, []Mismatch{regFlags(0x0002, 0x0003)}, nil, "undefined-flags"},
		{"CF after sar byte by 8 (defined)", []byte{0xc0, 0x3f, 0x08, 0xf4}, base, nil, []Mismatch{regFlags(0x0002, 0x0003)}, nil, ""},
		{"no flags change for a zero count", []byte{0xc0, 0x27, 0x20, 0xf4}, base, nil, []Mismatch{regFlags(0x0002, 0x0802)}, nil, ""},
		{"AF after and (undefined)", []byte{0x20, 0x07, 0xf4}, base, nil, []Mismatch{regFlags(0x0002, 0x0012)}, nil, "undefined-flags"},
		{"ZF after and (defined)", []byte{0x20, 0x07, 0xf4}, base, nil, []Mismatch{regFlags(0x0002, 0x0042)}, nil, ""},
		{"SF,ZF after mul", []byte{0xf6, 0x27, 0xf4}, base, nil, []Mismatch{regFlags(0x0002, 0x00c2)}, nil, "undefined-flags"},
		{"CF after mul (defined)", []byte{0xf6, 0x27, 0xf4}, base, nil, []Mismatch{regFlags(0x0002, 0x0003)}, nil, ""},
		{"everything after div", []byte{0xf7, 0x37, 0xf4}, base, nil, []Mismatch{regFlags(0x0002, 0x08d7)}, nil, "undefined-flags"},
		{"OF after aaa plus IOPL", []byte{0x37, 0xf4}, base, nil, []Mismatch{regFlags(0x0002, 0x1802)}, nil, "undefined-flags"},
		{"plain wrong add", []byte{0x00, 0x07, 0xf4}, base, nil, []Mismatch{ax}, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tst := wrapTest(tc.bytes, tc.regs, tc.excp)
			fail := &Failure{Mismatches: tc.mm, Err: tc.err, Got: tc.regs}
			for _, m := range tc.mm {
				if !m.IsRAM {
					fail.Got.Set(m.Reg, m.Got)
				}
			}
			c, detail, ok := Classify(cats, &Case{Test: tst, Failure: fail, FlagsMask: 0xFFFF})
			assert.Equal(t, tc.want != "", ok, detail)
			assert.Equal(t, tc.want, c.Name, detail)
			if ok {
				assert.NotEmpty(t, detail)
			}
		})
	}
	_, _, ok := Classify(nil, &Case{Test: &Test{}, Failure: &Failure{}})
	assert.False(t, ok, "no categories, no match")
}

func TestFlagNames(t *testing.T) {
	for bits, want := range map[uint16]string{
		0: "nothing", flagCF: "CF", flagCF | flagZF: "CF,ZF", flagOF | flagAF: "AF,OF",
		0x3000: "IOPL0,IOPL1", 0x4000: "NT", 0x8000: "bit15", 0x0002: "bit1",
	} {
		assert.Equal(t, want, flagNames(bits), "%#x", bits)
	}
}

// TestCategoriesWithReportedInterrupt covers the categories that rely on
// the first interrupt the CPU under test reports.
func TestCategoriesWithReportedInterrupt(t *testing.T) {
	cats := KnownDifferences()
	base := Regs16{CS: 0x1000, IP: 0x100, SP: 0x200, BX: 0x300, Flags: 0x0002}
	ud := &Exception{Vector: 6, FlagsAddr: 0x21FE}
	de := &Exception{Vector: 0, FlagsAddr: 0x21FE}
	took := func(v uint8) *FirstInterrupt { return &FirstInterrupt{Took: true, Vector: v} }
	none := &FirstInterrupt{}
	ax := Mismatch{Reg: RegAX, Want: 1, Got: 2, Mask: 0xFFFF}
	si := Mismatch{Reg: RegSI, Want: 1, Got: 0xFFFF, Mask: 0xFFFF}
	pushedLow := Mismatch{IsRAM: true, PushedFlags: true, Addr: 0x21FE, Want: 0x12, Got: 0x86, Mask: 0xFF}
	withSI := func(v uint16) Regs16 { r := base; r.SI = v; return r }
	// idiv byte [bx] with AX = 0x81C1 and a divisor of 0x7C at DS:BX: the
	// true quotient is -260.
	idiv := wrapTest([]byte{0xf6, 0x3f, 0xf4}, func() Regs16 { r := base; r.AX = 0x81C1; return r }(), nil)
	idiv.Init.RAM = append(idiv.Init.RAM, RAMByte{Addr: 0x300, Value: 0x7C})
	idivSmall := wrapTest([]byte{0xf6, 0x3f, 0xf4}, func() Regs16 { r := base; r.AX = 0x0100; return r }(), nil)
	idivSmall.Init.RAM = append(idivSmall.Init.RAM, RAMByte{Addr: 0x300, Value: 0x7C})
	for _, tc := range []struct {
		name  string
		test  *Test
		first *FirstInterrupt
		mm    []Mismatch
		want  string
	}{
		{"lock mov, #UD taken", wrapTest([]byte{0xf0, 0x88, 0x07, 0xf4}, base, nil), took(6), []Mismatch{ax}, "lock-prefix"},
		{"lock mov, #GP taken", wrapTest([]byte{0xf0, 0x88, 0x07, 0xf4}, base, nil), took(13), []Mismatch{ax}, ""},
		{"mov fs, no exception", wrapTest([]byte{0x8e, 0x27, 0xf4}, base, ud), none, []Mismatch{ax}, "fs-gs"},
		{"mov fs, exception taken", wrapTest([]byte{0x8e, 0x27, 0xf4}, base, ud), took(6), []Mismatch{ax}, ""},
		{"movsw at SI=FFFF, late 286 fault", wrapTest([]byte{0xa5, 0xf4}, withSI(0xFFFF), &Exception{Vector: 13}), took(13), []Mismatch{si}, "segment-wrap"},
		{"movsw at SI=FFFF, no fault", wrapTest([]byte{0xa5, 0xf4}, withSI(0xFFFF), &Exception{Vector: 13}), none, []Mismatch{si}, ""},
		{"div overflow, pushed flags", wrapTest([]byte{0xf6, 0x37, 0xf4}, base, de), took(0), []Mismatch{pushedLow}, "divide-error-flags"},
		{"div overflow, pushed flags, no #DE: still undefined flags", wrapTest([]byte{0xf6, 0x37, 0xf4}, base, de), none, []Mismatch{pushedLow}, "undefined-flags"},
		{"aam 0, pushed SF/ZF/PF", wrapTest([]byte{0xd4, 0x00, 0xf4}, base, de), took(0), []Mismatch{pushedLow}, "divide-error-flags"},
		{"aam 0, pushed SF/ZF/PF, no #DE", wrapTest([]byte{0xd4, 0x00, 0xf4}, base, de), none, []Mismatch{pushedLow}, ""},
		{"idiv quotient -260", idiv, took(0), []Mismatch{ax}, "idiv-overflow"},
		{"idiv quotient in range", idivSmall, took(0), []Mismatch{ax}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fail := &Failure{Mismatches: tc.mm, Got: initialRegs(tc.test)}
			c, detail, ok := Classify(cats, &Case{Test: tc.test, Failure: fail, FlagsMask: 0xFFFF, First: tc.first})
			assert.Equal(t, tc.want, c.Name, detail)
			assert.Equal(t, tc.want != "", ok)
		})
	}
}
