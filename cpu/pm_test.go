package cpu

import (
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/require"

	"bt86/bus"
	"bt86/mmu"
)

// A protected-mode test pmRig: a flat GDT, an IDT whose every vector leads
// to a HLT at rHandlers+vec*4 (so a test reads the vector from EIP), a
// 32-bit TSS with a ring-0 stack and an all-open I/O bitmap.
const (
	rGDT      = 0x1000
	rIDT      = 0x2000
	rTSS      = 0x3000 // 32-bit TSS, I/O bitmap at +0x68 (8 KiB + 1)
	rHandlers = 0x6000
	rCode     = 0x10000
	rStack0   = 0x20000 // ring-0 stack top
	rStack3   = 0x30000 // ring-3 stack top
	rData     = 0x40000

	selCode0  = 0x08
	selData0  = 0x10
	selCode3  = 0x18 // DPL 3
	selData3  = 0x20 // DPL 3
	selTSS    = 0x28
	selCode16 = 0x30 // 16-bit, base rCode, limit 0xFFFF
	selData16 = 0x38 // 16-bit, base rData, limit 0xFFFF
	selFree   = 0x40 // first selector tests may define

	accCode = 0x9B // P, DPL 0, code, readable, accessed
	accData = 0x93 // P, DPL 0, data, writable, accessed
	flG32   = 0xC  // G and D/B
)

// pmPorts records port writes and answers reads with a pattern.
type pmPorts struct {
	writes []portWrite
	in     uint32
}

type portWrite struct {
	port uint16
	size uint8
	v    uint32
}

func (p *pmPorts) In(port uint16, size uint8) uint32 { return p.in & sizeMask(size>>1) }
func (p *pmPorts) Out(port uint16, size uint8, v uint32) {
	p.writes = append(p.writes, portWrite{port, size, v})
}

type pmRig struct {
	t     *testing.T
	c     *CPU
	ram   []byte
	ports *pmPorts
}

func newPMRig(t *testing.T) *pmRig {
	t.Helper()
	ram := make([]byte, 4<<20)
	b := bus.New()
	tp := &pmPorts{in: 0x89ABCDEF}
	c := New(Config{Phys: mmu.NewFlat(ram, b), Ports: tp})
	r := &pmRig{t: t, c: c, ram: ram, ports: tp}
	r.desc(selCode0, 0, 0xFFFFF, accCode, flG32)
	r.desc(selData0, 0, 0xFFFFF, accData, flG32)
	r.desc(selCode3, 0, 0xFFFFF, accCode|3<<5, flG32)
	r.desc(selData3, 0, 0xFFFFF, accData|3<<5, flG32)
	r.desc(selTSS, rTSS, 0x68+0x2000, 0x89, 0)
	r.desc(selCode16, rCode, 0xFFFF, accCode, 0)
	r.desc(selData16, rData, 0xFFFF, accData, 0)
	for v := 0; v < 256; v++ {
		r.gate(rIDT+v*8, selCode0, uint32(rHandlers+v*4), 0x8E, 0)
		ram[rHandlers+v*4] = 0xF4 // hlt
	}
	r.ram[rIDT+excBP*8+5] = 0xEE // INT3 allowed from ring 3
	r.w32(rTSS+4, rStack0)
	r.w32(rTSS+8, selData0)
	r.w16(rTSS+0x66, 0x68)
	ram[rTSS+0x68+0x2000] = 0xFF
	c.CR0 |= CR0PE
	c.GDTR = Table{Base: rGDT, Limit: 0xFF}
	c.IDTR = Table{Base: rIDT, Limit: 0x7FF}
	c.TR = r.seg(selTSS)
	c.TR.Attr |= tssBusy
	ram[rGDT+selTSS+5] |= tssBusy
	c.LDTR = Segment{}
	r.ring(0)
	return r
}

func (r *pmRig) w16(a int, v uint16) { binary.LittleEndian.PutUint16(r.ram[a:], v) }
func (r *pmRig) w32(a int, v uint32) { binary.LittleEndian.PutUint32(r.ram[a:], v) }
func (r *pmRig) r16(a int) uint16    { return binary.LittleEndian.Uint16(r.ram[a:]) }
func (r *pmRig) r32(a int) uint32    { return binary.LittleEndian.Uint32(r.ram[a:]) }

