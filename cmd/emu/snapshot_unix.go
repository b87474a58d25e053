//go:build unix

package main

import (
	"os"
	"syscall"
)

// snapshotSignals are the signals that ask -stats for a snapshot.
func snapshotSignals() []os.Signal { return []os.Signal{syscall.SIGUSR1} }
