package kbc

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bt86/bus"
)

// The interfaces the machine wires this device through.
var (
	_ bus.PortHandler = (*Controller)(nil)
)

type sink struct {
	level [16]bool
	rises [16]int
}

func (s *sink) SetIRQ(line int, high bool) {
	if high && !s.level[line] {
		s.rises[line]++
	}
	s.level[line] = high
}

type rig struct {
	t      *testing.T
	c      *Controller
	bus    *bus.Bus
	irq    *sink
	a20    []bool
	resets int
}

func newRig(t *testing.T) *rig {
	r := &rig{t: t, bus: bus.New(), irq: &sink{}}
	r.c = New(r.irq, Callbacks{
		SetA20: func(on bool) { r.a20 = append(r.a20, on) },
		Reset:  func() { r.resets++ },
	})
	require.NoError(t, r.c.Attach(r.bus))
	return r
}

func (r *rig) cmd(v uint8)       { r.bus.Out(StatusPort, 1, uint32(v)) }
func (r *rig) data(v uint8)      { r.bus.Out(DataPort, 1, uint32(v)) }
func (r *rig) status() uint8     { return uint8(r.bus.In(StatusPort, 1)) }
func (r *rig) readData() uint8   { return uint8(r.bus.In(DataPort, 1)) }
func (r *rig) cmdArg(c, v uint8) { r.cmd(c); r.data(v) }

// drain reads the output buffer until it is empty, like i8042_flush.
func (r *rig) drain() []byte {
	var got []byte
	for i := 0; r.status()&StatOBF != 0; i++ {
		require.Less(r.t, i, 1000)
		got = append(got, r.readData())
	}
	return got
}

// drainAux reads the output buffer and reports which bytes came from the
// mouse.
func (r *rig) drainAux() (data []byte, aux []bool) {
	for r.status()&StatOBF != 0 {
		aux = append(aux, r.status()&StatAux != 0)
		data = append(data, r.readData())
	}
	return
}

func TestControllerCommands(t *testing.T) {
	tests := []struct {
		name  string
		cmd   uint8
		arg   int // -1: none
		reply []byte
	}{
		{"read command byte", 0x20, -1, []byte{DefaultCommandByte}},
		{"read RAM", 0x25, -1, []byte{0}},
		{"password test", 0xA4, -1, []byte{0xF1}},
		{"aux test", 0xA9, -1, []byte{0x00}},
		{"self test", 0xAA, -1, []byte{0x55}},
		{"keyboard test", 0xAB, -1, []byte{0x00}},
		{"input port", 0xC0, -1, []byte{0x80}},
		{"output port", 0xD0, -1, []byte{0xCF}},
		{"test inputs", 0xE0, -1, []byte{0x00}},
		{"write keyboard buffer", 0xD2, 0x5A, []byte{0x5A}},
		{"unknown command ignored", 0xC8, -1, nil},
		{"no pulse", 0xFF, -1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t)
			r.cmd(tt.cmd)
			if tt.arg >= 0 {
				r.data(uint8(tt.arg))
			}
			assert.Equal(t, tt.reply, r.drain())
			assert.Zero(t, r.resets)
		})
	}
}

func TestCommandByteAndRAM(t *testing.T) {
	r := newRig(t)
	assert.Equal(t, uint8(StatSYS|StatUnlock), r.status()&^StatCommand)
	r.cmdArg(0x60, 0x20)
	assert.Zero(t, r.status()&StatSYS, "SYS follows the command byte")
	r.cmd(0x20)
	assert.Equal(t, []byte{0x20}, r.drain())
	assert.Zero(t, r.irq.rises[KeyboardIRQ], "IRQ1 disabled by the command byte")
	r.cmdArg(0x7F, 0x99)
	r.cmd(0x3F)
	assert.Equal(t, []byte{0x99}, r.drain())
	r.cmd(0xAA)
	assert.NotZero(t, r.status()&StatSYS, "self test sets SYS")
	r.drain()
	r.cmd(0x20)
	assert.NotZero(t, r.status()&StatCommand)
	r.data(0xF4)
	assert.Zero(t, r.status()&StatCommand)
}

func TestIRQPerByte(t *testing.T) {
	r := newRig(t)
	r.c.SendSet1([]byte{0x1E, 0x9E, 0x30})
	assert.True(t, r.irq.level[KeyboardIRQ])
	assert.Equal(t, []byte{0x1E, 0x9E, 0x30}, r.drain())
	assert.Equal(t, 3, r.irq.rises[KeyboardIRQ])
	assert.False(t, r.irq.level[KeyboardIRQ])
	assert.Equal(t, uint8(0x30), r.readData(), "empty buffer rereads the last byte")
}

