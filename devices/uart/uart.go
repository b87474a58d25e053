package uart

import (
	"fmt"
	"io"

	"bt86/bus"
)

// Standard PC serial port addresses and interrupt lines.
const (
	COM1Base, COM1IRQ = 0x3F8, 4
	COM2Base, COM2IRQ = 0x2F8, 3
	COM3Base, COM3IRQ = 0x3E8, 4
	COM4Base, COM4IRQ = 0x2E8, 3
)

// Register offsets from the base port.
const (
	RegData = 0 // RBR (read) / THR (write); DLL when LCR.DLAB
	RegIER  = 1 // DLM when LCR.DLAB
	RegIIR  = 2 // IIR (read) / FCR (write)
	RegLCR  = 3
	RegMCR  = 4
	RegLSR  = 5
	RegMSR  = 6
	RegSCR  = 7
)

// Register bits.
const (
	IERRx     = 0x01 // received data available
	IERTx     = 0x02 // transmitter holding register empty
	IERLine   = 0x04 // receiver line status
	IERModem  = 0x08 // modem status
	IIRNoInt  = 0x01
	IIRLine   = 0x06
	IIRRx     = 0x04
	IIRTimout = 0x0C
	IIRTx     = 0x02
	IIRModem  = 0x00
	IIRFIFO   = 0xC0
	FCREnable = 0x01
	FCRClrRx  = 0x02
	FCRClrTx  = 0x04
	LCRDLAB   = 0x80
	MCRDTR    = 0x01
	MCRRTS    = 0x02
	MCROUT1   = 0x04
	MCROUT2   = 0x08
	MCRLoop   = 0x10
	LSRDR     = 0x01
	LSROE     = 0x02
	LSRPE     = 0x04
	LSRFE     = 0x08
	LSRBI     = 0x10
	LSRTHRE   = 0x20
	LSRTEMT   = 0x40
	MSRDCTS   = 0x01
	MSRDDSR   = 0x02
	MSRTERI   = 0x04
	MSRDDCD   = 0x08
	MSRCTS    = 0x10
	MSRDSR    = 0x20
	MSRRI     = 0x40
	MSRDCD    = 0x80
)

// FIFOSize is the depth of the receive FIFO.
const FIFOSize = 16

// InputClock is the baud rate for a divisor of 1.
const InputClock = 115200

const lsrErrors = LSROE | LSRPE | LSRFE | LSRBI

// State is the guest-visible state of the UART.
type State struct {
	RX          [FIFOSize]uint8
	RXHead      uint8
	RXCount     uint8
	RBR         uint8 // last byte read from the receiver
	IER         uint8
	FCR         uint8
	LCR         uint8
	MCR         uint8
	LSRErrors   uint8 // OE, PE, FE, BI since the last LSR read
	MSR         uint8 // modem status inputs and delta bits
	SCR         uint8
	DLL, DLM    uint8
	THRIPending bool  // THR-empty interrupt condition
	HostMSR     uint8 // host-side CTS, DSR, RI, DCD (bits 4-7)
	IRQLevel    bool
}

// Port is a 16550A.
type Port struct {
	s    State
	base uint16
	irqN int
	irq  bus.IRQSink
	out  io.Writer
	buf  [1]byte
}

// New returns a UART at ports base..base+7 raising line irqLine on irq
// (nil for none), writing transmitted bytes to out (nil to discard).
func New(base uint16, irqLine int, irq bus.IRQSink, out io.Writer) *Port {
	p := &Port{base: base, irqN: irqLine, irq: irq, out: out}
	p.s.HostMSR = MSRDCD | MSRDSR | MSRCTS
	p.Reset()
	return p
}

// Reset applies a master reset: registers other than the divisor latch
// and scratch go to their reset values and the FIFOs are emptied.
func (p *Port) Reset() {
	p.s = State{
		DLL: p.s.DLL, DLM: p.s.DLM, SCR: p.s.SCR, HostMSR: p.s.HostMSR,
		IRQLevel: p.s.IRQLevel,
	}
	p.s.MSR = p.inputs()
	p.update()
}

// State returns a copy of the guest-visible state.
func (p *Port) State() State { return p.s }

// SetState replaces the guest-visible state; it does not drive the IRQ.
func (p *Port) SetState(s State) { p.s = s }

