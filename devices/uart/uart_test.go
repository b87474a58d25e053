package uart

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bt86/bus"
)

// The interfaces the machine wires this device through.
var (
	_ bus.PortHandler = (*Port)(nil)
)

type sink struct {
	line  int
	level bool
	rises int
}

func (s *sink) SetIRQ(line int, high bool) {
	s.line = line
	if high && !s.level {
		s.rises++
	}
	s.level = high
}

type rig struct {
	t    *testing.T
	port *Port
	bus  *bus.Bus
	irq  *sink
	out  *bytes.Buffer
}

func newRig(t *testing.T) *rig {
	r := &rig{t: t, bus: bus.New(), irq: &sink{}, out: &bytes.Buffer{}}
	r.port = New(COM1Base, COM1IRQ, r.irq, r.out)
	require.NoError(t, r.port.Attach(r.bus))
	return r
}

func (r *rig) in(reg uint16) uint8      { return uint8(r.bus.In(COM1Base+reg, 1)) }
func (r *rig) out1(reg uint16, v uint8) { r.bus.Out(COM1Base+reg, 1, uint32(v)) }

// Linux's autoconfig: scratch, IER and loopback tests, then FIFO type.
func TestLinuxAutoconfig(t *testing.T) {
	r := newRig(t)
	r.out1(RegIER, 0)
	r.out1(RegIER, 0x0F)
	assert.Equal(t, uint8(0x0F), r.in(RegIER))
	r.out1(RegIER, 0xFF)
	assert.Equal(t, uint8(0x0F), r.in(RegIER), "IER bits 4-7 read 0 on a 16550A")
	r.out1(RegIER, 0)
	r.out1(RegSCR, 0xA5)
	assert.Equal(t, uint8(0xA5), r.in(RegSCR))
	r.out1(RegMCR, MCRLoop|0x0A)
	assert.Equal(t, uint8(0x90), r.in(RegMSR)&0xF0)
	r.out1(RegMCR, 0)
	r.out1(RegIIR, FCREnable)
	assert.Equal(t, uint8(3), r.in(RegIIR)>>6, "16550A FIFO signature")
	assert.Zero(t, r.in(RegIIR)&0x30)
	r.out1(RegLCR, 0xBF) // EFR probe reads IIR on a 16550A
	assert.NotZero(t, r.in(RegIIR))
	r.out1(RegLCR, 0)
	r.out1(RegIIR, 0)
	assert.Equal(t, uint8(0), r.in(RegIIR)>>6)
}

// The THRE tests of serial8250_do_startup.
func TestTHREReassertion(t *testing.T) {
	r := newRig(t)
	assert.NotZero(t, r.in(RegLSR)&LSRTEMT)
	r.out1(RegIER, IERTx)
	iir1 := r.in(RegIIR)
	r.out1(RegIER, 0)
	r.out1(RegIER, IERTx)
	iir := r.in(RegIIR)
	r.out1(RegIER, 0)
	assert.Equal(t, uint8(IIRTx), iir1)
	assert.Equal(t, uint8(IIRTx), iir)
}

func TestTHREInterrupt(t *testing.T) {
	r := newRig(t)
	r.out1(RegMCR, MCROUT2)
	r.out1(RegIER, IERTx)
	assert.True(t, r.irq.level)
	assert.Equal(t, COM1IRQ, r.irq.line)
	assert.Equal(t, uint8(IIRTx), r.in(RegIIR))
	assert.False(t, r.irq.level, "reading IIR clears THRE")
	assert.Equal(t, uint8(IIRNoInt), r.in(RegIIR))
	for i, c := range []byte("hi!") {
		r.out1(RegData, c)
		assert.True(t, r.irq.level, "THR empty again after byte %d", i)
		assert.Equal(t, i+2, r.irq.rises)
	}
	assert.Equal(t, "hi!", r.out.String())
	r.out1(RegIER, 0)
	assert.False(t, r.irq.level)
}

func TestOUT2GatesIRQ(t *testing.T) {
	r := newRig(t)
	r.out1(RegIER, IERTx)
	assert.False(t, r.irq.level)
	assert.Equal(t, uint8(IIRTx), r.in(RegIIR)&0x0F, "pending even though the line is gated")
	r.out1(RegIER, 0)
	r.out1(RegIER, IERTx)
	r.out1(RegMCR, MCROUT2|MCRDTR|MCRRTS)
	assert.True(t, r.irq.level)
}

