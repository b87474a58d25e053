package pit

// Channel is the guest-visible state of one 8254 counter.
//
// Counting is described in absolute ticks of the PIT clock: while Running,
// the number of ticks counted since the count was loaded ("elapsed") is
// Base + (tick - Start); when stopped it is Base. Every mode's counter value
// and output are functions of elapsed and the initial count Count.
type Channel struct {
	ModeBits uint8 // M2..M0 as programmed (6 and 7 act as 2 and 3)
	Access   uint8 // 1 = LSB only, 2 = MSB only, 3 = LSB then MSB
	BCD      bool
	Reload   uint16 // count register (CR) as written; 0 is the maximum count
	Count    uint32 // initial count loaded into the counting element, 1..65536
	Gate     bool
	Armed    bool // a complete count was written since the control word
	Running  bool // counting (modes 1 and 5: triggered)
	Start    uint64
	Base     uint64

	// A count written to a running mode 2 or 3 counter, loaded at NextTick
	// with elapsed restarting at NextBase.
	NextValid bool
	NextTick  uint64
	NextCount uint32
	NextBase  uint64

	WriteMSB      bool  // LSB of an LSB-then-MSB count was written
	WriteLSB      uint8 // that LSB
	ReadMSB       bool  // next unlatched LSB-then-MSB read returns the MSB
	Latched       uint8 // count bytes still to be read from LatchValue
	LatchValue    uint16
	StatusLatched bool
	StatusByte    uint8
	NullCount     bool
}

func (ch *Channel) mode() uint8 {
	if m := ch.ModeBits; m >= 6 {
		return m - 4
	}
	return ch.ModeBits
}

// modulus is the counter's wrap-around: 2^16 binary or 10^4 BCD.
func (ch *Channel) modulus() uint64 {
	if ch.BCD {
		return 10000
	}
	return 65536
}

// initialCount decodes a count register value.
func (ch *Channel) initialCount(cr uint16) uint32 {
	if ch.BCD {
		n := uint32(cr>>12&15)*1000 + uint32(cr>>8&15)*100 + uint32(cr>>4&15)*10 + uint32(cr&15)
		if n == 0 {
			return 10000
		}
		return n
	}
	if cr == 0 {
		return 65536
	}
	return uint32(cr)
}

// period is the count used for output and edge computations.
func (ch *Channel) period() uint64 {
	n := uint64(ch.Count)
	if n < 2 && (ch.mode() == 2 || ch.mode() == 3) {
		return 2
	}
	if n == 0 {
		return 1
	}
	return n
}

func (ch *Channel) elapsed(tick uint64) uint64 {
	if ch.Running && tick > ch.Start {
		return ch.Base + tick - ch.Start
	}
	return ch.Base
}

// normalize loads a pending mode 2/3 count whose time has come.
func (ch *Channel) normalize(tick uint64) {
	if ch.NextValid && tick >= ch.NextTick {
		ch.Count = ch.NextCount
		ch.Start = ch.NextTick
		ch.Base = ch.NextBase
		ch.NextValid = false
		ch.NullCount = false
	}
}

func (ch *Channel) start(tick uint64, running bool) {
	ch.Count = ch.initialCount(ch.Reload)
	ch.Base = 0
	ch.Start = tick
	ch.Running = running
	ch.NextValid = false
	ch.NullCount = false
}

// out is the level of OUT at tick (the channel must be normalized).
func (ch *Channel) out(tick uint64) bool {
	switch ch.mode() {
	case 0:
		return ch.Armed && ch.elapsed(tick) >= ch.period()
	case 1:
		return !ch.Running || ch.elapsed(tick) >= ch.period()
	case 2:
		if !ch.Running || !ch.Gate {
			return true
		}
		n := ch.period()
		return ch.elapsed(tick)%n != n-1
	case 3:
		if !ch.Running || !ch.Gate {
			return true
		}
		n := ch.period()
		return ch.elapsed(tick)%n < (n+1)/2
	case 4:
		return !ch.Armed || ch.elapsed(tick) != ch.period()
	default: // 5
		return !ch.Running || ch.elapsed(tick) != ch.period()
	}
}

// riseAfter returns the first tick > after at which OUT goes from low to
// high, ignoring a pending reload.
func (ch *Channel) riseAfter(after uint64) (uint64, bool) {
	if !ch.Running {
		return 0, false
	}
	e := ch.elapsed(after)
	n := ch.period()
	var at uint64 // elapsed count at the edge
	switch ch.mode() {
	case 0, 1:
		if e >= n {
			return 0, false
		}
		at = n
	case 2, 3:
		if !ch.Gate {
			return 0, false
		}
		at = (e/n + 1) * n
	default: // 4, 5
		if e > n {
			return 0, false
		}
		at = n + 1
	}
	return after + (at - e), true
}

