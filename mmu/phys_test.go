package mmu_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bt86/bus"
	"bt86/mmu"
)

func TestRAMPage(t *testing.T) {
	ram := make([]byte, 2<<20+0x800) // a partial last page
	p := mmu.NewPhys(ram, bus.New())
	cases := []struct {
		addr     uint64
		idx      int
		writable bool
		ok       bool
	}{
		{0x1234, 0x1000, true, true},
		{0x9FFFF, 0x9F000, true, true},
		{0xA0000, 0, false, false}, // VGA hole: a device
		{0xBFFFF, 0, false, false},
		{0xC0000, 0xC0000, false, true}, // ROM shadowed in RAM
		{0xFFFFF, 0xFF000, false, true},
		{0x100000, 0x100000, true, true},
		{0x1FFFFF, 0x1FF000, true, true},
		{0x200000, 0, false, false}, // only half of this page is RAM
		{0xFFFFF000, 0, false, false},
	}
	for _, c := range cases {
		idx, w, ok := p.RAMPage(c.addr)
		assert.Equal(t, c.ok, ok, "%#x ok", c.addr)
		if ok {
			assert.Equal(t, c.idx, idx, "%#x idx", c.addr)
			assert.Equal(t, c.writable, w, "%#x writable", c.addr)
		}
	}
	p.SetA20(false)
	idx, w, ok := p.RAMPage(0x101234)
	assert.True(t, ok && w)
	assert.Equal(t, 0x1000, idx, "A20 applies")
}

func TestNilBus(t *testing.T) {
	p := mmu.NewFlat(make([]byte, 1<<16), nil)
	assert.Equal(t, uint64(0xFFFFFFFF), p.Read(0x100000, 4), "nothing decodes: all ones")
	assert.Equal(t, uint64(0xFF), p.Read(0xFFFFFFFF, 1))
	assert.Equal(t, ^uint64(0), p.Read(0x200000, 8))
	p.Write(0x100000, 4, 1) // dropped, no panic
	p.Write(0xFFFF, 2, 0xBEEF)
	assert.Equal(t, uint64(0xEF), p.Read(0xFFFF, 1), "the RAM half of a straddling write lands")
}

func TestWatchHooks(t *testing.T) {
	ram := make([]byte, 1<<20)
	p := mmu.NewFlat(ram, bus.New())
	type call struct {
		page, addr uint64
		size       int
		kinds      uint8
	}
	var calls []call
	p.AddWatchHook(func(page, addr uint64, size int, kinds uint8) {
		calls = append(calls, call{page, addr, size, kinds})
	})
	require.True(t, p.Watch(0x5123, mmu.WatchPageTable))
	require.False(t, p.Watch(0x200000, mmu.WatchCode), "outside RAM")
	p.Write(0x4000, 4, 1)
	assert.Empty(t, calls, "unwatched page")
	p.Write(0x5FFE, 4, 1)
	require.Len(t, calls, 2, "a straddling write is notified byte by byte")
	assert.Equal(t, call{5, 0x5FFE, 1, mmu.WatchPageTable}, calls[0])
	calls = nil
	p.NotifyWrite(0x4F00, 0x200)
	assert.Equal(t, []call{{5, 0x4F00, 0x200, mmu.WatchPageTable}}, calls, "DMA notification")
	calls = nil
	require.NoError(t, p.WriteBytes(0x5000, make([]byte, 16)))
	assert.Len(t, calls, 1)
	p.Unwatch(5, mmu.WatchPageTable)
	assert.Zero(t, p.Watched(0x5000))
	calls = nil
	p.NotifyWrite(0x5000, 1)
	p.Write(0x5000, 1, 0)
	assert.Empty(t, calls)
}

func TestErrors(t *testing.T) {
	f := &mmu.Fault{Addr: 0x1234, Code: 7}
	assert.Equal(t, "#PF at 0x00001234, error code 0x7", f.Error())
	e := &mmu.PDPTEError{Index: 2, Value: 0x2003}
	assert.Contains(t, e.Error(), "PDPTE 2")
}