func TestReceive(t *testing.T) {
	tests := []struct {
		name    string
		fcr     uint8
		input   string
		took    int
		iir     uint8
		readOut string
	}{
		{"no FIFO holds one byte", 0x00, "abc", 1, IIRRx, "a"},
		{"FIFO below trigger: timeout", 0x81, "abc", 3, IIRFIFO | IIRTimout, "abc"},
		{"FIFO at trigger", 0x81, "abcdefgh", 8, IIRFIFO | IIRRx, "abcdefgh"},
		{"trigger 1", 0x01, "a", 1, IIRFIFO | IIRRx, "a"},
		{"trigger 4", 0x41, "abcd", 4, IIRFIFO | IIRRx, "abcd"},
		{"trigger 14", 0xC1, "abcdefghijklmnopqrst", 16, IIRFIFO | IIRRx, "abcdefghijklmnop"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t)
			r.out1(RegMCR, MCROUT2)
			r.out1(RegIIR, tt.fcr)
			r.out1(RegIER, IERRx)
			assert.False(t, r.irq.level)
			assert.Equal(t, tt.took, r.port.Receive([]byte(tt.input)))
			assert.True(t, r.irq.level)
			assert.Equal(t, tt.iir, r.in(RegIIR))
			var got []byte
			for r.in(RegLSR)&LSRDR != 0 {
				got = append(got, r.in(RegData))
			}
			assert.Equal(t, tt.readOut, string(got))
			assert.False(t, r.irq.level)
			assert.Equal(t, tt.readOut[len(tt.readOut)-1], r.in(RegData), "empty RBR rereads the last byte")
		})
	}
}

func TestFIFOClearAndToggle(t *testing.T) {
	r := newRig(t)
	r.out1(RegIIR, FCREnable)
	r.port.Receive([]byte("xyz"))
	r.out1(RegIIR, FCREnable|FCRClrRx)
	assert.Zero(t, r.in(RegLSR)&LSRDR)
	r.port.Receive([]byte("xyz"))
	r.out1(RegIIR, 0) // disabling the FIFOs empties them
	assert.Zero(t, r.in(RegLSR)&LSRDR)
	assert.Equal(t, 1, r.port.RXFree())
	r.out1(RegIIR, FCREnable|FCRClrTx)
	assert.Equal(t, FIFOSize, r.port.RXFree())
}

func TestPriorities(t *testing.T) {
	r := newRig(t)
	r.out1(RegMCR, MCRLoop|MCROUT2)
	r.out1(RegIER, 0x0F)
	// Modem status deltas from entering loopback with OUT2 -> DCD.
	assert.Equal(t, uint8(IIRTx), r.in(RegIIR))
	assert.Equal(t, uint8(IIRModem), r.in(RegIIR))
	r.out1(RegData, 'a') // received data, and THRE again
	r.out1(RegData, 'b') // overrun: no FIFO
	assert.Equal(t, uint8(IIRLine), r.in(RegIIR))
	assert.Equal(t, uint8(LSROE|LSRDR|LSRTHRE|LSRTEMT), r.in(RegLSR))
	assert.Equal(t, uint8(IIRRx), r.in(RegIIR))
	assert.Equal(t, uint8('b'), r.in(RegData))
	assert.Equal(t, uint8(IIRTx), r.in(RegIIR))
	assert.Equal(t, uint8(MSRDCD|MSRDCTS|MSRDDSR), r.in(RegMSR))
	assert.Equal(t, uint8(IIRNoInt), r.in(RegIIR))
	assert.False(t, r.irq.level)
}

