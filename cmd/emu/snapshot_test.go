package main

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"bt86/machine"
)

// syncBuffer is a strings.Builder safe for one writer and a polling reader.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestSnapshots pauses a spinning guest twice for statistics and checks
// that each snapshot is complete, counts more instructions than the one
// before, and that the run resumes after it.
func TestSnapshots(t *testing.T) {
	m, err := machine.New(machine.Config{MemoryMiB: 4, Deterministic: true})
	require.NoError(t, err)
	defer m.Close()
	require.NoError(t, m.LoadProgram([]byte{0xEB, 0xFE})) // jmp $

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := make(chan os.Signal, 1)
	var out syncBuffer
	type result struct {
		res machine.Result
		err error
	}
	done := make(chan result, 1)
	go func() {
		res, err := runSnapshots(ctx, m, ch, &out)
		done <- result{res, err}
	}()
	waitFor := func(text string) {
		deadline := time.Now().Add(time.Minute)
		for !strings.Contains(out.String(), text) {
			require.True(t, time.Now().Before(deadline), "no %q in %q", text, out.String())
			time.Sleep(5 * time.Millisecond)
		}
	}
	re := regexp.MustCompile(`bt86: stats: instructions (\d+),`)
	counts := func() []uint64 {
		var c []uint64
		for _, m := range re.FindAllStringSubmatch(out.String(), -1) {
			n, err := strconv.ParseUint(m[1], 10, 64)
			require.NoError(t, err)
			c = append(c, n)
		}
		return c
	}
	// Snapshot until one shows that the guest ran on after an earlier one
	// (a snapshot may come before the resumed run's first slice).
	deadline := time.Now().Add(time.Minute)
	for n := 1; ; n++ {
		time.Sleep(10 * time.Millisecond) // let the guest run
		ch <- os.Interrupt                // any value asks for a snapshot
		waitFor(fmt.Sprintf("bt86: stats: end of snapshot %d\n", n))
		c := counts()
		require.Len(t, c, n, out.String())
		require.Equal(t, n, strings.Count(out.String(), "bt86: stats: mmu misses="), "complete snapshots")
		if n >= 2 && c[n-1] > c[0] {
			break
		}
		require.True(t, time.Now().Before(deadline), "the guest never ran on after a snapshot")
	}
	cancel()
	r := <-done
	require.NoError(t, r.err)
	require.Equal(t, machine.ReasonCanceled, r.res.Reason)
	c := counts()
	require.LessOrEqual(t, c[len(c)-1], r.res.Instructions, "the result covers every part of the run")
}
