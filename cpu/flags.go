package cpu

import "math/bits"

// Lazy-flags kinds. The arithmetic flags of the last flag-setting
// instruction are derived on demand from its kind, size, result and
// operands, instead of being computed by every instruction.
const (
	lzNone  uint8 = iota // arithmetic flags are in State.Flags
	lzAdd                // Res = A + B
	lzAdc                // Res = A + B + 1 (carry in was set)
	lzSub                // Res = A - B
	lzSbb                // Res = A - B - 1 (borrow in was set)
	lzLogic              // Res = A op B; CF = OF = AF = 0
	lzInc                // Res = A + 1; CF kept in State.Flags
	lzDec                // Res = A - 1; CF kept in State.Flags
)

// LazyFlags describe the arithmetic flags of the last flag-setting
// instruction. Size is 0, 1 or 2 for 8-, 16- and 32-bit operations.
type LazyFlags struct {
	Kind uint8
	Size uint8
	Res  uint32
	A, B uint32
}

func sizeMask(sz uint8) uint32 { return uint32(uint64(1)<<(8<<sz) - 1) }

func signBit(sz uint8) uint32 { return 1 << ((8 << sz) - 1) }

func (s *State) setLazy(kind, sz uint8, res, a, b uint32) {
	l := &s.Lazy
	l.Kind, l.Size, l.Res, l.A, l.B = kind, sz, res, a, b
}

// cf returns the carry flag.
func (s *State) cf() bool {
	l := &s.Lazy
	m := sizeMask(l.Size)
	switch l.Kind {
	case lzAdd:
		return l.Res&m < l.A&m
	case lzAdc:
		return l.Res&m <= l.A&m
	case lzSub:
		return l.A&m < l.B&m
	case lzSbb:
		return l.A&m <= l.B&m
	case lzLogic:
		return false
	case lzInc, lzDec:
		return l.B != 0
	}
	return s.Flags&FlagCF != 0
}

func (s *State) zf() bool {
	if s.Lazy.Kind == lzNone {
		return s.Flags&FlagZF != 0
	}
	return s.Lazy.Res&sizeMask(s.Lazy.Size) == 0
}

func (s *State) sf() bool {
	if s.Lazy.Kind == lzNone {
		return s.Flags&FlagSF != 0
	}
	return s.Lazy.Res&signBit(s.Lazy.Size) != 0
}

func (s *State) of() bool {
	l := &s.Lazy
	sb := signBit(l.Size)
	switch l.Kind {
	case lzAdd, lzAdc, lzInc:
		b := l.B
		if l.Kind == lzInc {
			b = 1
		}
		return (l.A^l.Res)&(b^l.Res)&sb != 0
	case lzSub, lzSbb, lzDec:
		b := l.B
		if l.Kind == lzDec {
			b = 1
		}
		return (l.A^b)&(l.A^l.Res)&sb != 0
	case lzLogic:
		return false
	}
	return s.Flags&FlagOF != 0
}

func (s *State) pf() bool {
	if s.Lazy.Kind == lzNone {
		return s.Flags&FlagPF != 0
	}
	return bits.OnesCount8(uint8(s.Lazy.Res))&1 == 0
}

func (s *State) af() bool {
	l := &s.Lazy
	switch l.Kind {
	case lzNone:
		return s.Flags&FlagAF != 0
	case lzLogic:
		return false
	case lzInc, lzDec:
		return (l.A^1^l.Res)&0x10 != 0
	}
	return (l.A^l.B^l.Res)&0x10 != 0
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
		r = s.cf() || s.zf()
	case 4:
		r = s.sf()
	case 5:
		r = s.pf()
	case 6:
		r = s.sf() != s.of()
	case 7:
		r = s.zf() || s.sf() != s.of()
	}
	return r != (cc&1 != 0)
}
