package kbc

import (
	"testing"

	"bt86/bus"
)

type lineSink struct{ level [16]bool }

func (s *lineSink) SetIRQ(line int, high bool) { s.level[line] = high }

// FuzzController checks that IRQ1 and IRQ12 always match the output
// buffer and command byte, and that a non-empty queue never waits behind
// an empty output buffer unless its port is disabled.
func FuzzController(f *testing.F) {
	f.Add([]byte{0, 0xAA, 1, 0, 2, 0, 0, 0xD4, 1, 0xFF, 2, 0, 2, 0, 2, 0})
	f.Add([]byte{1, 0xF2, 3, 0x1E, 2, 0, 2, 0, 0, 0x60, 1, 0x03, 4, 5})
	f.Fuzz(func(t *testing.T, data []byte) {
		irq := &lineSink{}
		c := New(irq, Callbacks{SetA20: func(bool) {}, Reset: func() {}})
		b := bus.New()
		if err := c.Attach(b); err != nil {
			t.Fatal(err)
		}
		for len(data) >= 2 {
			op, v := data[0], data[1]
			data = data[2:]
			switch op % 6 {
			case 0:
				b.Out(StatusPort, 1, uint32(v))
			case 1:
				b.Out(DataPort, 1, uint32(v))
			case 2:
				b.In(DataPort, 1)
			case 3:
				c.SendSet1([]byte{v})
			case 4:
				c.MouseMove(int(int8(v)), -int(int8(v)), v)
			case 5:
				c.SendScancodes([]byte{v})
			}
			s := c.s
			kbd := s.OutFull && !s.OutAux && s.RAM[0]&CmdKbdInt != 0
			aux := s.OutFull && s.OutAux && s.RAM[0]&CmdAuxInt != 0
			if irq.level[KeyboardIRQ] != kbd || irq.level[AuxIRQ] != aux {
				t.Fatalf("IRQ1 %v/%v IRQ12 %v/%v", irq.level[KeyboardIRQ], kbd, irq.level[AuxIRQ], aux)
			}
			kbdWaiting := s.Kbd.Queue.Len > 0 && s.RAM[0]&CmdKbdOff == 0
			auxWaiting := s.Mouse.Queue.Len > 0 && s.RAM[0]&CmdAuxOff == 0
			if !s.OutFull && (s.CtrlLen > 0 || kbdWaiting || auxWaiting) {
				t.Fatalf("output buffer empty with data waiting: %+v", s)
			}
		}
	})
}
