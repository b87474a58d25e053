package decoder

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/arch/x86/x86asm"
)

// Flag shorthands for the golden table.
const (
	o32 = FlagOp32
	a32 = FlagAddr32
	f32 = FlagOp32 | FlagAddr32
	mr  = FlagModRM
	mm  = FlagModRM | FlagMem
)

// want builds an expected Inst: key op, length n, last opcode byte opc and
// flags, with no memory operand (Seg DS, Base and Index RegNone) unless an
// option says otherwise.
func want(op uint16, n int, opc byte, flags uint16, opts ...func(*Inst)) Inst {
	in := Inst{Op: op, Len: uint8(n), Opcode: opc, Flags: flags, Seg: DS, Base: RegNone, Index: RegNone}
	for _, o := range opts {
		o(&in)
	}
	return in
}

func modrm(m byte) func(*Inst) { return func(in *Inst) { in.ModRM = m } }

// ea sets the memory operand: segment, base, index, scale shift, disp.
func ea(seg, base, index, scale int, disp uint32) func(*Inst) {
	return func(in *Inst) {
		in.Seg, in.Base, in.Index, in.Scale, in.Disp = uint8(seg), uint8(base), uint8(index), uint8(scale), disp
	}
}

func seg(s int) func(*Inst)       { return func(in *Inst) { in.Seg = uint8(s) } }
func imm(v uint32) func(*Inst)    { return func(in *Inst) { in.Imm = v } }
func imm2(v uint32) func(*Inst)   { return func(in *Inst) { in.Imm2 = v } }
func disp(v uint32) func(*Inst)   { return func(in *Inst) { in.Disp = v } }
func ud(n int) Inst               { return Inst{Op: OpUD, Len: uint8(n)} }
func g(grp, reg int) uint16       { return GroupKey(grp, reg) }
func x87m(esc byte, r int) uint16 { return X87MemKey(esc, r) }
func x87r(esc, m byte) uint16     { return X87RegKey(esc, m) }

// unhex parses "66 0f b6 c0"-style hex.
func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	require.NoError(t, err, s)
	return b
}

// repeat returns n copies of the hex byte h, space separated.
func repeat(h string, n int) string { return strings.TrimSpace(strings.Repeat(h+" ", n)) }

type goldenCase struct {
	name   string
	code32 bool
	hex    string
	want   Inst
}

