package bootparam

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Offsets of setup header fields, both in the kernel file and in the zero
// page (the header sits at the same offset in both).
const (
	offSetupSects       = 0x1F1
	offRootFlags        = 0x1F2
	offSysSize          = 0x1F4
	offRAMSize          = 0x1F8
	offVidMode          = 0x1FA
	offRootDev          = 0x1FC
	offBootFlag         = 0x1FE
	offJump             = 0x200
	offHeaderMagic      = 0x202
	offVersion          = 0x206
	offKernelVersion    = 0x20E
	offTypeOfLoader     = 0x210
	offLoadFlags        = 0x211
	offCode32Start      = 0x214
	offRamdiskImage     = 0x218
	offRamdiskSize      = 0x21C
	offHeapEndPtr       = 0x224
	offExtLoaderVer     = 0x226
	offExtLoaderType    = 0x227
	offCmdLinePtr       = 0x228
	offInitrdAddrMax    = 0x22C
	offKernelAlignment  = 0x230
	offRelocatable      = 0x234
	offMinAlignment     = 0x235
	offXLoadFlags       = 0x236
	offCmdlineSize      = 0x238
	offHardwareSubarch  = 0x23C
	offPayloadOffset    = 0x248
	offPayloadLength    = 0x24C
	offSetupData        = 0x250
	offPrefAddress      = 0x258
	offInitSize         = 0x260
	offHandoverOffset   = 0x264
	offKernelInfoOffset = 0x268

	// SetupHeaderOffset is where the setup header starts, in the kernel
	// file and in boot_params.
	SetupHeaderOffset = 0x1F1
	// minHeaderEnd is the end of the fields read unconditionally (2.02:
	// cmd_line_ptr is the last field of protocol 2.02).
	minHeaderEnd = offCmdLinePtr + 4
	// maxHeaderEnd is the end of the largest header defined so far
	// (protocol 2.15, kernel_info_offset); a file's header may be longer.
	maxHeaderEnd = offKernelInfoOffset + 4
)

// Values of the boot protocol.
const (
	BootFlagMagic = 0xAA55
	HeaderMagic   = 0x53726448 // "HdrS", little-endian

	// MinProtocol is the oldest protocol Parse accepts: 2.02 is the first
	// one with cmd_line_ptr (the 32-bit protocol needs it).
	MinProtocol = 0x0202

	// Bits of loadflags.
	LoadedHigh   = 0x01 // LOADED_HIGH: protected-mode code loaded at 0x100000
	KASLRFlag    = 0x02 // set by the kernel itself
	QuietFlag    = 0x20
	KeepSegments = 0x40 // obsolete
	CanUseHeap   = 0x80 // heap_end_ptr is valid

	// Bits of xloadflags.
	XLFKernel64           = 0x01
	XLFCanBeLoadedAbove4G = 0x02
	XLFEFIHandover32      = 0x04
	XLFEFIHandover64      = 0x08
	XLFEFIKexec           = 0x10

	// DefaultInitrdAddrMax is initrd_addr_max for protocols before 2.03.
	DefaultInitrdAddrMax = 0x37FFFFFF
	// DefaultCmdlineSize is cmdline_size for protocols before 2.06.
	DefaultCmdlineSize = 255
	// HighLoadAddr is where the protected-mode kernel of a bzImage goes.
	HighLoadAddr = 0x100000

	sectorSize = 512
)

// Header is the decoded setup header of a bzImage. Fields that the kernel's
// protocol version does not define are zero, except InitrdAddrMax and
// CmdlineSize, which carry the documented defaults for old protocols.
type Header struct {
	SetupSects       int // number of 512-byte setup sectors (0 in the file means 4)
	RootFlags        uint16
	SysSize          uint32 // protected-mode size in 16-byte paragraphs (2.04+)
	VidMode          uint16
	RootDev          uint16
	BootFlag         uint16
	Version          uint16 // protocol version, e.g. 0x020F for 2.15
	KernelVersionPtr uint16 // kernel_version: offset of a string, minus 0x200
	LoadFlags        uint8
	Code32Start      uint32
	InitrdAddrMax    uint32
	KernelAlignment  uint32
	Relocatable      bool
	MinAlignment     uint8 // log2 of the minimum alignment (2.10+)
	XLoadFlags       uint16
	CmdlineSize      uint32 // longest command line, without its NUL
	HardwareSubarch  uint32
	PayloadOffset    uint32 // offset of the compressed kernel within Payload
	PayloadLength    uint32
	SetupData        uint64
	PrefAddress      uint64
	InitSize         uint32 // memory the kernel needs from its load address
	HandoverOffset   uint32
	KernelInfoOffset uint32
}

