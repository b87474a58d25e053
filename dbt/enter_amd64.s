//go:build linux

#include "textflag.h"
#include "go_asm.h"

// func enter(c uintptr, code uintptr)
//
// Loads the guest registers from the context into their host registers,
// keeps the context in R15 and calls translated code, which returns here
// with an exit code in the context; the guest registers are stored back.
// BP holds guest EBP meanwhile: the frame's saved BP restores it.
TEXT ·enter(SB), NOSPLIT, $16-16
	MOVQ c+0(FP), R15
	MOVQ code+8(FP), R8
	MOVL (ctx_regs+0)(R15), AX
	MOVL (ctx_regs+4)(R15), CX
	MOVL (ctx_regs+8)(R15), DX
	MOVL (ctx_regs+12)(R15), BX
	MOVL (ctx_regs+16)(R15), R12
	MOVL (ctx_regs+20)(R15), BP
	MOVL (ctx_regs+24)(R15), SI
	MOVL (ctx_regs+28)(R15), DI
	CALL R8
	MOVL AX, (ctx_regs+0)(R15)
	MOVL CX, (ctx_regs+4)(R15)
	MOVL DX, (ctx_regs+8)(R15)
	MOVL BX, (ctx_regs+12)(R15)
	MOVL R12, (ctx_regs+16)(R15)
	MOVL BP, (ctx_regs+20)(R15)
	MOVL SI, (ctx_regs+24)(R15)
	MOVL DI, (ctx_regs+28)(R15)
	RET
