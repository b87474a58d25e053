package bootparam

import (
	"encoding/binary"
	"fmt"
	"sort"
	"strings"
)

// Where Build puts the pieces that live below 1 MiB. All are in
// conventional RAM, clear of the IVT/BDA (below 0x500), the boot sector
// address (0x7C00) and the EBDA.
const (
	GDTAddr      = 0x6000
	ZeroPageAddr = 0x7000
	CmdlineAddr  = 0x20000

	// HeapEnd is the heap_end_ptr Build writes: what a 16-bit loader
	// would use with the setup code at 0x10000 and the command line at
	// 0x20000 (boot.rst, "Sample boot configuration").
	HeapEnd = 0xFE00

	pageSize = 4096
)

// Selectors of the 32-bit boot protocol.
const (
	BootCS = 0x10 // __BOOT_CS
	BootDS = 0x18 // __BOOT_DS
)

// Flat 4 GiB descriptors as Linux's own boot GDT has them (base 0, limit
// 0xFFFFF pages, G=1, D=1, present, DPL 0, accessed bit already set so the
// CPU need not write the GDT).
const (
	FlatCodeDescriptor uint64 = 0x00CF9B000000FFFF // execute/read
	FlatDataDescriptor uint64 = 0x00CF93000000FFFF // read/write
)

// Config describes the machine and what to boot on it.
type Config struct {
	RAMSize uint64 // bytes of RAM starting at physical 0
	Kernel  []byte // bzImage file contents
	Initrd  []byte // initramfs; empty for none
	Cmdline string
	// E820 is the memory map handed to the kernel; nil means
	// DefaultE820(RAMSize).
	E820 []E820Entry
	// TextScreen describes an 80x25 VGA text screen in screen_info. Leave
	// it false for a machine without VGA (a serial console only).
	TextScreen bool
}

// Block is a run of bytes to copy into guest physical memory.
type Block struct {
	Name string // "gdt", "boot_params", "cmdline", "kernel", "initrd"
	Addr uint64
	Data []byte
}

// End is the first address past the block.
func (b Block) End() uint64 { return b.Addr + uint64(len(b.Data)) }

// Segment is a flat segment register as the 32-bit entry needs it.
type Segment struct {
	Selector   uint16
	Base       uint32
	Limit      uint32 // effective byte limit (0xFFFFFFFF)
	Descriptor uint64 // the GDT entry the selector names
}

// Entry is the CPU state at the 32-bit entry point. General registers not
// named here may hold anything; EBX, EBP and EDI must be zero.
type Entry struct {
	EIP    uint32 // code32_start
	ESI    uint32 // physical address of boot_params
	EFLAGS uint32 // interrupts off (IF=0), only the reserved bit 1 set
	CR0    uint32 // PE=1, PG=0 (a machine may also set ET)

	CS Segment // __BOOT_CS
	// DS is loaded into DS, ES, SS (required) and FS, GS (customary).
	DS Segment // __BOOT_DS

	GDTBase  uint32
	GDTLimit uint16
}

// Plan is everything a machine needs to start a kernel with the 32-bit
// protocol: copy each Block into RAM, then load Entry into the CPU.
type Plan struct {
	Kernel     *Kernel
	BootParams *BootParams
	Blocks     []Block // sorted by address, non-overlapping
	Entry      Entry

	ZeroPageAddr uint64
	CmdlineAddr  uint64
	GDTAddr      uint64
	InitrdAddr   uint64 // 0 when there is no initrd
	InitrdSize   uint64
	// KernelEnd is the end of the memory the kernel claims while it
	// decompresses: max(load address, pref_address) + init_size.
	KernelEnd uint64
}

// GDT returns the suggested boot GDT: null, unused, __BOOT_CS, __BOOT_DS.
func GDT() []byte {
	g := make([]byte, 4*8)
	binary.LittleEndian.PutUint64(g[BootCS:], FlatCodeDescriptor)
	binary.LittleEndian.PutUint64(g[BootDS:], FlatDataDescriptor)
	return g
}