// goldenCases are hand-checked encodings. For OpUD and OpTooLong only Op
// and Len are compared (the other fields are unspecified).
var goldenCases = []goldenCase{
	// Plain forms and ModRM/SIB addressing (32-bit).
	{"nop", true, "90", want(0x90, 1, 0x90, f32)},
	{"add eax,ebx", true, "01 d8", want(0x01, 2, 0x01, f32|mr, modrm(0xD8))},
	{"mov eax,[esp] SS default", true, "8b 04 24", want(0x8B, 3, 0x8B, f32|mm, modrm(0x04), ea(SS, ESP, RegNone, 0, 0))},
	{"mov eax,[disp32] SIB no base no index", true, "8b 04 25 78 56 34 12", want(0x8B, 7, 0x8B, f32|mm, modrm(0x04), ea(DS, RegNone, RegNone, 0, 0x12345678))},
	{"mov eax,[ecx*4+disp32] SIB no base", true, "8b 04 8d 00 10 00 00", want(0x8B, 7, 0x8B, f32|mm, modrm(0x04), ea(DS, RegNone, ECX, 2, 0x1000))},
	{"mov eax,[ebp*2+disp32] index EBP stays DS", true, "8b 04 6d 00 00 00 00", want(0x8B, 7, 0x8B, f32|mm, modrm(0x04), ea(DS, RegNone, EBP, 1, 0))},
	{"mov eax,[ebp+0] mod=1 disp 0", true, "8b 45 00", want(0x8B, 3, 0x8B, f32|mm, modrm(0x45), ea(SS, EBP, RegNone, 0, 0))},
	{"mov eax,[ebp+8] via SIB mod=1", true, "8b 44 25 08", want(0x8B, 4, 0x8B, f32|mm, modrm(0x44), ea(SS, EBP, RegNone, 0, 8))},
	{"mov eax,[disp32] mod=0 rm=5", true, "8b 05 44 33 22 11", want(0x8B, 6, 0x8B, f32|mm, modrm(0x05), ea(DS, RegNone, RegNone, 0, 0x11223344))},
	{"mov eax,[esp-4] disp8 sign-extended", true, "8b 44 24 fc", want(0x8B, 4, 0x8B, f32|mm, modrm(0x44), ea(SS, ESP, RegNone, 0, 0xFFFFFFFC))},
	{"mov eax,[ebx+esi*4+0x100]", true, "8b 84 b3 00 01 00 00", want(0x8B, 7, 0x8B, f32|mm, modrm(0x84), ea(DS, EBX, ESI, 2, 0x100))},
	{"mov eax,[eax+ebp*8] EBP as index", true, "8b 04 e8", want(0x8B, 3, 0x8B, f32|mm, modrm(0x04), ea(DS, EAX, EBP, 3, 0))},

	// 16-bit addressing.
	{"16: mov ax,[bx+si]", false, "8b 00", want(0x8B, 2, 0x8B, mm, modrm(0x00), ea(DS, EBX, ESI, 0, 0))},
	{"16: mov ax,[bp+si] SS default", false, "8b 02", want(0x8B, 2, 0x8B, mm, modrm(0x02), ea(SS, EBP, ESI, 0, 0))},
	{"16: mov ax,[bp-2]", false, "8b 46 fe", want(0x8B, 3, 0x8B, mm, modrm(0x46), ea(SS, EBP, RegNone, 0, 0xFFFFFFFE))},
	{"16: mov ax,[0x1234] mod=0 rm=6", false, "8b 06 34 12", want(0x8B, 4, 0x8B, mm, modrm(0x06), ea(DS, RegNone, RegNone, 0, 0x1234))},
	{"16: mov ax,[bp+0x8234] disp16", false, "8b 86 34 82", want(0x8B, 4, 0x8B, mm, modrm(0x86), ea(SS, EBP, RegNone, 0, 0x8234))},
	{"16: mov ax,[bx]", false, "8b 07", want(0x8B, 2, 0x8B, mm, modrm(0x07), ea(DS, EBX, RegNone, 0, 0))},

	// Segment overrides and prefix precedence.
	{"16: es:[bp+0] override wins over SS", false, "26 8b 46 00", want(0x8B, 4, 0x8B, mm|FlagSegOvr, modrm(0x46), ea(ES, EBP, RegNone, 0, 0))},
	{"fs:[ebp+0]", true, "64 8b 45 00", want(0x8B, 4, 0x8B, f32|mm|FlagSegOvr, modrm(0x45), ea(FS, EBP, RegNone, 0, 0))},
	{"ss:[ebx] explicit", true, "36 8b 03", want(0x8B, 3, 0x8B, f32|mm|FlagSegOvr, modrm(0x03), ea(SS, EBX, RegNone, 0, 0))},
	{"last segment override wins", true, "2e 3e 26 8b 03", want(0x8B, 5, 0x8B, f32|mm|FlagSegOvr, modrm(0x03), ea(ES, EBX, RegNone, 0, 0))},
	{"ds override on [esp]", true, "3e 8b 04 24", want(0x8B, 4, 0x8B, f32|mm|FlagSegOvr, modrm(0x04), ea(DS, ESP, RegNone, 0, 0))},
	{"rep then repne: repne wins", true, "f3 f2 a6", want(0xA6, 3, 0xA6, f32|FlagRepne)},
	{"repne then rep: rep wins", true, "f2 f3 a4", want(0xA4, 3, 0xA4, f32|FlagRep)},
	{"lodsb es: source segment", true, "26 ac", want(0xAC, 2, 0xAC, f32|FlagSegOvr, seg(ES))},
	{"xlat default DS", true, "d7", want(0xD7, 1, 0xD7, f32)},

	// Operand/address-size prefixes.
	{"66 mov ax,imm16 in 32-bit", true, "66 b8 34 12", want(0xB8, 4, 0xB8, a32|FlagOpSize, imm(0x1234))},
	{"16: 66 mov eax,imm32", false, "66 b8 78 56 34 12", want(0xB8, 6, 0xB8, o32|FlagOpSize, imm(0x12345678))},
	{"67 mov eax,[bx] in 32-bit", true, "67 8b 07", want(0x8B, 3, 0x8B, o32|mm, modrm(0x07), ea(DS, EBX, RegNone, 0, 0))},
	{"16: 66 67 mov eax,[esp]", false, "66 67 8b 04 24", want(0x8B, 5, 0x8B, f32|mm|FlagOpSize, modrm(0x04), ea(SS, ESP, RegNone, 0, 0))},
	{"67 66 order does not matter", true, "67 66 8b 46 fe", want(0x8B, 5, 0x8B, mm|FlagOpSize, modrm(0x46), ea(SS, EBP, RegNone, 0, 0xFFFFFFFE))},
	{"66 push imm16 sign-extended", true, "66 68 00 80", want(0x68, 4, 0x68, a32|FlagOpSize, imm(0xFFFF8000))},

	// moffs, far pointers, ENTER and other immediates.
	{"mov eax,[moffs32]", true, "a1 78 56 34 12", want(0xA1, 5, 0xA1, f32|FlagMem, disp(0x12345678))},
	{"67 mov eax,[moffs16]", true, "67 a1 34 12", want(0xA1, 4, 0xA1, o32|FlagMem, disp(0x1234))},
	{"16: 67 mov al,[moffs32]", false, "67 a0 78 56 34 12", want(0xA0, 6, 0xA0, a32|FlagMem, disp(0x12345678))},
	{"gs: mov [moffs32],eax", true, "65 a3 00 00 01 00", want(0xA3, 6, 0xA3, f32|FlagMem|FlagSegOvr, ea(GS, RegNone, RegNone, 0, 0x10000))},
	{"jmp far ptr16:32", true, "ea 78 56 34 12 00 f0", want(0xEA, 7, 0xEA, f32, imm(0x12345678), imm2(0xF000))},
	{"66 jmp far ptr16:16 in 32-bit", true, "66 ea 34 12 00 f0", want(0xEA, 6, 0xEA, a32|FlagOpSize, imm(0x1234), imm2(0xF000))},
	{"16: jmp f000:e05b", false, "ea 5b e0 00 f0", want(0xEA, 5, 0xEA, 0, imm(0xE05B), imm2(0xF000))},
	{"16: 66 call far ptr16:32", false, "66 9a 78 56 34 12 08 00", want(0x9A, 8, 0x9A, o32|FlagOpSize, imm(0x12345678), imm2(8))},
	{"enter 0x10,1", true, "c8 10 00 01", want(0xC8, 4, 0xC8, f32, imm(0x10), imm2(1))},
	{"ret 8", true, "c2 08 00", want(0xC2, 3, 0xC2, f32, imm(8))},
	{"jz short -2", true, "74 fe", want(0x74, 2, 0x74, f32, imm(0xFFFFFFFE))},
	{"jz near rel32", true, "0f 84 00 01 00 00", want(TwoByte|0x84, 6, 0x84, f32, imm(0x100))},
	{"16: jz near rel16 sign-extended", false, "0f 84 fc ff", want(TwoByte|0x84, 4, 0x84, 0, imm(0xFFFFFFFC))},
	{"67 jecxz toggles to jcxz", true, "67 e3 10", want(0xE3, 3, 0xE3, o32, imm(0x10))},
	{"int 0x80", true, "cd 80", want(0xCD, 2, 0xCD, f32, imm(0x80))},
	{"in al,0xe4 zero-extended", true, "e4 e4", want(0xE4, 2, 0xE4, f32, imm(0xE4))},

	// Groups.
	{"add eax,-1 (83 /0 sign-extends)", true, "83 c0 ff", want(g(Grp1EvIb, 0), 3, 0x83, f32|mr, modrm(0xC0), imm(0xFFFFFFFF))},
	{"add al,0xff (80 /0 zero-extends)", true, "80 c0 ff", want(g(Grp1EbIb, 0), 3, 0x80, f32|mr, modrm(0xC0), imm(0xFF))},
	{"82 alias of 80", true, "82 c0 01", want(g(Grp1EbIb, 0), 3, 0x82, f32|mr, modrm(0xC0), imm(1))},
	{"cmp dword [ebx+4],imm32", true, "81 7b 04 78 56 34 12", want(g(Grp1EvIz, 7), 7, 0x81, f32|mm, modrm(0x7B), ea(DS, EBX, RegNone, 0, 4), imm(0x12345678))},
	{"imul eax,eax,0x10", true, "69 c0 10 00 00 00", want(0x69, 6, 0x69, f32|mr, modrm(0xC0), imm(0x10))},
	{"test al,0x0f (F6 /0 has Ib)", true, "f6 c0 0f", want(g(Grp3Eb, 0), 3, 0xF6, f32|mr, modrm(0xC0), imm(0x0F))},
	{"test alias F7 /1 has Iz", true, "f7 c8 78 56 34 12", want(g(Grp3Ev, 1), 6, 0xF7, f32|mr, modrm(0xC8), imm(0x12345678))},
	{"16: test ax,imm16", false, "f7 c0 34 12", want(g(Grp3Ev, 0), 4, 0xF7, mr, modrm(0xC0), imm(0x1234))},
	{"not eax (F7 /2 has no imm)", true, "f7 d0", want(g(Grp3Ev, 2), 2, 0xF7, f32|mr, modrm(0xD0))},
	{"sal alias D1 /6", true, "d1 f0", want(g(Grp2Ev1, 6), 2, 0xD1, f32|mr, modrm(0xF0))},
	{"call far [eax] (FF /3 mem)", true, "ff 18", want(g(Grp5, 3), 2, 0xFF, f32|mm, modrm(0x18), ea(DS, EAX, RegNone, 0, 0))},
	{"FF /3 register form", true, "ff d8", ud(2)},
	{"FF /7", true, "ff 38", ud(2)},
	{"pop eax (8F /0)", true, "8f c0", want(g(Grp1aPop, 0), 2, 0x8F, f32|mr, modrm(0xC0))},
	{"8F /1", true, "8f c8", ud(2)},
	{"C6 /1", true, "c6 c8 00", ud(3)},
	{"C7 /7 (XBEGIN on TSX)", true, "c7 f8 00 00 00 00", ud(6)},
	{"FE /2", true, "fe d0", ud(2)},
	{"0F 00 /6", true, "0f 00 f0", ud(3)},
	{"verw ax (0F 00 /5)", true, "0f 00 e8", want(g(Grp6, 5), 3, 0x00, f32|mr, modrm(0xE8))},
	{"0F 01 C8 (MONITOR)", true, "0f 01 c8", ud(3)},
	{"smsw eax (0F 01 /4 reg)", true, "0f 01 e0", want(g(Grp7, 4), 3, 0x01, f32|mr, modrm(0xE0))},
	{"invlpg [eax]", true, "0f 01 38", want(g(Grp7, 7), 3, 0x01, f32|mm, modrm(0x38), ea(DS, EAX, RegNone, 0, 0))},
	{"0F 01 /5 mem", true, "0f 01 28", ud(3)},
	{"bt eax,5 (0F BA /4)", true, "0f ba e0 05", want(g(Grp8, 4), 4, 0xBA, f32|mr, modrm(0xE0), imm(5))},
	{"0F BA /0", true, "0f ba c0 05", ud(4)},
	{"cmpxchg8b [edi]", true, "0f c7 0f", want(g(Grp9, 1), 3, 0xC7, f32|mm, modrm(0x0F), ea(DS, EDI, RegNone, 0, 0))},
	{"cmpxchg8b register form", true, "0f c7 c8", ud(3)},
	{"0F C7 /6 (RDRAND)", true, "0f c7 f0", ud(3)},
	{"fxsave [eax]", true, "0f ae 00", want(g(Grp15, 0), 3, 0xAE, f32|mm, modrm(0x00), ea(DS, EAX, RegNone, 0, 0))},

	// memOnly forms.
	{"lea eax,eax", true, "8d c0", ud(2)},
	{"16: les bx,[0x1234]", false, "c4 1e 34 12", want(0xC4, 4, 0xC4, mm, modrm(0x1E), ea(DS, RegNone, RegNone, 0, 0x1234))},
	{"les with register", false, "c4 c0", ud(2)},
	{"lds with register (VEX in 32-bit on AVX)", true, "c5 c0", ud(2)},
	{"lss with register", true, "0f b2 c0", ud(3)},
	{"bound with register", true, "62 c0", ud(2)},

	// LOCK.
	{"lock add [ebx],eax", true, "f0 01 03", want(0x01, 3, 0x01, f32|mm|FlagLock, modrm(0x03), ea(DS, EBX, RegNone, 0, 0))},
	{"lock add ebx,eax (register destination)", true, "f0 01 c3", ud(3)},
	{"lock add eax,[ebx] (memory source)", true, "f0 03 03", ud(3)},
	{"lock cmp [ebx],eax", true, "f0 39 03", ud(3)},
	{"lock mov [ebx],eax", true, "f0 89 03", ud(3)},
	{"lock xchg [ebx],eax", true, "f0 87 03", want(0x87, 3, 0x87, f32|mm|FlagLock, modrm(0x03), ea(DS, EBX, RegNone, 0, 0))},
	{"lock bts dword [ebx],5", true, "f0 0f ba 2b 05", want(g(Grp8, 5), 5, 0xBA, f32|mm|FlagLock, modrm(0x2B), ea(DS, EBX, RegNone, 0, 0), imm(5))},
	{"lock bt [ebx],5", true, "f0 0f ba 23 05", ud(5)},
	{"lock cmpxchg8b [edi]", true, "f0 0f c7 0f", want(g(Grp9, 1), 4, 0xC7, f32|mm|FlagLock, modrm(0x0F), ea(DS, EDI, RegNone, 0, 0))},
	{"lock not byte [eax]", true, "f0 f6 10", want(g(Grp3Eb, 2), 3, 0xF6, f32|mm|FlagLock, modrm(0x10), ea(DS, EAX, RegNone, 0, 0))},
	{"lock test [eax],imm8", true, "f0 f6 00 01", ud(4)},
	{"lock inc [eax] (FF /0)", true, "f0 ff 00", want(g(Grp5, 0), 3, 0xFF, f32|mm|FlagLock, modrm(0x00), ea(DS, EAX, RegNone, 0, 0))},
	{"lock nop", true, "f0 90", ud(2)},
	{"lock mov cr0,eax", true, "f0 0f 22 c0", ud(4)},

	// MOV CRn/DRn and Sreg.
	{"mov eax,cr0", true, "0f 20 c0", want(TwoByte|0x20, 3, 0x20, f32|mr, modrm(0xC0))},
	{"mov cr3,eax with mod=0 is still a register", true, "0f 22 18", want(TwoByte|0x22, 3, 0x22, f32|mr, modrm(0x18))},
	{"16: mov dr7,eax mod=1 takes no disp", false, "0f 23 78", want(TwoByte|0x23, 3, 0x23, mr, modrm(0x78))},
	{"fuzz: mov cr behind 9 prefixes, mod=0 rm=5 takes no disp32", true, repeat("26", 9) + " 0f 20 25", want(TwoByte|0x20, 12, 0x20, f32|mr|FlagSegOvr, modrm(0x25), seg(ES))},
	{"mov eax,cr1", true, "0f 20 c8", ud(3)},
	{"mov cr5,eax", true, "0f 22 e8", ud(3)},
	{"mov ds,ax", true, "8e d8", want(0x8E, 2, 0x8E, f32|mr, modrm(0xD8))},
	{"mov cs,ax", true, "8e c8", ud(2)},
	{"mov ax,sreg6", true, "8c f0", ud(2)},

	// x87: one key per escape, memory and register forms, reserved forms.
	{"fadd st,st1", true, "d8 c1", want(x87r(0xD8, 0xC1), 2, 0xD8, f32|mr, modrm(0xC1))},
	{"fld st0", true, "d9 c0", want(x87r(0xD9, 0xC0), 2, 0xD9, f32|mr, modrm(0xC0))},
	{"fnstcw [eax]", true, "d9 38", want(x87m(0xD9, 7), 2, 0xD9, f32|mm, modrm(0x38), ea(DS, EAX, RegNone, 0, 0))},
	{"fucompp", true, "da e9", want(x87r(0xDA, 0xE9), 2, 0xDA, f32|mr, modrm(0xE9))},
	{"fiadd dword [ebx]", true, "da 03", want(x87m(0xDA, 0), 2, 0xDA, f32|mm, modrm(0x03), ea(DS, EBX, RegNone, 0, 0))},
	{"fninit", true, "db e3", want(x87r(0xDB, 0xE3), 2, 0xDB, f32|mr, modrm(0xE3))},
	{"fstp tword [ebp-10]", true, "db 7d f6", want(x87m(0xDB, 7), 3, 0xDB, f32|mm, modrm(0x7D), ea(SS, EBP, RegNone, 0, 0xFFFFFFF6))},
	{"fmul qword [esi]", true, "dc 0e", want(x87m(0xDC, 1), 2, 0xDC, f32|mm, modrm(0x0E), ea(DS, ESI, RegNone, 0, 0))},
	{"fcom2 alias", true, "dc d1", want(x87r(0xDC, 0xD1), 2, 0xDC, f32|mr, modrm(0xD1))},
	{"16: fld qword [bp-8]", false, "dd 46 f8", want(x87m(0xDD, 0), 3, 0xDD, mm, modrm(0x46), ea(SS, EBP, RegNone, 0, 0xFFFFFFF8))},
	{"fucomp st3", true, "dd eb", want(x87r(0xDD, 0xEB), 2, 0xDD, f32|mr, modrm(0xEB))},
	{"faddp st1", true, "de c1", want(x87r(0xDE, 0xC1), 2, 0xDE, f32|mr, modrm(0xC1))},
	{"fcompp", true, "de d9", want(x87r(0xDE, 0xD9), 2, 0xDE, f32|mr, modrm(0xD9))},
	{"fnstsw ax", true, "df e0", want(x87r(0xDF, 0xE0), 2, 0xDF, f32|mr, modrm(0xE0))},
	{"fild qword [eax]", true, "df 28", want(x87m(0xDF, 5), 2, 0xDF, f32|mm, modrm(0x28), ea(DS, EAX, RegNone, 0, 0))},
	{"D9 D1 reserved", true, "d9 d1", ud(2)},
	{"D9 /1 mem reserved", true, "d9 08", ud(2)},
	{"DB /4 mem reserved", true, "db 20", ud(2)},
	{"DD /1 mem is FISTTP (SSE3)", true, "dd 08", ud(2)},
	{"DE D8 reserved", true, "de d8", ud(2)},
	{"DF F8 reserved", true, "df f8", ud(2)},

	// Hint NOPs, odd one-byte opcodes, #UD space.
	{"nop dword [eax+eax]", true, "0f 1f 44 00 00", want(TwoByte|0x1F, 5, 0x1F, f32|mm, modrm(0x44), ea(DS, EAX, EAX, 0, 0))},
	{"endbr32 is rep + hint nop", true, "f3 0f 1e fb", want(TwoByte|0x1E, 4, 0x1E, f32|mr|FlagRep, modrm(0xFB))},
	{"salc", true, "d6", want(0xD6, 1, 0xD6, f32)},
	{"ud2 has its own key", true, "0f 0b", want(TwoByte|0x0B, 2, 0x0B, f32)},
	{"ud0", true, "0f ff 00", ud(3)},
	{"0F 38 map", true, "0f 38 00 c0", ud(2)},
	{"movaps (SSE)", true, "0f 28 c1", ud(2)},

	// The 15-byte limit.
	{"14 prefixes + nop = 15 bytes", true, repeat("26", 14) + " 90", want(0x90, 15, 0x90, f32|FlagSegOvr, seg(ES))},
	{"15 prefixes + nop", true, repeat("26", 15) + " 90", Inst{Op: OpTooLong, Len: MaxLen}},
	{"16 prefixes", true, repeat("66", 16), Inst{Op: OpTooLong, Len: MaxLen}},
	{"15 prefix bytes given, nothing else", true, repeat("f3", 15), Inst{Op: OpTooLong, Len: MaxLen}},
	{"16 bytes by immediates", true, repeat("3e", 5) + " 81 84 24 01 02 03 04 78 56 34 12", Inst{Op: OpTooLong, Len: MaxLen}},
	{"16 bytes, only 15 given", true, repeat("3e", 5) + " 81 84 24 01 02 03 04 78 56 34", Inst{Op: OpTooLong, Len: MaxLen}},
	{"exactly 15 bytes", true, repeat("3e", 4) + " 81 84 24 01 02 03 04 78 56 34 12", want(g(Grp1EvIz, 0), 15, 0x81, f32|mm|FlagSegOvr, modrm(0x84), ea(DS, ESP, RegNone, 0, 0x04030201), imm(0x12345678))},
}

