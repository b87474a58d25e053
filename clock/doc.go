// Package clock is the virtual time base of a machine.
//
// Contract: devices never read the host clock. They read a Clock that
// machine advances and report the next instant at which they need to run
// (a deadline); machine runs the CPU until the earliest deadline, then calls
// the device. Virtual time either follows the host clock (machine samples
// it between CPU slices) or is derived from retired instructions
// (deterministic mode), in which case two runs of the same guest with the
// same inputs see exactly the same times.
package clock
