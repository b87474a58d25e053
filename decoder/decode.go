package decoder

import "errors"

// ErrTruncated means the bytes ended before the instruction did.
var ErrTruncated = errors.New("decoder: truncated instruction")

// MaxLen is the longest legal x86 instruction.
const MaxLen = 15

// Inst flags.
const (
	FlagLock   uint16 = 1 << iota // LOCK prefix
	FlagRep                       // F3 prefix (REP/REPE)
	FlagRepne                     // F2 prefix (REPNE)
	FlagOp32                      // effective operand size is 32 bits
	FlagAddr32                    // effective address size is 32 bits
	FlagModRM                     // a ModRM byte is present
	FlagMem                       // the ModRM r/m (or moffs) operand is memory
	FlagSegOvr                    // a segment override prefix was given
	FlagOpSize                    // a 66 prefix was present
)

// Inst is one decoded instruction. It is a plain value of fixed size.
type Inst struct {
	Op     uint16 // dispatch key (see package doc)
	Flags  uint16
	Len    uint8
	ModRM  uint8
	Seg    uint8 // effective segment of the memory operand / string source
	Base   uint8 // base register or RegNone
	Index  uint8 // index register or RegNone
	Scale  uint8 // index shift, 0-3
	Opcode uint8 // last opcode byte (the byte after 0F for two-byte ops)
	Disp   uint32
	Imm    uint32 // first immediate (sign-extended for signed kinds)
	Imm2   uint32 // far pointer selector, ENTER nesting level
}

// Reg is the ModRM reg field.
func (i *Inst) Reg() int { return int(i.ModRM>>3) & 7 }

// RM is the ModRM r/m field (the register when !FlagMem).
func (i *Inst) RM() int { return int(i.ModRM) & 7 }

// Op32 reports a 32-bit operand size.
func (i *Inst) Op32() bool { return i.Flags&FlagOp32 != 0 }

// Addr32 reports a 32-bit address size.
func (i *Inst) Addr32() bool { return i.Flags&FlagAddr32 != 0 }

// Mem reports a memory operand.
func (i *Inst) Mem() bool { return i.Flags&FlagMem != 0 }

// Decoder holds the opcode tables; it is immutable and may be shared.
type Decoder struct {
	one, two [256]attr
	x87RegOK [8]uint64 // valid x87 register forms, by escape and ModRM&0x3F
	x87MemUD [8]uint8  // x87 memory forms that are #UD, by escape and ModRM reg
}

// New returns a Decoder.
func New() *Decoder {
	d := &Decoder{}
	d.one, d.two = opAttrs()
	d.x87RegOK, d.x87MemUD = x87Table()
	return d
}

// Decode decodes one instruction from b. code32 is the default operand
// and address size (CS.D).
func (d *Decoder) Decode(b []byte, code32 bool) (Inst, error) {
	var in Inst
	op32, addr32 := code32, code32
	seg := -1
	n := 0
	var flags uint16
	// Prefixes.
prefixes:
	for {
		if n >= len(b) {
			return d.trunc(b)
		}
		if n >= MaxLen {
			return tooLong(), nil
		}
		switch b[n] {
		case 0x26:
			seg = ES
		case 0x2E:
			seg = CS
		case 0x36:
			seg = SS
		case 0x3E:
			seg = DS
		case 0x64:
			seg = FS
		case 0x65:
			seg = GS
		case 0x66:
			op32 = !code32
			flags |= FlagOpSize
		case 0x67:
			addr32 = !code32
		case 0xF0:
			flags |= FlagLock
		case 0xF2:
			flags = flags&^FlagRep | FlagRepne
		case 0xF3:
			flags = flags&^FlagRepne | FlagRep
		default:
			break prefixes
		}
		n++
	}
	if op32 {
		flags |= FlagOp32
	}
	if addr32 {
		flags |= FlagAddr32
	}
	if seg >= 0 {
		flags |= FlagSegOvr
	}
	opb := b[n]
	n++
	a := d.one[opb]
	key := uint16(opb)
	if opb == 0x0F {
		if n >= len(b) {
			return d.trunc(b)
		}
		opb = b[n]
		n++
		a = d.two[opb]
		key = TwoByte | uint16(opb)
	}
	in.Opcode = opb
	in.Base, in.Index = RegNone, RegNone
	in.Seg = DS
	if seg >= 0 {
		in.Seg = uint8(seg)
	}
	mem := false
	if a.modrm {
		if n >= len(b) {
			return d.trunc(b)
		}
		modrm := b[n]
		n++
		in.ModRM = modrm
		flags |= FlagModRM
		if modrm < 0xC0 && !(key >= TwoByte|0x20 && key <= TwoByte|0x23) {
			mem = true
			flags |= FlagMem
			var err error
			n, err = d.modrmMem(&in, b, n, addr32, seg)
			if err != nil {
				return d.trunc(b)
			}
		}
	}
	// Key refinement: groups and x87.
	invalid := a.invalid
	lockOK := a.lock
	imm := a.imm
	if a.group >= 0 {
		reg := in.Reg()
		valid, lk := groupInfo(int(a.group), reg, mem)
		invalid = invalid || !valid
		lockOK = lk
		key = GroupKey(int(a.group), reg)
		if (a.group == Grp3Eb || a.group == Grp3Ev) && reg <= 1 {
			if a.group == Grp3Eb {
				imm = immB
			} else {
				imm = immZ
			}
		}
	} else if key >= 0xD8 && key <= 0xDF {
		esc := key - 0xD8
		if mem {
			invalid = invalid || d.x87MemUD[esc]>>in.Reg()&1 != 0
			key = X87MemKey(byte(key), in.Reg())
		} else {
			invalid = invalid || d.x87RegOK[esc]>>(in.ModRM&0x3F)&1 == 0
			key = X87RegKey(byte(key), in.ModRM)
		}
	}
	if a.regOK != 0 && a.regOK>>in.Reg()&1 == 0 {
		invalid = true
	}
	if a.memOnly && !mem {
		invalid = true
	}
	// Immediates.
	var err error
	n, err = readImm(&in, b, n, imm, op32, addr32)
	if err != nil {
		return d.trunc(b)
	}
	if imm == immO {
		flags |= FlagMem
	}
	if n > MaxLen {
		return tooLong(), nil
	}
	if flags&FlagLock != 0 && (!lockOK || !mem) {
		invalid = true
	}
	if invalid {
		key = OpUD
	}
	in.Op = key
	in.Flags = flags
	in.Len = uint8(n)
	return in, nil
}

