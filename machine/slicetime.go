package machine

import (
	"time"

	"bt86/clock"
)

// sliceClock is the clock the timed devices read. Between CPU slices it is
// the machine's virtual clock; inside a slice it adds the time the
// instructions retired so far stand for (deterministic mode: exactly
// NsPerInstruction each), or in host mode the host's monotonic clock,
// capped at the end of the slice. A guest polling the PIT or the RTC from a loop therefore
// sees time move within a slice, as Linux's PIT calibration of the TSC
// needs, and in deterministic mode the reading is still a pure function of
// the instruction count.
type sliceClock struct{ m *Machine }

func (s sliceClock) Now() clock.Time {
	m := s.m
	if !m.run.inSlice {
		return m.clk.Now()
	}
	if !m.cfg.Deterministic {
		// Host mode: the host's monotonic clock itself, never before the
		// slice's start. (Interpolating by the measured instruction rate
		// ran ahead of the host whenever the translator outran the
		// estimate, and the guest's clock gained on the wall clock; a
		// cap at the slice's planned end froze time when the CPU was
		// slower than planned, which breaks Linux's PIT calibration.)
		// A timer deadline passed inside a slice fires at its end, as a
		// late host timer would.
		t := m.run.epochVirt + clock.Time(time.Since(m.run.epoch))
		return max(t, m.run.sliceStart)
	}
	n := m.cpu.InstructionCount() - m.run.sliceCount
	t := m.run.sliceStart + clock.Time(float64(n)*m.run.nsPerInstr)
	return min(t, m.run.sliceEnd)
}

// beginSlice records the start of a CPU slice of budget instructions.
func (m *Machine) beginSlice(budget int) {
	r := &m.run
	r.sliceStart = m.clk.Now()
	r.sliceCount = m.cpu.InstructionCount()
	if m.cfg.Deterministic {
		r.nsPerInstr = float64(m.cfg.NsPerInstruction)
	} else {
		r.nsPerInstr = float64(clock.Second) / max(r.ips, 1)
	}
	r.sliceEnd = r.sliceStart + clock.Time(float64(budget)*r.nsPerInstr)
	r.inSlice = true
}

// endSlice moves the virtual clock at least to the last time a device
// could have read inside the slice, so time never goes backwards.
func (m *Machine) endSlice() {
	t := sliceClock{m}.Now()
	m.run.inSlice = false
	m.clk.Set(t)
}
