package bootparam

import (
	"encoding/binary"
	"fmt"
)

// ZeroPageSize is the size of struct boot_params.
const ZeroPageSize = 4096

// Offsets in boot_params outside the setup header (zero-page.rst).
const (
	offScreenInfo      = 0x000
	offExtRamdiskImage = 0x0C0
	offExtRamdiskSize  = 0x0C4
	offExtCmdLinePtr   = 0x0C8
	offAltMemK         = 0x1E0
	offE820Entries     = 0x1E8
	offSentinel        = 0x1EF
	offEDDMBRSigBuffer = 0x290
	offE820Table       = 0x2D0

	// E820Max is the number of entries the zero page's e820 table holds.
	E820Max       = 128
	e820EntrySize = 20

	// LoaderUndefined is the type_of_loader of a boot loader without an
	// assigned ID.
	LoaderUndefined = 0xFF
)

// E820Type is the type of an e820 memory range.
type E820Type uint32

// E820 range types.
const (
	E820RAM      E820Type = 1
	E820Reserved E820Type = 2
	E820ACPI     E820Type = 3
	E820NVS      E820Type = 4
	E820Unusable E820Type = 5
)

func (t E820Type) String() string {
	switch t {
	case E820RAM:
		return "RAM"
	case E820Reserved:
		return "reserved"
	case E820ACPI:
		return "ACPI data"
	case E820NVS:
		return "ACPI NVS"
	case E820Unusable:
		return "unusable"
	}
	return fmt.Sprintf("type %d", uint32(t))
}

// E820Entry is one range of the BIOS memory map.
type E820Entry struct {
	Addr uint64
	Size uint64
	Type E820Type
}

// End is the first address past the range.
func (e E820Entry) End() uint64 { return e.Addr + e.Size }

// Standard PC layout below 1 MiB used by DefaultE820.
const (
	// EBDAStart is where the extended BIOS data area starts (639 KiB).
	EBDAStart = 0x9FC00
	// BIOSStart is the start of the system BIOS ROM shadow.
	BIOSStart = 0xF0000
	// OneMiB is the start of extended memory.
	OneMiB = 0x100000
)

// DefaultE820 returns the memory map of a plain PC with ramSize bytes of
// RAM (at least 1 MiB): conventional memory below the EBDA, the EBDA and
// BIOS ROM reserved, and extended memory from 1 MiB to ramSize. RAM above
// 4 GiB is not split around a PCI hole: machines with more than about
// 3 GiB should describe their own map.
func DefaultE820(ramSize uint64) []E820Entry {
	m := []E820Entry{
		{Addr: 0, Size: EBDAStart, Type: E820RAM},
		{Addr: EBDAStart, Size: 0xA0000 - EBDAStart, Type: E820Reserved},
		{Addr: BIOSStart, Size: OneMiB - BIOSStart, Type: E820Reserved},
	}
	if ramSize > OneMiB {
		m = append(m, E820Entry{Addr: OneMiB, Size: ramSize - OneMiB, Type: E820RAM})
	}
	return m
}

// BootParams is struct boot_params, the "zero page" handed to the kernel.
type BootParams [ZeroPageSize]byte

// NewBootParams returns a zero page for k: all zero except the setup header,
// copied from the kernel at 0x1F1, with type_of_loader set to "undefined"
// (0xFF) and code32_start set to the load address. LOADED_HIGH stays set.
func NewBootParams(k *Kernel) *BootParams {
	var bp BootParams
	// struct setup_header must end before edd_mbr_sig_buffer (0x290); a
	// longer header in a file is cut there.
	copy(bp[SetupHeaderOffset:offEDDMBRSigBuffer], k.SetupHeader)
	bp[offTypeOfLoader] = LoaderUndefined
	bp[offLoadFlags] |= LoadedHigh
	bp.put32(offCode32Start, k.Header.Code32Start)
	return &bp
}

func (bp *BootParams) put16(off int, v uint16) { binary.LittleEndian.PutUint16(bp[off:], v) }
func (bp *BootParams) put32(off int, v uint32) { binary.LittleEndian.PutUint32(bp[off:], v) }
func (bp *BootParams) put64(off int, v uint64) { binary.LittleEndian.PutUint64(bp[off:], v) }
func (bp *BootParams) get16(off int) uint16    { return binary.LittleEndian.Uint16(bp[off:]) }
func (bp *BootParams) get32(off int) uint32    { return binary.LittleEndian.Uint32(bp[off:]) }
func (bp *BootParams) get64(off int) uint64    { return binary.LittleEndian.Uint64(bp[off:]) }

// SetLoader sets type_of_loader. IDs above 0x0F use the extended scheme:
// type_of_loader = 0xE0 | version, ext_loader_type = id - 0x10. version is
// the loader's version; its upper bits go to ext_loader_ver.
func (bp *BootParams) SetLoader(id uint16, version uint16) {
	if id >= 0x10 {
		bp[offTypeOfLoader] = 0xE0 | uint8(version&0x0F)
		bp[offExtLoaderType] = uint8(id - 0x10)
	} else {
		bp[offTypeOfLoader] = uint8(id<<4) | uint8(version&0x0F)
		bp[offExtLoaderType] = 0
	}
	bp[offExtLoaderVer] = uint8(version >> 4)
}

