package decoder

// Register numbers (ModRM order). Byte registers 4-7 are AH, CH, DH, BH.
const (
	EAX = iota
	ECX
	EDX
	EBX
	ESP
	EBP
	ESI
	EDI
	RegNone // reads as zero in effective-address arithmetic
)

// Segment register numbers (Sreg encoding order).
const (
	ES = iota
	CS
	SS
	DS
	FS
	GS
)

// Dispatch-key space.
const (
	TwoByte    = 0x100 // 0F xx
	groupBase  = 0x200
	x87MemBase = 0x340 // + (esc-0xD8)*8 + reg
	x87RegBase = 0x380 // + (esc-0xD8)*64 + (modrm & 0x3F)
	// OpUD is an undefined or invalid encoding (#UD).
	OpUD = 0x580
	// OpTooLong is an instruction longer than 15 bytes (#GP(0)).
	OpTooLong = 0x581
	// NumOps bounds every Op value.
	NumOps = 0x582
)

// Groups: opcodes whose ModRM reg field selects the operation.
const (
	Grp1EbIb  = iota // 80 (and 82)
	Grp1EvIz         // 81
	Grp1EvIb         // 83
	Grp1aPop         // 8F
	Grp2EbIb         // C0
	Grp2EvIb         // C1
	Grp2Eb1          // D0
	Grp2Ev1          // D1
	Grp2EbCL         // D2
	Grp2EvCL         // D3
	Grp11EbIb        // C6
	Grp11EvIz        // C7
	Grp3Eb           // F6
	Grp3Ev           // F7
	Grp4             // FE
	Grp5             // FF
	Grp6             // 0F 00
	Grp7             // 0F 01
	Grp8             // 0F BA
	Grp9             // 0F C7
	Grp15            // 0F AE
	numGroups
)

// GroupKey returns the dispatch key of group g with ModRM reg field reg.
func GroupKey(g, reg int) uint16 { return uint16(groupBase + g*8 + reg) }

// X87MemKey is the key of escape opcode esc (0xD8-0xDF) with a memory
// operand and ModRM reg field reg.
func X87MemKey(esc byte, reg int) uint16 { return uint16(x87MemBase + int(esc-0xD8)*8 + reg) }

// X87RegKey is the key of escape opcode esc with register-form ModRM m
// (0xC0-0xFF).
func X87RegKey(esc byte, modrm byte) uint16 {
	return uint16(x87RegBase + int(esc-0xD8)*64 + int(modrm&0x3F))
}
