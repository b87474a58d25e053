package mmu

import (
	"encoding/binary"
	"fmt"

	"bt86/bus"
)

// PageSize is the x86 small page size.
const PageSize = 4096

// Kind says what backs a physical page.
type Kind uint8

// Page kinds.
const (
	KindRAM  Kind = iota // guest RAM, read-write
	KindROM              // RAM-backed but read-only (BIOS and option ROM shadow)
	KindMMIO             // device region or nothing: goes to the bus
)

// Watch bits mark RAM pages whose writes must be observed.
const (
	WatchPageTable uint8 = 1 << iota // holds a guest page directory/table cached by a shadow TLB
	WatchCode                        // holds predecoded or translated code
)

// romRegion is a read-only window above RAM (the BIOS alias below 4 GiB).
type romRegion struct {
	base uint64
	data []byte
}

// WatchHook is called before a write lands on a watched RAM page.
// page is the physical page number, kinds the watch bits set on it. The
// hook may clear watch bits with Unwatch.
type WatchHook func(page uint64, addr uint64, size int, kinds uint8)

// Phys is the guest physical address space of one machine.
type Phys struct {
	RAM      []byte
	Bus      *bus.Bus
	low      [256]Kind // kinds of the first MiB
	high     []romRegion
	watch    []uint8 // one per RAM page
	a20Mask  uint64
	hooks    []WatchHook
	onA20    []func(enabled bool)
	watching int // number of watched pages (fast test for "none")
}

// NewPhys returns a physical address space over ram with the PC layout of
// the first MiB: RAM below 0xA0000, device space (VGA) 0xA0000-0xBFFFF,
// RAM-backed ROM 0xC0000-0xFFFFF. A20 starts enabled.
func NewPhys(ram []byte, b *bus.Bus) *Phys {
	p := &Phys{RAM: ram, Bus: b, a20Mask: ^uint64(0)}
	p.watch = make([]uint8, (len(ram)+PageSize-1)/PageSize)
	for i := range p.low {
		switch {
		case i < 0xA0:
			p.low[i] = KindRAM
		case i < 0xC0:
			p.low[i] = KindMMIO
		default:
			p.low[i] = KindROM
		}
	}
	return p
}

// NewFlat returns a physical address space that is RAM everywhere RAM
// exists (no VGA hole, no ROM): the harness for CPU test vectors uses it.
func NewFlat(ram []byte, b *bus.Bus) *Phys {
	p := NewPhys(ram, b)
	for i := range p.low {
		p.low[i] = KindRAM
	}
	return p
}

// SetLowKind sets the kind of the 4 KiB pages of the first MiB from
// start to end (exclusive); both must be page aligned.
func (p *Phys) SetLowKind(start, end uint64, k Kind) {
	for a := start; a < end && a < 0x100000; a += PageSize {
		p.low[a>>12] = k
	}
	p.changed()
}

// MapHighROM makes data (a multiple of 4 KiB) readable at base, above RAM
// (for example the BIOS image aliased below 4 GiB).
func (p *Phys) MapHighROM(base uint64, data []byte) error {
	if base < uint64(len(p.RAM)) {
		return fmt.Errorf("mmu: ROM at %#x overlaps RAM (%d MiB)", base, len(p.RAM)>>20)
	}
	p.high = append(p.high, romRegion{base: base, data: data})
	p.changed()
	return nil
}

// OnChange registers a function called when the layout or A20 changes, so
// translation caches can be flushed.
func (p *Phys) OnChange(f func(a20 bool)) { p.onA20 = append(p.onA20, f) }

func (p *Phys) changed() {
	for _, f := range p.onA20 {
		f(p.a20Mask == ^uint64(0))
	}
}

// SetA20 enables or disables address line 20.
func (p *Phys) SetA20(on bool) {
	m := ^uint64(0)
	if !on {
		m = ^uint64(1 << 20)
	}
	if m != p.a20Mask {
		p.a20Mask = m
		p.changed()
	}
}

// A20 reports whether address line 20 is enabled.
func (p *Phys) A20() bool { return p.a20Mask == ^uint64(0) }

// A20Mask is the mask applied to every physical address.
func (p *Phys) A20Mask() uint64 { return p.a20Mask }

