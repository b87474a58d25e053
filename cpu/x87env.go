package cpu

import (
	"encoding/binary"

	"bt86/decoder"
)

// x87 control instructions: control and status words, environment and
// state save/restore, FWAIT. None of them updates FIP/FDP/FOP.

// fwait: 9B WAIT/FWAIT.
func (c *CPU) fwait(in *decoder.Inst) {
	if c.CR0&(CR0TS|CR0MP) == CR0TS|CR0MP {
		c.raise(excNM, 0, false)
	}
	if c.FPU.SW&fpES != 0 && c.CR0&CR0NE != 0 {
		c.raise(excMF, 0, false)
	}
}

// fldcw: D9 /5.
func (c *CPU) fldcw(in *decoder.Inst) {
	c.fpCheck()
	v := c.read16(in.Seg, c.ea(in))
	c.FPU.CW = v&cwWritable | 0x40
	c.FPU.updateES()
}

// fnstcw: D9 /7.
func (c *CPU) fnstcw(in *decoder.Inst) {
	c.fpCheckNoWait()
	c.write16(in.Seg, c.ea(in), c.FPU.CW)
}

// fnstswMem: DD /7.
func (c *CPU) fnstswMem(in *decoder.Inst) {
	c.fpCheckNoWait()
	c.write16(in.Seg, c.ea(in), c.FPU.SW)
}

// fnstswAX: DF E0.
func (c *CPU) fnstswAX(in *decoder.Inst) {
	c.fpCheckNoWait()
	c.setR16(EAX, c.FPU.SW)
}

// fnclex: DB E2.
func (c *CPU) fnclex(in *decoder.Inst) {
	c.fpCheckNoWait()
	c.FPU.SW &^= fpExc | fpSF | fpES | fpB
}

// fninit: DB E3.
func (c *CPU) fninit(in *decoder.Inst) {
	c.fpCheckNoWait()
	c.FPU.init()
}

// fnLegacy: DB E0 FNENI, DB E1 FNDISI, DB E4 FNSETPM: no-ops since the
// 387.
func (c *CPU) fnLegacy(in *decoder.Inst) { c.fpCheckNoWait() }

// envSize is the size of the FSTENV image (14 or 28 bytes).
func envSize(in *decoder.Inst) int {
	if in.Flags&decoder.FlagOp32 != 0 {
		return 28
	}
	return 14
}

// realLayout reports whether FSTENV/FSAVE use the real-mode layout
// (real and virtual-8086 mode).
func (c *CPU) realLayout() bool { return !c.protected() || c.v86() }

// envReserved fills the reserved upper halves of the 32-bit FSTENV/FSAVE
// image. The SDM leaves them reserved; QEMU writes zeros and the guest
// tests expect that, while Bochs (and Linux's FXSR-to-FSAVE conversion,
// modelled on hardware) write ones: change this to 0xFFFF0000 to match
// real Intel parts.
const envReserved = 0

// putEnv fills the FSTENV image (len 14 or 28) in the layout of the
// current mode and operand size.
func (c *CPU) putEnv(b []byte) {
	f := &c.FPU
	le := binary.LittleEndian
	tw := f.fullTag()
	ip := uint32(f.FCS)<<4 + f.FIP // real mode: 20-bit linear addresses
	dp := uint32(f.FDS)<<4 + f.FDP
	if len(b) == 28 {
		le.PutUint32(b[0:], envReserved|uint32(f.CW))
		le.PutUint32(b[4:], envReserved|uint32(f.SW))
		le.PutUint32(b[8:], envReserved|uint32(tw))
		if c.realLayout() {
			le.PutUint32(b[12:], envReserved|ip&0xFFFF)
			le.PutUint32(b[16:], (ip&0xFFFF0000)>>4|uint32(f.FOP))
			le.PutUint32(b[20:], envReserved|dp&0xFFFF)
			le.PutUint32(b[24:], (dp&0xFFFF0000)>>4)
		} else {
			le.PutUint32(b[12:], f.FIP)
			le.PutUint32(b[16:], uint32(f.FCS)|uint32(f.FOP)<<16)
			le.PutUint32(b[20:], f.FDP)
			le.PutUint32(b[24:], envReserved|uint32(f.FDS))
		}
		return
	}
	le.PutUint16(b[0:], f.CW)
	le.PutUint16(b[2:], f.SW)
	le.PutUint16(b[4:], tw)
	if c.realLayout() {
		le.PutUint16(b[6:], uint16(ip))
		le.PutUint16(b[8:], uint16(ip&0xF0000>>4)|f.FOP)
		le.PutUint16(b[10:], uint16(dp))
		le.PutUint16(b[12:], uint16(dp&0xF0000>>4))
	} else {
		le.PutUint16(b[6:], uint16(f.FIP))
		le.PutUint16(b[8:], f.FCS)
		le.PutUint16(b[10:], uint16(f.FDP))
		le.PutUint16(b[12:], f.FDS)
	}
}

