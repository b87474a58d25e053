// Package decoder turns x86 machine code (16- and 32-bit modes) into a
// compact, fixed-size Inst that engines cache and execute many times.
//
// Contract: Decode never panics and never fails on bytes: anything that is
// not a valid instruction decodes to OpUD (the CPU raises #UD) and an
// instruction longer than 15 bytes decodes to OpTooLong (#GP(0)). The only
// error is ErrTruncated, returned when the bytes given end before the
// instruction does; the caller fetches more (possibly faulting on the next
// page) and decodes again.
//
// Inst.Op is a dispatch key derived from the encoding: one-byte opcodes are
// 0x000-0x0FF, two-byte (0F xx) opcodes 0x100-0x1FF, opcodes whose ModRM
// reg field selects the operation ("groups") get a key per reg value
// (GroupKey), and x87 escapes get a key per memory form (0xD8-0xDF with
// reg) and per register form (0xD8-0xDF with ModRM 0xC0-0xFF). Operand and
// address size are data (FlagOp32, FlagAddr32), not separate keys, so the
// same Inst shape serves 16-, 32- and later 64-bit code.
//
// Validity follows the modelled CPU, a P6 without MMX/SSE: MMX, SSE and
// later opcodes, VEX/EVEX, reserved x87 forms (D9 /1 memory, D9 D1-D7,
// DB /4 and /6 memory, DD /5 memory, DE D8, ...), FISTTP, MOV to/from
// CR1 and CR5-CR7, and MOV to/from Sreg 6/7 or to CS are OpUD, as are
// LOCK prefixes on anything but a lockable instruction with a memory
// destination. Undocumented aliases real hardware executes decode as
// valid: 82 (=80), D6 SALC, F6/F7 /1 (TEST), C0/C1/D0-D3 /6 (SAL), and
// the x87 aliases (D9 D8-DF, DC D0-DF, DD C8-CF, DE D0-D7, DF C0-DF) and
// 287 NOPs (DB E0, E1, E4). MOV to/from CRn/DRn (0F 20-23) always name a
// register whatever ModRM.mod says; its operand size is 32 bits whatever
// FlagOp32 says. decoder/x86asm_test.go lists every known difference from
// golang.org/x/arch/x86/x86asm with its reason.
//
// The memory operand is fully resolved: EA = R[Base] + R[Index]<<Scale +
// Disp (truncated to 16 bits when !FlagAddr32), where register number
// RegNone reads as zero, and Seg is the effective segment after overrides
// and the SS default for BP/SP-based forms.
package decoder
