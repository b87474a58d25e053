package kbc

import "bt86/bus"

// Ports and interrupt lines.
const (
	DataPort    = 0x60
	StatusPort  = 0x64 // status on read, command on write
	KeyboardIRQ = 1
	AuxIRQ      = 12
)

// Status register bits.
const (
	StatOBF     = 0x01 // output buffer full
	StatIBF     = 0x02 // input buffer full (never set here)
	StatSYS     = 0x04 // system flag
	StatCommand = 0x08 // last write was to the command port
	StatUnlock  = 0x10 // keyboard not inhibited
	StatAux     = 0x20 // output buffer holds mouse data
)

// Command byte bits.
const (
	CmdKbdInt   = 0x01
	CmdAuxInt   = 0x02
	CmdSys      = 0x04
	CmdKbdOff   = 0x10
	CmdAuxOff   = 0x20
	CmdTranslat = 0x40
)

// Output port bits.
const (
	OutReset  = 0x01 // 0 asserts the system reset line
	OutA20    = 0x02
	OutKbdOBF = 0x10
	OutAuxOBF = 0x20
)

// DefaultCommandByte is the command byte at power-on: keyboard interrupt,
// system flag and translation on, as a BIOS leaves it.
const DefaultCommandByte = CmdKbdInt | CmdSys | CmdTranslat

// QueueSize is the depth of the keyboard and mouse queues.
const QueueSize = 64

// Queue is a byte FIFO held by value.
type Queue struct {
	Data      [QueueSize]uint8
	Head, Len uint8
}

func (q *Queue) room() int { return QueueSize - int(q.Len) }

func (q *Queue) push(b ...uint8) bool {
	if len(b) > q.room() {
		return false
	}
	for _, c := range b {
		q.Data[(int(q.Head)+int(q.Len))%QueueSize] = c
		q.Len++
	}
	return true
}

func (q *Queue) pop() (uint8, bool) {
	if q.Len == 0 {
		return 0, false
	}
	c := q.Data[q.Head]
	q.Head = uint8((int(q.Head) + 1) % QueueSize)
	q.Len--
	return c, true
}

func (q *Queue) clear() { q.Head, q.Len = 0, 0 }

// Keyboard is the state of the PS/2 keyboard.
type Keyboard struct {
	Queue     Queue
	Enabled   bool  // scanning
	ScanSet   uint8 // 1, 2 or 3
	LEDs      uint8
	Typematic uint8
	Pending   uint8 // command waiting for its argument
	Last      uint8 // last byte sent, for resend
}

// Mouse is the state of the PS/2 mouse.
type Mouse struct {
	Queue      Queue
	Enabled    bool // data reporting
	Remote     bool
	Wrap       bool
	Scaling21  bool
	Rate       uint8
	Resolution uint8
	Buttons    uint8
	Pending    uint8
	Last       uint8
}

// State is the guest-visible state of the controller and its devices.
type State struct {
	RAM       [32]uint8 // controller RAM; byte 0 is the command byte
	Status    uint8     // SYS and command/data bits (OBF and AUX are derived)
	OutPort   uint8
	Pending   uint8 // controller command waiting for a data byte
	Out       uint8 // output buffer
	OutFull   bool
	OutAux    bool
	Ctrl      [4]uint16 // controller replies waiting; bit 8 marks mouse data
	CtrlLen   uint8
	XlatBreak bool // translation saw a set 2 break prefix (0xF0)
	Kbd       Keyboard
	Mouse     Mouse
	KbdIRQ    bool
	AuxIRQ    bool
}

// Callbacks connect the controller's output port to the machine. Either
// may be nil.
type Callbacks struct {
	SetA20 func(enabled bool) // the output port's A20 bit changed
	Reset  func()             // the system reset line was pulsed
}

// Controller is an 8042 with a keyboard and a mouse.
type Controller struct {
	s   State
	irq bus.IRQSink
	cb  Callbacks
}

// New returns a controller in its power-on state. irq receives IRQ1 and
// IRQ12; it may be nil.
func New(irq bus.IRQSink, cb Callbacks) *Controller {
	c := &Controller{irq: irq, cb: cb}
	c.Reset()
	return c
}

