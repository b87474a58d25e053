package pic

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bt86/bus"
)

// The interfaces the machine wires this device through.
var (
	_ bus.PortHandler = (*Controller)(nil)
	_ bus.IRQSink     = (*Controller)(nil)
)

// step is one action of a scripted test; exactly one kind is used.
type step struct {
	out     [2]uint16 // port, value
	in      [2]uint16 // port, expected value
	irq     int       // line to set (with level); -1 when unused
	level   bool
	ack     int // expected vector, -1 when unused
	pending int // 0 = unchecked, 1 = expect pending, 2 = expect none
}

func out(port, v uint16) step   { return step{out: [2]uint16{port, v}, irq: -1, ack: -1} }
func in(port, want uint16) step { return step{in: [2]uint16{port, want}, irq: -1, ack: -1} }
func raise(line int) step       { return step{irq: line, level: true, ack: -1} }
func lower(line int) step       { return step{irq: line, level: false, ack: -1} }
func ack(vec int) step          { return step{irq: -1, ack: vec} }
func pending(yes bool) step {
	s := step{irq: -1, ack: -1, pending: 2}
	if yes {
		s.pending = 1
	}
	return s
}
func pulse(line int) []step { return []step{raise(line), lower(line)} }
func seq(parts ...any) []step {
	var s []step
	for _, p := range parts {
		switch p := p.(type) {
		case step:
			s = append(s, p)
		case []step:
			s = append(s, p...)
		default:
			panic(fmt.Sprintf("bad step %T", p))
		}
	}
	return s
}

// pcInit programs the pair the way a PC BIOS or Linux does: master
// vectors 0x08, slave 0x70, cascade on IR2, 8086 mode.
func pcInit(icw4 uint16) []step {
	return []step{
		out(0x20, 0x11), out(0x21, 0x08), out(0x21, 0x04), out(0x21, icw4),
		out(0xA0, 0x11), out(0xA1, 0x70), out(0xA1, 0x02), out(0xA1, icw4),
	}
}

func run(t *testing.T, c *Controller, steps []step) {
	t.Helper()
	b := bus.New()
	require.NoError(t, c.Attach(b))
	for i, s := range steps {
		switch {
		case s.out != [2]uint16{}:
			b.Out(s.out[0], 1, uint32(s.out[1]))
		case s.in != [2]uint16{}:
			assert.Equalf(t, uint32(s.in[1]), b.In(s.in[0], 1), "step %d: in %#x", i, s.in[0])
		case s.irq >= 0:
			c.SetIRQ(s.irq, s.level)
		case s.ack >= 0:
			require.Truef(t, c.HasInterrupt() || s.ack&7 == 7, "step %d: ack without pending interrupt", i)
			assert.Equalf(t, uint8(s.ack), c.Acknowledge(), "step %d: vector", i)
		case s.pending == 1:
			assert.Truef(t, c.HasInterrupt(), "step %d: want pending", i)
		case s.pending == 2:
			assert.Falsef(t, c.HasInterrupt(), "step %d: want none pending", i)
		}
	}
}

