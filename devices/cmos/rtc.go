package cmos

import (
	"time"

	"bt86/bus"
	"bt86/clock"
)

// Ports and interrupt line.
const (
	IndexPort = 0x70
	DataPort  = 0x71
	IRQ       = 8
)

// Register indices.
const (
	RegSeconds      = 0x00
	RegSecondsAlarm = 0x01
	RegMinutes      = 0x02
	RegMinutesAlarm = 0x03
	RegHours        = 0x04
	RegHoursAlarm   = 0x05
	RegWeekday      = 0x06
	RegDay          = 0x07
	RegMonth        = 0x08
	RegYear         = 0x09
	RegA            = 0x0A
	RegB            = 0x0B
	RegC            = 0x0C
	RegD            = 0x0D
	RegCentury      = 0x32
)

// Register bits.
const (
	AUIP = 0x80 // update in progress
	ADV  = 0x70 // divider select
	ARS  = 0x0F // periodic rate select

	BSET  = 0x80
	BPIE  = 0x40
	BAIE  = 0x20
	BUIE  = 0x10
	BSQWE = 0x08
	BDM   = 0x04 // binary (not BCD)
	B24H  = 0x02
	BDSE  = 0x01

	CIRQF = 0x80
	CPF   = 0x40
	CAF   = 0x20
	CUF   = 0x10

	DVRT = 0x80
)

// UIPWindow is how long UIP is set before each update.
const UIPWindow = 244 * clock.Microsecond

// dividerFreq is the time base: 32.768 kHz.
const dividerFreq = 32768

// State is the guest-visible state of the RTC.
type State struct {
	RAM       [128]uint8 // registers and NVRAM (time registers as last computed or written)
	Index     uint8
	NMIMasked bool
	Base      int64      // clock seconds (civil time as if UTC) at DivStart
	DivStart  clock.Time // second boundaries fall at DivStart + k seconds
	Processed clock.Time // flags are evaluated up to this time
	IRQLevel  bool
}

// RTC is an MC146818 with its NVRAM.
type RTC struct {
	s   State
	clk clock.Source
	irq bus.IRQSink
}

// New returns an RTC showing the civil time of start (in start's
// location) at the current virtual time of clk, with register A = 0x26,
// B = 0x02 (24 hour, BCD), D = VRT and the NVRAM zeroed. irq receives
// IRQ8; it may be nil.
func New(start time.Time, clk clock.Source, irq bus.IRQSink) *RTC {
	r := &RTC{clk: clk, irq: irq}
	now := clk.Now()
	r.s.RAM[RegA] = 0x26
	r.s.RAM[RegB] = B24H
	r.s.RAM[RegD] = DVRT
	y, mo, d := start.Date()
	h, mi, sec := start.Clock()
	r.s.Base = time.Date(y, mo, d, h, mi, sec, 0, time.UTC).Unix()
	r.s.DivStart = now
	r.s.Processed = now
	r.encode(r.s.Base)
	return r
}

// State returns a copy of the guest-visible state.
func (r *RTC) State() State { return r.s }

// SetState replaces the guest-visible state; it does not drive IRQ8.
func (r *RTC) SetState(s State) { r.s = s }

// Reset applies a system reset: register B's interrupt enables and square
// wave output are cleared, as are register C's flags. The time and the
// NVRAM are kept, as on a real board.
func (r *RTC) Reset() {
	r.advance(r.clk.Now())
	r.s.RAM[RegB] &^= BPIE | BAIE | BUIE | BSQWE
	r.s.RAM[RegC] = 0
	r.updateIRQ()
}

// Attach registers ports 0x70-0x71 on b.
func (r *RTC) Attach(b *bus.Bus) error {
	return b.MapPorts("cmos", IndexPort, DataPort, r)
}

// NMIMasked reports bit 7 of the last write to port 0x70.
func (r *RTC) NMIMasked() bool { return r.s.NMIMasked }

// Time returns the clock's current civil time (in UTC).
func (r *RTC) Time() time.Time {
	return time.Unix(r.seconds(r.clk.Now()), 0).UTC()
}

// ReadPort implements bus.PortHandler.
func (r *RTC) ReadPort(port uint16, size uint8) uint32 {
	var v uint32
	for i := uint8(0); i < size; i++ {
		v |= uint32(r.readByte(port+uint16(i))) << (8 * i)
	}
	return v
}

// WritePort implements bus.PortHandler.
func (r *RTC) WritePort(port uint16, size uint8, v uint32) {
	for i := uint8(0); i < size; i++ {
		r.writeByte(port+uint16(i), uint8(v>>(8*i)))
	}
}

func (r *RTC) readByte(port uint16) uint8 {
	if port != DataPort {
		return 0xFF // the index register is write-only
	}
	return r.read(r.s.Index)
}

func (r *RTC) writeByte(port uint16, v uint8) {
	if port == IndexPort {
		r.s.Index = v & 0x7F
		r.s.NMIMasked = v&0x80 != 0
		return
	}
	r.write(r.s.Index, v)
}

