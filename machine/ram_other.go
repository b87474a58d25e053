//go:build !unix

package machine

// allocRAM falls back to the Go heap where mmap is not available.
func allocRAM(size int) ([]byte, error) { return make([]byte, size), nil }

func freeRAM([]byte) error { return nil }

func zeroRAM(b []byte) { clear(b) }