func TestScripts(t *testing.T) {
	tests := []struct {
		name  string
		steps []step
	}{
		{"master vector and EOI", seq(pcInit(0x01), pending(false),
			raise(0), pending(true), ack(0x08), pending(false),
			in(0x20, 0x00),                  // IRR cleared by INTA
			out(0x20, 0x0B), in(0x20, 0x01), // ISR
			out(0x20, 0x20), in(0x20, 0x00), pending(false))},
		{"priority order", seq(pcInit(0x01),
			pulse(5), pulse(3), pulse(1), ack(0x09), pending(false),
			out(0x20, 0x20), ack(0x0B), out(0x20, 0x20), ack(0x0D), out(0x20, 0x20), pending(false))},
		{"nesting lets only higher levels in", seq(pcInit(0x01),
			pulse(3), ack(0x0B), pulse(5), pending(false), pulse(1), pending(true), ack(0x09),
			out(0x20, 0x20), // clears IR1 only
			pending(false), out(0x20, 0x20), ack(0x0D))},
		{"mask register", seq(pcInit(0x01),
			out(0x21, 0xFB), in(0x21, 0xFB), pulse(0), pending(false),
			out(0x21, 0xFA), pending(true), ack(0x08))},
		{"slave through cascade", seq(pcInit(0x01),
			pulse(12), pending(true), ack(0x74),
			out(0x20, 0x0B), in(0x20, 0x04), out(0xA0, 0x0B), in(0xA0, 0x10),
			pulse(3), pending(false), // IR2 in service blocks IR3-7 only
			pulse(0), pending(true), ack(0x08), out(0x20, 0x20),
			out(0xA0, 0x20), pending(false), out(0x20, 0x20), ack(0x0B), in(0xA0, 0x00))},
		{"slave priority inside the slave", seq(pcInit(0x01),
			pulse(14), pulse(8), ack(0x70), out(0xA0, 0x20), out(0x20, 0x20), ack(0x76))},
		{"IRQ2 is redirected to IRQ9", seq(pcInit(0x01), pulse(2), ack(0x71))},
		{"spurious master IRQ7", seq(pcInit(0x01), ack(0x0F), out(0x20, 0x0B), in(0x20, 0x00))},
		{"spurious slave IRQ15", seq(pcInit(0x01),
			pulse(10), out(0xA1, 0x04), // request latched by the master, then masked on the slave
			pending(true), ack(0x77),
			out(0x20, 0x0B), in(0x20, 0x04), out(0xA0, 0x0B), in(0xA0, 0x00))},
		{"edge input latches a pulse", seq(pcInit(0x01), pulse(4), pending(true), ack(0x0C))},
		{"edge input needs a new edge", seq(pcInit(0x01),
			raise(4), ack(0x0C), out(0x20, 0x20), pending(false), raise(4), pending(false),
			lower(4), raise(4), pending(true))},
		{"level input follows the line", seq(pcInit(0x01), out(0x4D0, 0x20),
			pulse(5), pending(false), raise(5), ack(0x0D), out(0x20, 0x20),
			pending(true), ack(0x0D), lower(5), out(0x20, 0x20), pending(false))},
		{"LTIM makes every input level triggered", seq(
			out(0x20, 0x19), out(0x21, 0x08), out(0x21, 0x04), out(0x21, 0x01),
			out(0xA0, 0x11), out(0xA1, 0x70), out(0xA1, 0x02), out(0xA1, 0x01),
			pulse(3), pending(false), raise(3), pending(true))},
		{"ELCR reserved bits", seq(out(0x4D0, 0xFF), in(0x4D0, 0xF8), out(0x4D1, 0xFF), in(0x4D1, 0xDE))},
		{"auto EOI", seq(pcInit(0x03), pulse(3), ack(0x0B), out(0x20, 0x0B), in(0x20, 0x00),
			pulse(5), ack(0x0D))},
		{"rotate in auto EOI mode", seq(pcInit(0x03), out(0x20, 0x80),
			pulse(1), ack(0x09), pulse(0), pulse(3), ack(0x0B), ack(0x08))},
		{"rotate on non-specific EOI", seq(pcInit(0x01),
			pulse(1), ack(0x09), out(0x20, 0xA0), // IR1 becomes lowest: order 2,3,...,0,1
			pulse(0), pulse(4), ack(0x0C), out(0x20, 0x20), ack(0x08))},
		{"rotate on specific EOI", seq(pcInit(0x01),
			pulse(6), ack(0x0E), out(0x20, 0xE6), // clears IR6, IR7 highest
			pulse(0), pulse(7), ack(0x0F), out(0x20, 0x20), ack(0x08))},
		{"set priority", seq(pcInit(0x01), out(0x20, 0xC4), // IR4 lowest, IR5 highest
			pulse(4), pulse(5), pulse(3), ack(0x0D), out(0x20, 0x20), ack(0x0B))},
		{"specific EOI clears the named level", seq(pcInit(0x01),
			pulse(4), ack(0x0C), pulse(1), ack(0x09), out(0x20, 0x64), // EOI IR4
			out(0x20, 0x0B), in(0x20, 0x02))},
		{"special mask mode admits lower levels", seq(pcInit(0x01),
			pulse(2+1), ack(0x0B), pulse(6), pending(false),
			out(0x21, 0x08), out(0x20, 0x68), // mask IR3, enter SMM
			pending(true), ack(0x0E), out(0x20, 0x66), // specific EOI IR6
			out(0x20, 0x48), out(0x21, 0x00), pending(false))},
		{"poll mode", seq(pcInit(0x01),
			pulse(6), pending(true), out(0x20, 0x0C), in(0x20, 0x86), pending(false),
			out(0x20, 0x0B), in(0x20, 0x40), out(0x20, 0x0C), in(0x21, 0x00))},
		{"IRR and ISR reads", seq(pcInit(0x01), out(0x21, 0xFF),
			pulse(1), pulse(6), in(0x20, 0x42), out(0x20, 0x0B), in(0x20, 0x00),
			out(0x20, 0x0A), in(0x20, 0x42))},
		{"special fully nested mode", seq(pcInit(0x11),
			pulse(12), ack(0x74), pulse(9), pending(true), ack(0x71),
			out(0xA0, 0x0B), in(0xA0, 0x12))},
		{"without SFNM the slave stays blocked", seq(pcInit(0x01),
			pulse(12), ack(0x74), pulse(9), pending(false),
			out(0xA0, 0x20), out(0x20, 0x20), ack(0x71))},
		{"ICW1 clears masks and service state", seq(pcInit(0x01), out(0x21, 0xFF),
			pulse(3), out(0x20, 0x11), in(0x21, 0x00), out(0x21, 0x20), out(0x21, 0x04), out(0x21, 0x01),
			pending(false), in(0x20, 0x00))},
		{"single mode skips ICW3", seq(out(0x20, 0x13), out(0x21, 0x20), out(0x21, 0x01),
			out(0x21, 0x00), pulse(1), ack(0x21))},
		{"no ICW4", seq(out(0x20, 0x10), out(0x21, 0x40), out(0x21, 0x04), out(0x21, 0xFE),
			in(0x21, 0xFE), pulse(1), pending(false), pulse(0), ack(0x40))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run(t, New(), tt.steps)
		})
	}
}

