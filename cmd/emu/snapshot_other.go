//go:build !unix

package main

import "os"

// snapshotSignals: no snapshot signal on this host.
func snapshotSignals() []os.Signal { return nil }
