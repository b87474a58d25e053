// Package dbt is bt86's dynamic binary translator: it turns guest x86
// basic blocks into host x86-64 code and runs them on the same cpu.State
// as the interpreter, which it falls back to at any instruction.
//
// Contract:
//   - Engine implements cpu.Executor; it is available on linux/amd64
//     hosts only (Available reports it) and never changes guest-visible
//     behaviour relative to the interpreter, except for the documented
//     differences in DESIGN.md.
//   - Native code never calls Go. The assembly trampoline enter loads the
//     guest registers into fixed host registers (EAX..EBX in RAX..RBX,
//     ESP in R12, EBP..EDI in RBP..RDI), keeps the context pointer in R15
//     and returns with an exit code; the Go loop services the exit (by
//     running the interpreter for the instruction at the exit's EIP, or
//     by looking up the next block) and re-enters.
//   - Every block subtracts its instruction count from the budget at its
//     entry and exits before running when it does not fit, so the
//     instruction count is exact and native code always returns.
//   - Guest memory is reached through the CPU's shadow TLB only (an
//     entry maps a linear page to an offset in guest RAM, bounds checked
//     when it was made); a miss, an MMIO page, a page holding translated
//     code or a segment that needs a limit check exits to the
//     interpreter before the instruction changes anything.
//   - Code memory is mapped twice from one memfd: writable, and
//     executable, never both through one mapping (W^X).
//   - A guest write to a page holding translated blocks drops them (the
//     CPU's code stamps and OnCodeWrite hook); chains are made only
//     between blocks of one physical page, so dropping a page's blocks
//     drops every chain into them.
package dbt
