//go:build unix

package machine

import (
	"fmt"
	"runtime"

	"golang.org/x/sys/unix"
)

// allocRAM maps size bytes of anonymous, private, zeroed memory outside
// the Go heap: the garbage collector never scans it, and pages the guest
// never touches cost nothing.
func allocRAM(size int) ([]byte, error) {
	b, err := unix.Mmap(-1, 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE|mapNoReserve)
	if err != nil {
		return nil, fmt.Errorf("allocating %d MiB of guest RAM: %w", size>>20, err)
	}
	return b, nil
}

// freeRAM unmaps RAM from allocRAM.
func freeRAM(b []byte) error { return unix.Munmap(b) }

// zeroRAM clears RAM. On Linux, MADV_DONTNEED on a private anonymous
// mapping gives back zero pages and returns the memory to the host.
func zeroRAM(b []byte) {
	if runtime.GOOS == "linux" && unix.Madvise(b, unix.MADV_DONTNEED) == nil {
		return
	}
	clear(b)
}
