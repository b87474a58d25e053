package pit

import (
	"bt86/bus"
	"bt86/clock"
)

// Freq is the PIT input clock in Hz.
const Freq = 1193182

// Ports.
const (
	BasePort    = 0x40 // channel 0; 0x41, 0x42 channels 1, 2; 0x43 control
	ControlPort = 0x43
	PortB       = 0x61 // system control port B
)

// IRQ is the interrupt line driven by channel 0.
const IRQ = 0

// RefreshPeriod is the half period of the port 0x61 refresh toggle.
const RefreshPeriod = 15 * clock.Microsecond

// State is the guest-visible state of the timer.
type State struct {
	Ch        [3]Channel
	PortB     uint8  // port 0x61 bits 0-3 as written
	Processed uint64 // tick up to which channel 0 edges were delivered
	IRQLevel  bool   // level last driven on IRQ0
}

// Timer is an 8254 with its port 0x61 bits.
type Timer struct {
	s   State
	clk clock.Source
	irq bus.IRQSink
}

// New returns a timer in its power-on state: every channel in mode 3 with
// the maximum count, channels 0 and 1 counting (IRQ0 at 18.2 Hz), channel
// 2's gate low. irq receives channel 0's output on line IRQ; it may be nil.
func New(clk clock.Source, irq bus.IRQSink) *Timer {
	t := &Timer{clk: clk, irq: irq}
	t.Reset()
	return t
}

// Reset puts the timer in its power-on state (without driving IRQ0).
func (t *Timer) Reset() {
	tick := t.tick()
	t.s = State{Processed: tick}
	for i := range t.s.Ch {
		ch := &t.s.Ch[i]
		ch.control(0x36) // mode 3, LSB then MSB, binary
		ch.Gate = i != 2
		ch.Armed = true
		ch.start(tick, ch.Gate)
	}
	t.s.IRQLevel = t.s.Ch[0].out(tick)
}

// State returns a copy of the guest-visible state.
func (t *Timer) State() State { return t.s }

// SetState replaces the guest-visible state; it does not drive IRQ0.
func (t *Timer) SetState(s State) { t.s = s }

// Attach registers ports 0x40-0x43 and 0x61 on b.
func (t *Timer) Attach(b *bus.Bus) error {
	if err := b.MapPorts("pit", BasePort, ControlPort, t); err != nil {
		return err
	}
	return b.MapPorts("port-b", PortB, PortB, t)
}

func (t *Timer) tick() uint64 { return clock.TicksAt(t.clk.Now(), Freq) }

// Deadline implements clock.Timed: the time of the next rising edge of
// OUT0 (or of a pending reload that may change it), or clock.Never.
func (t *Timer) Deadline() clock.Time {
	ch := &t.s.Ch[0]
	r, ok := ch.riseAfter(t.s.Processed)
	if ch.NextValid && (!ok || r > ch.NextTick) {
		r, ok = ch.NextTick, true
	}
	if !ok {
		return clock.Never
	}
	return clock.DurationOf(r, Freq)
}

// Tick implements clock.Timed: it delivers the IRQ0 edge due by now.
func (t *Timer) Tick(now clock.Time) {
	t.sync(clock.TicksAt(now, Freq))
}

// sync brings every channel to tick and delivers channel 0's edges.
func (t *Timer) sync(tick uint64) {
	ch := &t.s.Ch[0]
	if tick < t.s.Processed {
		tick = t.s.Processed
	}
	rose := false
	for ch.NextValid && ch.NextTick <= tick {
		if r, ok := ch.riseAfter(t.s.Processed); ok && r <= ch.NextTick {
			rose = true
		}
		t.s.Processed = ch.NextTick
		ch.normalize(ch.NextTick)
	}
	if r, ok := ch.riseAfter(t.s.Processed); ok && r <= tick {
		rose = true
	}
	t.s.Processed = tick
	for i := 1; i < 3; i++ {
		t.s.Ch[i].normalize(tick)
	}
	t.drive(tick, rose)
}

