package bios

import "encoding/binary"

// BIOS data area (segment 0x40) and EBDA fields.
const (
	bdaBase       = 0x400
	bdaCOM        = 0x400 // 4 words: COM1-COM4 I/O bases
	bdaEBDASeg    = 0x40E
	bdaEquipment  = 0x410
	bdaMemKiB     = 0x413
	bdaKbdFlags0  = 0x417
	bdaKbdFlags1  = 0x418
	bdaKbdHead    = 0x41A
	bdaKbdTail    = 0x41C
	bdaKbdBuf     = 0x41E
	bdaFloppyStat = 0x441
	bdaVideoMode  = 0x449
	bdaVideoCols  = 0x44A
	bdaVideoSize  = 0x44C
	bdaVideoStart = 0x44E
	bdaCursorPos  = 0x450 // 8 words: (row << 8 | column) per page
	bdaCursorType = 0x460
	bdaVideoPage  = 0x462
	bdaCRTCBase   = 0x463
	bdaVideoCtl   = 0x465
	bdaVideoPal   = 0x466
	bdaTicks      = 0x46C
	bdaMidnight   = 0x470
	bdaResetFlag  = 0x472
	bdaDiskStat   = 0x474
	bdaNumHD      = 0x475
	bdaKbdStart   = 0x480
	bdaKbdEnd     = 0x482
	bdaVideoRows  = 0x484 // rows - 1
	bdaCharHeight = 0x485
	bdaVideoMisc  = 0x487
	bdaVideoSwit  = 0x488
	bdaVideoFlags = 0x489
	bdaVideoDCC   = 0x48A
	bdaKbdMode    = 0x496 // bit 1: last code was E0h; bit 4: 101-key keyboard
	bdaKbdLEDs    = 0x497

	// The EBDA: 1 KiB at the top of conventional memory.
	ebdaBase    = 0x9FC00
	ebdaSeg     = ebdaBase >> 4
	ebdaKiB     = 1
	ebdaWaitEnd = ebdaBase + 0x20 // qword: INT 15h AH=86h deadline (ns)
	ebdaWaiting = ebdaBase + 0x28 // byte: a wait is in progress
)

// Timer ticks per day at 1193182/65536 Hz (the BIOS's 18.2 Hz).
const ticksPerDay = 0x1800B0

// post is the power-on self test: it leaves the machine as a PC BIOS
// does before INT 19h.
func (b *BIOS) post() {
	b.initIVT()
	b.initBDA()
	b.initPIC()
	// PIT channel 0: mode 3, count 65536 (18.2 Hz).
	b.host.Out(0x43, 1, 0x36)
	b.host.Out(0x40, 1, 0)
	b.host.Out(0x40, 1, 0)
	// COM1: 8N1, divisor 1 (115200 baud), modem control lines; the FIFO
	// mode is left alone (changing it would drop typed input).
	b.host.Out(0x3FB, 1, 0x80)
	b.host.Out(0x3F8, 1, 1)
	b.host.Out(0x3F9, 1, 0)
	b.host.Out(0x3FB, 1, 0x03)
	b.host.Out(0x3FC, 1, 0x03)
	// The keyboard controller: keyboard interrupt, system flag,
	// translation to scan code set 1.
	b.host.Out(0x64, 1, 0x60)
	b.host.Out(0x60, 1, 0x45)
	// Keys typed before the PIC was programmed raised IRQ1 too early
	// (the edge is lost): take them now, so the line goes low again.
	for range 64 {
		if b.host.In(0x64, 1)&0x01 == 0 {
			break
		}
		b.int09()
	}
	b.setMode(3, true)
	b.print("bt86 BIOS\r\n")
}

// initIVT points every vector at the ROM: services at their slots,
// hardware interrupts at end-of-interrupt handlers, the rest at IRET.
func (b *BIOS) initIVT() {
	ivt := make([]byte, 0x400)
	set := func(v int, seg, off uint16) {
		binary.LittleEndian.PutUint16(ivt[v*4:], off)
		binary.LittleEndian.PutUint16(ivt[v*4+2:], seg)
	}
	rom := func(v int, off uint16) { set(v, ROMSegment, off) }
	for v := range 0x100 {
		rom(v, offIRETDefault)
	}
	for v := 0x08; v < 0x10; v++ {
		rom(v, offIRQMaster)
	}
	for v := 0x70; v < 0x78; v++ {
		rom(v, offIRQSlave)
	}
	rom(0x08, offInt08)
	rom(0x70, offInt70)
	for _, v := range []int{0x09, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1A} {
		rom(v, uint16(SlotAddr(v)-ROMBase))
	}
	rom(0x1E, offDisketteParams)
	for _, v := range []int{0x1D, 0x1F, 0x41, 0x43, 0x46, 0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67} {
		set(v, 0, 0)
	}
	b.write(0, ivt)
}

// initBDA fills the BIOS data area and the EBDA.
func (b *BIOS) initBDA() {
	b.write(bdaBase, make([]byte, 0x100))
	b.write(ebdaBase, make([]byte, ebdaKiB<<10))
	b.write16(ebdaBase, ebdaKiB)
	for i, port := range []uint16{0x3F8, 0x2F8, 0x3E8, 0x2E8} {
		b.write16(bdaCOM+uint32(i)*2, port)
	}
	b.write16(bdaEBDASeg, ebdaSeg)
	b.write16(bdaEquipment, b.equipment())
	b.write16(bdaMemKiB, ebdaBase>>10)
	b.write16(bdaKbdHead, bdaKbdBuf-bdaBase)
	b.write16(bdaKbdTail, bdaKbdBuf-bdaBase)
	b.write16(bdaKbdStart, bdaKbdBuf-bdaBase)
	b.write16(bdaKbdEnd, bdaKbdBuf-bdaBase+32)
	b.write8(bdaKbdMode, 0x10)
	b.write8(bdaNumHD, uint8(len(b.cfg.HardDisks)))
	b.write32(bdaTicks, b.ticksFromRTC())
}

// equipment is the equipment word (INT 11h): floppies, FPU, PS/2 mouse,
// 80x25 colour video, four serial ports.
func (b *BIOS) equipment() uint16 {
	w := uint16(0x0002 | 0x0004 | 0x0020 | 4<<9)
	if n := len(b.cfg.Floppies); n > 0 {
		w |= 1 | uint16(n-1)<<6
	}
	return w
}

// initPIC programs the 8259A pair: vectors 08h and 70h, cascade on IRQ2,
// IRQ0 (timer), IRQ1 (keyboard) and IRQ2 unmasked.
func (b *BIOS) initPIC() {
	for _, w := range []struct {
		port uint16
		v    uint8
	}{
		{0x20, 0x11}, {0xA0, 0x11}, // ICW1: edge, cascade, ICW4
		{0x21, 0x08}, {0xA1, 0x70}, // ICW2: vector bases
		{0x21, 0x04}, {0xA1, 0x02}, // ICW3: slave on IRQ2
		{0x21, 0x01}, {0xA1, 0x01}, // ICW4: 8086 mode
		{0x21, 0xF8}, {0xA1, 0xFF}, // masks
	} {
		b.host.Out(w.port, 1, uint32(w.v))
	}
}

// ticksFromRTC returns the BDA tick count for the RTC's time of day.
func (b *BIOS) ticksFromRTC() uint32 {
	h, m, s := b.rtcTime()
	secs := uint64(h)*3600 + uint64(m)*60 + uint64(s)
	return uint32(secs * ticksPerDay / 86400)
}
