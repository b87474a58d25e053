package main

import (
	"os"
	"testing"
)

// TestMain lets the test binary act as emu (BT86_EMU_MAIN=1), so tests
// can run `emu -s -S ...` as a real process, as a user does.
func TestMain(m *testing.M) {
	if os.Getenv("BT86_EMU_MAIN") == "1" {
		os.Exit(run(os.Args[1:], hostIO{in: os.Stdin, out: os.Stdout, err: os.Stderr}))
	}
	os.Exit(m.Run())
}
