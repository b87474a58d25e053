package cmos

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bt86/bus"
	"bt86/clock"
)

// The interfaces the machine wires this device through.
var (
	_ bus.PortHandler = (*RTC)(nil)
	_ clock.Timed     = (*RTC)(nil)
)

type sink struct {
	level bool
	rises int
}

func (s *sink) SetIRQ(line int, high bool) {
	if line != IRQ {
		panic("wrong line")
	}
	if high && !s.level {
		s.rises++
	}
	s.level = high
}

type rig struct {
	clk *clock.Clock
	irq *sink
	rtc *RTC
	bus *bus.Bus
}

func newRig(t *testing.T, start time.Time) *rig {
	r := &rig{clk: &clock.Clock{}, irq: &sink{}, bus: bus.New()}
	r.rtc = New(start, r.clk, r.irq)
	require.NoError(t, r.rtc.Attach(r.bus))
	return r
}

func (r *rig) get(i uint8) uint8 {
	r.bus.Out(IndexPort, 1, uint32(i))
	return uint8(r.bus.In(DataPort, 1))
}

func (r *rig) put(i, v uint8) {
	r.bus.Out(IndexPort, 1, uint32(i))
	r.bus.Out(DataPort, 1, uint32(v))
}

// runTo ticks the RTC at each deadline up to end, as machine does.
func (r *rig) runTo(end clock.Time) {
	for {
		d := r.rtc.Deadline()
		if d > end {
			break
		}
		r.clk.Set(d)
		r.rtc.Tick(r.clk.Now())
	}
	r.clk.Set(end)
	r.rtc.Tick(end)
}

var leap = time.Date(2024, 2, 29, 23, 59, 58, 0, time.FixedZone("CET", 3600))

func timeRegs(r *rig) []uint8 {
	var v []uint8
	for _, i := range []uint8{RegSeconds, RegMinutes, RegHours, RegWeekday, RegDay, RegMonth, RegYear, RegCentury} {
		v = append(v, r.get(i))
	}
	return v
}

func TestTimeRegisters(t *testing.T) {
	tests := []struct {
		name  string
		regB  uint8
		after clock.Time
		want  []uint8 // sec, min, hour, weekday, day, month, year, century
	}{
		{"BCD 24h at start", B24H, 0, []uint8{0x58, 0x59, 0x23, 0x05, 0x29, 0x02, 0x24, 0x20}},
		{"BCD 24h across a leap day", B24H, 2 * clock.Second, []uint8{0x00, 0x00, 0x00, 0x06, 0x01, 0x03, 0x24, 0x20}},
		{"not yet a second", B24H, 999 * clock.Millisecond, []uint8{0x58, 0x59, 0x23, 0x05, 0x29, 0x02, 0x24, 0x20}},
		{"binary 24h", BDM | B24H, 0, []uint8{58, 59, 23, 5, 29, 2, 24, 20}},
		{"BCD 12h PM", 0, 0, []uint8{0x58, 0x59, 0x91, 0x05, 0x29, 0x02, 0x24, 0x20}},
		{"binary 12h midnight", BDM, 2 * clock.Second, []uint8{0, 0, 0x0C, 6, 1, 3, 24, 20}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, leap)
			r.put(RegB, tt.regB)
			r.clk.Set(tt.after)
			assert.Equal(t, tt.want, timeRegs(r))
		})
	}
}

func TestSetBitFreezesAndRestarts(t *testing.T) {
	r := newRig(t, leap)
	r.clk.Set(300 * clock.Millisecond)
	r.put(RegB, BSET|B24H)
	r.put(RegHours, 0x12)
	r.put(RegMinutes, 0x34)
	r.put(RegSeconds, 0x56)
	r.put(RegDay, 0x15)
	r.put(RegMonth, 0x07)
	r.put(RegYear, 0x99)
	r.put(RegCentury, 0x19)
	r.clk.Set(5 * clock.Second)
	assert.Equal(t, uint8(0x56), r.get(RegSeconds), "frozen while SET")
	assert.Zero(t, r.get(RegA)&AUIP)
	r.clk.Set(5*clock.Second + 200*clock.Millisecond)
	r.put(RegB, B24H)
	assert.Equal(t, time.Date(1999, 7, 15, 12, 34, 56, 0, time.UTC), r.rtc.Time())
	r.clk.Set(5*clock.Second + 999*clock.Millisecond)
	assert.Equal(t, uint8(0x56), r.get(RegSeconds))
	r.clk.Set(6 * clock.Second) // the divider's second phase is kept
	assert.Equal(t, uint8(0x57), r.get(RegSeconds))
	assert.Equal(t, uint8(0x05), r.get(RegWeekday), "15 July 1999 was a Thursday")
}