func isTimeReg(i uint8) bool {
	switch i {
	case RegSeconds, RegMinutes, RegHours, RegWeekday, RegDay, RegMonth, RegYear, RegCentury:
		return true
	}
	return false
}

func (r *RTC) read(i uint8) uint8 {
	now := r.clk.Now()
	r.advance(now)
	switch {
	case isTimeReg(i):
		if r.running() {
			r.encode(r.seconds(now))
		}
		return r.s.RAM[i]
	case i == RegA:
		v := r.s.RAM[RegA] &^ AUIP
		if r.uip(now) {
			v |= AUIP
		}
		return v
	case i == RegC:
		v := r.s.RAM[RegC]
		r.s.RAM[RegC] = 0
		r.updateIRQ()
		return v
	case i == RegD:
		return DVRT
	}
	return r.s.RAM[i&0x7F]
}

func (r *RTC) write(i uint8, v uint8) {
	now := r.clk.Now()
	r.advance(now)
	switch {
	case isTimeReg(i):
		if r.running() {
			r.encode(r.seconds(now))
			r.s.RAM[i] = v
			r.s.Base = r.decode() - r.whole(now)
		} else {
			r.s.RAM[i] = v
		}
	case i == RegA:
		was, divWas := r.running(), r.dividerRunning()
		if was {
			r.encode(r.seconds(now))
		}
		r.s.RAM[RegA] = v &^ AUIP
		if !divWas && r.dividerRunning() {
			r.s.DivStart = now - 500*clock.Millisecond
		}
		r.thaw(was, now)
	case i == RegB:
		was := r.running()
		if was {
			r.encode(r.seconds(now))
		}
		if v&BSET != 0 {
			v &^= BUIE
		}
		old := r.s.RAM[RegB]
		if !was && (old^v)&(BDM|B24H) != 0 {
			secs := r.decode()
			r.s.RAM[RegB] = v
			r.encode(secs)
		}
		r.s.RAM[RegB] = v
		r.thaw(was, now)
		r.updateIRQ()
	case i == RegC || i == RegD:
		// read-only
	default:
		r.s.RAM[i&0x7F] = v
	}
}

// thaw restarts the clock from the time registers when it was frozen and
// runs again.
func (r *RTC) thaw(was bool, now clock.Time) {
	if !was && r.running() {
		r.s.Base = r.decode() - r.whole(now)
	}
}

func (r *RTC) dividerRunning() bool { return r.s.RAM[RegA]&0x60 != 0x60 }

func (r *RTC) running() bool { return r.dividerRunning() && r.s.RAM[RegB]&BSET == 0 }

// whole is the number of whole seconds of the divider chain at now.
func (r *RTC) whole(now clock.Time) int64 {
	if now <= r.s.DivStart {
		return 0
	}
	return int64((now - r.s.DivStart) / clock.Second)
}

// seconds is the clock's time at now (valid while running).
func (r *RTC) seconds(now clock.Time) int64 {
	if !r.running() {
		return r.decode()
	}
	return r.s.Base + r.whole(now)
}

func (r *RTC) uip(now clock.Time) bool {
	if !r.running() || now < r.s.DivStart {
		return false
	}
	return (now-r.s.DivStart)%clock.Second >= clock.Second-UIPWindow
}

// periodTicks is the periodic interrupt period in 32.768 kHz ticks, or 0.
func (r *RTC) periodTicks() uint64 {
	switch rs := r.s.RAM[RegA] & ARS; rs {
	case 0:
		return 0
	case 1:
		return 128
	case 2:
		return 256
	default:
		return 1 << (rs - 1)
	}
}

func (r *RTC) periodIndex(t clock.Time, period uint64) uint64 {
	return clock.TicksAt(t-r.s.DivStart, dividerFreq) / period
}

// advance sets register C's flags for everything that happened up to now.
func (r *RTC) advance(now clock.Time) {
	from := r.s.Processed
	if now <= from {
		return
	}
	r.s.Processed = now
	if p := r.periodTicks(); p != 0 && r.dividerRunning() {
		if r.periodIndex(now, p) > r.periodIndex(from, p) {
			r.s.RAM[RegC] |= CPF
		}
	}
	if r.running() {
		s1, s2 := r.s.Base+r.whole(from), r.s.Base+r.whole(now)
		if s2 > s1 {
			r.s.RAM[RegC] |= CUF
			if a, ok := r.nextAlarm(s1); ok && a <= s2 {
				r.s.RAM[RegC] |= CAF
			}
		}
	}
	r.updateIRQ()
}

func (r *RTC) updateIRQ() {
	c, b := r.s.RAM[RegC], r.s.RAM[RegB]
	if c&b&(CPF|CAF|CUF) != 0 {
		c |= CIRQF
	} else {
		c &^= CIRQF
	}
	r.s.RAM[RegC] = c
	level := c&CIRQF != 0
	if level != r.s.IRQLevel {
		r.s.IRQLevel = level
		if r.irq != nil {
			r.irq.SetIRQ(IRQ, level)
		}
	}
}