// getEnv loads an FSTENV image; the caller recomputes tags and ES.
func (c *CPU) getEnv(b []byte) {
	f := &c.FPU
	le := binary.LittleEndian
	if len(b) == 28 {
		f.CW, f.SW, f.TW = le.Uint16(b[0:]), le.Uint16(b[4:]), le.Uint16(b[8:])
		if c.realLayout() {
			f.FIP = uint32(le.Uint16(b[12:])) | (le.Uint32(b[16:])&0x0FFFF000)<<4
			f.FOP = le.Uint16(b[16:]) & 0x7FF
			f.FDP = uint32(le.Uint16(b[20:])) | (le.Uint32(b[24:])&0x0FFFF000)<<4
			f.FCS, f.FDS = 0, 0
		} else {
			f.FIP = le.Uint32(b[12:])
			f.FCS = le.Uint16(b[16:])
			f.FOP = le.Uint16(b[18:]) & 0x7FF
			f.FDP = le.Uint32(b[20:])
			f.FDS = le.Uint16(b[24:])
		}
	} else {
		f.CW, f.SW, f.TW = le.Uint16(b[0:]), le.Uint16(b[2:]), le.Uint16(b[4:])
		if c.realLayout() {
			w := le.Uint16(b[8:])
			f.FIP = uint32(le.Uint16(b[6:])) | uint32(w&0xF000)<<4
			f.FOP = w & 0x7FF
			f.FDP = uint32(le.Uint16(b[10:])) | uint32(le.Uint16(b[12:])&0xF000)<<4
			f.FCS, f.FDS = 0, 0
		} else {
			f.FIP = uint32(le.Uint16(b[6:]))
			f.FCS = le.Uint16(b[8:])
			f.FDP = uint32(le.Uint16(b[10:]))
			f.FDS = le.Uint16(b[12:])
			f.FOP = 0
		}
	}
	f.CW = f.CW&cwWritable | 0x40
}

// afterLoad recomputes the tags of non-empty registers and ES/B.
func (f *FPU) afterLoad() {
	f.TW = f.fullTag()
	f.updateES()
}

// fnstenv: D9 /6. Saves the environment, then masks all exceptions.
func (c *CPU) fnstenv(in *decoder.Inst) {
	c.fpCheckNoWait()
	var buf [28]byte
	b := buf[:envSize(in)]
	c.putEnv(b)
	c.fpWriteBlock(in.Seg, c.ea(in), b, len(b))
	c.FPU.CW |= fpExc
	c.FPU.updateES()
}

// fldenv: D9 /4.
func (c *CPU) fldenv(in *decoder.Inst) {
	c.fpCheck()
	var buf [28]byte
	b := buf[:envSize(in)]
	c.fpReadBlock(in.Seg, c.ea(in), b)
	c.getEnv(b)
	c.FPU.afterLoad()
}

// fnsave: DD /6. Saves the environment and the registers (ST(0)
// first), then initializes the FPU.
func (c *CPU) fnsave(in *decoder.Inst) {
	c.fpCheckNoWait()
	var buf [108]byte
	n := envSize(in)
	b := buf[:n+80]
	c.putEnv(b[:n])
	for i := 0; i < 8; i++ {
		v := c.FPU.st(i)
		binary.LittleEndian.PutUint64(b[n+10*i:], v.Mant)
		binary.LittleEndian.PutUint16(b[n+10*i+8:], v.SExp)
	}
	c.fpWriteBlock(in.Seg, c.ea(in), b, len(b))
	c.FPU.init()
}

