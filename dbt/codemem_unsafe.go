//go:build linux && amd64

package dbt

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
)

// codeMem is the translated-code area: one memfd mapped twice, writable
// (w) and executable (x), so no page is ever writable and executable
// through the same mapping (W^X). Blocks are allocated by bumping used;
// the whole area is recycled at once when it is full.
type codeMem struct {
	fd   int
	w, x []byte
	used int
}

func newCodeMem(size int) (*codeMem, error) {
	fd, err := unix.MemfdCreate("bt86-code", unix.MFD_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("dbt: memfd_create: %w", err)
	}
	if err := unix.Ftruncate(fd, int64(size)); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("dbt: ftruncate: %w", err)
	}
	w, err := unix.Mmap(fd, 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("dbt: mmap: %w", err)
	}
	x, err := unix.Mmap(fd, 0, size, unix.PROT_READ|unix.PROT_EXEC, unix.MAP_SHARED)
	if err != nil {
		unix.Munmap(w)
		unix.Close(fd)
		return nil, fmt.Errorf("dbt: mmap: %w", err)
	}
	return &codeMem{fd: fd, w: w, x: x}, nil
}

// place copies code into the area and returns its offset, or -1 when
// the area is full.
func (m *codeMem) place(code []byte) int {
	n := (len(code) + 15) &^ 15
	if m.used+n > len(m.w) {
		return -1
	}
	off := m.used
	copy(m.w[off:], code)
	m.used += n
	return off
}

// addr is the executable address of offset off.
func (m *codeMem) addr(off int) uintptr { return uintptr(unsafe.Pointer(&m.x[0])) + uintptr(off) }

// offsetOf is the inverse of addr.
func (m *codeMem) offsetOf(addr uintptr) int { return int(addr - uintptr(unsafe.Pointer(&m.x[0]))) }

func (m *codeMem) close() error {
	err1 := unix.Munmap(m.w)
	err2 := unix.Munmap(m.x)
	err3 := unix.Close(m.fd)
	if err1 != nil {
		return err1
	}
	if err2 != nil {
		return err2
	}
	return err3
}

// ctxAddr returns the address of the context for the trampoline.
func ctxAddr(c *ctx) uintptr { return uintptr(unsafe.Pointer(c)) }

// fastAddr returns the address of the fast lookup table.
func fastAddr(t *[fastSlots]fastEntry) uintptr { return uintptr(unsafe.Pointer(t)) }