// ProtocolString formats the protocol version as "major.minor", e.g. "2.15".
func (h Header) ProtocolString() string {
	return protoString(h.Version)
}

func protoString(v uint16) string {
	return fmt.Sprintf("%d.%02d", v>>8, v&0xFF)
}

// Kernel is a parsed bzImage.
type Kernel struct {
	Header Header
	// SetupHeader is the raw setup header, file bytes [0x1F1, 0x202 +
	// file[0x201]), to be copied into boot_params at 0x1F1.
	SetupHeader []byte
	// Setup is the real-mode part: boot sector plus setup sectors.
	Setup []byte
	// Payload is the protected-mode part, loaded at LoadAddr.
	Payload []byte
	// LoadAddr is the physical address of Payload (0x100000).
	LoadAddr uint32
	// Version is the kernel's version string, if the header points at one.
	Version string
}

// EntryAddr is the 32-bit entry point: code32_start.
func (k *Kernel) EntryAddr() uint32 { return k.Header.Code32Start }

// MemoryFootprint is how many bytes from LoadAddr the kernel needs while it
// decompresses itself: init_size when the header has it, otherwise an
// estimate from the payload size.
func (k *Kernel) MemoryFootprint() uint64 {
	n := uint64(len(k.Payload))
	if k.Header.InitSize != 0 && uint64(k.Header.InitSize) > n {
		return uint64(k.Header.InitSize)
	}
	// Without init_size (before 2.10), the decompressed kernel is assumed
	// to be at most four times the compressed one.
	if k.Header.InitSize == 0 {
		return 4 * n
	}
	return n
}

// ErrNotBzImage is wrapped by every error that says the input is not a
// bzImage at all (as opposed to a truncated or too old one). Test with
// errors.Is.
var ErrNotBzImage = errors.New("not a bzImage")