// desc writes GDT entry sel: base, 20-bit limit, access byte, flags nibble.
func (r *pmRig) desc(sel int, base, limit uint32, access, flags uint8) {
	a := rGDT + sel&^7
	r.w16(a, uint16(limit))
	r.w16(a+2, uint16(base))
	r.ram[a+4] = byte(base >> 16)
	r.ram[a+5] = access
	r.ram[a+6] = byte(limit>>16)&0xF | flags<<4
	r.ram[a+7] = byte(base >> 24)
}

// gate writes a gate descriptor at linear address a.
func (r *pmRig) gate(a int, sel uint16, off uint32, access uint8, count uint8) {
	r.w16(a, uint16(off))
	r.w16(a+2, sel)
	r.ram[a+4] = count
	r.ram[a+5] = access
	r.w16(a+6, uint16(off>>16))
}

// seg returns the descriptor cache of a GDT selector.
func (r *pmRig) seg(sel uint16) Segment {
	a := rGDT + int(sel&^7)
	d := desc{lo: r.r32(a), hi: r.r32(a + 4)}
	return d.segment(sel)
}

// ring puts the CPU at privilege 0 or 3 with flat segments and its stack.
func (r *pmRig) ring(cpl int) {
	c := r.c
	code, data, sp := uint16(selCode0), uint16(selData0), uint32(rStack0)
	if cpl == 3 {
		code, data, sp = selCode3|3, selData3|3, rStack3
	}
	c.CPL = cpl
	c.Seg[CS] = r.seg(code)
	for _, s := range []int{SS, DS, ES, FS, GS} {
		c.Seg[s] = r.seg(data)
	}
	c.Regs[ESP] = sp
	c.StateChanged()
}

// run copies code to rCode and runs it from there until HLT (or the
// budget).
func (r *pmRig) run(code ...byte) Exit {
	r.t.Helper()
	copy(r.ram[rCode:], code)
	r.c.EIP = rCode
	return r.c.Run(1000)
}

// vector returns the vector whose handler halted the CPU, or -1.
func (r *pmRig) vector() int {
	c := r.c
	if !c.Halted || c.Seg[CS].Sel != selCode0 || c.EIP <= rHandlers || c.EIP > rHandlers+256*4 {
		return -1
	}
	return int(c.EIP-1-rHandlers) / 4
}

// stack returns n dwords at the handler's SS:ESP.
func (r *pmRig) stack(n int) []uint32 {
	out := make([]uint32, n)
	for i := range out {
		out[i] = r.r32(int(r.c.Seg[SS].Base + r.c.Regs[ESP] + uint32(i)*4))
	}
	return out
}

// fault asserts that the code raised vector with error code (code < 0:
// none expected) and returns the rest of the frame (EIP, CS, EFLAGS...).
func (r *pmRig) fault(vec int, code int64, n int) []uint32 {
	r.t.Helper()
	require.Equal(r.t, vec, r.vector(), "vector (EIP %#x)", r.c.EIP)
	f := r.stack(n + 1)
	if code >= 0 {
		require.Equal(r.t, uint32(code), f[0], "error code")
		return f[1:]
	}
	return f[:n]
}

