package clock

import "math"

// Time is virtual time in nanoseconds since machine power-on.
type Time int64

// Never is a deadline that does not come.
const Never Time = math.MaxInt64

// Common durations in Time units.
const (
	Nanosecond  Time = 1
	Microsecond Time = 1000
	Millisecond Time = 1000 * Microsecond
	Second      Time = 1000 * Millisecond
)

// Source reads the current virtual time.
type Source interface {
	Now() Time
}

// Clock is a virtual clock that only moves when its owner sets it.
// It never goes backwards.
type Clock struct {
	now Time
}

// Now returns the current virtual time.
func (c *Clock) Now() Time { return c.now }

// Set moves the clock to t; a t in the past is ignored.
func (c *Clock) Set(t Time) {
	if t > c.now {
		c.now = t
	}
}

// Advance moves the clock forward by d (d <= 0 is ignored).
func (c *Clock) Advance(d Time) {
	if d > 0 {
		c.now += d
	}
}

// Timed is a device that must run at a virtual deadline.
type Timed interface {
	// Deadline is the next time the device needs Tick, or Never.
	Deadline() Time
	// Tick runs the device up to now (now >= the reported deadline, or
	// earlier when the machine synchronises for another reason).
	Tick(now Time)
}

// TicksAt converts a duration in Time units to ticks of a clock of freq Hz,
// without overflow for any duration a guest can run (exact for 128-bit
// products via split multiplication).
func TicksAt(d Time, freq uint64) uint64 {
	if d <= 0 {
		return 0
	}
	u := uint64(d)
	sec, rem := u/uint64(Second), u%uint64(Second)
	return sec*freq + rem*freq/uint64(Second)
}

// DurationOf converts n ticks of a clock of freq Hz to a duration, rounding up.
func DurationOf(n, freq uint64) Time {
	sec, rem := n/freq, n%freq
	return Time(sec*uint64(Second) + (rem*uint64(Second)+freq-1)/freq)
}