func TestGolden(t *testing.T) {
	d := New()
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			b := unhex(t, tc.hex)
			got, err := d.Decode(b, tc.code32)
			require.NoError(t, err)
			if tc.want.Op == OpUD || tc.want.Op == OpTooLong {
				assert.Equal(t, tc.want.Op, got.Op, "Op %#x", got.Op)
				assert.Equal(t, tc.want.Len, got.Len, "Len")
				return
			}
			assert.Equal(t, tc.want, got)
			// Trailing bytes never change the result.
			got2, err := d.Decode(append(append([]byte(nil), b...), 0x0F, 0x0F, 0xFF, 0x66), tc.code32)
			require.NoError(t, err)
			assert.Equal(t, got, got2, "with trailing bytes")
		})
	}
}

// TestGoldenTruncated decodes every proper prefix of every golden
// encoding: each must report ErrTruncated, never a shorter instruction.
func TestGoldenTruncated(t *testing.T) {
	d := New()
	for _, tc := range goldenCases {
		b := unhex(t, tc.hex)
		n := int(tc.want.Len)
		if tc.want.Op == OpTooLong {
			n = MaxLen // b[:k] for k < 15 is still just truncated
		}
		for k := 0; k < n && k < len(b); k++ {
			_, err := d.Decode(b[:k], tc.code32)
			assert.ErrorIs(t, err, ErrTruncated, "%s: %d of %d bytes", tc.name, k, n)
		}
	}
}

