package cpu

import "unsafe"

// NativeTLB returns the addresses of the current address space's shadow
// read and write entry arrays at the current privilege level, and the
// address of RAM. They stay valid until the CPU next runs or its state
// changes.
func (c *CPU) NativeTLB() (read, write, ram uintptr) {
	if len(c.ram) > 0 {
		ram = uintptr(unsafe.Pointer(&c.ram[0]))
	}
	return uintptr(unsafe.Pointer(c.tlbR)), uintptr(unsafe.Pointer(c.tlbW)), ram
}

// NativeFetchTLB returns the address of the current address space's
// shadow fetch entry array at the current privilege level (valid as
// NativeTLB's).
func (c *CPU) NativeFetchTLB() uintptr {
	return uintptr(unsafe.Pointer(&c.MMU.Cur.Fetch[c.priv]))
}
