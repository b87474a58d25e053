package pit

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bt86/bus"
	"bt86/clock"
)

// The interfaces the machine wires this device through.
var (
	_ bus.PortHandler = (*Timer)(nil)
	_ clock.Timed     = (*Timer)(nil)
)

// edgeSink records the IRQ lines it is given.
type edgeSink struct {
	level [16]bool
	rises [16]int
}

func (s *edgeSink) SetIRQ(line int, high bool) {
	if high && !s.level[line] {
		s.rises[line]++
	}
	s.level[line] = high
}

type rig struct {
	t   *testing.T
	clk *clock.Clock
	irq *edgeSink
	pit *Timer
	bus *bus.Bus
}

func newRig(t *testing.T) *rig {
	r := &rig{t: t, clk: &clock.Clock{}, irq: &edgeSink{}, bus: bus.New()}
	r.pit = New(r.clk, r.irq)
	require.NoError(t, r.pit.Attach(r.bus))
	return r
}

// at moves the clock to the first instant of PIT tick k.
func (r *rig) at(k uint64) { r.clk.Set(clock.DurationOf(k, Freq)) }

func (r *rig) out(port uint16, v uint8) { r.bus.Out(port, 1, uint32(v)) }
func (r *rig) in(port uint16) uint8     { return uint8(r.bus.In(port, 1)) }

// program writes a control word and an LSB-then-MSB count.
func (r *rig) program(ch int, cw uint8, count uint16) {
	r.out(ControlPort, cw)
	r.out(BasePort+uint16(ch), uint8(count))
	r.out(BasePort+uint16(ch), uint8(count>>8))
}

// latched reads channel ch's count through the counter latch command.
func (r *rig) latched(ch int) uint16 {
	r.out(ControlPort, uint8(ch)<<6)
	lo := r.in(BasePort + uint16(ch))
	hi := r.in(BasePort + uint16(ch))
	return uint16(hi)<<8 | uint16(lo)
}

// runTo ticks the timer at each deadline up to tick k, like machine does.
func (r *rig) runTo(k uint64) {
	end := clock.DurationOf(k, Freq)
	for {
		d := r.pit.Deadline()
		if d > end {
			break
		}
		r.clk.Set(d)
		r.pit.Tick(r.clk.Now())
	}
	r.clk.Set(end)
	r.pit.Tick(end)
}

func TestMode2Periodic(t *testing.T) {
	r := newRig(t)
	r.at(100)
	r.program(0, 0x34, 1000)
	assert.Equal(t, clock.DurationOf(1100, Freq), r.pit.Deadline())
	rises := r.irq.rises[0]
	r.runTo(100 + 1000*50)
	assert.Equal(t, rises+50, r.irq.rises[0])
	// Counter values within a period: N at the reload, 1 just before it.
	tests := []struct {
		tick uint64
		want uint16
	}{{50100, 1000}, {50101, 999}, {50600, 500}, {51099, 1}, {51100, 1000}}
	for _, tt := range tests {
		r.at(tt.tick)
		assert.Equal(t, tt.want, r.latched(0), "tick %d", tt.tick)
	}
}

func TestMode2OutputLowForOneClock(t *testing.T) {
	r := newRig(t)
	r.out(PortB, 0x01)
	r.at(10)
	r.program(2, 0xB4, 5)
	want := []bool{true, true, true, true, false, true, true, true, true, false, true}
	for i, w := range want {
		r.at(10 + uint64(i))
		assert.Equal(t, w, r.in(PortB)&0x20 != 0, "tick +%d", i)
	}
}

func TestMode3SquareWave(t *testing.T) {
	tests := []struct {
		name   string
		count  uint16
		out    []bool
		values []uint16
	}{
		{"even", 6,
			[]bool{true, true, true, false, false, false, true},
			[]uint16{6, 4, 2, 6, 4, 2, 6}},
		{"odd", 5,
			[]bool{true, true, true, false, false, true},
			[]uint16{5, 4, 2, 5, 2, 5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t)
			r.out(PortB, 0x01)
			r.at(7)
			r.program(2, 0xB6, tt.count)
			for i := range tt.out {
				r.at(7 + uint64(i))
				assert.Equal(t, tt.out[i], r.in(PortB)&0x20 != 0, "out at +%d", i)
				assert.Equal(t, tt.values[i], r.latched(2), "count at +%d", i)
			}
		})
	}
}

