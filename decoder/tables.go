package decoder

// Immediate kinds.
const (
	immNone uint8 = iota
	immB          // 8-bit, zero-extended
	immBS         // 8-bit, sign-extended (also Jb)
	immW          // 16-bit
	immZ          // 16 or 32 bits by operand size (also Jz; sign-extended when 16)
	immAp         // far pointer: offset (16/32 by operand size) then selector
	immO          // moffs: 16/32 by address size
	immWB         // ENTER: Iw then Ib
)

// attr describes one opcode of a map.
type attr struct {
	modrm   bool
	imm     uint8
	group   int8 // -1 none
	invalid bool
	lock    bool // LOCK allowed (with a memory destination)
	memOnly bool // register form is #UD
	// regOK, when non-zero, is the set of ModRM reg values (bit n for
	// reg n) that encode an instruction; the others are #UD.
	regOK uint8
}

const none = -1

// opAttrs returns the attribute tables of the one-byte and 0F maps.
func opAttrs() (one, two [256]attr) {
	for i := range one {
		one[i] = attr{group: none}
		two[i] = attr{group: none, invalid: true}
	}
	set := func(t *[256]attr, lo, hi int, a attr) {
		for i := lo; i <= hi; i++ {
			t[i] = a
		}
	}
	m := attr{modrm: true, group: none}
	mLock := attr{modrm: true, group: none, lock: true}
	plain := attr{group: none}
	// ALU blocks 00-3F.
	for base := 0; base < 0x40; base += 8 {
		lk := mLock
		if base == 0x38 { // CMP is not lockable
			lk = m
		}
		one[base+0], one[base+1] = lk, lk
		one[base+2], one[base+3] = m, m
		one[base+4] = attr{imm: immB, group: none}
		one[base+5] = attr{imm: immZ, group: none}
	}
	one[0x62] = attr{modrm: true, group: none, memOnly: true} // BOUND
	one[0x63] = m                                             // ARPL
	one[0x68] = attr{imm: immZ, group: none}
	one[0x69] = attr{modrm: true, imm: immZ, group: none}
	one[0x6A] = attr{imm: immBS, group: none}
	one[0x6B] = attr{modrm: true, imm: immBS, group: none}
	set(&one, 0x70, 0x7F, attr{imm: immBS, group: none})
	one[0x80] = attr{modrm: true, imm: immB, group: Grp1EbIb}
	one[0x81] = attr{modrm: true, imm: immZ, group: Grp1EvIz}
	one[0x82] = attr{modrm: true, imm: immB, group: Grp1EbIb}
	one[0x83] = attr{modrm: true, imm: immBS, group: Grp1EvIb}
	set(&one, 0x84, 0x85, m)
	set(&one, 0x86, 0x87, mLock)
	set(&one, 0x88, 0x8B, m)
	// MOV Ev,Sw / MOV Sw,Ew: Sreg 6 and 7 do not exist, and CS cannot be
	// loaded (#UD since the 80186).
	one[0x8C] = attr{modrm: true, group: none, regOK: 0x3F}
	one[0x8D] = attr{modrm: true, group: none, memOnly: true}
	one[0x8E] = attr{modrm: true, group: none, regOK: 0x3D}
	one[0x8F] = attr{modrm: true, group: Grp1aPop}
	one[0x9A] = attr{imm: immAp, group: none}
	set(&one, 0xA0, 0xA3, attr{imm: immO, group: none})
	one[0xA8] = attr{imm: immB, group: none}
	one[0xA9] = attr{imm: immZ, group: none}
	set(&one, 0xB0, 0xB7, attr{imm: immB, group: none})
	set(&one, 0xB8, 0xBF, attr{imm: immZ, group: none})
	one[0xC0] = attr{modrm: true, imm: immB, group: Grp2EbIb}
	one[0xC1] = attr{modrm: true, imm: immB, group: Grp2EvIb}
	one[0xC2] = attr{imm: immW, group: none}
	one[0xC4] = attr{modrm: true, group: none, memOnly: true}
	one[0xC5] = attr{modrm: true, group: none, memOnly: true}
	one[0xC6] = attr{modrm: true, imm: immB, group: Grp11EbIb}
	one[0xC7] = attr{modrm: true, imm: immZ, group: Grp11EvIz}
	one[0xC8] = attr{imm: immWB, group: none}
	one[0xCA] = attr{imm: immW, group: none}
	one[0xCD] = attr{imm: immB, group: none}
	one[0xD0] = attr{modrm: true, group: Grp2Eb1}
	one[0xD1] = attr{modrm: true, group: Grp2Ev1}
	one[0xD2] = attr{modrm: true, group: Grp2EbCL}
	one[0xD3] = attr{modrm: true, group: Grp2EvCL}
	one[0xD4] = attr{imm: immB, group: none}
	one[0xD5] = attr{imm: immB, group: none}
	set(&one, 0xD8, 0xDF, m)
	set(&one, 0xE0, 0xE3, attr{imm: immBS, group: none})
	set(&one, 0xE4, 0xE7, attr{imm: immB, group: none})
	one[0xE8] = attr{imm: immZ, group: none}
	one[0xE9] = attr{imm: immZ, group: none}
	one[0xEA] = attr{imm: immAp, group: none}
	one[0xEB] = attr{imm: immBS, group: none}
	one[0xF6] = attr{modrm: true, group: Grp3Eb} // TEST forms add Ib
	one[0xF7] = attr{modrm: true, group: Grp3Ev} // TEST forms add Iz
	one[0xFE] = attr{modrm: true, group: Grp4}
	one[0xFF] = attr{modrm: true, group: Grp5}
	_ = plain

	// Two-byte map (386 through P6 integer, system and x87 support).
	two[0x00] = attr{modrm: true, group: Grp6}
	two[0x01] = attr{modrm: true, group: Grp7}
	two[0x02], two[0x03] = m, m // LAR, LSL
	for _, op := range []int{0x06, 0x08, 0x09, 0x0B, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0xA0, 0xA1, 0xA2, 0xA8, 0xA9} {
		two[op] = attr{group: none}
	}
	two[0x0D] = m            // hint NOP (PREFETCHW family)
	set(&two, 0x18, 0x1F, m) // hint NOPs, NOP Ev
	set(&two, 0x20, 0x23, m) // MOV to/from CRn/DRn (mod is ignored: always registers)
	// CR1 and CR5-CR7 do not exist: #UD whatever the mode. (DR4/DR5
	// depend on CR4.DE, so the CPU decides those.)
	two[0x20].regOK, two[0x22].regOK = 0x1D, 0x1D
	set(&two, 0x40, 0x4F, m) // CMOVcc
	set(&two, 0x80, 0x8F, attr{imm: immZ, group: none})
	set(&two, 0x90, 0x9F, m) // SETcc
	two[0xA3] = m
	two[0xA4] = attr{modrm: true, imm: immB, group: none}
	two[0xA5] = m
	two[0xAB] = mLock
	two[0xAC] = attr{modrm: true, imm: immB, group: none}
	two[0xAD] = m
	two[0xAE] = attr{modrm: true, group: Grp15}
	two[0xAF] = m
	two[0xB0], two[0xB1] = mLock, mLock
	two[0xB2] = attr{modrm: true, group: none, memOnly: true}
	two[0xB3] = mLock
	two[0xB4] = attr{modrm: true, group: none, memOnly: true}
	two[0xB5] = attr{modrm: true, group: none, memOnly: true}
	two[0xB6], two[0xB7] = m, m
	two[0xB9] = attr{modrm: true, group: none, invalid: true} // UD1
	two[0xBA] = attr{modrm: true, imm: immB, group: Grp8}
	two[0xBB] = mLock
	two[0xBC], two[0xBD], two[0xBE], two[0xBF] = m, m, m, m
	two[0xC0], two[0xC1] = mLock, mLock
	two[0xC7] = attr{modrm: true, group: Grp9}
	set(&two, 0xC8, 0xCF, attr{group: none})
	two[0xFF] = attr{modrm: true, group: none, invalid: true} // UD0
	return one, two
}