// Lookup returns the host bytes from addr to the end of its 4 KiB page
// and whether they may be written, or nil for device space. addr is
// masked by A20 first.
func (p *Phys) Lookup(addr uint64) (host []byte, writable bool) {
	addr &= p.a20Mask
	if addr < 0x100000 {
		switch p.low[addr>>12] {
		case KindRAM:
			if addr < uint64(len(p.RAM)) {
				return p.RAM[addr : (addr|0xFFF)+1], true
			}
			return nil, false
		case KindROM:
			if addr < uint64(len(p.RAM)) {
				return p.RAM[addr : (addr|0xFFF)+1], false
			}
		}
		return nil, false
	}
	if addr < uint64(len(p.RAM)) {
		end := (addr | 0xFFF) + 1
		if end > uint64(len(p.RAM)) {
			end = uint64(len(p.RAM))
		}
		return p.RAM[addr:end], true
	}
	for _, r := range p.high {
		if addr >= r.base && addr-r.base < uint64(len(r.data)) {
			off := addr - r.base
			end := (off | 0xFFF) + 1
			if end > uint64(len(r.data)) {
				end = uint64(len(r.data))
			}
			return r.data[off:end], false
		}
	}
	return nil, false
}

// RAMIndex returns the index of addr in RAM when addr is ordinary RAM
// (readable and writable without side effects).
func (p *Phys) RAMIndex(addr uint64) (int, bool) {
	addr &= p.a20Mask
	if addr >= uint64(len(p.RAM)) {
		return 0, false
	}
	if addr < 0x100000 && p.low[addr>>12] != KindRAM {
		return 0, false
	}
	return int(addr), true
}

// RAMPage reports where the 4 KiB page holding addr (A20 applied) lives:
// ok when the whole page is inside the RAM slice (ordinary RAM, or ROM
// shadowed in RAM below 1 MiB), idx the RAM index of the page's first
// byte, writable when it is ordinary RAM. Shadow TLBs enter only such
// pages, so that RAM[addend+lin] is always in bounds.
func (p *Phys) RAMPage(addr uint64) (idx int, writable, ok bool) {
	addr = addr & p.a20Mask &^ (PageSize - 1)
	if addr+PageSize > uint64(len(p.RAM)) {
		return 0, false, false
	}
	if addr < 0x100000 {
		switch p.low[addr>>12] {
		case KindRAM:
		case KindROM:
			return int(addr), false, true
		default:
			return 0, false, false
		}
	}
	return int(addr), true, true
}

// Read reads size (1, 2, 4 or 8) bytes at addr; the access may cross
// pages and kinds.
func (p *Phys) Read(addr uint64, size int) uint64 {
	if h, _ := p.Lookup(addr); len(h) >= size {
		switch size {
		case 1:
			return uint64(h[0])
		case 2:
			return uint64(binary.LittleEndian.Uint16(h))
		case 4:
			return uint64(binary.LittleEndian.Uint32(h))
		case 8:
			return binary.LittleEndian.Uint64(h)
		}
	}
	if h, _ := p.Lookup(addr); h == nil && p.sameDevicePage(addr, size) {
		return p.busRead(addr&p.a20Mask, size)
	}
	var v uint64
	for i := 0; i < size; i++ {
		v |= p.read8(addr+uint64(i)) << (8 * i)
	}
	return v
}

func (p *Phys) sameDevicePage(addr uint64, size int) bool {
	return (addr&0xFFF)+uint64(size) <= PageSize
}

func (p *Phys) read8(addr uint64) uint64 {
	if h, _ := p.Lookup(addr); h != nil {
		return uint64(h[0])
	}
	return p.busRead(addr&p.a20Mask, 1) & 0xFF
}

// busRead reads device space; without a bus it floats to all ones.
func (p *Phys) busRead(addr uint64, size int) uint64 {
	if p.Bus == nil {
		return ^uint64(0) >> (64 - 8*size)
	}
	return p.Bus.ReadMMIO(addr, uint8(size))
}

// busWrite writes device space; without a bus the write is dropped.
func (p *Phys) busWrite(addr uint64, size int, v uint64) {
	if p.Bus != nil {
		p.Bus.WriteMMIO(addr, uint8(size), v)
	}
}

