package machine

import "bt86/bus"

// irqMux sits between the devices and the interrupt controller. Several
// devices may drive one ISA line (COM1 and COM3 share IRQ4, PCI INTx are
// routed onto ISA lines); the line's level is the OR of its drivers, so
// one device lowering its output does not hide another's request.
type irqMux struct {
	sink   bus.IRQSink
	levels [16]uint64 // per line, one bit per driving source
	next   uint
}

// source returns a bus.IRQSink for one more device.
func (m *irqMux) source() bus.IRQSink {
	s := &irqSource{mux: m, bit: 1 << m.next}
	m.next++
	return s
}

// reset forgets every driver's level (the devices reset too).
func (m *irqMux) reset() {
	for line := range m.levels {
		if m.levels[line] != 0 {
			m.levels[line] = 0
			m.sink.SetIRQ(line, false)
		}
	}
}

type irqSource struct {
	mux *irqMux
	bit uint64
}

// SetIRQ implements bus.IRQSink.
func (s *irqSource) SetIRQ(line int, high bool) {
	m := s.mux
	if line < 0 || line >= len(m.levels) {
		return
	}
	old := m.levels[line] != 0
	if high {
		m.levels[line] |= s.bit
	} else {
		m.levels[line] &^= s.bit
	}
	now := m.levels[line] != 0
	if now != old || high {
		// A repeated high is passed on: edge-triggered devices (the
		// PIT) pulse the line low then high, which the OR keeps
		// visible only when nobody else holds it.
		m.sink.SetIRQ(line, now)
	}
}