// groupLock reports whether reg of group g accepts LOCK with a memory
// operand, and groupValid whether the encoding exists at all.
func groupInfo(g, reg int, mem bool) (valid, lock bool) {
	switch g {
	case Grp1EbIb, Grp1EvIz, Grp1EvIb:
		return true, reg != 7
	case Grp1aPop, Grp11EbIb, Grp11EvIz:
		return reg == 0, false
	case Grp2EbIb, Grp2EvIb, Grp2Eb1, Grp2Ev1, Grp2EbCL, Grp2EvCL:
		return true, false // reg 6 is the undocumented SAL alias
	case Grp3Eb, Grp3Ev:
		return true, reg == 2 || reg == 3 // reg 1 is the TEST alias
	case Grp4:
		return reg <= 1, reg <= 1
	case Grp5:
		switch reg {
		case 0, 1:
			return true, true
		case 3, 5:
			return mem, false // far CALL/JMP need a memory operand
		case 7:
			return false, false
		}
		return true, false
	case Grp6:
		return reg <= 5, false
	case Grp7:
		if !mem {
			// Register forms: SMSW Rv (reg 4) and LMSW Ew (reg 6) take
			// registers; 0F 01 /0../3 and /7 with mod=3 are VMX, MONITOR,
			// SWAPGS-class encodings a P6 does not have.
			return reg == 4 || reg == 6, false
		}
		return reg != 5, false
	case Grp8:
		return reg >= 4, reg >= 5
	case Grp9:
		return reg == 1 && mem, true
	case Grp15:
		if mem {
			return reg <= 1, false // FXSAVE, FXRSTOR
		}
		return false, false
	}
	return false, false
}

