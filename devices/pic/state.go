package pic

import "fmt"

// Validate reports whether s could have been produced by a Controller
// (the initialisation sequence step and the ICW4 buffer mode are ones the
// chip can be in), for States read from an untrusted snapshot.
func (s State) Validate() error {
	for _, c := range []struct {
		name string
		c    Chip
	}{{"master", s.Master}, {"slave", s.Slave}} {
		switch {
		case c.c.InitStep != 0 && (c.c.InitStep < 2 || c.c.InitStep > 4):
			return fmt.Errorf("pic: %s initialisation step %d out of range", c.name, c.c.InitStep)
		case c.c.Buffered > 3:
			return fmt.Errorf("pic: %s buffer mode %d out of range", c.name, c.c.Buffered)
		case c.c.PriorityAdd > 7:
			return fmt.Errorf("pic: %s priority rotation %d out of range", c.name, c.c.PriorityAdd)
		}
	}
	return nil
}