// Attach registers the eight ports on b.
func (p *Port) Attach(b *bus.Bus) error {
	return b.MapPorts(fmt.Sprintf("uart@%#x", p.base), p.base, p.base+7, p)
}

// Base returns the first port.
func (p *Port) Base() uint16 { return p.base }

// Baud returns the programmed baud rate (0 if the divisor is 0).
func (p *Port) Baud() int {
	d := int(p.s.DLM)<<8 | int(p.s.DLL)
	if d == 0 {
		return 0
	}
	return InputClock / d
}

func (p *Port) capacity() uint8 {
	if p.s.FCR&FCREnable != 0 {
		return FIFOSize
	}
	return 1
}

// RXFree returns how many bytes Receive would accept now.
func (p *Port) RXFree() int {
	if p.s.MCR&MCRLoop != 0 {
		return 0
	}
	return int(p.capacity() - p.s.RXCount)
}

// Receive pushes host input into the receive FIFO and returns how many
// bytes of b it took.
func (p *Port) Receive(b []byte) int {
	n := min(len(b), p.RXFree())
	for _, c := range b[:n] {
		p.push(c)
	}
	if n > 0 {
		p.update()
	}
	return n
}

// SetModemStatus sets the host side's modem status inputs; bits 4-7 of
// v are CTS, DSR, RI and DCD.
func (p *Port) SetModemStatus(v uint8) {
	p.s.HostMSR = v & 0xF0
	p.refreshMSR()
	p.update()
}

func (p *Port) push(c uint8) {
	p.s.RX[(p.s.RXHead+p.s.RXCount)%FIFOSize] = c
	p.s.RXCount++
}

// inputs returns the current modem status input lines.
func (p *Port) inputs() uint8 {
	m := p.s.MCR
	if m&MCRLoop == 0 {
		return p.s.HostMSR & 0xF0
	}
	var v uint8
	if m&MCRRTS != 0 {
		v |= MSRCTS
	}
	if m&MCRDTR != 0 {
		v |= MSRDSR
	}
	if m&MCROUT1 != 0 {
		v |= MSRRI
	}
	if m&MCROUT2 != 0 {
		v |= MSRDCD
	}
	return v
}

// refreshMSR recomputes the MSR inputs and accumulates the delta bits.
func (p *Port) refreshMSR() {
	old := p.s.MSR & 0xF0
	cur := p.inputs()
	d := p.s.MSR & 0x0F
	ch := old ^ cur
	if ch&MSRCTS != 0 {
		d |= MSRDCTS
	}
	if ch&MSRDSR != 0 {
		d |= MSRDDSR
	}
	if old&MSRRI != 0 && cur&MSRRI == 0 {
		d |= MSRTERI
	}
	if ch&MSRDCD != 0 {
		d |= MSRDDCD
	}
	p.s.MSR = cur | d
}

func (p *Port) triggerLevel() uint8 {
	return [4]uint8{1, 4, 8, 14}[p.s.FCR>>6]
}

// iir returns the interrupt identification for the highest-priority
// pending condition.
func (p *Port) iir() uint8 {
	var id uint8 = IIRNoInt
	ier := p.s.IER
	switch {
	case ier&IERLine != 0 && p.s.LSRErrors != 0:
		id = IIRLine
	case ier&IERRx != 0 && p.s.RXCount > 0:
		id = IIRRx
		if p.s.FCR&FCREnable != 0 && p.s.RXCount < p.triggerLevel() {
			id = IIRTimout
		}
	case ier&IERTx != 0 && p.s.THRIPending:
		id = IIRTx
	case ier&IERModem != 0 && p.s.MSR&0x0F != 0:
		id = IIRModem
	}
	if p.s.FCR&FCREnable != 0 {
		id |= IIRFIFO
	}
	return id
}

func (p *Port) update() {
	level := p.iir()&IIRNoInt == 0 && p.s.MCR&MCROUT2 != 0
	if level != p.s.IRQLevel {
		p.s.IRQLevel = level
		if p.irq != nil {
			p.irq.SetIRQ(p.irqN, level)
		}
	}
}