func TestWriteWhileRunning(t *testing.T) {
	r := newRig(t, leap)
	r.clk.Set(1500 * clock.Millisecond)
	r.put(RegMinutes, 0x10)
	assert.Equal(t, []uint8{0x59, 0x10, 0x23}, timeRegs(r)[:3])
	r.clk.Set(2 * clock.Second)
	assert.Equal(t, []uint8{0x00, 0x11, 0x23}, timeRegs(r)[:3])
}

func TestSetClearsUIE(t *testing.T) {
	r := newRig(t, leap)
	r.put(RegB, BSET|BUIE|B24H)
	assert.Equal(t, uint8(BSET|B24H), r.get(RegB))
}

func TestFormatChangeWhileFrozen(t *testing.T) {
	r := newRig(t, leap)
	r.put(RegB, BSET|B24H)
	r.put(RegB, BSET|BDM)
	r.put(RegB, BDM)
	assert.Equal(t, []uint8{58, 59, 0x8B}, timeRegs(r)[:3])
}

func TestUIP(t *testing.T) {
	tests := []struct {
		at   clock.Time
		want bool
	}{
		{0, false},
		{500 * clock.Millisecond, false},
		{clock.Second - UIPWindow - 1, false},
		{clock.Second - UIPWindow, true},
		{clock.Second - 1, true},
		{clock.Second, false},
		{2*clock.Second - 100*clock.Microsecond, true},
	}
	r := newRig(t, leap)
	for _, tt := range tests {
		r.clk.Set(tt.at)
		assert.Equal(t, tt.want, r.get(RegA)&AUIP != 0, "at %d", tt.at)
		assert.Equal(t, uint8(0x26), r.get(RegA)&^AUIP)
	}
}

func TestDividerReset(t *testing.T) {
	r := newRig(t, leap)
	r.clk.Set(100 * clock.Millisecond)
	r.put(RegA, 0x70)
	r.clk.Set(10 * clock.Second)
	assert.Equal(t, uint8(0x58), r.get(RegSeconds), "held in reset")
	r.put(RegA, 0x26)
	r.clk.Set(10*clock.Second + 499*clock.Millisecond)
	assert.Equal(t, uint8(0x58), r.get(RegSeconds))
	r.clk.Set(10*clock.Second + 500*clock.Millisecond)
	assert.Equal(t, uint8(0x59), r.get(RegSeconds), "first update 500 ms after leaving reset")
}

func TestPeriodicInterrupt(t *testing.T) {
	tests := []struct {
		rs     uint8
		ticks  uint64 // of the 32.768 kHz time base
		period clock.Time
	}{
		{3, 4, 122071},         // 8192 Hz
		{6, 32, 976563},        // 1024 Hz
		{1, 128, 3906250},      // 256 Hz
		{2, 256, 7812500},      // 128 Hz
		{15, 16384, 500000000}, // 2 Hz
	}
	for _, tt := range tests {
		r := newRig(t, leap)
		assert.Equal(t, clock.Never, r.rtc.Deadline())
		r.put(RegA, 0x20|tt.rs)
		r.put(RegB, BPIE|B24H)
		require.Equal(t, tt.period, r.rtc.Deadline(), "rate %d", tt.rs)
		r.runTo(tt.period)
		assert.True(t, r.irq.level)
		assert.Equal(t, clock.Never, r.rtc.Deadline(), "no deadline while IRQF is set")
		assert.Equal(t, uint8(CIRQF|CPF), r.get(RegC))
		assert.False(t, r.irq.level, "reading C lowers IRQ8")
		assert.Zero(t, r.get(RegC))
		assert.Equal(t, clock.DurationOf(2*tt.ticks, 32768), r.rtc.Deadline())
	}
}

