package uart

import "fmt"

// Validate reports whether s could have been produced by a Port, so that
// SetState with a State read from an untrusted snapshot cannot make the
// Port index out of its FIFO.
func (s State) Validate() error {
	if s.RXHead >= FIFOSize || s.RXCount > FIFOSize {
		return fmt.Errorf("uart: receive FIFO head %d, count %d out of range (FIFO holds %d)", s.RXHead, s.RXCount, FIFOSize)
	}
	return nil
}