func (p *Port) lsr() uint8 {
	v := p.s.LSRErrors | LSRTHRE | LSRTEMT
	if p.s.RXCount > 0 {
		v |= LSRDR
	}
	return v
}

// ReadPort implements bus.PortHandler.
func (p *Port) ReadPort(port uint16, size uint8) uint32 {
	var v uint32
	for i := uint8(0); i < size; i++ {
		v |= uint32(p.readReg(port-p.base+uint16(i))) << (8 * i)
	}
	return v
}

// WritePort implements bus.PortHandler.
func (p *Port) WritePort(port uint16, size uint8, v uint32) {
	for i := uint8(0); i < size; i++ {
		p.writeReg(port-p.base+uint16(i), uint8(v>>(8*i)))
	}
}

func (p *Port) readReg(r uint16) uint8 {
	dlab := p.s.LCR&LCRDLAB != 0
	switch r {
	case RegData:
		if dlab {
			return p.s.DLL
		}
		if p.s.RXCount > 0 {
			p.s.RBR = p.s.RX[p.s.RXHead]
			p.s.RXHead = (p.s.RXHead + 1) % FIFOSize
			p.s.RXCount--
			p.update()
		}
		return p.s.RBR
	case RegIER:
		if dlab {
			return p.s.DLM
		}
		return p.s.IER
	case RegIIR:
		v := p.iir()
		if v&0x0F == IIRTx {
			p.s.THRIPending = false
			p.update()
		}
		return v
	case RegLCR:
		return p.s.LCR
	case RegMCR:
		return p.s.MCR
	case RegLSR:
		v := p.lsr()
		if p.s.LSRErrors != 0 {
			p.s.LSRErrors = 0
			p.update()
		}
		return v
	case RegMSR:
		v := p.s.MSR
		if v&0x0F != 0 {
			p.s.MSR &= 0xF0
			p.update()
		}
		return v
	case RegSCR:
		return p.s.SCR
	}
	return 0xFF
}

func (p *Port) writeReg(r uint16, v uint8) {
	dlab := p.s.LCR&LCRDLAB != 0
	switch r {
	case RegData:
		if dlab {
			p.s.DLL = v
			return
		}
		p.transmit(v)
	case RegIER:
		if dlab {
			p.s.DLM = v
			return
		}
		old := p.s.IER
		p.s.IER = v & 0x0F
		if (old^p.s.IER)&IERTx != 0 {
			// Enabling the THRE interrupt with THR empty raises it.
			p.s.THRIPending = p.s.IER&IERTx != 0
		}
	case RegIIR:
		p.writeFCR(v)
	case RegLCR:
		p.s.LCR = v
	case RegMCR:
		p.s.MCR = v & 0x1F
		p.refreshMSR()
	case RegSCR:
		p.s.SCR = v
	default: // LSR and MSR are read-only (factory test writes ignored)
		return
	}
	p.update()
}

func (p *Port) writeFCR(v uint8) {
	if v&FCREnable == 0 {
		if p.s.FCR&FCREnable != 0 {
			p.s.RXCount, p.s.RXHead = 0, 0
		}
		p.s.FCR = 0
		return
	}
	if p.s.FCR&FCREnable == 0 || v&FCRClrRx != 0 {
		p.s.RXCount, p.s.RXHead = 0, 0
	}
	p.s.FCR = v & 0xC9
}

func (p *Port) transmit(v uint8) {
	// Writing THR clears the THRE interrupt; the line drops (unless
	// another condition holds it) and rises again when the byte has left,
	// so an edge-triggered PIC sees one edge per byte.
	p.s.THRIPending = false
	p.update()
	switch {
	case p.s.MCR&MCRLoop == 0:
		if p.out != nil {
			p.buf[0] = v
			// A serial line has no back channel for host errors.
			_, _ = p.out.Write(p.buf[:])
		}
	case p.s.RXCount < p.capacity():
		p.push(v)
	case p.s.FCR&FCREnable == 0:
		// Without FIFOs the new character overwrites RBR.
		p.s.RX[p.s.RXHead] = v
		p.s.LSRErrors |= LSROE
	default:
		// With a full FIFO the character in the shift register is lost.
		p.s.LSRErrors |= LSROE
	}
	// The byte left at once: THR is empty again.
	p.s.THRIPending = true
}
