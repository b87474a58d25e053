package cpu

import "fmt"

// Exception vectors.
const (
	excDE  = 0 // divide error
	excDB  = 1 // debug
	excNMI = 2
	excBP  = 3  // breakpoint
	excOF  = 4  // overflow
	excBR  = 5  // BOUND range
	excUD  = 6  // invalid opcode
	excNM  = 7  // device not available
	excDF  = 8  // double fault
	excTS  = 10 // invalid TSS
	excNP  = 11 // segment not present
	excSS  = 12 // stack fault
	excGP  = 13 // general protection
	excPF  = 14 // page fault
	excMF  = 16 // x87 floating-point error
	excAC  = 17 // alignment check
	excMC  = 18
	excXM  = 19
)

// exception is the panic payload of a guest fault. It is a field of CPU
// so that raising one allocates nothing.
type exception struct {
	vector  uint8
	code    uint32
	hasCode bool
}

// raise aborts the current instruction with a guest exception. EIP still
// holds the faulting instruction's address, so faults restart it.
func (c *CPU) raise(vector uint8, code uint32, hasCode bool) {
	c.exc = exception{vector: vector, code: code, hasCode: hasCode}
	panic(&c.exc)
}

func (c *CPU) gp(code uint32) { c.raise(excGP, code, true) }
func (c *CPU) ud()            { c.raise(excUD, 0, false) }

// Interrupt kinds: they differ in the EIP pushed and the privilege checks.
const (
	intException = iota // fault: pushes the faulting EIP
	intSoftware         // INT n, INT3, INTO: pushes the next EIP, gate DPL checked
	intExternal         // hardware IRQ or NMI
	intICEBP            // INT1 (F1): like software but no DPL check
)

// catch runs f and returns the guest exception it raised, if any.
func (c *CPU) catch(f func()) (e *exception) {
	defer func() {
		if r := recover(); r != nil {
			if x, ok := r.(*exception); ok && x == &c.exc {
				e = &exception{}
				*e = *x
				return
			}
			panic(r)
		}
	}()
	f()
	return nil
}

func excClass(v uint8) int {
	switch v {
	case excDE, excTS, excNP, excSS, excGP:
		return 1 // contributory
	case excPF:
		return 2
	case excDF:
		return 3
	}
	return 0 // benign
}

// deliverException delivers e (raised by the instruction at EIP),
// escalating to a double fault and a triple-fault shutdown as the
// architecture says. It returns false on shutdown.
func (c *CPU) deliverException(e exception) (ok bool, why string) {
	c.Stats.Exceptions++
	chain := [3]uint8{e.vector}
	n := 1
	for {
		cur := e
		nested := c.catch(func() { c.interrupt(cur.vector, intException, cur.code, cur.hasCode) })
		if nested == nil {
			return true, ""
		}
		if n < len(chain) {
			chain[n] = nested.vector
			n++
		}
		first, second := excClass(cur.vector), excClass(nested.vector)
		switch {
		case first == 3:
			why := "triple fault:"
			for i, v := range chain[:n] {
				if i > 0 {
					why += " ->"
				}
				why += " #" + excName(v)
			}
			return false, why
		case (first == 1 && second == 1) || (first == 2 && (second == 1 || second == 2)):
			e = exception{vector: excDF, code: 0, hasCode: true}
		default:
			e = *nested
		}
	}
}

func excName(v uint8) string {
	names := [...]string{"DE", "DB", "NMI", "BP", "OF", "BR", "UD", "NM", "DF", "CSO", "TS", "NP", "SS", "GP", "PF", "15", "MF", "AC", "MC", "XM"}
	if int(v) < len(names) {
		return names[v]
	}
	return fmt.Sprintf("%d", v)
}

// interrupt transfers control through the IVT (real mode) or IDT.
// For software interrupts c.next is the return address; for exceptions
// EIP is.
func (c *CPU) interrupt(vec uint8, kind int, code uint32, hasCode bool) {
	if c.OnInterrupt != nil {
		c.OnInterrupt(c, vec, code, hasCode)
	}
	if c.protected() {
		c.interruptPM(vec, kind, code, hasCode)
		return
	}
	ret := c.EIP
	if kind == intSoftware || kind == intICEBP {
		ret = c.next
	}
	off := uint32(vec) * 4
	if off+3 > uint32(c.IDTR.Limit) {
		c.gp(uint32(vec)*8 + 2)
	}
	newIP := c.sysRead16(c.IDTR.Base + off)
	newCS := c.sysRead16(c.IDTR.Base + off + 2)
	flags := c.EFlags()
	c.push16(uint16(flags))
	c.push16(c.Seg[CS].Sel)
	c.push16(uint16(ret))
	c.Flags &^= FlagIF | FlagTF | FlagAC | FlagRF
	c.loadSegReal(CS, newCS)
	c.EIP = uint32(newIP)
	c.next = c.EIP
	c.events |= evEndTrace
}

// loadSegReal loads a segment register in real or v8086 mode.
func (c *CPU) loadSegReal(seg int, sel uint16) {
	s := &c.Seg[seg]
	s.Sel = sel
	s.Base = uint32(sel) << 4
	s.Valid = true
	if c.v86() {
		s.Limit = 0xFFFF
		s.Attr = AttrP | AttrS | AttrRW | AttrAccessed | 3<<AttrDPLShift
		if seg == CS {
			s.Attr |= AttrCode
		}
	} else if seg == CS {
		// Real mode keeps the cached limit and attributes except that CS
		// becomes a 16-bit, readable, accessed code segment.
		s.Attr = s.Attr&^(AttrDB|3<<AttrDPLShift) | AttrP | AttrS | AttrCode | AttrRW | AttrAccessed
	} else {
		s.Attr |= AttrP
	}
	c.segUpdated(seg)
}