func TestMode3IRQ0(t *testing.T) {
	r := newRig(t)
	r.program(0, 0x36, 0) // 65536: 18.2 Hz
	rises := r.irq.rises[0]
	r.runTo(65536 * 18)
	assert.Equal(t, rises+18, r.irq.rises[0])
}

func TestMode0OneShot(t *testing.T) {
	r := newRig(t)
	r.at(1000)
	r.out(ControlPort, 0x30)
	assert.False(t, r.irq.level[0], "control word drives OUT0 low")
	r.out(BasePort, 100)
	r.out(BasePort, 0)
	assert.Equal(t, clock.DurationOf(1100, Freq), r.pit.Deadline())
	rises := r.irq.rises[0]
	r.runTo(1099)
	assert.Equal(t, rises, r.irq.rises[0])
	r.runTo(1100)
	assert.Equal(t, rises+1, r.irq.rises[0])
	assert.True(t, r.irq.level[0])
	assert.Equal(t, clock.Never, r.pit.Deadline())
	r.at(1103) // the counter wraps and keeps counting
	assert.Equal(t, uint16(0xFFFD), r.latched(0))
	r.runTo(500000)
	assert.Equal(t, rises+1, r.irq.rises[0], "mode 0 fires once")
}

func TestMode0FirstByteStopsCount(t *testing.T) {
	r := newRig(t)
	r.out(PortB, 0x01)
	r.program(2, 0xB0, 10)
	r.at(20)
	assert.True(t, r.in(PortB)&0x20 != 0)
	r.out(BasePort+2, 5) // LSB only: counting stops, OUT low
	assert.False(t, r.in(PortB)&0x20 != 0)
	r.at(100)
	assert.False(t, r.in(PortB)&0x20 != 0)
	r.out(BasePort+2, 0)
	r.at(104)
	assert.False(t, r.in(PortB)&0x20 != 0)
	r.at(105)
	assert.True(t, r.in(PortB)&0x20 != 0)
}

func TestMode0GatePauses(t *testing.T) {
	r := newRig(t)
	r.out(PortB, 0x01)
	r.program(2, 0xB0, 10)
	r.at(4)
	r.out(PortB, 0x00) // gate low after 4 ticks
	r.at(50)
	assert.Equal(t, uint16(6), r.latched(2))
	assert.False(t, r.in(PortB)&0x20 != 0)
	r.out(PortB, 0x01)
	r.at(55)
	assert.False(t, r.in(PortB)&0x20 != 0)
	r.at(56)
	assert.True(t, r.in(PortB)&0x20 != 0)
}

// The way Linux's pit_calibrate_tsc and quick_pit_calibrate use channel 2.
func TestLinuxCalibrationLoop(t *testing.T) {
	r := newRig(t)
	r.at(3)
	r.out(PortB, r.in(PortB)&^0x02|0x01)
	r.out(ControlPort, 0xB0)
	latch := uint16(Freq / 20) // 50 ms
	r.out(BasePort+2, uint8(latch))
	r.out(BasePort+2, uint8(latch>>8))
	polls := 0
	for r.in(PortB)&0x20 == 0 {
		r.clk.Advance(clock.Microsecond)
		polls++
		require.Less(t, polls, 100000)
	}
	assert.InDelta(t, float64(50*clock.Millisecond), float64(r.clk.Now()-clock.DurationOf(3, Freq)), float64(2*clock.Microsecond))
}

func TestMode1RetriggerableOneShot(t *testing.T) {
	r := newRig(t)
	r.program(2, 0xB2, 4)
	r.at(10)
	assert.True(t, r.in(PortB)&0x20 != 0, "high until triggered")
	r.out(PortB, 0x01) // trigger
	for i, w := range []bool{false, false, false, false, true, true} {
		r.at(10 + uint64(i))
		assert.Equal(t, w, r.in(PortB)&0x20 != 0, "+%d", i)
	}
	r.out(PortB, 0x00)
	r.out(PortB, 0x01) // retrigger at 15
	r.at(18)
	assert.False(t, r.in(PortB)&0x20 != 0)
	assert.Equal(t, uint16(1), r.latched(2))
	r.at(19)
	assert.True(t, r.in(PortB)&0x20 != 0)
}

