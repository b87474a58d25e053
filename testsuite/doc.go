// Package testsuite holds bt86's conformance suites: the hardware-captured
// single-step vectors (subpackage singlestep, run against the CPU here),
// in-guest test programs (guest/), and the import-policy check (deps/).
//
// Contract: every suite prints its pass counts as `NAME: N passed, N
// failed`; data that lives outside the repository (../shared/testdata)
// is skipped with a message when absent, never failed.
package testsuite
