//go:build unix

package machine

import (
	"syscall"
	"time"
)

// sessionCPUTime is the CPU time (user + system) the test process used
// so far: less sensitive to other jobs than wall-clock time.
func sessionCPUTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
