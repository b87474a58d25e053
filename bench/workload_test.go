package main

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestZeroMD5(t *testing.T) {
	require.Equal(t, "d41d8cd98f00b204e9800998ecf8427e", zeroMD5(0))
	require.Equal(t, "b6d81b360a5672d80c27430f39153e2c", zeroMD5(1<<20))
}

// TestCommandLine checks that the terminal's echo of a command line never
// matches its markers, and that the shell's output does.
func TestCommandLine(t *testing.T) {
	line := commandLine("true", "2-sh-loop")
	require.Equal(t, `echo BT86""-S-2-sh-loop; true; echo BT86""-E-2-sh-loop-$?`, line)
	echoed := "~ # " + line + "\r\n"
	require.False(t, markerRE(markStart, "2-sh-loop", false).MatchString(echoed))
	require.False(t, markerRE(markEnd, "2-sh-loop", true).MatchString(echoed))
	out := echoed + "BT86-S-2-sh-loop\r\nBT86-E-2-sh-loop-0\r\n~ # "
	require.True(t, markerRE(markStart, "2-sh-loop", false).MatchString(out))
	m := markerRE(markEnd, "2-sh-loop", true).FindStringSubmatch(out)
	require.Equal(t, "0", m[1])
	require.False(t, markerRE(markEnd, "2-sh", true).MatchString(out), "a tag that is a prefix of another does not match it")
}

func TestWorkloads(t *testing.T) {
	for _, sz := range []sizes{fullSizes, quickSizes} {
		wls := workloads(sz, 2063088)
		var names []string
		for _, w := range wls {
			names = append(names, w.Name)
			if w.Boot() {
				continue
			}
			s := w.Script("/bin")
			require.NotContains(t, s, "\n", "%s: one command line", w.Name)
			require.NotContains(t, s, "BT86", w.Name)
		}
		require.Equal(t, []string{"boot", "sh-loop", "md5sum", "gzip", "fork-exec", "syscall", "page-fault"}, names)
	}
	full := workloads(fullSizes, 2063088)
	require.Contains(t, full[3].Title, "(15.7 MiB)")
	require.Equal(t, "for i in x x x x x x x x; do /bin/cat /bin/busybox; done | /bin/gzip -c | /bin/wc -c", full[3].Script("/bin"))
	require.Equal(t, "7f614da9329cd3aebf59b91aadc30bf0", full[2].Expect, "md5 of 64 MiB of zeros (md5sum on the host)")
	require.Contains(t, full[6].Script("/bin"), "bs=134217728 count=1")
}