func TestKeyboardCommands(t *testing.T) {
	tests := []struct {
		name      string
		translate bool
		bytes     []uint8
		want      []byte
	}{
		{"reset", true, []uint8{0xFF}, []byte{ACK, BATOK}},
		{"identify translated", true, []uint8{0xF2}, []byte{ACK, 0xAB, 0x41}},
		{"identify raw", false, []uint8{0xF2}, []byte{ACK, 0xAB, 0x83}},
		{"get scan set translated", true, []uint8{0xF0, 0x00}, []byte{ACK, ACK, 0x41}},
		{"get scan set raw", false, []uint8{0xF0, 0x00}, []byte{ACK, ACK, 0x02}},
		{"set scan set 1", false, []uint8{0xF0, 0x01, 0xF0, 0x00}, []byte{ACK, ACK, ACK, ACK, 0x01}},
		{"bad scan set", false, []uint8{0xF0, 0x07}, []byte{ACK, Resend}},
		{"echo", true, []uint8{0xEE}, []byte{Echo}},
		{"LEDs", true, []uint8{0xED, 0x07}, []byte{ACK, ACK}},
		{"typematic", true, []uint8{0xF3, 0x20}, []byte{ACK, ACK}},
		{"command instead of argument", true, []uint8{0xED, 0xF2}, []byte{ACK, ACK, 0xAB, 0x41}},
		{"enable", true, []uint8{0xF4}, []byte{ACK}},
		{"disable", true, []uint8{0xF5}, []byte{ACK}},
		{"defaults", true, []uint8{0xF6}, []byte{ACK}},
		{"set 3 commands", true, []uint8{0xF8}, []byte{ACK}},
		{"resend", false, []uint8{0xF2, 0xFE}, []byte{ACK, 0xAB, 0x83, 0x83}},
		{"unknown", true, []uint8{0x42}, []byte{Resend}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t)
			if !tt.translate {
				r.cmdArg(0x60, DefaultCommandByte&^CmdTranslat)
			}
			for _, b := range tt.bytes {
				r.data(b)
			}
			assert.Equal(t, tt.want, r.drain())
		})
	}
	r := newRig(t)
	r.data(0xED)
	r.data(0x05)
	assert.Equal(t, uint8(5), r.c.LEDs())
}

func TestScancodeInjection(t *testing.T) {
	tests := []struct {
		name      string
		translate bool
		set       uint8
		set1      []byte
		set2      []byte
		want      []byte
	}{
		{"set 1 through translation", true, 2, []byte{0x1E, 0x9E}, nil, []byte{0x1E, 0x9E}},
		{"set 1 untranslated arrives as set 2", false, 2, []byte{0x1E, 0x9E}, nil, []byte{0x1C, 0xF0, 0x1C}},
		{"extended keys", false, 2, []byte{0xE0, 0x48, 0xE0, 0xC8}, nil, []byte{0xE0, 0x75, 0xE0, 0xF0, 0x75}},
		{"F7 and SysRq", false, 2, []byte{0x41, 0x54}, nil, []byte{0x83, 0x84}},
		{"set 2 translated", true, 2, nil, []byte{0xE0, 0x75, 0xE0, 0xF0, 0x75}, []byte{0xE0, 0x48, 0xE0, 0xC8}},
		{"set 2 raw", false, 2, nil, []byte{0x1C, 0xF0, 0x1C}, []byte{0x1C, 0xF0, 0x1C}},
		{"keyboard in set 1: set 1 as is", false, 1, []byte{0x1E, 0x9E}, nil, []byte{0x1E, 0x9E}},
		{"keyboard in set 1: set 2 converted", false, 1, nil, []byte{0x1C, 0xF0, 0x1C}, []byte{0x1E, 0x9E}},
		{"pause key", true, 2, []byte{0xE1, 0x1D, 0x45, 0xE1, 0x9D, 0xC5}, nil, []byte{0xE1, 0x1D, 0x45, 0xE1, 0x9D, 0xC5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t)
			if !tt.translate {
				r.cmdArg(0x60, DefaultCommandByte&^CmdTranslat)
			}
			r.data(0xF0)
			r.data(tt.set)
			r.drain()
			if tt.set1 != nil {
				require.True(t, r.c.SendSet1(tt.set1))
			} else {
				require.True(t, r.c.SendScancodes(tt.set2))
			}
			assert.Equal(t, tt.want, r.drain())
		})
	}
}

func TestSet1RoundTrip(t *testing.T) {
	for c := 0x01; c <= 0x58; c++ {
		s2, ok := set1ToSet2(uint8(c))
		require.True(t, ok, "%#x", c)
		assert.Equal(t, uint8(c), translate[s2], "%#x -> %#x", c, s2)
	}
	_, ok := set1To2([]byte{0x00})
	assert.False(t, ok)
}

