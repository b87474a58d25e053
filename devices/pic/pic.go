package pic

import "bt86/bus"

// I/O ports decoded by the controller pair.
const (
	MasterPort = 0x20  // master command (A0=0); 0x21 is its data port (A0=1)
	SlavePort  = 0xA0  // slave command; 0xA1 is its data port
	ELCRPort   = 0x4D0 // master ELCR; 0x4D1 is the slave's
)

// Writable ELCR bits: IRQ0, 1, 2, 8 and 13 are always edge triggered on
// the PIIX.
const (
	masterELCRMask = 0xF8
	slaveELCRMask  = 0xDE
)

// cascadeIRQ is the master input the slave's INT output is wired to.
const cascadeIRQ = 2

// Chip is the guest-visible state of one 8259A.
type Chip struct {
	IRR, ISR, IMR uint8
	Lines         uint8 // current levels of the IR inputs
	ELCR          uint8 // 1 = level triggered
	Base          uint8 // vector base from ICW2 (low 3 bits clear)
	ICW3          uint8
	PriorityAdd   uint8 // the IR level with the highest priority
	InitStep      uint8 // 0 = ready, 2/3/4 = expecting ICW2/ICW3/ICW4

	NeedICW4           bool // ICW1 IC4
	Single             bool // ICW1 SNGL
	LevelMode          bool // ICW1 LTIM: every input level triggered
	AutoEOI            bool // ICW4 AEOI
	RotateOnAutoEOI    bool // OCW2 rotate in automatic EOI mode
	SpecialFullyNested bool // ICW4 SFNM
	Mode8086           bool // ICW4 uPM
	Buffered           uint8
	SpecialMask        bool // OCW3 special mask mode
	Poll               bool // OCW3 poll command pending
	ReadISR            bool // OCW3 read register select: ISR instead of IRR
}

// State is the guest-visible state of the controller pair.
type State struct {
	Master, Slave Chip
}

// Controller is a master/slave 8259A pair.
type Controller struct {
	s       State
	pending bool // cached: the master presents an interrupt on INT
}

// New returns a controller pair in its power-on state.
func New() *Controller {
	c := &Controller{}
	c.Reset()
	return c
}

// Reset puts both chips in their power-on state. Input line levels are
// kept: they belong to the devices driving them.
func (c *Controller) Reset() {
	ml, sl := c.s.Master.Lines, c.s.Slave.Lines
	c.s = State{}
	c.s.Master.Lines, c.s.Slave.Lines = ml, sl
	c.update()
}

// State returns a copy of the guest-visible state.
func (c *Controller) State() State { return c.s }

// SetState replaces the guest-visible state (for snapshots).
func (c *Controller) SetState(s State) {
	c.s = s
	c.update()
}

// Attach registers the controller's ports on b.
func (c *Controller) Attach(b *bus.Bus) error {
	if err := b.MapPorts("pic-master", MasterPort, MasterPort+1, c); err != nil {
		return err
	}
	if err := b.MapPorts("pic-slave", SlavePort, SlavePort+1, c); err != nil {
		return err
	}
	return b.MapPorts("pic-elcr", ELCRPort, ELCRPort+1, c)
}

// SetIRQ sets the level of interrupt line 0-15 (bus.IRQSink). Line 2 is
// the cascade and is redirected to line 9; other lines are ignored.
func (c *Controller) SetIRQ(line int, high bool) {
	switch {
	case line == cascadeIRQ:
		line = 9
	case line < 0 || line > 15:
		return
	}
	if line < 8 {
		c.s.Master.setLine(line, high)
	} else {
		c.s.Slave.setLine(line-8, high)
	}
	c.update()
}

// HasInterrupt reports whether an unmasked request is waiting that the
// CPU would take now if its IF flag were set. It is a cached flag.
func (c *Controller) HasInterrupt() bool { return c.pending }

// Acknowledge runs an INTA cycle and returns the vector to deliver.
func (c *Controller) Acknowledge() uint8 {
	m, s := &c.s.Master, &c.s.Slave
	var vec uint8
	irq := m.request(true)
	switch {
	case irq < 0:
		vec = m.Base | 7 // spurious IRQ7
	case irq == cascadeIRQ:
		m.ack(irq)
		if sirq := s.request(false); sirq < 0 {
			vec = s.Base | 7 // spurious IRQ15
		} else {
			s.ack(sirq)
			vec = s.Base | uint8(sirq)
		}
	default:
		m.ack(irq)
		vec = m.Base | uint8(irq)
	}
	c.update()
	return vec
}