// TestGoldenNoAliasing checks that Decode neither keeps nor writes the
// input slice.
func TestGoldenNoAliasing(t *testing.T) {
	d := New()
	for _, tc := range goldenCases {
		b := unhex(t, tc.hex)
		c := bytes.Clone(b)
		_, _ = d.Decode(b, tc.code32)
		assert.Equal(t, c, b, tc.name)
	}
}

// TestKeysInRange decodes every two-byte sequence behind each prefix kind
// and checks the Op bound the CPU's dispatch table relies on.
func TestKeysInRange(t *testing.T) {
	d := New()
	buf := make([]byte, 20)
	for _, code32 := range []bool{false, true} {
		for i := 0; i < 1<<16; i++ {
			buf[0], buf[1] = byte(i>>8), byte(i)
			in, err := d.Decode(buf, code32)
			require.NoError(t, err)
			require.Less(t, in.Op, uint16(NumOps), "% x", buf[:2])
			require.True(t, in.Len >= 1 && in.Len <= MaxLen, "% x: Len %d", buf[:2], in.Len)
			if in.Op != OpUD && in.Op != OpTooLong {
				require.True(t, in.Base <= RegNone && in.Index <= RegNone && in.Seg <= GS && in.Scale <= 3, "% x: %+v", buf[:2], in)
			}
		}
	}
}