func TestSegmentLoads(t *testing.T) {
	// mov ax, imm16; mov <seg>, ax; hlt
	for _, tc := range []struct {
		name   string
		sreg   byte // ModRM of mov Sreg, ax
		sel    uint16
		access uint8 // descriptor at selFree (0: none)
		cpl    int
		vec    int
		code   int64
	}{
		{"ds-null-ok", 0xD8, 0, 0, 0, -1, 0},
		{"ss-null", 0xD0, 3, 0, 0, excGP, 0},
		{"ds-np", 0xD8, selFree, 0x13, 0, excNP, selFree},
		{"ss-np", 0xD0, selFree, 0x13, 0, excSS, selFree},
		{"ds-dpl0-from-ring3", 0xD8, selFree | 3, accData, 3, excGP, selFree},
		{"ds-conforming-ring3", 0xD8, selFree | 3, 0x9F, 3, -1, 0},
		{"ds-exec-only", 0xD8, selFree, 0x99, 0, excGP, selFree},
		{"ss-readonly", 0xD0, selFree, 0x91, 0, excGP, selFree},
		{"ss-rpl", 0xD0, selFree | 1, accData | 1<<5, 0, excGP, selFree},
		{"fs-system", 0xE0, selTSS, 0, 0, excGP, selTSS},
		{"gs-beyond-gdt", 0xE8, 0x100, 0, 0, excGP, 0x100},
		{"es-ldt-null", 0xC0, 0x0C, 0, 0, excGP, 0x0C},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newPMRig(t)
			if tc.access != 0 {
				r.desc(selFree, rData, 0xFFFF, tc.access, 4)
			}
			r.ring(tc.cpl)
			if tc.vec < 0 {
				r.run(0x66, 0xB8, byte(tc.sel), byte(tc.sel>>8), 0x8E, tc.sreg, 0xCC)
				require.Equal(t, excBP, r.vector())
				seg := int(tc.sreg>>3) & 7
				require.Equal(t, tc.sel, r.c.Seg[seg].Sel)
				require.Equal(t, tc.sel&0xFFFC != 0, r.c.Seg[seg].Valid)
				return
			}
			r.run(0x66, 0xB8, byte(tc.sel), byte(tc.sel>>8), 0x8E, tc.sreg, 0xF4)
			f := r.fault(tc.vec, tc.code, 1)
			require.Equal(t, uint32(rCode+4), f[0], "faulting EIP")
		})
	}
}

func TestAccessedBitAndCache(t *testing.T) {
	r := newPMRig(t)
	r.desc(selFree, rData, 0xFFF, 0x92, 4) // accessed clear
	// mov ax, selFree; mov ds, ax; mov eax, [0]; int3
	r.w32(rData, 0xCAFEF00D)
	r.run(0x66, 0xB8, selFree, 0, 0x8E, 0xD8, 0xA1, 0, 0, 0, 0, 0xCC)
	require.Equal(t, excBP, r.vector())
	require.Equal(t, byte(0x93), r.ram[rGDT+selFree+5])
	require.Equal(t, uint32(0xCAFEF00D), r.c.Regs[EAX])
	require.Equal(t, uint32(0xFFF), r.c.Seg[DS].Limit)
}

func TestFarJumpAndCallPM(t *testing.T) {
	r := newPMRig(t)
	// jmp far selCode16:0x20 ; at rCode+0x20 (16-bit): mov ax, 0x1234; hlt
	copy(r.ram[rCode+0x20:], []byte{0xB8, 0x34, 0x12, 0xF4})
	r.run(0xEA, 0x20, 0, 0, 0, selCode16, 0)
	require.True(t, r.c.Halted)
	require.Equal(t, uint16(selCode16), r.c.Seg[CS].Sel)
	require.False(t, r.c.Seg[CS].Big())
	require.Equal(t, uint32(0x1234), r.c.Regs[EAX]&0xFFFF)

	// call far selCode0:rCode+0x40; at +0x40: retf
	r = newPMRig(t)
	r.ram[rCode+0x40] = 0xCB
	r.run(0x9A, 0x40, 0, 1, 0, selCode0, 0, 0xCC)
	require.Equal(t, excBP, r.vector())
	require.Equal(t, uint32(rStack0-12), r.c.Regs[ESP]) // the #BP frame only

	// jmp to a non-conforming DPL-3 code segment from ring 0: #GP(sel)
	r = newPMRig(t)
	r.run(0xEA, 0, 0, 0, 0, selCode3, 0)
	r.fault(excGP, selCode3, 1)
	// jmp beyond the limit: #GP(0)
	r = newPMRig(t)
	r.run(0xEA, 0, 0, 1, 0, selCode16, 0)
	r.fault(excGP, 0, 1)
}