// SetHeapEnd sets heap_end_ptr (an offset from the start of the real-mode
// code, minus 0x200) and the CAN_USE_HEAP flag. The heap matters only to
// the 16-bit setup code; the 32-bit entry skips that code, but setting it
// keeps the zero page what a 16-bit loader would have left.
func (bp *BootParams) SetHeapEnd(ptr uint16) {
	bp.put16(offHeapEndPtr, ptr)
	bp[offLoadFlags] |= CanUseHeap
}

// SetCmdline sets cmd_line_ptr (and ext_cmd_line_ptr for addresses at or
// above 4 GiB).
func (bp *BootParams) SetCmdline(addr uint64) {
	bp.put32(offCmdLinePtr, uint32(addr))
	bp.put32(offExtCmdLinePtr, uint32(addr>>32))
}

// SetRamdisk sets ramdisk_image and ramdisk_size (and their ext_ halves).
func (bp *BootParams) SetRamdisk(addr, size uint64) {
	bp.put32(offRamdiskImage, uint32(addr))
	bp.put32(offRamdiskSize, uint32(size))
	bp.put32(offExtRamdiskImage, uint32(addr>>32))
	bp.put32(offExtRamdiskSize, uint32(size>>32))
}

// SetE820 writes the memory map to the e820 table at 0x2D0 and its length
// to e820_entries at 0x1E8. It also sets alt_mem_k (KiB of RAM contiguous
// from 1 MiB) for kernels that fall back to it. More than E820Max entries is
// an error.
func (bp *BootParams) SetE820(entries []E820Entry) error {
	if len(entries) > E820Max {
		return fmt.Errorf("e820 map has %d entries, the zero page holds %d", len(entries), E820Max)
	}
	clear(bp[offE820Table : offE820Table+E820Max*e820EntrySize])
	var altMem uint64
	for i, e := range entries {
		off := offE820Table + i*e820EntrySize
		bp.put64(off, e.Addr)
		bp.put64(off+8, e.Size)
		bp.put32(off+16, uint32(e.Type))
		if e.Type == E820RAM && e.Addr <= OneMiB && e.End() > OneMiB {
			altMem = (e.End() - OneMiB) >> 10
		}
	}
	bp[offE820Entries] = uint8(len(entries))
	bp.put32(offAltMemK, uint32(min(altMem, 0xFFFFFFFF)))
	return nil
}

// E820 decodes the e820 table.
func (bp *BootParams) E820() []E820Entry {
	n := min(int(bp[offE820Entries]), E820Max)
	out := make([]E820Entry, n)
	for i := range out {
		off := offE820Table + i*e820EntrySize
		out[i] = E820Entry{Addr: bp.get64(off), Size: bp.get64(off + 8), Type: E820Type(bp.get32(off + 16))}
	}
	return out
}

// Screen info (struct screen_info, at offset 0 of the zero page).
const (
	siOrigX         = 0x00
	siOrigY         = 0x01
	siExtMemK       = 0x02
	siOrigVideoMode = 0x06
	siOrigVideoCols = 0x07
	siOrigVideoEGA  = 0x0A
	siOrigVideoLine = 0x0E
	siOrigVideoVGA  = 0x0F
	siOrigVideoPts  = 0x10
)

// SetTextScreen describes a VGA colour text screen (BIOS mode 3) of cols
// by lines characters with the cursor at (x, y), as a BIOS would leave it.
func (bp *BootParams) SetTextScreen(cols, lines, x, y uint8) {
	bp[offScreenInfo+siOrigX] = x
	bp[offScreenInfo+siOrigY] = y
	bp[offScreenInfo+siOrigVideoMode] = 3
	bp[offScreenInfo+siOrigVideoCols] = cols
	bp.put16(offScreenInfo+siOrigVideoEGA, 3) // EGA/VGA, colour
	bp[offScreenInfo+siOrigVideoLine] = lines
	bp[offScreenInfo+siOrigVideoVGA] = 1 // VIDEO_TYPE_VGAC
	bp.put16(offScreenInfo+siOrigVideoPts, 16)
}

// SetExtMemK sets screen_info.ext_mem_k, the INT 15h AH=88h figure: KiB of
// memory above 1 MiB, capped at 0xFC00 as a BIOS caps it.
func (bp *BootParams) SetExtMemK(kib uint64) {
	bp.put16(offScreenInfo+siExtMemK, uint16(min(kib, 0xFC00)))
}

// CmdlinePtr returns cmd_line_ptr (with ext_cmd_line_ptr).
func (bp *BootParams) CmdlinePtr() uint64 {
	return uint64(bp.get32(offCmdLinePtr)) | uint64(bp.get32(offExtCmdLinePtr))<<32
}

// Ramdisk returns ramdisk_image and ramdisk_size (with their ext_ halves).
func (bp *BootParams) Ramdisk() (addr, size uint64) {
	addr = uint64(bp.get32(offRamdiskImage)) | uint64(bp.get32(offExtRamdiskImage))<<32
	size = uint64(bp.get32(offRamdiskSize)) | uint64(bp.get32(offExtRamdiskSize))<<32
	return addr, size
}

// LoadFlags returns the loadflags byte.
func (bp *BootParams) LoadFlags() uint8 { return bp[offLoadFlags] }

// TypeOfLoader returns the type_of_loader byte.
func (bp *BootParams) TypeOfLoader() uint8 { return bp[offTypeOfLoader] }

// HeapEnd returns heap_end_ptr.
func (bp *BootParams) HeapEnd() uint16 { return bp.get16(offHeapEndPtr) }