// TestX87KeysDistinct checks the x87 key layout: one key per (escape,
// reg) memory form and per (escape, ModRM) register form, none colliding
// with each other, with groups, or with OpUD.
func TestX87KeysDistinct(t *testing.T) {
	seen := map[uint16]string{}
	add := func(k uint16, what string) {
		t.Helper()
		prev, dup := seen[k]
		require.False(t, dup, "key %#x: %s and %s", k, prev, what)
		require.Less(t, k, uint16(OpUD), what)
		seen[k] = what
	}
	for esc := byte(0xD8); esc <= 0xDF; esc++ {
		for r := 0; r < 8; r++ {
			add(X87MemKey(esc, r), "mem")
		}
		for m := 0xC0; m <= 0xFF; m++ {
			add(X87RegKey(esc, byte(m)), "reg")
		}
	}
	for grp := 0; grp < numGroups; grp++ {
		for r := 0; r < 8; r++ {
			add(GroupKey(grp, r), "group")
		}
	}
	for op := 0; op < 0x200; op++ {
		add(uint16(op), "opcode")
	}
}

// mix32 is a realistic stream of 32-bit code (compiler-style prologues,
// loads and stores with every addressing form, ALU, branches, string, x87
// and locked operations), one instruction per line.
var mix32 = []string{
	"55", "89 e5", "57", "56", "53", "83 ec 1c", "8b 45 08", "8b 55 0c",
	"85 c0", "74 20", "8b 1c 82", "8d 74 26 00", "0f b6 0a", "83 c2 01",
	"39 d0", "75 f4", "c7 44 24 04 00 00 00 00", "89 04 24", "e8 fc ff ff ff",
	"8b 0d 78 56 34 12", "a1 00 10 00 00", "31 c0", "f3 a5", "0f 84 10 01 00 00",
	"c1 e0 04", "0f af c2", "ff 24 85 00 20 00 00", "66 89 03", "f0 0f b1 11",
	"64 a1 00 00 00 00", "83 c4 1c", "5b", "5e", "5f", "5d", "c3",
	"d9 45 f8", "de c9", "dd 5d f0", "90", "8b 84 24 00 01 00 00", "01 d8",
	"81 e3 ff 0f 00 00", "f7 d8", "0f 95 c0", "0f 4c c2", "8a 06", "88 07",
	"46", "47", "e2 f8", "eb fe",
}