func TestLoopback(t *testing.T) {
	r := newRig(t)
	r.out1(RegIIR, FCREnable)
	r.out1(RegMCR, MCRLoop)
	assert.Equal(t, uint8(MSRDCTS|MSRDDSR|MSRDDCD), r.in(RegMSR), "host lines dropped")
	for _, c := range []byte("loop") {
		r.out1(RegData, c)
	}
	assert.Empty(t, r.out.String(), "nothing reaches the host")
	assert.Zero(t, r.port.Receive([]byte("host")), "receiver disconnected")
	var got []byte
	for r.in(RegLSR)&LSRDR != 0 {
		got = append(got, r.in(RegData))
	}
	assert.Equal(t, "loop", string(got))

	tests := []struct {
		mcr, msr uint8
	}{
		{MCRLoop | MCRRTS, MSRCTS | MSRDCTS},
		{MCRLoop | MCRRTS | MCRDTR, MSRCTS | MSRDSR | MSRDDSR},
		{MCRLoop | MCROUT1, MSRRI | MSRDCTS | MSRDDSR},
		{MCRLoop, MSRTERI},
		{MCRLoop | MCROUT2, MSRDCD | MSRDDCD},
	}
	for _, tt := range tests {
		r.out1(RegMCR, tt.mcr)
		assert.Equal(t, tt.msr, r.in(RegMSR), "MCR %#x", tt.mcr)
	}
	for i := 0; i < FIFOSize+1; i++ {
		r.out1(RegData, byte(i))
	}
	assert.Equal(t, uint8(LSROE), r.in(RegLSR)&LSROE)
	assert.Equal(t, uint8(0), r.in(RegData), "the FIFO keeps its oldest bytes")
}

func TestModemStatusInterrupt(t *testing.T) {
	r := newRig(t)
	r.out1(RegMCR, MCROUT2)
	r.out1(RegIER, IERModem)
	assert.False(t, r.irq.level)
	r.port.SetModemStatus(MSRDSR | MSRCTS)
	assert.True(t, r.irq.level)
	assert.Equal(t, uint8(IIRModem), r.in(RegIIR))
	assert.Equal(t, uint8(MSRDSR|MSRCTS|MSRDDCD), r.in(RegMSR))
	assert.False(t, r.irq.level)
}

func TestDivisorLatch(t *testing.T) {
	r := newRig(t)
	r.out1(RegIER, IERRx)
	r.out1(RegLCR, LCRDLAB|0x03)
	r.out1(RegData, 0x01)
	r.out1(RegIER, 0x00)
	assert.Equal(t, uint8(0x01), r.in(RegData))
	assert.Equal(t, uint8(0x00), r.in(RegIER))
	r.out1(RegLCR, 0x03)
	assert.Equal(t, uint8(IERRx), r.in(RegIER))
	assert.Equal(t, 115200, r.port.Baud())
	assert.Empty(t, r.out.String())
	r.bus.Out(COM1Base+RegLCR, 1, LCRDLAB)
	r.bus.Out(COM1Base, 2, 12)
	assert.Equal(t, 9600, r.port.Baud())
	assert.Equal(t, uint32(12), r.bus.In(COM1Base, 2))
}

func TestWordAccessSplits(t *testing.T) {
	r := newRig(t)
	r.bus.Out(COM1Base+RegLCR, 2, 0x0B03) // LCR=3, MCR=0x0B
	assert.Equal(t, uint8(0x03), r.in(RegLCR))
	assert.Equal(t, uint8(0x0B), r.in(RegMCR))
}

func TestResetAndState(t *testing.T) {
	r := newRig(t)
	r.out1(RegMCR, MCROUT2)
	r.out1(RegIER, IERTx|IERRx)
	r.out1(RegIIR, FCREnable)
	r.port.Receive([]byte("abc"))
	st := r.port.State()
	r2 := newRig(t)
	r2.port.SetState(st)
	assert.Equal(t, r.in(RegIIR), r2.in(RegIIR))
	assert.Equal(t, r.in(RegData), r2.in(RegData))
	r.port.Reset()
	assert.False(t, r.irq.level)
	assert.Equal(t, uint8(IIRNoInt), r.in(RegIIR))
	assert.Equal(t, uint8(LSRTHRE|LSRTEMT), r.in(RegLSR))
	assert.Equal(t, uint8(0xB0), r.in(RegMSR))
}

func TestStandardPorts(t *testing.T) {
	b := bus.New()
	for _, c := range []struct {
		base uint16
		irq  int
	}{{COM1Base, COM1IRQ}, {COM2Base, COM2IRQ}, {COM3Base, COM3IRQ}, {COM4Base, COM4IRQ}} {
		require.NoError(t, New(c.base, c.irq, nil, nil).Attach(b))
		assert.Equal(t, uint32(0x60), b.In(c.base+RegLSR, 1))
	}
}
