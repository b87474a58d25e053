package bios

import _ "embed"

//go:embed rom.bin
var rom string // a string, so the embedded image cannot be modified

// ROM returns a copy of the 64 KiB BIOS image for physical 0xF0000.
func ROM() []byte { return []byte(rom) }

// Layout of the ROM (mirrors rom.asm; TestROMLayout checks it).
const (
	// ROMBase is the physical address of the image; ROMSegment its
	// real-mode segment.
	ROMBase    = 0xF0000
	ROMSegment = 0xF000
	ROMSize    = 0x10000

	// TrapPort is the I/O port the service slots write.
	TrapPort = 0xE0

	slotBase = 0x8000 // offset of slot 0 in the ROM
	slotSize = 32

	offConfigTable    = 0x100
	offDisketteParams = 0x120
	offIRETDefault    = 0x140
	offIRQMaster      = 0x150
	offIRQSlave       = 0x160
	offInt08          = 0x180
	offInt70          = 0x200
)

// IDPost is the service id of the power-on self test; other ids are
// interrupt vectors.
const IDPost = 0x100

// numSlots is the number of slots (vectors 0x00-0xFF and POST).
const numSlots = IDPost + 1

// SlotAddr returns the physical address of service id's slot.
func SlotAddr(id int) uint32 { return ROMBase + slotBase + uint32(id)*slotSize }

// SlotID returns the service whose slot holds physical address addr, or
// -1 when addr is not in a slot.
func SlotID(addr uint32) int {
	if addr < ROMBase+slotBase || addr >= ROMBase+slotBase+numSlots*slotSize {
		return -1
	}
	return int((addr - ROMBase - slotBase) / slotSize)
}

// HasFrame reports whether service id is entered through an interrupt (or
// PUSHF + far CALL), so that an IRET frame is on the stack: every service
// but POST.
func HasFrame(id int) bool { return id != IDPost }