func TestInputDroppedOrHeld(t *testing.T) {
	r := newRig(t)
	r.data(0xF5) // keyboard stops scanning
	r.drain()
	assert.False(t, r.c.SendSet1([]byte{0x1E}))
	r.data(0xF4)
	r.drain()
	r.cmd(0xAD) // controller holds the keyboard's bytes
	assert.True(t, r.c.SendSet1([]byte{0x1E}))
	assert.Zero(t, r.status()&StatOBF)
	r.cmd(0xAE)
	assert.Equal(t, []byte{0x1E}, r.drain())
	var many []byte
	for i := 0; i < QueueSize+1; i++ {
		many = append(many, 0x1E)
	}
	assert.False(t, r.c.SendSet1(many), "all or nothing")
	assert.Zero(t, r.status()&StatOBF)
	assert.False(t, r.c.SendSet1(nil))
}

func TestA20AndReset(t *testing.T) {
	r := newRig(t)
	assert.True(t, r.c.A20())
	r.cmdArg(0xD1, 0xDD)
	assert.Equal(t, []bool{false}, r.a20)
	assert.False(t, r.c.A20())
	r.cmdArg(0xD1, 0xDF)
	assert.Equal(t, []bool{false, true}, r.a20)
	r.cmd(0xD0)
	assert.Equal(t, []byte{0xCF}, r.drain(), "bits 4-5 show the buffer state")
	r.cmd(0xDD)
	r.cmd(0xDD)
	r.cmd(0xDF)
	assert.Equal(t, []bool{false, true, false, true}, r.a20)
	assert.Zero(t, r.resets)
	r.cmd(0xFE)
	assert.Equal(t, 1, r.resets)
	r.cmd(0xF0)
	assert.Equal(t, 2, r.resets)
	r.cmdArg(0xD1, 0xDE)
	assert.Equal(t, 3, r.resets)
	assert.True(t, r.c.A20())
	// The output port shows which device filled the output buffer.
	r.c.SendSet1([]byte{0x1E})
	r.cmd(0xD0)
	assert.Equal(t, []byte{0x1E, 0xDF}, r.drain(), "keyboard byte first, then the reply")
	r.cmdArg(0xD2, 0x11)
	r.cmd(0xD0)
	assert.Equal(t, []byte{0x11, 0xDF | OutKbdOBF}, r.drain())
}

func TestAuxPort(t *testing.T) {
	r := newRig(t)
	r.cmd(0xA7)
	r.cmd(0x20)
	assert.Equal(t, []byte{DefaultCommandByte | CmdAuxOff}, r.drain())
	r.cmd(0xA8)
	r.cmd(0x20)
	assert.Equal(t, []byte{DefaultCommandByte}, r.drain())
	// Loop through the auxiliary output buffer, with and without IRQ12.
	r.cmdArg(0xD3, 0x5A)
	data, aux := r.drainAux()
	assert.Equal(t, []byte{0x5A}, data)
	assert.Equal(t, []bool{true}, aux)
	assert.Zero(t, r.irq.rises[AuxIRQ])
	r.cmdArg(0x60, DefaultCommandByte|CmdAuxInt)
	r.cmdArg(0xD3, 0xA5)
	assert.True(t, r.irq.level[AuxIRQ])
	assert.False(t, r.irq.level[KeyboardIRQ])
	assert.Equal(t, []byte{0xA5}, r.drain())
	assert.False(t, r.irq.level[AuxIRQ])
}

func TestMouseCommands(t *testing.T) {
	tests := []struct {
		name  string
		bytes []uint8
		want  []byte
	}{
		{"reset", []uint8{0xFF}, []byte{ACK, BATOK, 0x00}},
		{"identify", []uint8{0xF2}, []byte{ACK, 0x00}},
		{"status defaults", []uint8{0xE9}, []byte{ACK, 0x00, 2, 100}},
		{"status after setup", []uint8{0xF3, 200, 0xE8, 3, 0xE7, 0xF4, 0xE9},
			[]byte{ACK, ACK, ACK, ACK, ACK, ACK, ACK, 0x30, 3, 200}},
		{"remote mode and read data", []uint8{0xF0, 0xE9, 0xEB, 0xEA},
			[]byte{ACK, ACK, 0x40, 2, 100, ACK, 0x08, 0, 0, ACK}},
		{"wrap mode echoes", []uint8{0xEE, 0x12, 0xF2, 0xEC, 0xF2},
			[]byte{ACK, 0x12, 0xF2, ACK, ACK, 0x00}},
		{"scaling", []uint8{0xE7, 0xE6, 0xE9}, []byte{ACK, ACK, ACK, 0x00, 2, 100}},
		{"defaults", []uint8{0xF4, 0xF6, 0xE9}, []byte{ACK, ACK, ACK, 0x00, 2, 100}},
		{"disable", []uint8{0xF5}, []byte{ACK}},
		{"resend", []uint8{0xF2, 0xFE}, []byte{ACK, 0x00, 0x00}},
		{"unknown", []uint8{0x01}, []byte{Resend}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t)
			for _, b := range tt.bytes {
				r.cmdArg(0xD4, b)
			}
			data, aux := r.drainAux()
			assert.Equal(t, tt.want, data)
			for _, a := range aux {
				assert.True(t, a)
			}
		})
	}
}