func TestMode4SoftwareStrobe(t *testing.T) {
	r := newRig(t)
	r.out(PortB, 0x01)
	r.at(2)
	r.program(2, 0xB8, 3)
	for i, w := range []bool{true, true, true, false, true, true} {
		r.at(2 + uint64(i))
		assert.Equal(t, w, r.in(PortB)&0x20 != 0, "+%d", i)
	}
}

func TestMode5HardwareStrobe(t *testing.T) {
	r := newRig(t)
	r.program(2, 0xBA, 3)
	r.at(5)
	r.out(PortB, 0x01)
	for i, w := range []bool{true, true, true, false, true} {
		r.at(5 + uint64(i))
		assert.Equal(t, w, r.in(PortB)&0x20 != 0, "+%d", i)
	}
}

func TestMode4IRQ0Strobe(t *testing.T) {
	r := newRig(t)
	r.at(10)
	r.program(0, 0x38, 20)
	rises := r.irq.rises[0]
	r.runTo(1000)
	assert.Equal(t, rises+1, r.irq.rises[0])
}

func TestCounterLatch(t *testing.T) {
	r := newRig(t)
	r.program(0, 0x34, 1000)
	r.at(100)
	r.out(ControlPort, 0x00)
	r.at(200)
	r.out(ControlPort, 0x00) // ignored: the first latch was not read
	assert.Equal(t, uint8(900&0xFF), r.in(BasePort))
	r.at(300)
	assert.Equal(t, uint8(900>>8), r.in(BasePort))
	// Unlatched reads alternate LSB and MSB of the live count.
	r.at(400)
	assert.Equal(t, uint8(600&0xFF), r.in(BasePort))
	assert.Equal(t, uint8(600>>8), r.in(BasePort))
}

func TestAccessModes(t *testing.T) {
	tests := []struct {
		name  string
		cw    uint8
		write uint8
		read  uint8 // one tick later
	}{
		{"LSB only", 0x94, 0x40, 0x3F},
		{"MSB only", 0xA4, 0x02, 0x01},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t)
			r.out(PortB, 0x01)
			r.out(ControlPort, tt.cw)
			r.out(BasePort+2, tt.write)
			r.at(1)
			r.out(ControlPort, 0x80)
			assert.Equal(t, tt.read, r.in(BasePort+2))
			assert.Equal(t, tt.read, r.in(BasePort+2), "live read in the same access mode")
		})
	}
}

func TestBCD(t *testing.T) {
	r := newRig(t)
	r.out(PortB, 0x01)
	r.program(2, 0xB1, 0x0100) // mode 0, BCD 100
	r.at(10)
	assert.Equal(t, uint16(0x0090), r.latched(2))
	r.at(100)
	assert.True(t, r.in(PortB)&0x20 != 0)
	r.at(101)
	assert.Equal(t, uint16(0x9999), r.latched(2), "BCD wraps at 10000")
	// BCD count 0 is 10000.
	r.program(2, 0xB5, 0) // mode 2 BCD
	r.at(101 + 1)
	assert.Equal(t, uint16(0x9999), r.latched(2))
}

func TestReadBack(t *testing.T) {
	r := newRig(t)
	r.out(ControlPort, 0xB0) // ch2 mode 0: OUT low, null count
	r.out(ControlPort, 0xE8) // read-back status of ch2
	assert.Equal(t, uint8(0x70), r.in(BasePort+2))
	r.out(PortB, 0x01)
	r.out(BasePort+2, 10)
	r.out(BasePort+2, 0)
	r.at(3)
	r.out(ControlPort, 0xC8) // status and count of ch2
	assert.Equal(t, uint8(0x30), r.in(BasePort+2))
	assert.Equal(t, uint8(7), r.in(BasePort+2))
	assert.Equal(t, uint8(0), r.in(BasePort+2))
	r.at(20)
	r.out(ControlPort, 0xD8) // count only, channels 2 (and not 0/1)
	assert.Equal(t, uint16(0xFFF6), uint16(r.in(BasePort+2))|uint16(r.in(BasePort+2))<<8)
	r.out(ControlPort, 0xE8)
	assert.Equal(t, uint8(0xB0), r.in(BasePort+2), "OUT high after terminal count")
	// Mode bits 6 and 7 read back as written and behave as modes 2 and 3.
	r.out(ControlPort, 0xBC)
	r.out(ControlPort, 0xE8)
	assert.Equal(t, uint8(0xFC), r.in(BasePort+2))
}

