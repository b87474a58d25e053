//go:build linux

package dbt

// enter runs translated code at code with the context at c (see
// enter_amd64.s). c must stay reachable and unmoved: it is a heap object
// (Go's heap does not move) kept alive by the Engine.
func enter(c uintptr, code uintptr)
