package machine

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestKernelLogProblem: the boot tests' log check accepts the PIT
// watchdog's one-tick race (testdata/tsc-watchdog-pit-race.log, from a
// translator boot whose serial input landed there) and nothing else that
// marks the TSC unstable.
func TestKernelLogProblem(t *testing.T) {
	race, err := os.ReadFile("testdata/tsc-watchdog-pit-race.log")
	require.NoError(t, err)
	calibrated := "[    0.000000] tsc: Detected 999.998 MHz processor\n"
	skewed := strings.Replace(string(race), "wd_nsec: 483916954", "wd_nsec: 489916954", 1)
	hpet := strings.Replace(string(race), "'pit' wd_nsec", "'hpet' wd_nsec", 1)
	for _, tc := range []struct {
		name, log, want string
	}{
		{"clean", calibrated, ""},
		{"pit race", calibrated + string(race), ""},
		{"skew of 10 ms", calibrated + skewed, "TSC marked unstable: over one watchdog interval the PIT counted 489916954 ns, the TSC 479999657 ns"},
		{"other watchdog", calibrated + hpet, "TSC marked unstable, and not against the PIT"},
		{"no calibration", "", "no TSC calibration"},
		{"oops", calibrated + "Oops: 0000 [#1]\n", `contains "Oops"`},
	} {
		assert.Equal(t, tc.want, kernelLogProblem(tc.log), tc.name)
	}
}