// callGateTest calls from ring 3 through a call gate to ring 0 with params.
func TestCallGate(t *testing.T) {
	for _, g32 := range []bool{true, false} {
		name := "gate16"
		if g32 {
			name = "gate32"
		}
		t.Run(name, func(t *testing.T) {
			r := newPMRig(t)
			typ := uint8(0xEC) // P, DPL 3, 32-bit call gate
			w := uint32(4)
			h := rCode + 0x100 // ring-0 target
			if !g32 {
				typ, w, h = 0xE4, 2, 0x8100 // a 16-bit gate has a 16-bit offset
			}
			r.gate(rGDT+selFree, selCode0, uint32(h), typ, 2)
			// ring 3: push 0x1111; push 0x2222 (operand size = gate size)
			// call far selFree|3:0; int3
			var code []byte
			if g32 {
				code = []byte{0x68, 0x11, 0x11, 0, 0, 0x68, 0x22, 0x22, 0, 0}
			} else {
				code = []byte{0x66, 0x68, 0x11, 0x11, 0x66, 0x68, 0x22, 0x22}
			}
			code = append(code, 0x9A, 0, 0, 0, 0, selFree|3, 0, 0xCC)
			// ring 0: hlt; then retf 8
			copy(r.ram[h:], []byte{0xF4, 0xCA, byte(2 * w), 0})
			r.ring(3)
			r.run(code...)
			c := r.c
			require.True(t, c.Halted)
			require.Equal(t, 0, c.CPL)
			require.Equal(t, uint16(selCode0), c.Seg[CS].Sel)
			require.Equal(t, uint16(selData0), c.Seg[SS].Sel)
			// new stack: EIP, CS, param2, param1, ESP, SS (gate-sized)
			sp := int(c.Regs[ESP])
			rd := func(i int) uint32 {
				if g32 {
					return r.r32(sp + i*4)
				}
				return uint32(r.r16(sp + i*2))
			}
			require.Equal(t, uint32(rStack0)-6*w, c.Regs[ESP])
			require.Equal(t, uint32(rCode+len(code)-1)&(1<<(8*w)-1), rd(0))
			require.Equal(t, uint32(selCode3|3), rd(1))
			require.Equal(t, uint32(0x2222), rd(2))
			require.Equal(t, uint32(0x1111), rd(3))
			require.Equal(t, (uint32(rStack3)-2*w)&(1<<(8*w)-1), rd(4))
			require.Equal(t, uint32(selData3|3), rd(5))
			if !g32 {
				return
			}
			// RETF 8 back to ring 3: params released from the outer stack.
			c.Halted = false
			c.Seg[DS] = r.seg(selData0) // DPL 0: nulled by the return
			c.StateChanged()
			c.Run(10)
			require.Equal(t, excBP, r.vector())
			f := r.fault(excBP, -1, 5)
			require.Equal(t, []uint32{uint32(rCode + len(code)), selCode3 | 3}, f[:2])
			require.Equal(t, uint32(rStack3), f[3], "outer ESP after RETF 8")
			require.Equal(t, uint16(0), c.Seg[DS].Sel) // stays null in the handler
		})
	}
}

func TestRetfToOuterNullsSegments(t *testing.T) {
	r := newPMRig(t)
	// push selData3|3; push rStack3; push selCode3|3; push rCode+0x80; retf
	code := []byte{0x68, selData3 | 3, 0, 0, 0, 0x68, 0, 0, 3, 0, 0x68, selCode3 | 3, 0, 0, 0,
		0x68, 0x80, 0, 1, 0, 0xCB}
	r.ram[rCode+0x80] = 0xCC
	r.c.Seg[FS] = r.seg(selData3 | 3)
	r.c.StateChanged()
	r.run(code...)
	c := r.c
	require.Equal(t, excBP, r.vector())
	f := r.fault(excBP, -1, 5)
	require.Equal(t, uint32(rCode+0x81), f[0])
	require.Equal(t, uint32(selCode3|3), f[1])
	require.Equal(t, uint32(rStack3), f[3])
	require.Equal(t, uint32(selData3|3), f[4])
	require.False(t, c.Seg[DS].Valid)
	require.False(t, c.Seg[ES].Valid)
	require.True(t, c.Seg[FS].Valid, "DPL-3 FS kept")
	require.False(t, c.Seg[GS].Valid)
}

