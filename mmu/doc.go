// Package mmu is the guest physical address space and the reference x86
// page walker.
//
// Contract: Phys maps guest physical addresses to host RAM (a []byte that
// machine allocates, normally outside the Go heap), read-only ROM, and
// memory-mapped device regions reached through the bus by value (a nil
// Bus decodes nothing: reads float to all ones, writes are dropped). RAM
// and ROM accesses never touch the bus. No guest physical address,
// however formed, reaches host memory outside the RAM slice: every index
// is bounds-checked, and RAMPage tells a TLB which pages lie wholly in it.
//
// Phys also keeps one watch byte per RAM page: pages holding guest page
// tables (for shadow-TLB coherence) or translated/predecoded code (for
// self-modifying-code detection). Writes to watched pages must take the
// slow path (Write, WriteBytes), which calls the registered hooks before
// the write lands, so caches built on those pages can be dropped. A
// writer that bypasses Phys (a device doing DMA into the RAM slice) must
// call NotifyWrite.
//
// Walk is the reference walker of SDM vol. 3 ch. 4: 32-bit paging (4 KiB
// pages and, with CR4.PSE, 4 MiB pages with PSE-36) and PAE paging (2 MiB
// pages, execute-disable with EFER.NXE), MaxPhysAddr = 36. Present and
// reserved bits are checked level by level (reserved bits give #PF with
// RSVD and P set), then the rights of the whole translation: U/S, R/W
// with CR0.WP (supervisor writes to read-only pages succeed when WP is
// clear), XD for fetches. Accessed bits of every entry used, and the
// dirty bit of the final entry for a write, are written back only when
// the access succeeds; a faulting walk writes nothing. G counts only with
// CR4.PGE. #PF error codes carry P, W/R, U/S, RSVD, and I/D only when
// XD is honoured (PAE and EFER.NXE), as hardware reports them.
//
// With PAE the four PDPTEs are registers, Control.PDPTE: LoadPDPTEs reads
// and checks them when CR3 is loaded or paging control bits change (a
// reserved bit is #GP(0) at load time, reported as *PDPTEError), and the
// walker never reads the PDPT from memory.
package mmu
