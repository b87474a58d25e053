//go:build !unix

package machine

import "time"

// sessionCPUTime is not measured here.
func sessionCPUTime() time.Duration { return 0 }
