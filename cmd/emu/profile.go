package main

import (
	"fmt"
	"os"
	"runtime/pprof"
)

// startProfile writes a Go CPU profile of the whole run to the file named
// by BT86_CPUPROFILE, for developers finding where host time goes (go
// tool pprof). It returns the function that stops it.
func startProfile() func() {
	path := os.Getenv("BT86_CPUPROFILE")
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintf(os.Stderr, "bt86: BT86_CPUPROFILE: %v\n", err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintf(os.Stderr, "bt86: BT86_CPUPROFILE: %v\n", err)
		f.Close()
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}