// Build parses cfg.Kernel and lays out a 32-bit boot: GDT, zero page and
// command line below 1 MiB, the protected-mode kernel at 0x100000 and the
// initrd as high as initrd_addr_max, the RAM size and the e820 map allow,
// page aligned and above the kernel's decompression area.
func Build(cfg Config) (*Plan, error) {
	k, err := Parse(cfg.Kernel)
	if err != nil {
		return nil, err
	}
	if cfg.RAMSize <= OneMiB {
		return nil, fmt.Errorf("RAM (%s) must be larger than 1 MiB", sizeString(cfg.RAMSize))
	}
	h := k.Header
	e820 := cfg.E820
	if e820 == nil {
		e820 = DefaultE820(cfg.RAMSize)
	}

	// Command line.
	if strings.IndexByte(cfg.Cmdline, 0) >= 0 {
		return nil, fmt.Errorf("cmdline contains a NUL byte")
	}
	if uint64(len(cfg.Cmdline)) > uint64(h.CmdlineSize) {
		return nil, fmt.Errorf("cmdline is %d bytes, kernel accepts at most %d", len(cfg.Cmdline), h.CmdlineSize)
	}
	if CmdlineAddr+len(cfg.Cmdline)+1 > EBDAStart {
		return nil, fmt.Errorf("cmdline is %d bytes, at most %d fit below the EBDA", len(cfg.Cmdline), EBDAStart-CmdlineAddr-1)
	}
	cmdline := append([]byte(cfg.Cmdline), 0)

	// Kernel and the memory it decompresses into.
	load := uint64(k.LoadAddr)
	base := load
	if h.PrefAddress > base && h.PrefAddress < 1<<32 {
		base = h.PrefAddress
	}
	kernelEnd := max(base+k.MemoryFootprint(), load+uint64(len(k.Payload)))
	if kernelEnd > cfg.RAMSize {
		return nil, fmt.Errorf("kernel needs RAM up to %#x (%s), machine has %s",
			kernelEnd, sizeString(kernelEnd), sizeString(cfg.RAMSize))
	}

	// Initrd.
	var initrdAddr uint64
	if len(cfg.Initrd) > 0 {
		limit := min(uint64(h.InitrdAddrMax)+1, cfg.RAMSize, 1<<32)
		a, ok := placeHigh(e820, uint64(len(cfg.Initrd)), kernelEnd, limit)
		if !ok {
			return nil, fmt.Errorf("initrd (%s) does not fit in RAM (%s)", sizeString(uint64(len(cfg.Initrd))), sizeString(cfg.RAMSize))
		}
		initrdAddr = a
	}

	// Zero page.
	bp := NewBootParams(k)
	bp.SetHeapEnd(HeapEnd)
	bp.SetCmdline(CmdlineAddr)
	if len(cfg.Initrd) > 0 {
		bp.SetRamdisk(initrdAddr, uint64(len(cfg.Initrd)))
	}
	if err := bp.SetE820(e820); err != nil {
		return nil, err
	}
	bp.SetExtMemK((cfg.RAMSize - OneMiB) >> 10)
	if cfg.TextScreen {
		bp.SetTextScreen(80, 25, 0, 0)
	}

	blocks := []Block{
		{Name: "gdt", Addr: GDTAddr, Data: GDT()},
		{Name: "boot_params", Addr: ZeroPageAddr, Data: bp[:]},
		{Name: "cmdline", Addr: CmdlineAddr, Data: cmdline},
		{Name: "kernel", Addr: load, Data: k.Payload},
	}
	if len(cfg.Initrd) > 0 {
		blocks = append(blocks, Block{Name: "initrd", Addr: initrdAddr, Data: cfg.Initrd})
	}
	sort.Slice(blocks, func(i, j int) bool { return blocks[i].Addr < blocks[j].Addr })
	for i, b := range blocks {
		if b.End() > cfg.RAMSize {
			return nil, fmt.Errorf("%s [%#x, %#x) is past the end of RAM (%s)", b.Name, b.Addr, b.End(), sizeString(cfg.RAMSize))
		}
		if i > 0 && blocks[i-1].End() > b.Addr {
			return nil, fmt.Errorf("%s [%#x, %#x) overlaps %s", b.Name, b.Addr, b.End(), blocks[i-1].Name)
		}
	}

	gdt := GDT()
	return &Plan{
		Kernel:     k,
		BootParams: bp,
		Blocks:     blocks,
		Entry: Entry{
			EIP:      h.Code32Start,
			ESI:      ZeroPageAddr,
			EFLAGS:   0x2,
			CR0:      0x1,
			CS:       Segment{Selector: BootCS, Limit: 0xFFFFFFFF, Descriptor: FlatCodeDescriptor},
			DS:       Segment{Selector: BootDS, Limit: 0xFFFFFFFF, Descriptor: FlatDataDescriptor},
			GDTBase:  GDTAddr,
			GDTLimit: uint16(len(gdt) - 1),
		},
		ZeroPageAddr: ZeroPageAddr,
		CmdlineAddr:  CmdlineAddr,
		GDTAddr:      GDTAddr,
		InitrdAddr:   initrdAddr,
		InitrdSize:   uint64(len(cfg.Initrd)),
		KernelEnd:    kernelEnd,
	}, nil
}

// placeHigh finds the highest page-aligned address a such that [a, a+size)
// lies inside one e820 RAM range, a >= low and a+size <= limit.
func placeHigh(e820 []E820Entry, size, low, limit uint64) (uint64, bool) {
	best, found := uint64(0), false
	for _, e := range e820 {
		if e.Type != E820RAM || e.Size == 0 {
			continue
		}
		end := min(e.End(), limit)
		if e.End() < e.Addr { // wraps: treat as reaching the top
			end = limit
		}
		start := max(e.Addr, low)
		if end < size || end-size < start {
			continue
		}
		a := (end - size) &^ (pageSize - 1)
		if a < start {
			continue
		}
		if !found || a > best {
			best, found = a, true
		}
	}
	return best, found
}

// sizeString formats a byte count in MiB, with one decimal when it is not
// a whole number of MiB.
func sizeString(n uint64) string {
	const mib = 1 << 20
	if n%mib == 0 {
		return fmt.Sprintf("%d MiB", n/mib)
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/mib)
}