// update propagates the slave's INT output to the master's IR2 and
// recomputes the cached pending flag.
func (c *Controller) update() {
	c.s.Master.setLine(cascadeIRQ, c.s.Slave.request(false) >= 0)
	c.pending = c.s.Master.request(true) >= 0
}

// ReadPort implements bus.PortHandler.
func (c *Controller) ReadPort(port uint16, size uint8) uint32 {
	var v uint32
	for i := uint8(0); i < size; i++ {
		v |= uint32(c.readByte(port+uint16(i))) << (8 * i)
	}
	return v
}

// WritePort implements bus.PortHandler.
func (c *Controller) WritePort(port uint16, size uint8, v uint32) {
	for i := uint8(0); i < size; i++ {
		c.writeByte(port+uint16(i), uint8(v>>(8*i)))
	}
}

func (c *Controller) chip(port uint16) (*Chip, bool) {
	switch port {
	case MasterPort, MasterPort + 1:
		return &c.s.Master, true
	case SlavePort, SlavePort + 1:
		return &c.s.Slave, false
	}
	return nil, false
}

func (c *Controller) readByte(port uint16) uint8 {
	switch port {
	case ELCRPort:
		return c.s.Master.ELCR
	case ELCRPort + 1:
		return c.s.Slave.ELCR
	}
	ch, master := c.chip(port)
	if ch == nil {
		return 0xFF
	}
	if ch.Poll {
		ch.Poll = false
		v := ch.pollRead(master)
		c.update()
		return v
	}
	if port&1 != 0 {
		return ch.IMR
	}
	if ch.ReadISR {
		return ch.ISR
	}
	return ch.IRR
}

func (c *Controller) writeByte(port uint16, v uint8) {
	switch port {
	case ELCRPort:
		c.s.Master.setELCR(v & masterELCRMask)
		c.update()
		return
	case ELCRPort + 1:
		c.s.Slave.setELCR(v & slaveELCRMask)
		c.update()
		return
	}
	ch, _ := c.chip(port)
	if ch == nil {
		return
	}
	if port&1 == 0 {
		switch {
		case v&0x10 != 0:
			ch.icw1(v)
		case v&0x08 != 0:
			ch.ocw3(v)
		default:
			ch.ocw2(v)
		}
	} else {
		ch.writeData(v)
	}
	c.update()
}

// --- one chip ---

func (ch *Chip) levelMask() uint8 {
	if ch.LevelMode {
		return 0xFF
	}
	return ch.ELCR
}

func (ch *Chip) setLine(n int, high bool) {
	m := uint8(1) << n
	if high {
		if ch.Lines&m == 0 || ch.levelMask()&m != 0 {
			ch.IRR |= m
		}
		ch.Lines |= m
		return
	}
	ch.Lines &^= m
	if ch.levelMask()&m != 0 {
		ch.IRR &^= m
	}
}

func (ch *Chip) setELCR(v uint8) {
	ch.ELCR = v
	lm := ch.levelMask()
	ch.IRR = ch.IRR&^lm | ch.Lines&lm
}

// highest returns the highest-priority IR level set in mask, or -1.
func (ch *Chip) highest(mask uint8) int {
	if mask == 0 {
		return -1
	}
	for i := 0; i < 8; i++ {
		irq := (int(ch.PriorityAdd) + i) & 7
		if mask&(1<<irq) != 0 {
			return irq
		}
	}
	return -1
}

// rank is the priority rank of irq: 0 is the highest.
func (ch *Chip) rank(irq int) int { return (irq - int(ch.PriorityAdd)) & 7 }

