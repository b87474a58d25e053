package cpu

import "bt86/decoder"

// Register numbers, in ModRM order.
const (
	EAX = decoder.EAX
	ECX = decoder.ECX
	EDX = decoder.EDX
	EBX = decoder.EBX
	ESP = decoder.ESP
	EBP = decoder.EBP
	ESI = decoder.ESI
	EDI = decoder.EDI
)

// Segment register numbers.
const (
	ES = decoder.ES
	CS = decoder.CS
	SS = decoder.SS
	DS = decoder.DS
	FS = decoder.FS
	GS = decoder.GS
)

// EFLAGS bits.
const (
	FlagCF   uint32 = 1 << 0
	flagRes1 uint32 = 1 << 1 // always one
	FlagPF   uint32 = 1 << 2
	FlagAF   uint32 = 1 << 4
	FlagZF   uint32 = 1 << 6
	FlagSF   uint32 = 1 << 7
	FlagTF   uint32 = 1 << 8
	FlagIF   uint32 = 1 << 9
	FlagDF   uint32 = 1 << 10
	FlagOF   uint32 = 1 << 11
	FlagIOPL uint32 = 3 << 12
	FlagNT   uint32 = 1 << 14
	FlagRF   uint32 = 1 << 16
	FlagVM   uint32 = 1 << 17
	FlagAC   uint32 = 1 << 18
	FlagVIF  uint32 = 1 << 19
	FlagVIP  uint32 = 1 << 20
	FlagID   uint32 = 1 << 21

	arithFlags = FlagCF | FlagPF | FlagAF | FlagZF | FlagSF | FlagOF
	// settableFlags are the bits software can ever change.
	settableFlags = arithFlags | FlagTF | FlagIF | FlagDF | FlagIOPL | FlagNT |
		FlagRF | FlagVM | FlagAC | FlagVIF | FlagVIP | FlagID
)

// Control register bits.
const (
	CR0PE = 1 << 0
	CR0MP = 1 << 1
	CR0EM = 1 << 2
	CR0TS = 1 << 3
	CR0ET = 1 << 4
	CR0NE = 1 << 5
	CR0WP = 1 << 16
	CR0AM = 1 << 18
	CR0NW = 1 << 29
	CR0CD = 1 << 30
	CR0PG = 1 << 31

	CR4VME    = 1 << 0
	CR4PVI    = 1 << 1
	CR4TSD    = 1 << 2
	CR4DE     = 1 << 3
	CR4PSE    = 1 << 4
	CR4PAE    = 1 << 5
	CR4MCE    = 1 << 6
	CR4PGE    = 1 << 7
	CR4PCE    = 1 << 8
	CR4OSFXSR = 1 << 9
)

// Segment is a segment register with its hidden descriptor cache.
type Segment struct {
	Sel   uint16
	Base  uint32
	Limit uint32 // byte granular (already scaled by G)
	// Attr holds the descriptor's access byte (bits 0-7: type, S, DPL, P)
	// and flags (bit 12 AVL, 14 D/B, 15 G) as in bits 8-15 and 20-23 of
	// the descriptor's high dword, shifted down by 8.
	Attr uint16
	// Valid is false for a null selector loaded in protected mode.
	Valid bool
}

// Descriptor attribute bits of Segment.Attr.
const (
	AttrAccessed = 1 << 0
	AttrRW       = 1 << 1 // readable code / writable data
	AttrDC       = 1 << 2 // conforming code / expand-down data
	AttrCode     = 1 << 3
	AttrS        = 1 << 4 // code or data (not system)
	AttrDPLShift = 5
	AttrP        = 1 << 7
	AttrAVL      = 1 << 12
	AttrL        = 1 << 13
	AttrDB       = 1 << 14
	AttrG        = 1 << 15
)

// DPL returns the descriptor privilege level.
func (s *Segment) DPL() int { return int(s.Attr>>AttrDPLShift) & 3 }

// Big reports the D/B bit (32-bit code / stack).
func (s *Segment) Big() bool { return s.Attr&AttrDB != 0 }

// Table is GDTR or IDTR.
type Table struct {
	Base  uint32
	Limit uint16
}

// State is the architectural state of one x86 vCPU. It holds plain values
// only, so it can be copied, compared and serialised.
type State struct {
	// Regs are EAX..EDI in ModRM order; Regs[8] is always zero (the
	// decoder's RegNone) so that effective addresses need no branch.
	Regs [9]uint32
	EIP  uint32
	// Flags holds every EFLAGS bit except the arithmetic ones that the
	// lazy-flags fields below describe; see flags.go.
	Flags uint32
	Lazy  LazyFlags

	Seg        [6]Segment
	LDTR, TR   Segment
	GDTR, IDTR Table

	CR0, CR2, CR3, CR4 uint32
	DR                 [8]uint32
	EFER               uint64
	TSC                uint64
	// LastTSC is the last time-stamp counter value read: reads are kept
	// strictly increasing, so it is guest-visible state.
	LastTSC uint64
	MSR     MSRs
	CPL     int
	// A20 is kept by the physical address space; it is not CPU state.

	FPU FPU

	Halted bool
	// InhibitIRQ is set for the instruction after MOV SS/POP SS/STI.
	InhibitIRQ bool
	// NMIBlocked is set between an NMI and the next IRET.
	NMIBlocked bool
}

// MSRs are the model-specific registers bt86 implements.
type MSRs struct {
	SysenterCS, SysenterESP, SysenterEIP uint32
	APICBase                             uint64
	PAT                                  uint64
	MiscEnable                           uint64
	MTRRCap, MTRRDefType                 uint64
	MTRRFixed                            [11]uint64
	MTRRVar                              [16]uint64
	MCGStatus, MCGCap                    uint64
	Perf                                 [4]uint64
}