// value is the counting element's current contents, as the counter
// register would latch them (BCD encoded in BCD mode).
func (ch *Channel) value(tick uint64) uint16 {
	if !ch.Armed {
		return ch.Reload
	}
	mod := ch.modulus()
	n := uint64(ch.Count)
	e := ch.elapsed(tick)
	var v uint64
	switch ch.mode() {
	case 0, 4:
		v = (n%mod + mod - e%mod) % mod
	case 1, 5:
		if !ch.Running {
			return ch.Reload
		}
		v = (n%mod + mod - e%mod) % mod
	case 2:
		p := ch.period()
		v = (p - e%p) % mod
	default: // 3
		p := ch.period()
		ph := e % p
		hi := (p + 1) / 2
		switch {
		case ph == 0:
			v = p
		case ph < hi:
			if p&1 == 0 {
				v = p - 2*ph
			} else {
				v = p + 1 - 2*ph
			}
		case ph == hi:
			v = p
		default:
			q := ph - hi
			if p&1 == 0 {
				v = p - 2*q
			} else {
				v = p - 1 - 2*q
			}
		}
		v %= mod
	}
	if ch.BCD {
		return uint16(v/1000%10)<<12 | uint16(v/100%10)<<8 | uint16(v/10%10)<<4 | uint16(v%10)
	}
	return uint16(v)
}

func (ch *Channel) status(tick uint64) uint8 {
	var s uint8
	if ch.out(tick) {
		s |= 0x80
	}
	if ch.NullCount {
		s |= 0x40
	}
	s |= ch.Access<<4 | ch.ModeBits<<1
	if ch.BCD {
		s |= 1
	}
	return s
}

func (ch *Channel) latch(tick uint64) {
	if ch.Latched != 0 {
		return // a second latch before the first is read is ignored
	}
	ch.LatchValue = ch.value(tick)
	if ch.Access == 3 {
		ch.Latched = 2
	} else {
		ch.Latched = 1
	}
}

func (ch *Channel) control(v uint8) {
	ch.Access = v >> 4 & 3
	ch.ModeBits = v >> 1 & 7
	ch.BCD = v&1 != 0
	ch.Armed = false
	ch.Running = false
	ch.NextValid = false
	ch.Base = 0
	ch.WriteMSB = false
	ch.ReadMSB = false
	ch.Latched = 0
	ch.StatusLatched = false
	ch.NullCount = true
}

func (ch *Channel) writeCount(tick uint64, b uint8) {
	switch ch.Access {
	case 1:
		ch.load(tick, uint16(b))
	case 2:
		ch.load(tick, uint16(b)<<8)
	default:
		if !ch.WriteMSB {
			ch.WriteLSB = b
			ch.WriteMSB = true
			if ch.mode() == 0 {
				// Writing the first byte stops the count; OUT goes low.
				ch.Base = ch.elapsed(tick)
				ch.Running = false
				ch.Armed = false
			}
			return
		}
		ch.WriteMSB = false
		ch.load(tick, uint16(ch.WriteLSB)|uint16(b)<<8)
	}
}

// load handles a complete count written to the count register.
func (ch *Channel) load(tick uint64, cr uint16) {
	ch.Reload = cr
	ch.NullCount = true
	switch ch.mode() {
	case 0, 4:
		ch.Armed = true
		ch.start(tick, ch.Gate)
	case 1, 5:
		ch.Armed = true // loaded by the next trigger
	default: // 2, 3
		if !ch.Armed || !ch.Running {
			ch.Armed = true
			ch.start(tick, ch.Gate)
			return
		}
		n := ch.period()
		e := ch.elapsed(tick)
		begin := e - e%n
		next := ch.initialCount(cr)
		ch.NextCount = next
		ch.NextBase = 0
		boundary := begin + n
		if ch.mode() == 3 {
			if hi := (n + 1) / 2; e%n < hi {
				boundary = begin + hi
				nn := uint64(next)
				if nn < 2 {
					nn = 2
				}
				ch.NextBase = (nn + 1) / 2
			}
		}
		ch.NextTick = tick + boundary - e
		ch.NextValid = true
	}
}

func (ch *Channel) setGate(tick uint64, high bool) {
	if high == ch.Gate {
		return
	}
	ch.Gate = high
	switch ch.mode() {
	case 0, 4:
		if !ch.Armed {
			return
		}
		if high {
			ch.Start = tick
			ch.Running = true
		} else {
			ch.Base = ch.elapsed(tick)
			ch.Running = false
		}
	case 1, 5:
		if high && ch.Armed {
			ch.start(tick, true)
		}
	default: // 2, 3
		if !ch.Armed {
			return
		}
		if high {
			ch.start(tick, true)
		} else {
			ch.Base = ch.elapsed(tick)
			ch.Running = false
			ch.NextValid = false
		}
	}
}

func (ch *Channel) read(tick uint64) uint8 {
	if ch.StatusLatched {
		ch.StatusLatched = false
		return ch.StatusByte
	}
	if ch.Latched != 0 {
		msb := ch.Access == 2 || (ch.Access == 3 && ch.Latched == 1)
		ch.Latched--
		if msb {
			return uint8(ch.LatchValue >> 8)
		}
		return uint8(ch.LatchValue)
	}
	v := ch.value(tick)
	switch ch.Access {
	case 1:
		return uint8(v)
	case 2:
		return uint8(v >> 8)
	}
	ch.ReadMSB = !ch.ReadMSB
	if !ch.ReadMSB {
		return uint8(v >> 8)
	}
	return uint8(v)
}