// Parse decodes a bzImage. The returned Kernel aliases data.
func Parse(data []byte) (*Kernel, error) {
	if len(data) < offHeaderMagic+4 {
		if len(data) >= offBootFlag+2 && le16(data, offBootFlag) != BootFlagMagic {
			return nil, fmt.Errorf("%w: boot flag is %#04x, want %#04x", ErrNotBzImage, le16(data, offBootFlag), BootFlagMagic)
		}
		return nil, fmt.Errorf("truncated kernel: %d bytes, the setup header needs %d", len(data), offHeaderMagic+4)
	}
	if bf := le16(data, offBootFlag); bf != BootFlagMagic {
		return nil, fmt.Errorf("%w: boot flag is %#04x, want %#04x", ErrNotBzImage, bf, BootFlagMagic)
	}
	if m := le32(data, offHeaderMagic); m != HeaderMagic {
		return nil, fmt.Errorf("%w: no \"HdrS\" signature at 0x202 (found %q)", ErrNotBzImage, data[offHeaderMagic:offHeaderMagic+4])
	}
	if len(data) < offVersion+2 {
		return nil, fmt.Errorf("truncated kernel: %d bytes, the setup header needs %d", len(data), offVersion+2)
	}
	var h Header
	h.Version = le16(data, offVersion)
	if h.Version < MinProtocol {
		return nil, fmt.Errorf("protocol %s too old (need %s or later)", protoString(h.Version), protoString(MinProtocol))
	}
	// The header ends at 0x202 + the byte at 0x201 (the short jump's
	// displacement lands right after it).
	hdrEnd := offHeaderMagic + int(data[offJump+1])
	if hdrEnd < minHeaderEnd {
		return nil, fmt.Errorf("%w: setup header ends at %#x, protocol %s needs it to reach %#x", ErrNotBzImage, hdrEnd, protoString(h.Version), minHeaderEnd)
	}
	if len(data) < hdrEnd {
		return nil, fmt.Errorf("truncated kernel: %d bytes, the setup header ends at %#x", len(data), hdrEnd)
	}
	// Fields past hdrEnd read as zero: field reads go through a copy that
	// is at least maxHeaderEnd long.
	hdr := make([]byte, max(hdrEnd, maxHeaderEnd))
	copy(hdr, data[:hdrEnd])

	h.SetupSects = int(hdr[offSetupSects])
	if h.SetupSects == 0 {
		h.SetupSects = 4
	}
	h.RootFlags = le16(hdr, offRootFlags)
	h.VidMode = le16(hdr, offVidMode)
	h.RootDev = le16(hdr, offRootDev)
	h.BootFlag = le16(hdr, offBootFlag)
	h.KernelVersionPtr = le16(hdr, offKernelVersion)
	h.LoadFlags = hdr[offLoadFlags]
	h.Code32Start = le32(hdr, offCode32Start)
	h.InitrdAddrMax = DefaultInitrdAddrMax
	h.CmdlineSize = DefaultCmdlineSize
	v := h.Version
	if v >= 0x0203 {
		h.InitrdAddrMax = le32(hdr, offInitrdAddrMax)
	}
	if v >= 0x0204 {
		h.SysSize = le32(hdr, offSysSize)
	}
	if v >= 0x0205 {
		h.KernelAlignment = le32(hdr, offKernelAlignment)
		h.Relocatable = hdr[offRelocatable] != 0
	}
	if v >= 0x0206 {
		h.CmdlineSize = le32(hdr, offCmdlineSize)
	}
	if v >= 0x0207 {
		h.HardwareSubarch = le32(hdr, offHardwareSubarch)
	}
	if v >= 0x0208 {
		h.PayloadOffset = le32(hdr, offPayloadOffset)
		h.PayloadLength = le32(hdr, offPayloadLength)
	}
	if v >= 0x0209 {
		h.SetupData = le64(hdr, offSetupData)
	}
	if v >= 0x020A {
		h.MinAlignment = hdr[offMinAlignment]
		h.PrefAddress = le64(hdr, offPrefAddress)
		h.InitSize = le32(hdr, offInitSize)
	}
	if v >= 0x020B {
		h.HandoverOffset = le32(hdr, offHandoverOffset)
	}
	if v >= 0x020C {
		h.XLoadFlags = le16(hdr, offXLoadFlags)
	}
	if v >= 0x020F {
		h.KernelInfoOffset = le32(hdr, offKernelInfoOffset)
	}

	if h.LoadFlags&LoadedHigh == 0 {
		return nil, fmt.Errorf("%w: LOADED_HIGH is clear (a zImage loaded at 0x10000 is not supported)", ErrNotBzImage)
	}
	if h.Code32Start < HighLoadAddr {
		return nil, fmt.Errorf("%w: code32_start %#x is below 1 MiB", ErrNotBzImage, h.Code32Start)
	}
	setupLen := (h.SetupSects + 1) * sectorSize
	if setupLen < hdrEnd {
		return nil, fmt.Errorf("%w: setup header (ends at %#x) overruns %d setup sectors", ErrNotBzImage, hdrEnd, h.SetupSects)
	}
	if len(data) < setupLen {
		return nil, fmt.Errorf("truncated kernel: %d bytes, %d setup sectors need %d", len(data), h.SetupSects, setupLen)
	}
	payload := data[setupLen:]
	if len(payload) == 0 {
		return nil, fmt.Errorf("truncated kernel: no protected-mode code after %d setup sectors", h.SetupSects)
	}
	if h.SysSize != 0 {
		// syssize counts paragraphs, rounded up: allow a partial last one.
		if want := uint64(h.SysSize) * 16; want > uint64(len(payload))+15 {
			return nil, fmt.Errorf("truncated kernel: syssize says %d bytes of protected-mode code, file has %d", want, len(payload))
		}
	}
	if uint64(HighLoadAddr)+uint64(len(payload)) > 1<<32 {
		return nil, fmt.Errorf("kernel too large: %d bytes of protected-mode code", len(payload))
	}
	if h.Version >= 0x0208 && h.PayloadLength != 0 &&
		uint64(h.PayloadOffset)+uint64(h.PayloadLength) > uint64(len(payload)) {
		return nil, fmt.Errorf("truncated kernel: compressed payload [%#x, +%#x) is past the end of the protected-mode code (%#x bytes)",
			h.PayloadOffset, h.PayloadLength, len(payload))
	}

	k := &Kernel{
		Header:      h,
		SetupHeader: data[SetupHeaderOffset:hdrEnd],
		Setup:       data[:setupLen],
		Payload:     payload,
		LoadAddr:    HighLoadAddr,
	}
	k.Version = versionString(data[:setupLen], h.KernelVersionPtr)
	return k, nil
}

// versionString reads the NUL-terminated kernel_version string, which lives
// in the setup code at kernel_version + 0x200.
func versionString(setup []byte, ptr uint16) string {
	if ptr == 0 {
		return ""
	}
	start := int(ptr) + 0x200
	if start >= len(setup) {
		return ""
	}
	s := setup[start:]
	n := 0
	for n < len(s) && n < 256 && s[n] != 0 {
		if s[n] < 0x20 || s[n] > 0x7E {
			return ""
		}
		n++
	}
	return string(s[:n])
}

func le16(b []byte, off int) uint16 { return binary.LittleEndian.Uint16(b[off:]) }
func le32(b []byte, off int) uint32 { return binary.LittleEndian.Uint32(b[off:]) }
func le64(b []byte, off int) uint64 { return binary.LittleEndian.Uint64(b[off:]) }