// request returns the IR level the chip presents on its INT output, or -1.
func (ch *Chip) request(master bool) int {
	req := ch.IRR &^ ch.IMR
	if ch.SpecialMask {
		// Every unmasked level that is not itself in service may
		// interrupt, whatever its priority.
		return ch.highest(req &^ ch.ISR)
	}
	irq := ch.highest(req)
	if irq < 0 {
		return -1
	}
	cur := ch.highest(ch.ISR)
	if cur < 0 || ch.rank(irq) < ch.rank(cur) {
		return irq
	}
	if master && ch.SpecialFullyNested && irq == cascadeIRQ && cur == cascadeIRQ {
		// A higher-priority request inside the slave being serviced.
		return irq
	}
	return -1
}

// ack performs the chip's part of an INTA cycle for irq.
func (ch *Chip) ack(irq int) {
	m := uint8(1) << irq
	if ch.AutoEOI {
		if ch.RotateOnAutoEOI {
			ch.PriorityAdd = uint8(irq+1) & 7
		}
	} else {
		ch.ISR |= m
	}
	if ch.levelMask()&m == 0 {
		ch.IRR &^= m
	}
}

// pollRead answers a read after an OCW3 poll command: it acknowledges the
// highest request like an INTA cycle and returns I000_0WWW.
func (ch *Chip) pollRead(master bool) uint8 {
	irq := ch.request(master)
	if irq < 0 {
		return 0
	}
	ch.ack(irq)
	return 0x80 | uint8(irq)
}

func (ch *Chip) icw1(v uint8) {
	ch.NeedICW4 = v&0x01 != 0
	ch.Single = v&0x02 != 0
	ch.LevelMode = v&0x08 != 0
	ch.IMR = 0
	ch.ISR = 0
	// The edge sense latches are reset: an edge input must make a new
	// low-to-high transition to request again.
	ch.IRR = ch.Lines & ch.levelMask()
	ch.PriorityAdd = 0
	ch.SpecialMask = false
	ch.Poll = false
	ch.ReadISR = false
	ch.RotateOnAutoEOI = false
	if !ch.NeedICW4 {
		ch.AutoEOI = false
		ch.SpecialFullyNested = false
		ch.Mode8086 = false
		ch.Buffered = 0
	}
	ch.InitStep = 2
}

func (ch *Chip) writeData(v uint8) {
	switch ch.InitStep {
	case 2:
		ch.Base = v & 0xF8
		ch.InitStep = ch.nextAfterICW2()
	case 3:
		ch.ICW3 = v
		ch.InitStep = ch.nextAfterICW3()
	case 4:
		ch.Mode8086 = v&0x01 != 0
		ch.AutoEOI = v&0x02 != 0
		ch.Buffered = (v >> 2) & 3
		ch.SpecialFullyNested = v&0x10 != 0
		ch.InitStep = 0
	default:
		ch.IMR = v // OCW1
	}
}

func (ch *Chip) nextAfterICW2() uint8 {
	if !ch.Single {
		return 3
	}
	return ch.nextAfterICW3()
}

func (ch *Chip) nextAfterICW3() uint8 {
	if ch.NeedICW4 {
		return 4
	}
	return 0
}

func (ch *Chip) ocw2(v uint8) {
	level := int(v & 7)
	switch v >> 5 {
	case 1: // non-specific EOI
		if irq := ch.highest(ch.ISR); irq >= 0 {
			ch.ISR &^= 1 << irq
		}
	case 3: // specific EOI
		ch.ISR &^= 1 << level
	case 5: // rotate on non-specific EOI
		if irq := ch.highest(ch.ISR); irq >= 0 {
			ch.ISR &^= 1 << irq
			ch.PriorityAdd = uint8(irq+1) & 7
		}
	case 4: // set rotate in automatic EOI mode
		ch.RotateOnAutoEOI = true
	case 0: // clear rotate in automatic EOI mode
		ch.RotateOnAutoEOI = false
	case 7: // rotate on specific EOI
		ch.ISR &^= 1 << level
		ch.PriorityAdd = uint8(level+1) & 7
	case 6: // set priority: level becomes the lowest
		ch.PriorityAdd = uint8(level+1) & 7
	}
}

func (ch *Chip) ocw3(v uint8) {
	if v&0x04 != 0 {
		ch.Poll = true
	}
	if v&0x02 != 0 {
		ch.ReadISR = v&0x01 != 0
	}
	if v&0x40 != 0 {
		ch.SpecialMask = v&0x20 != 0
	}
}
