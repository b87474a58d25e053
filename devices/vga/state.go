package vga

import "fmt"

// Validate reports whether s could have been produced by an Adapter, so
// that SetState with a State read from an untrusted snapshot cannot make
// the adapter index out of its DAC.
func (s State) Validate() error {
	if s.DACComp > 2 {
		return fmt.Errorf("vga: DAC component %d out of range (0-2)", s.DACComp)
	}
	return nil
}