// mix16 is real-mode BIOS-style code.
var mix16 = []string{
	"fa", "31 c0", "8e d8", "8e c0", "8e d0", "bc 00 7c", "fb", "fc",
	"be 00 7c", "bf 00 06", "b9 00 01", "f3 a5", "ea 1d 06 00 00",
	"b4 0e", "ac", "08 c0", "74 06", "cd 10", "eb f5", "8b 46 04", "8b 5e 06",
	"26 8b 07", "89 46 fe", "e8 00 01", "c3", "66 b8 78 56 34 12", "0f 01 16 00 7e",
	"0f 20 c0", "66 83 c8 01", "0f 22 c0", "66 ea 00 00 01 00 08 00", "e4 64", "a8 02",
	"75 fa", "b0 d1", "e6 64",
}

func stream(t testing.TB, mix []string) []byte {
	var b []byte
	for _, s := range mix {
		b = append(b, unhex(t, s)...)
	}
	return b
}

// decodeAll decodes a whole stream and returns the instruction count.
func decodeAll(d *Decoder, code []byte, code32 bool) int {
	n := 0
	for pc := 0; pc < len(code); {
		in, err := d.Decode(code[pc:], code32)
		if err != nil || in.Op == OpUD {
			panic("bad benchmark stream")
		}
		pc += int(in.Len)
		n++
	}
	return n
}