// drive sets IRQ0 to OUT0's level at tick, pulsing it if an edge rose
// since the last call.
func (t *Timer) drive(tick uint64, rose bool) {
	level := t.s.Ch[0].out(tick)
	if t.irq == nil {
		t.s.IRQLevel = level
		return
	}
	if rose {
		if t.s.IRQLevel {
			t.irq.SetIRQ(IRQ, false)
		}
		t.irq.SetIRQ(IRQ, true)
		t.s.IRQLevel = true
	}
	if level != t.s.IRQLevel {
		t.irq.SetIRQ(IRQ, level)
		t.s.IRQLevel = level
	}
}

// ReadPort implements bus.PortHandler.
func (t *Timer) ReadPort(port uint16, size uint8) uint32 {
	var v uint32
	for i := uint8(0); i < size; i++ {
		v |= uint32(t.readByte(port+uint16(i))) << (8 * i)
	}
	return v
}

// WritePort implements bus.PortHandler.
func (t *Timer) WritePort(port uint16, size uint8, v uint32) {
	for i := uint8(0); i < size; i++ {
		t.writeByte(port+uint16(i), uint8(v>>(8*i)))
	}
}

func (t *Timer) readByte(port uint16) uint8 {
	now := t.clk.Now()
	tick := clock.TicksAt(now, Freq)
	t.sync(tick)
	switch port {
	case BasePort, BasePort + 1, BasePort + 2:
		return t.s.Ch[port-BasePort].read(tick)
	case PortB:
		v := t.s.PortB & 0x0F
		if (now/RefreshPeriod)&1 != 0 {
			v |= 0x10
		}
		if t.s.Ch[2].out(tick) {
			v |= 0x20
		}
		return v
	}
	return 0xFF // the control register is write-only
}

func (t *Timer) writeByte(port uint16, v uint8) {
	tick := t.tick()
	t.sync(tick)
	switch port {
	case BasePort, BasePort + 1, BasePort + 2:
		t.s.Ch[port-BasePort].writeCount(tick, v)
	case ControlPort:
		t.control(tick, v)
	case PortB:
		t.s.PortB = v & 0x0F
		t.s.Ch[2].setGate(tick, v&1 != 0)
	}
	t.drive(tick, false)
}

func (t *Timer) control(tick uint64, v uint8) {
	sel := v >> 6
	if sel == 3 { // read-back
		for i := range t.s.Ch {
			if v&(2<<i) == 0 {
				continue
			}
			ch := &t.s.Ch[i]
			if v&0x10 == 0 && !ch.StatusLatched {
				ch.StatusByte = ch.status(tick)
				ch.StatusLatched = true
			}
			if v&0x20 == 0 {
				ch.latch(tick)
			}
		}
		return
	}
	ch := &t.s.Ch[sel]
	if v&0x30 == 0 {
		ch.latch(tick)
		return
	}
	ch.control(v)
}

// SetGate sets the gate input of channel n (0-2). Port 0x61 bit 0 drives
// channel 2's gate; channels 0 and 1 are tied high on a PC.
func (t *Timer) SetGate(n int, high bool) {
	tick := t.tick()
	t.sync(tick)
	t.s.Ch[n].setGate(tick, high)
	t.drive(tick, false)
}

// Out returns the output level of channel n (0-2) now.
func (t *Timer) Out(n int) bool {
	tick := t.tick()
	t.sync(tick)
	return t.s.Ch[n].out(tick)
}

// Speaker reports whether the PC speaker is driven by a square wave
// (port 0x61 bits 0 and 1 set, channel 2 in mode 3) and its frequency.
func (t *Timer) Speaker() (hz float64, on bool) {
	ch := &t.s.Ch[2]
	if t.s.PortB&3 != 3 || ch.mode() != 3 || !ch.Armed {
		return 0, false
	}
	return float64(Freq) / float64(ch.period()), true
}
