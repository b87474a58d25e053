package machine

import "golang.org/x/sys/unix"

// mapNoReserve asks Linux not to reserve swap for guest RAM: most guests
// never touch most of it.
const mapNoReserve = unix.MAP_NORESERVE
