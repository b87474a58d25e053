// Package singlestep reads and runs the hardware-captured 80286 real-mode
// test vectors of the SingleStepTests project (MOO files), against any CPU
// that implements the small Target interface.
//
// # Data
//
// The vectors live outside the repository, in ../shared/testdata/
// singlestep-80286 relative to the repository root (the directory holding
// go.mod). FindDataDir walks up from a directory to go.mod and returns the
// folder, or a *MissingDataError when it is absent; tests must then skip
// with that error's message, never fail.
//
// # Contract
//
// Parsing (Parse, ReadFile, ParseMetadata, ParseRevocations) accepts any
// byte slice: corrupt or truncated input yields a *ParseError, never a panic
// (FuzzParse checks this). A MOO file is gzip-compressed or raw; unknown
// chunks are skipped by length; the header's test count must match the
// number of TEST chunks.
//
// Running follows the data's README ("How a test runs") exactly, per test:
//
//  1. clear the RAM bytes named by the previous test (initial and final);
//  2. Reset the Target with the initial registers, FLAGS bits 12-15 cleared
//     (the capture loaded them with LOADALL; a real-mode 286 cannot hold them);
//  3. write every initial RAM byte;
//  4. RunUntilHalt: the instruction under test, then the HLT that follows it
//     or waits at its jump or exception target;
//  5. compare all 14 registers (a register absent from the final state must
//     equal its initial value), FLAGS under the opcode's flags-mask from
//     metadata.json, every RAM byte the test names (a byte named only in
//     the initial state must be unchanged) and, when the test raised an
//     exception (EXCP), the FLAGS word it pushed under the same mask.
//
// The Target owns everything else a test needs: 16 MiB of flat RAM, I/O port
// reads that return all ones and writes that are dropped, no interrupts. A
// Target that panics fails that test only; the runner recovers and goes on.
// Bytes a faulty CPU writes outside the addresses a test names are not
// checked and not cleared (every test names all the bytes it reads, so they
// cannot influence a correct run of a later test).
//
// # Known 286/386 differences
//
// A 386-class CPU legitimately differs from the 286 on some of these tests
// (instruction length limit, LOCK on non-lockable instructions, operands
// that straddle offset 0xFFFF, FPU escapes without a coprocessor, FLAGS bits
// 12-15, undefined flags). KnownDifferences returns them as a named,
// explained list of predicates over the test (decided statically from its
// bytes and initial registers by a small independent 286 instruction
// analyser) and the failure (which registers differed: a category claims a
// failure only when it has the signature the 386 behaviour produces, so a
// genuine bug in the same test is not hidden). A failure that matches one is still a
// failure: the totals line counts it as failed, and a separate line says how
// many of the failures are known differences, per category. Nothing is
// skipped silently; only tests whose hash is on the revocation list are
// skipped, and the report says how many.
//
// # Report
//
// Summary.Report prints one line per opcode file, failure descriptions, and
// the total, which is exactly
//
//	singlestep: N passed, N failed
//
// on its own line, followed (when there are any) by
//
//	singlestep: K of the failures are known 286/386 differences: name n, ...
//
// The package has no package-level mutable state; a Runner is not safe for
// concurrent use (it drives one Target), but separate Runners are.
package singlestep
