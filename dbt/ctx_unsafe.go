package dbt

import (
	"unsafe"

	"bt86/mmu/shadow"
)

// Field offsets of ctx and fastEntry for the code generator (the
// trampoline uses go_asm.h).
const (
	offRegs     = int(unsafe.Offsetof(ctx{}.regs))
	offEIP      = int(unsafe.Offsetof(ctx{}.eip))
	offExit     = int(unsafe.Offsetof(ctx{}.exit))
	offHF       = int(unsafe.Offsetof(ctx{}.hf))
	offBudget   = int(unsafe.Offsetof(ctx{}.budget))
	offRAM      = int(unsafe.Offsetof(ctx{}.ram))
	offTLBR     = int(unsafe.Offsetof(ctx{}.tlbR))
	offTLBW     = int(unsafe.Offsetof(ctx{}.tlbW))
	offTLBF     = int(unsafe.Offsetof(ctx{}.tlbF))
	offFast     = int(unsafe.Offsetof(ctx{}.fast))
	offSlot     = int(unsafe.Offsetof(ctx{}.slot))
	offSeg      = int(unsafe.Offsetof(ctx{}.seg))
	offCharge   = int(unsafe.Offsetof(ctx{}.charge))
	offSys      = int(unsafe.Offsetof(ctx{}.sys))
	offIRQ      = int(unsafe.Offsetof(ctx{}.irq))
	offRepStart = int(unsafe.Offsetof(ctx{}.repStart))
	offSel      = int(unsafe.Offsetof(ctx{}.sel))

	offResume      = int(unsafe.Offsetof(ctx{}.resume))
	offResumePhys  = int(unsafe.Offsetof(ctx{}.resumePhys))
	offResumeEIP   = int(unsafe.Offsetof(ctx{}.resumeEIP))
	offResumeStamp = int(unsafe.Offsetof(ctx{}.resumeStamp))
	offResumeCount = int(unsafe.Offsetof(ctx{}.resumeCount))

	fastEntrySize = int(unsafe.Sizeof(fastEntry{}))
	offFastEIP    = int(unsafe.Offsetof(fastEntry{}.eip))
	offFastKey    = int(unsafe.Offsetof(fastEntry{}.key))
	offFastPage   = int(unsafe.Offsetof(fastEntry{}.page))
	offFastCode   = int(unsafe.Offsetof(fastEntry{}.code))

	// shadow.Entry, as the probes read it (TestEntryLayout).
	entrySize      = int(unsafe.Sizeof(shadow.Entry{}))
	offEntryTag    = int(unsafe.Offsetof(shadow.Entry{}.Tag))
	offEntryAddend = int(unsafe.Offsetof(shadow.Entry{}.Addend))
	offEntryHost   = int(unsafe.Offsetof(shadow.Entry{}.Host))
)

// entryShift is log2(entrySize).
const entryShift = 4