// Deadline implements clock.Timed.
func (r *RTC) Deadline() clock.Time {
	if r.s.RAM[RegC]&CIRQF != 0 {
		return clock.Never
	}
	b := r.s.RAM[RegB]
	d := clock.Never
	from := r.s.Processed
	if p := r.periodTicks(); p != 0 && b&BPIE != 0 && r.dividerRunning() {
		k := (r.periodIndex(from, p) + 1) * p
		d = min(d, r.s.DivStart+clock.DurationOf(k, dividerFreq))
	}
	if r.running() {
		next := r.s.DivStart + clock.Time(r.whole(from)+1)*clock.Second
		if b&BUIE != 0 {
			d = min(d, next)
		}
		if b&BAIE != 0 {
			if a, ok := r.nextAlarm(r.s.Base + r.whole(from)); ok {
				d = min(d, r.s.DivStart+clock.Time(a-r.s.Base)*clock.Second)
			}
		}
	}
	return d
}

// Tick implements clock.Timed.
func (r *RTC) Tick(now clock.Time) { r.advance(now) }

// --- time register encoding ---

func (r *RTC) binary() bool { return r.s.RAM[RegB]&BDM != 0 }

func (r *RTC) toReg(v int) uint8 {
	if r.binary() {
		return uint8(v)
	}
	v %= 100
	return uint8(v/10<<4 | v%10)
}

func (r *RTC) fromReg(v uint8) int {
	if r.binary() {
		return int(v)
	}
	return int(v>>4)*10 + int(v&15)
}

func (r *RTC) toHour(h int) uint8 {
	if r.s.RAM[RegB]&B24H != 0 {
		return r.toReg(h)
	}
	h12 := h % 12
	if h12 == 0 {
		h12 = 12
	}
	v := r.toReg(h12)
	if h >= 12 {
		v |= 0x80
	}
	return v
}

func (r *RTC) fromHour(v uint8) int {
	if r.s.RAM[RegB]&B24H != 0 {
		return r.fromReg(v)
	}
	h := r.fromReg(v&0x7F) % 12
	if v&0x80 != 0 {
		h += 12
	}
	return h
}

// encode writes the time registers for clock seconds secs.
func (r *RTC) encode(secs int64) {
	t := time.Unix(secs, 0).UTC()
	ram := &r.s.RAM
	ram[RegSeconds] = r.toReg(t.Second())
	ram[RegMinutes] = r.toReg(t.Minute())
	ram[RegHours] = r.toHour(t.Hour())
	ram[RegWeekday] = r.toReg(int(t.Weekday()) + 1)
	ram[RegDay] = r.toReg(t.Day())
	ram[RegMonth] = r.toReg(int(t.Month()))
	ram[RegYear] = r.toReg(t.Year() % 100)
	ram[RegCentury] = r.toReg(t.Year() / 100)
}

// decode reads the time registers as clock seconds.
func (r *RTC) decode() int64 {
	ram := &r.s.RAM
	year := r.fromReg(ram[RegCentury])*100 + r.fromReg(ram[RegYear])
	return time.Date(year, time.Month(r.fromReg(ram[RegMonth])), r.fromReg(ram[RegDay]),
		r.fromHour(ram[RegHours]), r.fromReg(ram[RegMinutes]), r.fromReg(ram[RegSeconds]),
		0, time.UTC).Unix()
}

// alarmField decodes an alarm register: -1 for "don't care".
func (r *RTC) alarmField(v uint8, hour bool) int {
	if v&0xC0 == 0xC0 {
		return -1
	}
	if hour {
		return r.fromHour(v)
	}
	return r.fromReg(v)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// nextAlarm returns the first clock second after after whose time of day
// matches the alarm registers.
func (r *RTC) nextAlarm(after int64) (int64, bool) {
	as := r.alarmField(r.s.RAM[RegSecondsAlarm], false)
	am := r.alarmField(r.s.RAM[RegMinutesAlarm], false)
	ah := r.alarmField(r.s.RAM[RegHoursAlarm], true)
	if as > 59 || am > 59 || ah > 23 {
		return 0, false
	}
	start := after + 1
	day := floorDiv(start, 86400) * 86400
	sod := int(start - day)
	h0, m0, s0 := sod/3600, sod/60%60, sod%60
	for dh := 0; dh <= 24; dh++ {
		hh := h0 + dh
		if ah >= 0 && ah != hh%24 {
			continue
		}
		m := 0
		if dh == 0 {
			m = m0
		}
		for ; m < 60; m++ {
			if am >= 0 && am != m {
				continue
			}
			s := 0
			if dh == 0 && m == m0 {
				s = s0
			}
			if as >= 0 {
				if as < s {
					continue
				}
				s = as
			}
			return day + int64(hh*3600+m*60+s), true
		}
	}
	return 0, false
}