func TestMouseMove(t *testing.T) {
	r := newRig(t)
	assert.False(t, r.c.MouseMove(1, 1, 0), "reporting disabled")
	r.cmdArg(0xD4, 0xF4)
	r.drain()
	tests := []struct {
		dx, dy  int
		buttons uint8
		want    []byte
	}{
		{5, 3, 0, []byte{0x08, 5, 3}},
		{-1, -2, 1, []byte{0x39, 0xFF, 0xFE}},
		{300, -300, 6, []byte{0x08 | 0x40 | 0x80 | 0x20 | 6, 0xFF, 0x00}},
	}
	for _, tt := range tests {
		require.True(t, r.c.MouseMove(tt.dx, tt.dy, tt.buttons))
		data, aux := r.drainAux()
		assert.Equal(t, tt.want, data)
		assert.Equal(t, []bool{true, true, true}, aux)
	}
	r.cmdArg(0xD4, 0xE9)
	assert.Equal(t, []byte{ACK, 0x20 | 0x03, 2, 100}, r.drain(), "buttons in status: right and middle")
}

func TestOutputPriority(t *testing.T) {
	r := newRig(t)
	r.cmdArg(0xD4, 0xF2)       // mouse: FA 00 waits
	r.c.SendSet1([]byte{0x1E}) // keyboard byte waits
	// The mouse ACK is already in the output buffer.
	r.cmd(0x20)
	data, aux := r.drainAux()
	assert.Equal(t, []byte{ACK, DefaultCommandByte, 0x1E, 0x00}, data)
	assert.Equal(t, []bool{true, false, false, true}, aux)
}

// The sequence of Linux's i8042 driver at probe time.
func TestLinuxI8042Probe(t *testing.T) {
	r := newRig(t)
	require.NotEqual(t, uint8(0xFF), r.status())
	r.drain()
	r.cmd(0x20)
	ctr := r.drain()
	require.Len(t, ctr, 1)
	r.cmd(0xAA)
	assert.Equal(t, []byte{0x55}, r.drain())
	// Disable both ports with interrupts off, as i8042_controller_init does.
	r.cmdArg(0x60, ctr[0]&^(CmdKbdInt|CmdAuxInt)|CmdKbdOff|CmdAuxOff)
	// i8042_check_aux: loop test, then the AUXDIS bit toggle test.
	r.cmdArg(0xD3, 0x5A)
	data, aux := r.drainAux()
	assert.Equal(t, []byte{0x5A}, data)
	assert.Equal(t, []bool{true}, aux)
	r.cmd(0xA7)
	r.cmd(0x20)
	assert.NotZero(t, r.drain()[0]&CmdAuxOff)
	r.cmd(0xA8)
	r.cmd(0x20)
	c := r.drain()[0]
	assert.Zero(t, c&CmdAuxOff)
	// IRQ12 delivery test.
	r.cmdArg(0x60, c|CmdAuxInt)
	r.cmdArg(0xD3, 0xA5)
	assert.True(t, r.irq.level[AuxIRQ])
	assert.Equal(t, []byte{0xA5}, r.drain())
	// atkbd: reset and identify through translation; psmouse: reset, ID.
	r.cmdArg(0x60, DefaultCommandByte|CmdAuxInt)
	r.data(0xF2)
	assert.Equal(t, []byte{ACK, 0xAB, 0x41}, r.drain())
	r.data(0xFF)
	assert.Equal(t, []byte{ACK, BATOK}, r.drain())
	r.cmdArg(0xD4, 0xFF)
	assert.Equal(t, []byte{ACK, BATOK, 0x00}, r.drain())
	r.cmdArg(0xD4, 0xF2)
	assert.Equal(t, []byte{ACK, 0x00}, r.drain())
}

func TestStateRoundTrip(t *testing.T) {
	r := newRig(t)
	r.c.SendSet1([]byte{0x1E, 0x9E})
	r.cmdArg(0xD4, 0xF4)
	st := r.c.State()
	r2 := newRig(t)
	r2.c.SetState(st)
	assert.Equal(t, r.drain(), r2.drain())
	r.c.Reset()
	assert.Equal(t, New(nil, Callbacks{}).State(), r.c.State())
}
