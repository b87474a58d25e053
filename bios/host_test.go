package bios

import (
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/require"
)

// fakeHost is a machine for the services: 2 MiB of memory (the ROM area
// read-only), a CMOS clock, an i8042 output buffer, port 0x92, COM1, and
// a PCI bus with two functions.
type fakeHost struct {
	mem     []byte
	cmos    [128]uint8
	cmosIdx uint8
	kbd     []uint8
	port92  uint32
	lcr     uint32
	serial  []byte
	rx      []byte // COM1 receive queue
	pciAddr uint32
	pciCfg  map[uint32][256]byte // by devfn
	now     int64
	outs    []uint32 // port<<16 | value of every Out outside the modelled ports
}

func newFakeHost() *fakeHost {
	h := &fakeHost{mem: make([]byte, 2<<20), pciCfg: map[uint32][256]byte{}}
	copy(h.mem[ROMBase:], ROM())
	// 2026-11-25 21:30:15, BCD, 24-hour.
	h.cmos[0x00], h.cmos[0x02], h.cmos[0x04] = 0x15, 0x30, 0x21
	h.cmos[0x07], h.cmos[0x08], h.cmos[0x09], h.cmos[0x32] = 0x25, 0x11, 0x26, 0x20
	h.cmos[0x0B] = 0x02
	var host, isa [256]byte
	binary.LittleEndian.PutUint32(host[0:], 0x12378086)
	binary.LittleEndian.PutUint32(host[8:], 0x06000002)
	binary.LittleEndian.PutUint32(isa[0:], 0x70008086)
	binary.LittleEndian.PutUint32(isa[8:], 0x06010000)
	h.pciCfg[0], h.pciCfg[8] = host, isa
	return h
}

func (h *fakeHost) ReadPhys(addr uint64, b []byte) {
	for i := range b {
		a := addr + uint64(i)
		b[i] = 0xFF
		if a < uint64(len(h.mem)) {
			b[i] = h.mem[a]
		}
	}
}

func (h *fakeHost) WritePhys(addr uint64, b []byte) {
	for i, v := range b {
		a := addr + uint64(i)
		if a < uint64(len(h.mem)) && (a < 0xF0000 || a >= 0x100000) {
			h.mem[a] = v
		}
	}
}

func (h *fakeHost) In(port uint16, size uint8) uint32 {
	switch port {
	case 0x71:
		return uint32(h.cmos[h.cmosIdx&0x7F])
	case 0x64:
		if len(h.kbd) > 0 {
			return 0x1D
		}
		return 0x1C
	case 0x60:
		if len(h.kbd) == 0 {
			return 0
		}
		v := h.kbd[0]
		h.kbd = h.kbd[1:]
		return uint32(v)
	case 0x92:
		return h.port92
	case 0x3FB:
		return h.lcr
	case 0x3FD:
		if len(h.rx) > 0 {
			return 0x61
		}
		return 0x60
	case 0x3F8:
		if len(h.rx) == 0 {
			return 0
		}
		v := h.rx[0]
		h.rx = h.rx[1:]
		return uint32(v)
	case 0xCFC, 0xCFD, 0xCFE, 0xCFF:
		cfg, ok := h.pciCfg[h.pciAddr>>8&0xFFFF]
		if h.pciAddr&0x80000000 == 0 || !ok {
			return ^uint32(0) >> (32 - 8*uint32(size))
		}
		reg := h.pciAddr&0xFC + uint32(port-0xCFC)
		var v uint32
		for i := range uint32(size) {
			v |= uint32(cfg[reg+i]) << (8 * i)
		}
		return v
	}
	return ^uint32(0) >> (32 - 8*uint32(size))
}

func (h *fakeHost) Out(port uint16, size uint8, v uint32) {
	switch port {
	case 0x70:
		h.cmosIdx = uint8(v)
	case 0x71:
		h.cmos[h.cmosIdx&0x7F] = uint8(v)
	case 0x92:
		h.port92 = v
	case 0x3FB:
		h.lcr = v
	case 0x3F8:
		if h.lcr&0x80 == 0 {
			h.serial = append(h.serial, byte(v))
		}
	case 0xCF8:
		h.pciAddr = v
	case 0xCFC, 0xCFD, 0xCFE, 0xCFF:
		dev := h.pciAddr >> 8 & 0xFFFF
		if cfg, ok := h.pciCfg[dev]; ok {
			reg := h.pciAddr&0xFC + uint32(port-0xCFC)
			for i := range uint32(size) {
				cfg[reg+i] = byte(v >> (8 * i))
			}
			h.pciCfg[dev] = cfg
		}
	default:
		h.outs = append(h.outs, uint32(port)<<16|v&0xFFFF)
	}
}

func (h *fakeHost) Now() int64 { return h.now }

func (h *fakeHost) r16(a uint32) uint16 { return binary.LittleEndian.Uint16(h.mem[a:]) }
func (h *fakeHost) r32(a uint32) uint32 { return binary.LittleEndian.Uint32(h.mem[a:]) }

// newTestBIOS returns a BIOS after POST on a fake host.
func newTestBIOS(t testing.TB, cfg Config) (*BIOS, *fakeHost) {
	t.Helper()
	h := newFakeHost()
	if cfg.RAMSize == 0 {
		cfg.RAMSize = 32 << 20
	}
	b, err := New(cfg, h)
	require.NoError(t, err)
	require.Equal(t, Done, b.Call(IDPost, &Regs{}))
	return b, h
}
