package cpu

import "math/bits"

// Lazy flags. CF is computed by every flag-setting instruction (it is
// cheap, and INC/DEC keep it while ADC, SBB and the rotates through carry
// read it); the other five arithmetic flags are derived on demand from
// the kind, size, result and operands of the last ALU instruction.
const (
	lzNone   uint8 = iota // arithmetic flags are in State.Flags
	lzAdd                 // Res = A + B (+ carry): ADD, ADC, INC (B = 1)
	lzSub                 // Res = A - B (- borrow): SUB, SBB, CMP, NEG, DEC (B = 1)
	lzLogic               // Res = A op B; OF = AF = 0
	lzResult              // shifts, multiplies: OF = bit 31 of B; AF = 0
)

// LazyFlags describe the arithmetic flags of the last flag-setting
// instruction. Size is 0, 1 or 2 for 8-, 16- and 32-bit operations. Res,
// A and B are kept shifted left by 24, 16 or 0 bits (lazyShift), so that
// the operation's sign bit is bit 31 and its low bits are zero: ZF, SF and
// OF then read the same at every size, and 32-bit operations, the common
// case, store their values as they are.
type LazyFlags struct {
	Kind uint8
	Size uint8
	CF   bool
	Res  uint32
	A, B uint32
}

func sizeMask(sz uint8) uint32 { return uint32(uint64(1)<<(8<<sz) - 1) }

func signBit(sz uint8) uint32 { return 1 << ((8 << sz) - 1) }

// lazyShift is how far LazyFlags values of size sz are shifted left.
func lazyShift(sz uint8) uint32 { return 32 - 8<<sz }

// setLazy records an operation of size sz with carry out cf.
func (s *State) setLazy(kind, sz uint8, cf bool, res, a, b uint32) {
	sh := lazyShift(sz)
	l := &s.Lazy
	l.Kind, l.Size, l.CF, l.Res, l.A, l.B = kind, sz, cf, res<<sh, a<<sh, b<<sh
}

// setLazy32 is setLazy for a 32-bit operation.
func (s *State) setLazy32(kind uint8, cf bool, res, a, b uint32) {
	l := &s.Lazy
	l.Kind, l.Size, l.CF, l.Res, l.A, l.B = kind, 2, cf, res, a, b
}

// cf returns the carry flag.
func (s *State) cf() bool {
	if s.Lazy.Kind == lzNone {
		return s.Flags&FlagCF != 0
	}
	return s.Lazy.CF
}

func (s *State) zf() bool {
	if s.Lazy.Kind == lzNone {
		return s.Flags&FlagZF != 0
	}
	return s.Lazy.Res == 0
}

func (s *State) sf() bool {
	if s.Lazy.Kind == lzNone {
		return s.Flags&FlagSF != 0
	}
	return int32(s.Lazy.Res) < 0
}

// ofBit returns OF in bit 31.
func (s *State) ofBit() uint32 {
	l := &s.Lazy
	switch l.Kind {
	case lzNone:
		return (s.Flags & FlagOF) << (31 - 11)
	case lzAdd:
		return (l.A ^ l.Res) & (l.B ^ l.Res)
	case lzSub:
		return (l.A ^ l.B) & (l.A ^ l.Res)
	case lzResult:
		return l.B
	}
	return 0 // lzLogic
}

func (s *State) of() bool { return int32(s.ofBit()) < 0 }

func (s *State) pf() bool {
	if s.Lazy.Kind == lzNone {
		return s.Flags&FlagPF != 0
	}
	return bits.OnesCount8(uint8(s.Lazy.Res>>lazyShift(s.Lazy.Size)))&1 == 0
}

func (s *State) af() bool {
	l := &s.Lazy
	switch l.Kind {
	case lzNone:
		return s.Flags&FlagAF != 0
	case lzLogic, lzResult:
		return false
	}
	return (l.A^l.B^l.Res)>>lazyShift(l.Size)&0x10 != 0
}

// EFlags returns the full EFLAGS value.
func (s *State) EFlags() uint32 {
	if s.Lazy.Kind == lzNone {
		return s.Flags | flagRes1
	}
	f := s.Flags&^arithFlags | flagRes1
	if s.cf() {
		f |= FlagCF
	}
	if s.pf() {
		f |= FlagPF
	}
	if s.af() {
		f |= FlagAF
	}
	if s.zf() {
		f |= FlagZF
	}
	if s.sf() {
		f |= FlagSF
	}
	if s.of() {
		f |= FlagOF
	}
	return f
}

// materialize folds the lazy flags into State.Flags.
func (s *State) materialize() {
	if s.Lazy.Kind != lzNone {
		s.Flags = s.EFlags()
		s.Lazy.Kind = lzNone
	}
}

// SetEFlags replaces EFLAGS wholesale (no privilege filtering: callers
// that emulate POPF/IRET apply their masks first).
func (s *State) SetEFlags(v uint32) {
	s.Flags = v&settableFlags | flagRes1
	s.Lazy.Kind = lzNone
}

// setArith sets the arithmetic flags from an eagerly computed value.
func (s *State) setArith(f uint32) {
	s.materialize()
	s.Flags = s.Flags&^arithFlags | f&arithFlags
}

// setAllArith replaces all six arithmetic flags (no need to fold the lazy
// state first).
func (s *State) setAllArith(f uint32) {
	s.Flags = s.Flags&^arithFlags | f&arithFlags
	s.Lazy.Kind = lzNone
}

// setCF changes only CF.
func (s *State) setCF(on bool) {
	s.materialize()
	if on {
		s.Flags |= FlagCF
	} else {
		s.Flags &^= FlagCF
	}
}

// szp returns SF, ZF and PF for a result of size sz.
func szp(res uint32, sz uint8) uint32 {
	var f uint32
	if res&sizeMask(sz) == 0 {
		f |= FlagZF
	}
	if res&signBit(sz) != 0 {
		f |= FlagSF
	}
	if bits.OnesCount8(uint8(res))&1 == 0 {
		f |= FlagPF
	}
	return f
}

// cond evaluates condition code cc (the low nibble of Jcc/SETcc/CMOVcc).
func (s *State) cond(cc uint8) bool {
	var r bool
	switch cc >> 1 {
	case 0:
		r = s.of()
	case 1:
		r = s.cf()
	case 2:
		r = s.zf()
	case 3:
		r = s.belowEq()
	case 4:
		r = s.sf()
	case 5:
		r = s.pf()
	case 6:
		r = s.less()
	case 7:
		r = s.lessEq()
	}
	return r != (cc&1 != 0)
}

// belowEq is CF or ZF (JBE).
func (s *State) belowEq() bool { return s.cf() || s.zf() }

// less is SF != OF (JL).
func (s *State) less() bool {
	if s.Lazy.Kind == lzNone {
		return s.sf() != s.of()
	}
	return int32(s.Lazy.Res^s.ofBit()) < 0
}

// lessEq is ZF or SF != OF (JLE).
func (s *State) lessEq() bool { return s.zf() || s.less() }
