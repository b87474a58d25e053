package main

import (
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

// testdata/emu-stats.txt is emu -stats output of a real run (the demo
// guest) with a snapshot end line and unrelated lines around it.
func TestParseStats(t *testing.T) {
	b, err := os.ReadFile("testdata/emu-stats.txt")
	require.NoError(t, err)
	c := ParseStats(string(b))
	require.Equal(t, uint64(50026042), c["instructions"])
	require.Equal(t, uint64(50026042), c["cpu.retired"])
	require.Equal(t, uint64(5672), c["cpu.traces"])
	require.Equal(t, uint64(1), c["mmu.spaces"])
	require.Equal(t, uint64(2830), c["mmu.misses"])
	require.Equal(t, uint64(7), c["dbt.exits-irq"], "future lines are taken as GROUP k=v")
	require.NotContains(t, c, "mmu.nothing", "lines without the prefix are ignored")
	require.NotContains(t, c, "resets")
	require.Len(t, c, 1+6+15+2, "instructions, cpu, mmu and dbt counters")
}

func TestCountersSub(t *testing.T) {
	for _, tc := range []struct {
		name    string
		c, base Counters
		want    Counters
	}{
		{"difference", Counters{"a": 10, "b": 5}, Counters{"a": 4, "b": 5}, Counters{"a": 6, "b": 0}},
		{"missing from the base", Counters{"a": 10, "new": 3}, Counters{"a": 1}, Counters{"a": 9, "new": 3}},
		{"went down (a reset)", Counters{"a": 2}, Counters{"a": 7}, Counters{"a": 2}},
		{"nil base", Counters{"a": 2}, nil, Counters{"a": 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, tc.c.Sub(tc.base))
		})
	}
	require.Equal(t, []string{"a", "b", "c"}, Counters{"c": 1, "a": 2, "b": 3}.Keys())
}