func TestInterruptGatesAndTraps(t *testing.T) {
	// INT 0x40 from ring 3 through a DPL-3 trap gate: stack switch, IF kept.
	r := newPMRig(t)
	r.gate(rIDT+0x40*8, selCode0, rHandlers+0x40*4, 0xEF, 0)
	r.ring(3)
	r.c.Flags |= FlagIF
	r.run(0xCD, 0x40)
	f := r.fault(0x40, -1, 5)
	require.Equal(t, []uint32{rCode + 2, selCode3 | 3}, f[:2])
	require.NotZero(t, f[2]&FlagIF)
	require.Equal(t, []uint32{rStack3, selData3 | 3}, f[3:])
	require.NotZero(t, r.c.Flags&FlagIF, "trap gate keeps IF")
	require.Equal(t, uint32(rStack0-20), r.c.Regs[ESP])

	// The same through an interrupt gate clears IF.
	r = newPMRig(t)
	r.gate(rIDT+0x40*8, selCode0, rHandlers+0x40*4, 0xEE, 0)
	r.ring(3)
	r.c.Flags |= FlagIF
	r.run(0xCD, 0x40)
	r.fault(0x40, -1, 5)
	require.Zero(t, r.c.Flags&FlagIF)

	// A DPL-0 gate from ring 3: #GP(vec*8+2).
	r = newPMRig(t)
	r.ring(3)
	r.run(0xCD, 0x41)
	r.fault(excGP, 0x41*8+2, 5)

	// Beyond the IDT limit.
	r = newPMRig(t)
	r.c.IDTR.Limit = 0x41*8 - 1
	r.run(0xCD, 0x41)
	r.fault(excGP, 0x41*8+2, 3)

	// Not-present gate.
	r = newPMRig(t)
	r.ram[rIDT+0x41*8+5] &^= 0x80
	r.run(0xCD, 0x41)
	r.fault(excNP, 0x41*8+2, 3)

	// #UD whose gate is absent: #NP with EXT set.
	r = newPMRig(t)
	r.ram[rIDT+excUD*8+5] &^= 0x80
	r.run(0x0F, 0x0B)
	r.fault(excNP, excUD*8+2+1, 3)

	// A 16-bit interrupt gate pushes a 16-bit frame.
	r = newPMRig(t)
	r.gate(rIDT+0x42*8, selCode0, rHandlers+0x42*4, 0x86, 0)
	r.run(0xCD, 0x42)
	require.Equal(t, 0x42, r.vector())
	require.Equal(t, uint32(rStack0-6), r.c.Regs[ESP])
	require.Equal(t, uint16(2), r.r16(rStack0-6))
	require.Equal(t, uint16(selCode0), r.r16(rStack0-4))

	// #GP with an error code at ring 0 (a bad segment load).
	r = newPMRig(t)
	r.run(0x66, 0xB8, 0x2B, 0, 0x8E, 0xD8) // mov ax, selTSS|3; mov ds, ax
	f = r.fault(excGP, selTSS, 3)
	require.Equal(t, uint32(rCode+4), f[0])
}

func TestDoubleAndTripleFault(t *testing.T) {
	r := newPMRig(t)
	r.ram[rIDT+excGP*8+5] &^= 0x80 // #GP handler not present -> #NP -> #DF
	r.run(0x66, 0xB8, 0x2B, 0, 0x8E, 0xD8)
	r.fault(excDF, 0, 3)

	r = newPMRig(t)
	r.c.IDTR.Limit = 0 // everything faults
	ex := r.run(0x0F, 0x0B)
	require.Equal(t, ExitShutdown, ex.Reason)
}

func TestIretPM(t *testing.T) {
	// IRET to ring 3 (outer) then INT3 back.
	r := newPMRig(t)
	r.gate(rIDT+3*8, selCode0, rHandlers+3*4, 0xEE, 0)
	code := []byte{
		0x68, selData3 | 3, 0, 0, 0, // push ss
		0x68, 0, 0, 3, 0, // push esp
		0x68, 0x02, 0x32, 0, 0, // push eflags (IF, IOPL 3)
		0x68, selCode3 | 3, 0, 0, 0, // push cs
		0x68, 0x80, 0, 1, 0, // push eip
		0xCF, // iretd
	}
	r.ram[rCode+0x80] = 0xCC
	r.run(code...)
	f := r.fault(excBP, -1, 5)
	require.Equal(t, uint32(rCode+0x81), f[0])
	require.Equal(t, uint32(0x3202), f[2]&0x3202)

	// IRET at ring 3 cannot change IOPL or IF (IOPL 0).
	r = newPMRig(t)
	r.ring(3)
	// pushfd; pop eax; or eax, 0x3200; push eax; push cs; push eip; iretd
	code = []byte{0x9C, 0x58, 0x0D, 0x00, 0x32, 0, 0, 0x50, 0x0E, 0x68, 0x20, 0, 1, 0, 0xCF}
	copy(r.ram[rCode+0x20:], []byte{0x9C, 0xCC}) // pushfd; int3
	r.gate(rIDT+3*8, selCode0, rHandlers+3*4, 0xEE, 0)
	r.run(code...)
	require.Equal(t, excBP, r.vector())
	require.Equal(t, uint32(0), r.r32(rStack3-4)&0x3200)

	// NT set with a non-busy back link: #TS(link).
	r = newPMRig(t)
	r.desc(selFree, rTSS+0x3000, 0x67, 0x89, 0)
	r.w16(rTSS, selFree)
	r.c.Flags |= FlagNT
	r.run(0xCF)
	r.fault(excTS, selFree, 3)
}