func TestMixDecodes(t *testing.T) {
	d := New()
	for _, m := range []struct {
		mix    []string
		code32 bool
	}{{mix32, true}, {mix16, false}} {
		code := stream(t, m.mix)
		pc := 0
		for _, s := range m.mix {
			in, err := d.Decode(code[pc:], m.code32)
			require.NoError(t, err, s)
			require.NotEqual(t, uint16(OpUD), in.Op, s)
			require.Equal(t, len(unhex(t, s)), int(in.Len), s)
			pc += int(in.Len)
		}
		allocs := testing.AllocsPerRun(100, func() { decodeAll(d, code, m.code32) })
		assert.Zero(t, allocs, "Decode allocates")
	}
}

func benchmarkMix(b *testing.B, mix []string, code32 bool) {
	d := New()
	code := stream(b, mix)
	b.SetBytes(int64(len(code)))
	b.ReportAllocs()
	insns := 0
	for b.Loop() {
		insns += decodeAll(d, code, code32)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(insns), "ns/insn")
	b.ReportMetric(float64(insns)/b.Elapsed().Seconds()/1e6, "Minsn/s")
}

func BenchmarkDecode32(b *testing.B) { benchmarkMix(b, mix32, true) }
func BenchmarkDecode16(b *testing.B) { benchmarkMix(b, mix16, false) }

// BenchmarkX86asm32 decodes the same 32-bit stream with x86asm, for scale.
func BenchmarkX86asm32(b *testing.B) {
	code := stream(b, mix32)
	b.ReportAllocs()
	insns := 0
	for b.Loop() {
		for pc := 0; pc < len(code); {
			in, err := x86asm.Decode(code[pc:], 32)
			if err != nil {
				b.Fatal(err)
			}
			pc += in.Len
			insns++
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(insns), "ns/insn")
}