func TestOutOfRangeLinesIgnored(t *testing.T) {
	c := New()
	c.SetIRQ(-1, true)
	c.SetIRQ(16, true)
	assert.Equal(t, State{}, c.State())
}

func TestStateRoundTrip(t *testing.T) {
	c := New()
	run(t, c, seq(pcInit(0x01), pulse(12), pulse(3)))
	st := c.State()
	d := New()
	d.SetState(st)
	assert.True(t, d.HasInterrupt())
	assert.Equal(t, c.Acknowledge(), d.Acknowledge())
	assert.Equal(t, c.State(), d.State())
}

func TestWordAccess(t *testing.T) {
	c := New()
	b := bus.New()
	require.NoError(t, c.Attach(b))
	b.Out(0x4D0, 2, 0x0C20)
	assert.Equal(t, uint32(0x0C20), b.In(0x4D0, 2))
}

func TestAttachConflicts(t *testing.T) {
	b := bus.New()
	require.NoError(t, New().Attach(b))
	assert.Error(t, New().Attach(b))
}

func BenchmarkHasInterrupt(b *testing.B) {
	c := New()
	for i := 0; i < b.N; i++ {
		if c.HasInterrupt() {
			b.Fatal("pending")
		}
	}
}

func BenchmarkRaiseAck(b *testing.B) {
	c := New()
	bs := bus.New()
	if err := c.Attach(bs); err != nil {
		b.Fatal(err)
	}
	for _, s := range pcInit(0x01) {
		bs.Out(s.out[0], 1, uint32(s.out[1]))
	}
	for i := 0; i < b.N; i++ {
		c.SetIRQ(0, true)
		c.SetIRQ(0, false)
		c.Acknowledge()
		bs.Out(0x20, 1, 0x20)
	}
}
