package dbt

import (
	"fmt"
	"time"
)

// ctx is what translated code sees, through R15: the guest registers
// (loaded into host registers by the trampoline and stored back when the
// code returns), the exit fields, and the per-entry values the Go loop
// fills in. The fields translated code uses stay within 128 bytes, so
// each is a disp8 away (a larger offset is encoded with disp32).
type ctx struct {
	regs     [8]uint32 // guest EAX..EDI
	eip      uint32    // out: guest EIP at the exit
	exit     uint32    // out: exit code
	hf       uint64    // guest arithmetic flags, as a host RFLAGS image
	budget   int64     // instructions left; blocks subtract their length
	ram      uintptr   // address of guest RAM
	tlbR     uintptr   // shadow TLB read entries (current space, privilege)
	tlbW     uintptr   // shadow TLB write entries
	tlbF     uintptr   // shadow TLB fetch entries
	fast     uintptr   // address of the fast lookup table
	slot     uintptr   // out: address of the rel32 chain slot to patch, or 0
	seg      [6]uint32 // segment bases, by segment register
	charge   int64     // out: budget used by REP iterations (cpu.RepCost each)
	sys      uint32    // guest EFLAGS but the arithmetic flags (IF, DF, ...)
	irq      uint32    // nonzero: an interrupt is pending at the PIC
	repStart uint32    // ECX at the start of the current REP chunk
	_        uint32
	// A step exit that can resume sets these (resume is cleared at
	// every entry): the routine to enter once the interpreter has run
	// the instruction, the EIP and physical address the CPU must then
	// be at, and the stamp the block's page must still have.
	resume      uintptr
	resumePhys  uint64
	resumeEIP   uint32
	resumeStamp uint32
	resumeCount uint32 // instructions for the interpreter to run first
	_           uint32
	sel         [6]uint32 // segment selectors, by segment register
}

// Exit codes (ctx.exit).
const (
	// exitJump: continue at ctx.eip (a block end that is not chained
	// yet, or a fast-table miss); ctx.slot is the chain slot, if any.
	exitJump = iota + 1
	// exitBudget: the block at ctx.eip did not fit in the budget.
	exitBudget
	// exitStep: the instruction at ctx.eip must be run by the
	// interpreter (a TLB miss, a page that needs the slow path, or an
	// instruction the translator does not handle).
	exitStep
	// exitInhibit: STI enabled interrupts with one pending; the
	// instruction at ctx.eip runs in the interrupt shadow, then the
	// interrupt is taken.
	exitInhibit
)

// fastEntry is one slot of the fast lookup table that indirect jumps,
// returns and cross-page jumps probe inline. An entry is valid when the
// target's linear page translates, through the current fetch TLB, to the
// physical page it was made for: a remapped page or another address
// space misses; blocks dropped by a code write have their entries
// cleared.
type fastEntry struct {
	eip  uint32
	key  uint32
	page uint32 // physical page base of eip's page (checked against the fetch TLB)
	_    uint32
	code uintptr
	_    uint64
}

const fastSlots = 1 << fastBits

// fastIndex is the first slot of the two-entry set of eip (the native
// dispatch computes the same): a multiplicative hash of the EIP. (The
// XOR of EIP with EIP>>12 it replaced put five pairs of the sh loop's
// return targets in the same slot: 17 dispatches per pass went back to
// Go.)
func fastIndex(eip uint32) uint32 { return eip * fastHash >> (32 - fastBits) &^ 1 }

// fastHash is the multiplier of fastIndex (2^32 / golden ratio).
const fastHash = 0x9E3779B1

// fastBits is log2(fastSlots).
const fastBits = 14

// Stats are the translator's counters.
type Stats struct {
	Blocks        uint64 // blocks translated
	CodeBytes     uint64 // bytes of host code emitted
	Lookups       uint64 // block lookups by the Go loop
	LookupHits    uint64 // ... that found a translated block
	ChainPatches  uint64 // direct jumps patched to their target block
	Invalidations uint64 // blocks dropped by guest writes to their page
	Flushes       uint64 // code area recycled
	Demoted       uint64 // blocks turned into interpreter markers
	Entries       uint64 // entries into translated code
	Exits         [5]uint64
	Steps         uint64 // instructions handed to the interpreter
	Resumes       uint64 // ... after which translated code went on
	InterpTraces  uint64 // interpreter traces run where nothing translated
	NativeRetired uint64 // instructions retired in translated code
	TranslateTime time.Duration
}

// String formats the counters on one line.
func (s Stats) String() string {
	return fmt.Sprintf("blocks=%d code-bytes=%d lookups=%d lookup-hits=%d chain-patches=%d invalidations=%d flushes=%d demoted=%d "+
		"entries=%d exits(jump=%d budget=%d step=%d inhibit=%d) steps=%d resumes=%d interp-traces=%d native-retired=%d translate-time=%v",
		s.Blocks, s.CodeBytes, s.Lookups, s.LookupHits, s.ChainPatches, s.Invalidations, s.Flushes, s.Demoted,
		s.Entries, s.Exits[exitJump], s.Exits[exitBudget], s.Exits[exitStep], s.Exits[exitInhibit], s.Steps, s.Resumes, s.InterpTraces, s.NativeRetired, s.TranslateTime)
}