// trunc reports a truncated instruction, or one too long when MaxLen bytes
// were given and still did not hold it.
func (d *Decoder) trunc(b []byte) (Inst, error) {
	if len(b) >= MaxLen {
		return tooLong(), nil
	}
	return Inst{}, ErrTruncated
}

func tooLong() Inst {
	return Inst{Op: OpTooLong, Len: MaxLen, Base: RegNone, Index: RegNone}
}

// modrm16 maps the 16-bit r/m field to base and index registers.
func modrm16(rm uint8) (base, index uint8) {
	switch rm {
	case 0:
		return EBX, ESI
	case 1:
		return EBX, EDI
	case 2:
		return EBP, ESI
	case 3:
		return EBP, EDI
	case 4:
		return ESI, RegNone
	case 5:
		return EDI, RegNone
	case 6:
		return EBP, RegNone
	}
	return EBX, RegNone
}

func (d *Decoder) modrmMem(in *Inst, b []byte, n int, addr32 bool, seg int) (int, error) {
	mod := in.ModRM >> 6
	rm := in.ModRM & 7
	ssDefault := false
	if !addr32 {
		if mod == 0 && rm == 6 {
			if n+2 > len(b) {
				return n, ErrTruncated
			}
			in.Disp = uint32(b[n]) | uint32(b[n+1])<<8
			n += 2
		} else {
			in.Base, in.Index = modrm16(rm)
			ssDefault = in.Base == EBP
			switch mod {
			case 1:
				if n+1 > len(b) {
					return n, ErrTruncated
				}
				in.Disp = uint32(int32(int8(b[n])))
				n++
			case 2:
				if n+2 > len(b) {
					return n, ErrTruncated
				}
				in.Disp = uint32(b[n]) | uint32(b[n+1])<<8
				n += 2
			}
		}
	} else {
		if rm == 4 {
			if n >= len(b) {
				return n, ErrTruncated
			}
			sib := b[n]
			n++
			base := sib & 7
			index := (sib >> 3) & 7
			in.Scale = sib >> 6
			if index != 4 {
				in.Index = index
			}
			if base == 5 && mod == 0 {
				if n+4 > len(b) {
					return n, ErrTruncated
				}
				in.Disp = le32(b[n:])
				n += 4
			} else {
				in.Base = base
				ssDefault = base == ESP || base == EBP
			}
		} else if rm == 5 && mod == 0 {
			if n+4 > len(b) {
				return n, ErrTruncated
			}
			in.Disp = le32(b[n:])
			n += 4
		} else {
			in.Base = rm
			ssDefault = rm == EBP
		}
		switch mod {
		case 1:
			if n+1 > len(b) {
				return n, ErrTruncated
			}
			in.Disp = uint32(int32(int8(b[n])))
			n++
		case 2:
			if n+4 > len(b) {
				return n, ErrTruncated
			}
			in.Disp = le32(b[n:])
			n += 4
		}
	}
	if seg < 0 && ssDefault {
		in.Seg = SS
	}
	return n, nil
}

func le32(b []byte) uint32 {
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}

func readImm(in *Inst, b []byte, n int, kind uint8, op32, addr32 bool) (int, error) {
	need := func(k int) bool { return n+k <= len(b) }
	switch kind {
	case immB:
		if !need(1) {
			return n, ErrTruncated
		}
		in.Imm = uint32(b[n])
		n++
	case immBS:
		if !need(1) {
			return n, ErrTruncated
		}
		in.Imm = uint32(int32(int8(b[n])))
		n++
	case immW:
		if !need(2) {
			return n, ErrTruncated
		}
		in.Imm = uint32(b[n]) | uint32(b[n+1])<<8
		n += 2
	case immZ:
		if op32 {
			if !need(4) {
				return n, ErrTruncated
			}
			in.Imm = le32(b[n:])
			n += 4
		} else {
			if !need(2) {
				return n, ErrTruncated
			}
			in.Imm = uint32(int32(int16(uint16(b[n]) | uint16(b[n+1])<<8)))
			n += 2
		}
	case immAp:
		k := 2
		if op32 {
			k = 4
		}
		if !need(k + 2) {
			return n, ErrTruncated
		}
		if op32 {
			in.Imm = le32(b[n:])
		} else {
			in.Imm = uint32(b[n]) | uint32(b[n+1])<<8
		}
		n += k
		in.Imm2 = uint32(b[n]) | uint32(b[n+1])<<8
		n += 2
	case immO:
		if addr32 {
			if !need(4) {
				return n, ErrTruncated
			}
			in.Disp = le32(b[n:])
			n += 4
		} else {
			if !need(2) {
				return n, ErrTruncated
			}
			in.Disp = uint32(b[n]) | uint32(b[n+1])<<8
			n += 2
		}
	case immWB:
		if !need(3) {
			return n, ErrTruncated
		}
		in.Imm = uint32(b[n]) | uint32(b[n+1])<<8
		in.Imm2 = uint32(b[n+2])
		n += 3
	}
	return n, nil
}
