package pit

import "fmt"

// Validate reports whether s could have been produced by a Timer (mode,
// access mode, latch and count within what the 8254 can hold), for States
// read from an untrusted snapshot.
func (s State) Validate() error {
	for i, ch := range s.Ch {
		switch {
		case ch.ModeBits > 7:
			return fmt.Errorf("pit: channel %d mode %d out of range", i, ch.ModeBits)
		case ch.Access > 3:
			return fmt.Errorf("pit: channel %d access mode %d out of range", i, ch.Access)
		case ch.Latched > 2:
			return fmt.Errorf("pit: channel %d has %d latched count bytes (at most 2)", i, ch.Latched)
		case ch.Count > 65536 || ch.NextCount > 65536:
			return fmt.Errorf("pit: channel %d count %d out of range", i, max(ch.Count, ch.NextCount))
		}
	}
	return nil
}