// Write writes size (1, 2, 4 or 8) bytes at addr. Writes to ROM are
// dropped; watched RAM pages call the watch hooks first.
func (p *Phys) Write(addr uint64, size int, v uint64) {
	h, w := p.Lookup(addr)
	if len(h) >= size {
		if !w {
			return
		}
		if p.watching > 0 {
			p.notify(addr&p.a20Mask, size)
		}
		switch size {
		case 1:
			h[0] = byte(v)
		case 2:
			binary.LittleEndian.PutUint16(h, uint16(v))
		case 4:
			binary.LittleEndian.PutUint32(h, uint32(v))
		case 8:
			binary.LittleEndian.PutUint64(h, v)
		}
		return
	}
	if h == nil && p.sameDevicePage(addr, size) {
		p.busWrite(addr&p.a20Mask, size, v)
		return
	}
	for i := 0; i < size; i++ {
		p.write8(addr+uint64(i), byte(v>>(8*i)))
	}
}

func (p *Phys) write8(addr uint64, b byte) {
	h, w := p.Lookup(addr)
	if h == nil {
		p.busWrite(addr&p.a20Mask, 1, uint64(b))
		return
	}
	if !w {
		return
	}
	if p.watching > 0 {
		p.notify(addr&p.a20Mask, 1)
	}
	h[0] = b
}

// WriteBytes copies b into guest physical memory at addr (through ROM
// too: loaders use it to place firmware). Device space is skipped.
func (p *Phys) WriteBytes(addr uint64, b []byte) error {
	for len(b) > 0 {
		h, _ := p.Lookup(addr)
		if h == nil {
			return fmt.Errorf("mmu: load at %#x: not RAM or ROM", addr)
		}
		if p.watching > 0 {
			p.notify(addr&p.a20Mask, len(h))
		}
		n := copy(h, b)
		b = b[n:]
		addr += uint64(n)
	}
	return nil
}

// ReadBytes copies guest physical memory at addr into b (device space
// reads through the bus).
func (p *Phys) ReadBytes(addr uint64, b []byte) {
	for i := range b {
		b[i] = byte(p.read8(addr + uint64(i)))
	}
}

// NotifyWrite tells the watch hooks that n bytes at addr were (or are
// about to be) written by something that bypassed Write and WriteBytes,
// such as a device doing DMA straight into the RAM slice. Every writer of
// guest RAM other than the CPU's shadow-TLB fast path must go through
// Write, WriteBytes or this, or page-table and code caches go stale.
func (p *Phys) NotifyWrite(addr uint64, n int) {
	if p.watching > 0 && n > 0 {
		p.notify(addr&p.a20Mask, n)
	}
}

// AddWatchHook registers a hook for writes to watched pages.
func (p *Phys) AddWatchHook(h WatchHook) { p.hooks = append(p.hooks, h) }

// Watch sets watch bits on the RAM page holding addr. It returns false
// for addresses outside RAM.
func (p *Phys) Watch(addr uint64, kinds uint8) bool {
	pg := (addr & p.a20Mask) >> 12
	if pg >= uint64(len(p.watch)) {
		return false
	}
	if p.watch[pg] == 0 && kinds != 0 {
		p.watching++
	}
	p.watch[pg] |= kinds
	return true
}

// Unwatch clears watch bits on a RAM page number.
func (p *Phys) Unwatch(page uint64, kinds uint8) {
	if page >= uint64(len(p.watch)) {
		return
	}
	old := p.watch[page]
	p.watch[page] &^= kinds
	if old != 0 && p.watch[page] == 0 {
		p.watching--
	}
}

// Watched returns the watch bits of the RAM page holding addr.
func (p *Phys) Watched(addr uint64) uint8 {
	pg := (addr & p.a20Mask) >> 12
	if pg >= uint64(len(p.watch)) {
		return 0
	}
	return p.watch[pg]
}

func (p *Phys) notify(addr uint64, size int) {
	first, last := addr>>12, (addr+uint64(size)-1)>>12
	for pg := first; pg <= last && pg < uint64(len(p.watch)); pg++ {
		if k := p.watch[pg]; k != 0 {
			for _, h := range p.hooks {
				h(pg, addr, size, k)
			}
		}
	}
}
