package cmos

import "fmt"

// Validate reports whether s could have been produced by an RTC, so that
// SetState with a State read from an untrusted snapshot cannot make the
// RTC index out of its RAM.
func (s State) Validate() error {
	if int(s.Index) >= len(s.RAM) {
		return fmt.Errorf("cmos: index register %#x out of range (%d bytes of RAM)", s.Index, len(s.RAM))
	}
	return nil
}
