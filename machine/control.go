package machine

import (
	"sync"

	"bt86/clock"
	"bt86/cpu"
	"bt86/mmu/shadow"
)

// callQueue holds functions other goroutines run on the machine between
// two CPU slices (Do).
type callQueue struct {
	mu     sync.Mutex
	active bool // Run serves the queue
	fns    []func()
	wake   chan struct{} // wakes a Run waiting for input while the guest idles
}

func (q *callQueue) wakeChan() chan struct{} {
	if q.wake == nil {
		q.wake = make(chan struct{}, 1)
	}
	return q.wake
}

// begin marks Run active; from now on Do queues calls for it.
func (q *callQueue) begin() chan struct{} {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.active = true
	return q.wakeChan()
}

// end marks Run inactive and runs the calls still queued.
func (q *callQueue) end() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.active = false
	for _, f := range q.fns {
		f()
	}
	q.fns = nil
}

// serve runs the queued calls (on Run's goroutine).
func (q *callQueue) serve() {
	q.mu.Lock()
	fns := q.fns
	q.fns = nil
	q.mu.Unlock()
	for _, f := range fns {
		f()
	}
}

// Do runs f while the machine is stopped between two CPU slices and
// returns when f has returned. While Run is active, f runs on Run's
// goroutine at the next slice boundary (within a slice, at most 1 ms of
// guest time, or at once while the guest idles); otherwise it runs on the
// caller's goroutine, and Run waits for it to finish before it starts. A
// call that only reads the machine (SaveSnapshot, StateHash, Status)
// does not change the run: a deterministic run continues exactly as it
// would have without it. f must not call Do and must not be called from
// a writer Run calls (Config.Serial, Display, Debugcon): that deadlocks.
func (m *Machine) Do(f func()) {
	q := &m.calls
	q.mu.Lock()
	if !q.active {
		defer q.mu.Unlock()
		f()
		return
	}
	done := make(chan struct{})
	q.fns = append(q.fns, func() { f(); close(done) })
	w := q.wakeChan()
	q.mu.Unlock()
	select {
	case w <- struct{}{}:
	default:
	}
	<-done
}

// Status is a summary of the machine for a monitor ("info status").
type Status struct {
	Running       bool // Run is active
	Instructions  uint64
	VirtualTime   clock.Time
	CS            uint16
	EIP           uint32
	Halted        bool
	Deterministic bool
	Recording     bool
	Replaying     bool
	CPU           cpu.Stats
	MMU           shadow.Counters
}

// Status returns the machine's status, taken between two CPU slices.
func (m *Machine) Status() Status {
	var s Status
	m.Do(func() {
		s = Status{
			Running:       m.running.Load(),
			Instructions:  m.cpu.InstructionCount(),
			VirtualTime:   m.clk.Now(),
			CS:            m.cpu.Seg[cpu.CS].Sel,
			EIP:           m.cpu.EIP,
			Halted:        m.cpu.Halted,
			Deterministic: m.cfg.Deterministic,
			Recording:     m.rr.rec != nil,
			Replaying:     m.rr.play != nil,
			CPU:           m.cpu.Stats,
			MMU:           m.cpu.MMU.Stats,
		}
	})
	return s
}
