package kbc

import "fmt"

// Validate reports whether s could have been produced by a Controller, so
// that SetState with a State read from an untrusted snapshot cannot make
// the controller index out of its queues.
func (s State) Validate() error {
	for _, q := range []struct {
		name string
		q    Queue
	}{{"keyboard", s.Kbd.Queue}, {"mouse", s.Mouse.Queue}} {
		if q.q.Head >= QueueSize || q.q.Len > QueueSize {
			return fmt.Errorf("kbc: %s queue head %d, length %d out of range (queue holds %d)", q.name, q.q.Head, q.q.Len, QueueSize)
		}
	}
	if int(s.CtrlLen) > len(s.Ctrl) {
		return fmt.Errorf("kbc: %d controller replies queued, at most %d fit", s.CtrlLen, len(s.Ctrl))
	}
	return nil
}
