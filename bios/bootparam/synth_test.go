package bootparam

import (
	"encoding/binary"
)

// synth describes a synthetic bzImage for tests: a header like a real
// kernel's, tiny setup code and a small protected-mode part.
type synth struct {
	setupSects    uint8 // as stored in the file (0 means 4)
	version       uint16
	loadFlags     uint8
	code32Start   uint32
	initrdAddrMax uint32
	cmdlineSize   uint32
	kernelAlign   uint32
	relocatable   bool
	prefAddress   uint64
	initSize      uint32
	payloadLen    int
	versionStr    string
}

func defaultSynth() synth {
	return synth{
		setupSects:    1,
		version:       0x020F,
		loadFlags:     LoadedHigh,
		code32Start:   HighLoadAddr,
		initrdAddrMax: 0x7FFFFFFF,
		cmdlineSize:   2047,
		kernelAlign:   0x200000,
		relocatable:   true,
		prefAddress:   0x1000000,
		initSize:      0x200000,
		payloadLen:    256,
		versionStr:    "6.1.0-synthetic (bt86@test) #1",
	}
}

// build returns the file bytes.
func (s synth) build() []byte {
	sects := int(s.setupSects)
	if sects == 0 {
		sects = 4
	}
	setupLen := (sects + 1) * 512
	b := make([]byte, setupLen+s.payloadLen)
	p16 := func(off int, v uint16) { binary.LittleEndian.PutUint16(b[off:], v) }
	p32 := func(off int, v uint32) { binary.LittleEndian.PutUint32(b[off:], v) }
	p64 := func(off int, v uint64) { binary.LittleEndian.PutUint64(b[off:], v) }

	b[offSetupSects] = s.setupSects
	p16(offBootFlag, BootFlagMagic)
	b[offJump] = 0xEB                         // jmp short
	b[offJump+1] = byte(maxHeaderEnd - 0x202) // header ends after kernel_info_offset
	p32(offHeaderMagic, HeaderMagic)
	p16(offVersion, s.version)
	b[offLoadFlags] = s.loadFlags
	p32(offCode32Start, s.code32Start)
	p32(offInitrdAddrMax, s.initrdAddrMax)
	p32(offKernelAlignment, s.kernelAlign)
	if s.relocatable {
		b[offRelocatable] = 1
	}
	b[offMinAlignment] = 13
	p32(offCmdlineSize, s.cmdlineSize)
	p64(offPrefAddress, s.prefAddress)
	p32(offInitSize, s.initSize)
	p32(offSysSize, uint32((s.payloadLen+15)/16))
	if s.payloadLen >= 16 {
		p32(offPayloadOffset, 8)
		p32(offPayloadLength, 8)
	}
	if s.versionStr != "" && setupLen >= 0x300+len(s.versionStr)+1 {
		p16(offKernelVersion, 0x100) // string at 0x300
		copy(b[0x300:], s.versionStr)
	}
	for i := range s.payloadLen {
		b[setupLen+i] = byte(i*7 + 1)
	}
	return b
}
