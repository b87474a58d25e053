package main

import (
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseProcStat(t *testing.T) {
	for _, tc := range []struct {
		name, line string
		want       float64
		bad        bool
	}{
		{"qemu", "2707 (qemu-system-i38) S 1 2707 2707 0 -1 4194304 54321 0 0 0 1200 34 5 1 20 0 4 0 100 0 0", 12.40, false},
		{"name with spaces and parens", "42 (a) b) (c) R 1 42 42 0 -1 0 0 0 0 0 7 3 10 0 20 0 1 0 1 0 0", 0.20, false},
		{"truncated", "42 (x) R 1 2 3", 0, true},
		{"no name", "42 x R", 0, true},
		{"not a number", "42 (x) R 1 42 42 0 -1 0 0 0 0 0 x 3 10 0 20", 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseProcStat(tc.line)
			if tc.bad {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			require.InDelta(t, tc.want, got, 1e-9)
		})
	}
	cpu, err := processCPU(os.Getpid())
	if err == nil { // Linux
		require.GreaterOrEqual(t, cpu, 0.0)
	}
}