// A guest that services every periodic interrupt sees one per period; one
// that leaves register C unread sees one interrupt in all.
func TestPeriodicCoalescing(t *testing.T) {
	r := newRig(t, leap)
	r.put(RegA, 0x26)
	r.put(RegB, BPIE|B24H)
	for i := 0; i < 100; i++ {
		r.runTo(r.rtc.Deadline())
		require.Equal(t, uint8(CIRQF|CPF), r.get(RegC))
	}
	assert.Equal(t, 100, r.irq.rises)
	r.runTo(r.clk.Now() + 10*clock.Second)
	assert.Equal(t, 101, r.irq.rises)
}

func TestFlagsWithoutEnables(t *testing.T) {
	r := newRig(t, leap)
	r.put(RegSecondsAlarm, 0xFF)
	r.put(RegMinutesAlarm, 0xFF)
	r.put(RegHoursAlarm, 0xFF)
	r.clk.Set(3 * clock.Second)
	assert.Equal(t, uint8(CPF|CAF|CUF), r.get(RegC))
	assert.Equal(t, 0, r.irq.rises)
}

func TestUpdateEndedInterrupt(t *testing.T) {
	r := newRig(t, leap)
	r.clk.Set(250 * clock.Millisecond)
	r.put(RegB, BUIE|B24H)
	assert.Equal(t, clock.Second, r.rtc.Deadline())
	r.runTo(clock.Second)
	assert.True(t, r.irq.level)
	assert.Equal(t, uint8(CIRQF|CUF), r.get(RegC)&^CPF)
	assert.Equal(t, 2*clock.Second, r.rtc.Deadline())
}

func TestAlarmInterrupt(t *testing.T) {
	r := newRig(t, leap) // 23:59:58
	r.put(RegSecondsAlarm, 0x05)
	r.put(RegMinutesAlarm, 0x00)
	r.put(RegHoursAlarm, 0x00)
	r.put(RegB, BAIE|B24H)
	assert.Equal(t, 7*clock.Second, r.rtc.Deadline())
	r.runTo(7*clock.Second - 1)
	assert.False(t, r.irq.level)
	r.runTo(7 * clock.Second)
	assert.True(t, r.irq.level)
	assert.Equal(t, uint8(CIRQF|CAF|CUF), r.get(RegC)&^CPF)
	assert.Equal(t, 7*clock.Second+86400*clock.Second, r.rtc.Deadline())
}

func TestNextAlarm(t *testing.T) {
	base := time.Date(2000, 1, 1, 10, 20, 30, 0, time.UTC).Unix()
	tests := []struct {
		name    string
		h, m, s uint8
		want    int64 // seconds after base; -1 = never
	}{
		{"every second", 0xC0, 0xC0, 0xC0, 1},
		{"every minute at :00", 0xC0, 0xC0, 0x00, 30},
		{"this minute", 0xC0, 0xC0, 0x45, 15},
		{"next hour at :05", 0xC0, 0x05, 0xC0, 44*60 + 30},
		{"fixed time today", 0x12, 0x00, 0x00, 99*60 + 30},
		{"fixed time tomorrow", 0x09, 0x00, 0x00, 86400 - 80*60 - 30},
		{"this hour, any minute", 0x10, 0xC0, 0x31, 1},
		{"invalid hour", 0x25, 0x00, 0x00, -1},
	}
	r := newRig(t, leap)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r.rtc.s.RAM[RegHoursAlarm], r.rtc.s.RAM[RegMinutesAlarm], r.rtc.s.RAM[RegSecondsAlarm] = tt.h, tt.m, tt.s
			got, ok := r.rtc.nextAlarm(base)
			if tt.want < 0 {
				assert.False(t, ok)
				return
			}
			require.True(t, ok)
			assert.Equal(t, tt.want, got-base)
		})
	}
}

