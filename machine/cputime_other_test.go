//go:build !unix

package machine

import "time"

// processCPUTime is not measured here.
func processCPUTime() time.Duration { return 0 }