// Reset puts the controller, keyboard and mouse in their power-on state
// without calling the callbacks; interrupt lines are lowered.
func (c *Controller) Reset() {
	c.s.RAM = [32]uint8{DefaultCommandByte}
	c.s.Status = StatSYS
	c.s.OutPort = 0xCF
	c.s.Pending = 0
	c.s.Out, c.s.OutFull, c.s.OutAux = 0, false, false
	c.s.CtrlLen = 0
	c.s.XlatBreak = false
	c.s.Kbd = Keyboard{}
	c.kbdDefaults()
	c.s.Kbd.Enabled = true
	c.s.Mouse = Mouse{}
	c.mouseDefaults()
	c.update()
}

// State returns a copy of the guest-visible state.
func (c *Controller) State() State { return c.s }

// SetState replaces the guest-visible state; it does not drive the IRQs.
func (c *Controller) SetState(s State) { c.s = s }

// Attach registers ports 0x60 and 0x64 on b.
func (c *Controller) Attach(b *bus.Bus) error {
	if err := b.MapPorts("kbc-data", DataPort, DataPort, c); err != nil {
		return err
	}
	return b.MapPorts("kbc-cmd", StatusPort, StatusPort, c)
}

// A20 reports the output port's A20 gate bit.
func (c *Controller) A20() bool { return c.s.OutPort&OutA20 != 0 }

// LEDs returns the keyboard LEDs (bit 0 scroll, 1 num, 2 caps lock).
func (c *Controller) LEDs() uint8 { return c.s.Kbd.LEDs }

func (c *Controller) cmd() uint8 { return c.s.RAM[0] }

// ReadPort implements bus.PortHandler.
func (c *Controller) ReadPort(port uint16, size uint8) uint32 {
	if port == StatusPort {
		return uint32(c.status())
	}
	v := c.s.Out
	if c.s.OutFull {
		c.s.OutFull = false
		c.update()
		c.fill()
	}
	return uint32(v)
}

// WritePort implements bus.PortHandler.
func (c *Controller) WritePort(port uint16, size uint8, v uint32) {
	if port == StatusPort {
		c.s.Status |= StatCommand
		c.command(uint8(v))
	} else {
		c.s.Status &^= StatCommand
		c.data(uint8(v))
	}
	c.fill()
}

func (c *Controller) status() uint8 {
	v := c.s.Status&(StatSYS|StatCommand) | StatUnlock
	if c.s.OutFull {
		v |= StatOBF
		if c.s.OutAux {
			v |= StatAux
		}
	}
	return v
}

// update drives IRQ1 and IRQ12 from the output buffer and command byte.
func (c *Controller) update() {
	kbd := c.s.OutFull && !c.s.OutAux && c.cmd()&CmdKbdInt != 0
	aux := c.s.OutFull && c.s.OutAux && c.cmd()&CmdAuxInt != 0
	if kbd != c.s.KbdIRQ {
		c.s.KbdIRQ = kbd
		if c.irq != nil {
			c.irq.SetIRQ(KeyboardIRQ, kbd)
		}
	}
	if aux != c.s.AuxIRQ {
		c.s.AuxIRQ = aux
		if c.irq != nil {
			c.irq.SetIRQ(AuxIRQ, aux)
		}
	}
}

// fill moves the next waiting byte into an empty output buffer.
func (c *Controller) fill() {
	for !c.s.OutFull {
		switch {
		case c.s.CtrlLen > 0:
			e := c.s.Ctrl[0]
			copy(c.s.Ctrl[:], c.s.Ctrl[1:])
			c.s.CtrlLen--
			c.s.Out, c.s.OutAux, c.s.OutFull = uint8(e), e&0x100 != 0, true
		case c.s.Kbd.Queue.Len > 0 && c.cmd()&CmdKbdOff == 0:
			b, _ := c.s.Kbd.Queue.pop()
			if c.cmd()&CmdTranslat != 0 {
				if b == 0xF0 {
					c.s.XlatBreak = true
					continue
				}
				b = translate[b]
				if c.s.XlatBreak {
					b |= 0x80
					c.s.XlatBreak = false
				}
			}
			c.s.Out, c.s.OutAux, c.s.OutFull = b, false, true
		case c.s.Mouse.Queue.Len > 0 && c.cmd()&CmdAuxOff == 0:
			b, _ := c.s.Mouse.Queue.pop()
			c.s.Out, c.s.OutAux, c.s.OutFull = b, true, true
		default:
			c.update()
			return
		}
	}
	c.update()
}