func TestRegistersCDReadOnly(t *testing.T) {
	r := newRig(t, leap)
	r.put(RegC, 0xFF)
	r.put(RegD, 0x00)
	assert.Zero(t, r.get(RegC))
	assert.Equal(t, uint8(DVRT), r.get(RegD))
}

func TestIndexPortAndNMI(t *testing.T) {
	r := newRig(t, leap)
	r.bus.Out(IndexPort, 1, 0x80|0x40)
	assert.True(t, r.rtc.NMIMasked())
	r.bus.Out(DataPort, 1, 0xA5)
	r.bus.Out(IndexPort, 1, 0x40)
	assert.False(t, r.rtc.NMIMasked())
	assert.Equal(t, uint32(0xA5), r.bus.In(DataPort, 1))
	assert.Equal(t, uint8(0xA5), r.rtc.Get(0x40))
	assert.Equal(t, uint32(0xFF), r.bus.In(IndexPort, 1))
}

func TestConfigure(t *testing.T) {
	r := newRig(t, leap)
	r.rtc.Configure(Config{
		LowMem:   3*1024*mib + 512*mib, // 3.5 GiB below 4 GiB
		HighMem:  2 * 1024 * mib,
		Floppies: [2]FloppyType{Floppy1440K, FloppyNone},
		Disks:    [2]Disk{{Cylinders: 1024, Heads: 16, Sectors: 63}},
		FPU:      true,
	})
	tests := []struct {
		reg  uint8
		want uint8
	}{
		{0x10, 0x40}, {0x12, 0xF0}, {0x14, 0x03},
		{0x15, 0x80}, {0x16, 0x02}, // 640 KiB
		{0x17, 0xFF}, {0x18, 0xFF}, {0x30, 0xFF}, {0x31, 0xFF}, // capped
		{0x34, 0x00}, {0x35, 0xDF}, // (3.5 GiB - 16 MiB) / 64 KiB = 0xDF00
		{0x5B, 0x00}, {0x5C, 0x80}, {0x5D, 0x00}, // 2 GiB / 64 KiB = 0x8000
		{0x19, 47}, {0x1B, 0x00}, {0x1C, 0x04}, {0x1D, 16}, {0x20, 0xC8}, {0x23, 63},
		{0x1A, 0}, {0x24, 0},
		{0x32, 0x20},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, r.get(tt.reg), "reg %#x", tt.reg)
	}
	var sum uint16
	for i := uint8(0x10); i <= 0x2D; i++ {
		sum += uint16(r.get(i))
	}
	assert.Equal(t, sum, uint16(r.get(0x2E))<<8|uint16(r.get(0x2F)))

	small := newRig(t, leap)
	small.rtc.Configure(Config{LowMem: 32 * mib, Floppies: [2]FloppyType{Floppy1440K, Floppy720K}})
	assert.Equal(t, uint8(0x43), small.get(0x10))
	assert.Equal(t, uint8(0x41), small.get(0x14))
	assert.Equal(t, uint16(31*1024), uint16(small.get(0x17))|uint16(small.get(0x18))<<8)
	assert.Equal(t, uint16(256), uint16(small.get(0x34))|uint16(small.get(0x35))<<8)
}

func TestResetKeepsTime(t *testing.T) {
	r := newRig(t, leap)
	r.put(RegB, BPIE|B24H)
	r.rtc.Set(0x40, 7)
	r.clk.Set(2 * clock.Second)
	r.rtc.Reset()
	assert.Equal(t, uint8(B24H), r.get(RegB))
	assert.Equal(t, uint8(7), r.rtc.Get(0x40))
	assert.Equal(t, uint8(0x00), r.get(RegSeconds))
	assert.False(t, r.irq.level)
}

func TestStateRoundTrip(t *testing.T) {
	r := newRig(t, leap)
	r.put(RegB, BUIE|B24H)
	r.clk.Set(1700 * clock.Millisecond)
	st := r.rtc.State()
	r2 := newRig(t, time.Time{})
	r2.clk.Set(r.clk.Now())
	r2.rtc.SetState(st)
	assert.Equal(t, timeRegs(r), timeRegs(r2))
	assert.Equal(t, r.rtc.Deadline(), r2.rtc.Deadline())
}