// frstor: DD /4.
func (c *CPU) frstor(in *decoder.Inst) {
	c.fpCheck()
	var buf [108]byte
	n := envSize(in)
	b := buf[:n+80]
	c.fpReadBlock(in.Seg, c.ea(in), b)
	c.getEnv(b[:n])
	for i := 0; i < 8; i++ {
		c.FPU.Reg[c.FPU.phys(i)] = Float80{
			Mant: binary.LittleEndian.Uint64(b[n+10*i:]),
			SExp: binary.LittleEndian.Uint16(b[n+10*i+8:]),
		}
	}
	c.FPU.afterLoad()
}

// mxcsrMask is the MXCSR_MASK FXSAVE reports: every defined MXCSR bit
// but DAZ.
const mxcsrMask = 0xFFBF

// fxPrologue does the checks of FXSAVE/FXRSTOR: #UD without FXSR, #NM
// when CR0.EM or CR0.TS is set, #GP(0) for an operand not 16-byte
// aligned. It returns the operand offset.
func (c *CPU) fxPrologue(in *decoder.Inst) uint32 {
	if c.model.Features&FeatFXSR == 0 {
		c.ud()
	}
	if c.CR0&(CR0EM|CR0TS) != 0 {
		c.raise(excNM, 0, false)
	}
	off := c.ea(in)
	if (c.Seg[in.Seg].Base+off)&15 != 0 {
		c.gp(0)
	}
	return off
}

// fxsave: 0F AE /0. The 512-byte image; the XMM and reserved areas
// (bytes 160-511) are not written, as on a processor without SSE.
func (c *CPU) fxsave(in *decoder.Inst) {
	off := c.fxPrologue(in)
	f := &c.FPU
	le := binary.LittleEndian
	var b [160]byte
	le.PutUint16(b[0:], f.CW)
	le.PutUint16(b[2:], f.SW)
	var ftw byte
	for p := 0; p < 8; p++ {
		if f.tag(p) != tagEmpty {
			ftw |= 1 << uint(p)
		}
	}
	b[4] = ftw
	le.PutUint16(b[6:], f.FOP)
	le.PutUint32(b[8:], f.FIP)
	le.PutUint16(b[12:], f.FCS)
	le.PutUint32(b[16:], f.FDP)
	le.PutUint16(b[20:], f.FDS)
	le.PutUint32(b[24:], f.MXCSR)
	le.PutUint32(b[28:], mxcsrMask)
	for i := 0; i < 8; i++ {
		v := f.st(i)
		le.PutUint64(b[32+16*i:], v.Mant)
		le.PutUint16(b[40+16*i:], v.SExp)
	}
	c.fpWriteBlock(in.Seg, off, b[:], 512)
}

// fxrstor: 0F AE /1.
func (c *CPU) fxrstor(in *decoder.Inst) {
	off := c.fxPrologue(in)
	c.linR(in.Seg, off, 512)
	var b [160]byte
	c.fpReadBlock(in.Seg, off, b[:])
	le := binary.LittleEndian
	mxcsr := le.Uint32(b[24:])
	if mxcsr&^mxcsrMask != 0 {
		c.gp(0)
	}
	f := &c.FPU
	f.CW = le.Uint16(b[0:])&cwWritable | 0x40
	f.SW = le.Uint16(b[2:])
	f.FOP = le.Uint16(b[6:]) & 0x7FF
	f.FIP = le.Uint32(b[8:])
	f.FCS = le.Uint16(b[12:])
	f.FDP = le.Uint32(b[16:])
	f.FDS = le.Uint16(b[20:])
	f.MXCSR = mxcsr
	for i := 0; i < 8; i++ {
		f.Reg[f.phys(i)] = Float80{Mant: le.Uint64(b[32+16*i:]), SExp: le.Uint16(b[40+16*i:])}
	}
	f.TW = 0
	for p := 0; p < 8; p++ {
		if b[4]&(1<<uint(p)) == 0 {
			f.setTag(p, tagEmpty)
		}
	}
	f.afterLoad()
}