// x87Table returns the x87 validity tables: per escape (0-7 for D8-DF), a
// 64-bit set of the valid register forms, indexed by ModRM&0x3F, and an
// 8-bit set of the ModRM reg values whose memory forms are #UD.
//
// The undocumented register-form aliases real P6 hardware executes are
// valid: D9 D8-DF (FSTP1), DC D0-DF (FCOM2, FCOMP3), DD C8-CF (FXCH4),
// DE D0-D7 (FCOMP5), DF C0-DF (FFREEP, FXCH7, FSTP8, FSTP9), and DB E0,
// E1, E4 (FENI, FDISI, FSETPM: NOPs since the 387). The reserved
// encodings are #UD, and so are the memory forms D9 /1, DB /4, DB /6 and
// DD /5 (reserved) and DB/DD/DF /1 (FISTTP, new in SSE3).
func x87Table() (regOK [8]uint64, memBad [8]uint8) {
	valid := [8][][2]byte{ // [lo, hi] ranges of valid register-form ModRM bytes
		0: {{0xC0, 0xFF}},
		1: {{0xC0, 0xD0}, {0xD8, 0xE1}, {0xE4, 0xE5}, {0xE8, 0xEE}, {0xF0, 0xFF}},
		2: {{0xC0, 0xDF}, {0xE9, 0xE9}},
		3: {{0xC0, 0xE4}, {0xE8, 0xF7}},
		4: {{0xC0, 0xFF}},
		5: {{0xC0, 0xEF}},
		6: {{0xC0, 0xD7}, {0xD9, 0xD9}, {0xE0, 0xFF}},
		7: {{0xC0, 0xE0}, {0xE8, 0xF7}},
	}
	for esc, rs := range valid {
		for _, r := range rs {
			for m := int(r[0]); m <= int(r[1]); m++ {
				regOK[esc] |= 1 << (m & 0x3F)
			}
		}
	}
	memBad = [8]uint8{1: 1 << 1, 3: 1<<1 | 1<<4 | 1<<6, 5: 1<<1 | 1<<5, 7: 1 << 1}
	return regOK, memBad
}
