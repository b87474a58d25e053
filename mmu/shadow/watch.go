package shadow

import "fmt"

// WatchLinear makes every data access (read or write, at any privilege)
// to the 4 KiB linear page holding lin take the slow path, in every
// cached space, until a matching UnwatchLinear: a debugger's data
// watchpoint sees every access there through the CPU's slow-path hook.
// Calls nest. Fetches are not affected. Cached translations stay valid;
// only their fast-path entries are withheld.
func (m *MMU) WatchLinear(lin uint32) {
	tag := lin &^ 0xFFF
	if m.watchLin == nil {
		m.watchLin = make(map[uint32]int)
	}
	m.watchLin[tag]++
	if m.watchLin[tag] > 1 {
		return
	}
	slot := Slot(lin)
	for _, s := range m.spaces {
		if !s.inUse {
			continue
		}
		for _, k := range []int{kRead, kWrite} {
			for p := 0; p < 2; p++ {
				if md := &s.meta[k][p][slot]; md.valid() && md.tag == tag {
					s.entries(k)[p][slot].Tag = invalidTag
					md.flags &^= mFast
				}
			}
		}
	}
}

// UnwatchLinear undoes one WatchLinear of the page holding lin; the
// page's translations re-enter the fast path on their next use.
func (m *MMU) UnwatchLinear(lin uint32) {
	tag := lin &^ 0xFFF
	switch n := m.watchLin[tag]; {
	case n > 1:
		m.watchLin[tag] = n - 1
	case n == 1:
		delete(m.watchLin, tag)
	}
}

// FlushKind says what a FlushEvent flushed.
type FlushKind uint8

// Flush kinds.
const (
	FlushAll  FlushKind = iota // every translation (paging mode change, reset, A20)
	FlushPage                  // one page (INVLPG)
	FlushCR3                   // a CR3 load (switches or keeps the current space)
)

// FlushEvent is one flush, as OnFlush sees it.
type FlushEvent struct {
	Kind FlushKind
	Lin  uint32 // FlushPage: the linear address
	CR3  uint32 // CR3 in force (FlushCR3: the value loaded)
}

func (e FlushEvent) String() string {
	switch e.Kind {
	case FlushAll:
		return fmt.Sprintf("flush all (cr3=%08x)", e.CR3)
	case FlushPage:
		return fmt.Sprintf("flush page %08x (cr3=%08x)", e.Lin, e.CR3)
	case FlushCR3:
		return fmt.Sprintf("cr3 load %08x", e.CR3)
	}
	return fmt.Sprintf("flush kind %d", e.Kind)
}
