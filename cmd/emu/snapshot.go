package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"

	"bt86/machine"
)

// runGuest runs m until it stops. With -stats, each snapshot signal
// (SIGUSR1 where the host has it, see snapshotSignals) pauses the run at a
// slice boundary, prints the statistics so far followed by the line
// "bt86: stats: end of snapshot N", and resumes: the benchmark harness
// brackets its workloads with snapshots. The returned Result covers every
// part of the run (instructions and host time are summed).
func runGuest(ctx context.Context, m *machine.Machine, stats bool, w io.Writer) (machine.Result, error) {
	sigs := snapshotSignals()
	if !stats || len(sigs) == 0 {
		return m.Run(ctx)
	}
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, sigs...)
	defer signal.Stop(ch)
	return runSnapshots(ctx, m, ch, w)
}

// runSnapshots runs m, printing a snapshot for every value received on ch.
func runSnapshots(ctx context.Context, m *machine.Machine, ch <-chan os.Signal, w io.Writer) (machine.Result, error) {
	var total machine.Result
	for n := 1; ; n++ {
		part, cancel := context.WithCancel(ctx)
		snap := make(chan struct{})
		go func() {
			select {
			case <-ch:
				close(snap)
				cancel()
			case <-part.Done():
			}
		}()
		res, err := m.Run(part)
		cancel()
		res.Instructions += total.Instructions
		res.HostTime += total.HostTime
		total = res
		select {
		case <-snap:
		default:
			return total, err // stopped for another reason
		}
		if err != nil || ctx.Err() != nil || res.Reason != machine.ReasonCanceled {
			return total, err
		}
		printStats(w, total)
		fmt.Fprintf(w, "bt86: stats: end of snapshot %d\n", n)
	}
}