func TestCoalescedEdges(t *testing.T) {
	r := newRig(t)
	r.program(0, 0x34, 1193) // 1 kHz
	rises := r.irq.rises[0]
	r.clk.Set(10 * clock.Second)
	assert.Less(t, r.pit.Deadline(), r.clk.Now())
	r.pit.Tick(r.clk.Now())
	assert.Equal(t, rises+1, r.irq.rises[0], "ten thousand periods, one interrupt")
	assert.Greater(t, r.pit.Deadline(), r.clk.Now())
	r.pit.Tick(r.clk.Now())
	assert.Equal(t, rises+1, r.irq.rises[0])
}

func TestMode2NewCountAtEndOfPeriod(t *testing.T) {
	r := newRig(t)
	r.program(0, 0x34, 100)
	r.at(150)
	r.out(BasePort, 10)
	r.out(BasePort, 0)
	assert.Equal(t, uint16(50), r.latched(0), "old count runs on")
	r.runTo(200)
	rises := r.irq.rises[0]
	r.runTo(230)
	assert.Equal(t, rises+3, r.irq.rises[0])
	r.at(235)
	assert.Equal(t, uint16(5), r.latched(0))
}

func TestMode3NewCountAtHalfPeriod(t *testing.T) {
	r := newRig(t)
	r.out(PortB, 0x01)
	r.program(2, 0xB6, 100)
	r.at(20) // high half
	r.out(BasePort+2, 10)
	r.out(BasePort+2, 0)
	r.at(49)
	assert.True(t, r.in(PortB)&0x20 != 0)
	r.at(50) // old half period ends, the new count starts its low half
	assert.False(t, r.in(PortB)&0x20 != 0)
	r.at(55)
	assert.True(t, r.in(PortB)&0x20 != 0)
	r.at(60)
	assert.False(t, r.in(PortB)&0x20 != 0)
}

func TestPortBRefreshToggle(t *testing.T) {
	r := newRig(t)
	var got []bool
	for i := 0; i < 4; i++ {
		r.clk.Set(clock.Time(i)*RefreshPeriod + clock.Microsecond)
		got = append(got, r.in(PortB)&0x10 != 0)
	}
	assert.Equal(t, []bool{false, true, false, true}, got)
	r.out(PortB, 0xFF)
	assert.Equal(t, uint8(0x0F), r.in(PortB)&0xCF)
}

func TestSpeaker(t *testing.T) {
	r := newRig(t)
	r.program(2, 0xB6, 1193)
	_, on := r.pit.Speaker()
	assert.False(t, on)
	r.out(PortB, 0x03)
	hz, on := r.pit.Speaker()
	assert.True(t, on)
	assert.InDelta(t, 1000.15, hz, 0.01)
}

func TestStateRoundTrip(t *testing.T) {
	r := newRig(t)
	r.program(0, 0x34, 500)
	r.at(1234)
	st := r.pit.State()
	r2 := newRig(t)
	r2.clk.Set(r.clk.Now())
	r2.pit.SetState(st)
	assert.Equal(t, r.latched(0), r2.latched(0))
	assert.Equal(t, r.pit.Deadline(), r2.pit.Deadline())
}

func TestPowerOnDefault(t *testing.T) {
	r := newRig(t)
	assert.Equal(t, clock.DurationOf(65536, Freq), r.pit.Deadline())
	assert.True(t, r.pit.Out(0))
	r.out(ControlPort, 0xE2)
	assert.Equal(t, uint8(0xB6), r.in(BasePort))
}

func BenchmarkPortBRead(b *testing.B) {
	clk := &clock.Clock{}
	p := New(clk, nil)
	for i := 0; i < b.N; i++ {
		clk.Advance(100)
		p.ReadPort(PortB, 1)
	}
}