// reply queues a controller response; aux marks it as mouse data.
func (c *Controller) reply(b uint8, aux bool) {
	if int(c.s.CtrlLen) == len(c.s.Ctrl) {
		return
	}
	e := uint16(b)
	if aux {
		e |= 0x100
	}
	c.s.Ctrl[c.s.CtrlLen] = e
	c.s.CtrlLen++
}

func (c *Controller) outPortValue() uint8 {
	v := c.s.OutPort &^ (OutKbdOBF | OutAuxOBF)
	if c.s.OutFull {
		if c.s.OutAux {
			v |= OutAuxOBF
		} else {
			v |= OutKbdOBF
		}
	}
	return v
}

func (c *Controller) setOutPort(v uint8) {
	old := c.s.OutPort
	c.s.OutPort = v
	if (old^v)&OutA20 != 0 && c.cb.SetA20 != nil {
		c.cb.SetA20(v&OutA20 != 0)
	}
	if v&OutReset == 0 {
		c.s.OutPort |= OutReset // the line is pulsed, not held
		if c.cb.Reset != nil {
			c.cb.Reset()
		}
	}
}

func (c *Controller) command(v uint8) {
	c.s.Pending = 0
	switch {
	case v >= 0x20 && v <= 0x3F:
		c.reply(c.s.RAM[v&0x1F], false)
	case v >= 0x60 && v <= 0x7F:
		c.s.Pending = v
	case v == 0xA4: // password installed?
		c.reply(0xF1, false)
	case v == 0xA7:
		c.s.RAM[0] |= CmdAuxOff
	case v == 0xA8:
		c.s.RAM[0] &^= CmdAuxOff
	case v == 0xA9, v == 0xAB: // port tests: no error
		c.reply(0x00, false)
	case v == 0xAA:
		c.s.Status |= StatSYS
		c.reply(0x55, false)
	case v == 0xAD:
		c.s.RAM[0] |= CmdKbdOff
	case v == 0xAE:
		c.s.RAM[0] &^= CmdKbdOff
	case v == 0xC0: // input port: keyboard not inhibited, colour display
		c.reply(0x80, false)
	case v == 0xD0:
		c.reply(c.outPortValue(), false)
	case v == 0xD1, v == 0xD2, v == 0xD3, v == 0xD4:
		c.s.Pending = v
	case v == 0xDD:
		c.setOutPort(c.s.OutPort &^ OutA20)
	case v == 0xDF:
		c.setOutPort(c.s.OutPort | OutA20)
	case v == 0xE0:
		c.reply(0x00, false)
	case v >= 0xF0:
		if v&1 == 0 {
			c.setOutPort(c.s.OutPort &^ OutReset)
		}
	}
	c.update()
}

func (c *Controller) data(v uint8) {
	p := c.s.Pending
	c.s.Pending = 0
	switch {
	case p >= 0x60 && p <= 0x7F:
		c.s.RAM[p&0x1F] = v
		if p == 0x60 {
			c.s.Status = c.s.Status&^StatSYS | v&CmdSys
		}
	case p == 0xD1:
		c.setOutPort(v)
	case p == 0xD2:
		c.reply(v, false)
	case p == 0xD3:
		c.reply(v, true)
	case p == 0xD4:
		c.s.RAM[0] &^= CmdAuxOff // talking to the mouse enables its port
		c.mouseWrite(v)
	default:
		c.s.RAM[0] &^= CmdKbdOff // talking to the keyboard enables its port
		c.kbdWrite(v)
	}
	c.update()
}