// TestInterruptDeliveryFaults checks the faults of delivering an interrupt
// from ring 3 (raised, not delivered: the handler would need the same
// broken structures).
func TestInterruptDeliveryFaults(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(r *pmRig)
		kind  int
		vec   uint8
		code  uint32
	}{
		{"ss0-null", func(r *pmRig) { r.w32(rTSS+8, 0) }, intSoftware, excTS, 0},
		{"ss0-null-ext", func(r *pmRig) { r.w32(rTSS+8, 0) }, intExternal, excTS, 1},
		{"ss0-rpl", func(r *pmRig) { r.w32(rTSS+8, selData0|1) }, intSoftware, excTS, selData0},
		{"ss0-dpl3", func(r *pmRig) { r.w32(rTSS+8, selData3) }, intSoftware, excTS, selData3},
		{"ss0-code", func(r *pmRig) { r.w32(rTSS+8, selCode0) }, intSoftware, excTS, selCode0},
		{"ss0-np", func(r *pmRig) {
			r.desc(selFree, 0, 0xFFFFF, accData&^0x80, flG32)
			r.w32(rTSS+8, selFree)
		}, intSoftware, excSS, selFree},
		{"ss0-too-small", func(r *pmRig) {
			r.desc(selFree, 0, 0xF, accData, 4)
			r.w32(rTSS+8, selFree)
			r.w32(rTSS+4, 0x10)
		}, intExternal, excSS, selFree | 1},
		{"tss-limit", func(r *pmRig) { r.c.TR.Limit = 8 }, intSoftware, excTS, selTSS},
		{"gate-cs-null", func(r *pmRig) { r.gate(rIDT+0x40*8, 0, 0, 0xEE, 0) }, intSoftware, excGP, 0},
		{"gate-cs-data", func(r *pmRig) { r.gate(rIDT+0x40*8, selData0, 0, 0xEE, 0) }, intExternal, excGP, selData0 | 1},
		{"gate-cs-np", func(r *pmRig) {
			r.desc(selFree, 0, 0xFFFFF, accCode&^0x80, flG32)
			r.gate(rIDT+0x40*8, selFree, 0, 0xEE, 0)
		}, intSoftware, excNP, selFree},
		{"gate-eip-limit", func(r *pmRig) { r.gate(rIDT+0x40*8, selCode16, 0x10000, 0xEE, 0) }, intSoftware, excGP, 0},
		{"gate-type", func(r *pmRig) { r.ram[rIDT+0x40*8+5] = 0xEC }, intSoftware, excGP, 0x40*8 + 2},
		{"task-gate-busy", func(r *pmRig) { r.gate(rIDT+0x40*8, selTSS, 0, 0xE5, 0) }, intSoftware, excGP, selTSS},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newPMRig(t)
			r.gate(rIDT+0x40*8, selCode0, rHandlers+0x40*4, 0xEE, 0)
			r.ring(3)
			tc.setup(r)
			c := r.c
			before := c.State
			c.EIP, c.next = rCode, rCode+2
			e := c.catch(func() { c.interrupt(0x40, tc.kind, 0, false) })
			require.NotNil(t, e)
			require.Equal(t, tc.vec, e.vector)
			require.Equal(t, tc.code, e.code)
			require.Equal(t, before.Regs, c.Regs, "registers unchanged")
			require.Equal(t, before.Seg, c.Seg, "segments unchanged")
			require.Equal(t, 3, c.CPL)
		})
	}
}
