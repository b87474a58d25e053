package shadow

import "fmt"

// Counters are the MMU statistics. Fast-path hits are not counted (the
// inline lookup has no room for it); Hits derives them from the number of
// translated accesses the CPU performed.
type Counters struct {
	Misses     uint64 // slow-path translations (Fill and Translate calls)
	Walks      uint64 // page walks performed (paging on)
	Fills      uint64 // entries entered in the fast-path arrays
	Cached     uint64 // Fill calls answered from the space without a walk
	Flushes    uint64 // full flushes (every space, global entries included)
	PageFlush  uint64 // INVLPG-style single page flushes
	WatchFault uint64 // guest writes to watched page-table pages
	Dropped    uint64 // translations dropped by coherence, INVLPG or WP/NXE changes
	Reused     uint64 // CR3 loads that switched to a cached space
	Reloads    uint64 // CR3 loads of the current space's CR3 (nothing to drop)
	Spaces     uint64 // spaces started (CR3 loads that found none cached)
	Evictions  uint64 // cached spaces dropped to make room (LRU)
	Globals    uint64 // global translations carried into new spaces
	Watches    uint64 // pages newly write-watched as paging structures
	Unwatches  uint64 // pages released (on their first write without dependents)
	Floods     uint64 // pages released after a write flood (see onWatchedWrite)
}

// Hits returns the fast-path hits among accesses translated accesses
// (every access the CPU made through a Space, hit or miss): each miss
// calls Fill once, so hits are accesses minus misses.
func (c *Counters) Hits(accesses uint64) uint64 {
	if accesses < c.Misses {
		return 0
	}
	return accesses - c.Misses
}

// HitRate returns Hits(accesses)/accesses, or 0 without accesses.
func (c *Counters) HitRate(accesses uint64) float64 {
	if accesses == 0 {
		return 0
	}
	return float64(c.Hits(accesses)) / float64(accesses)
}

func (c Counters) String() string {
	return fmt.Sprintf("misses=%d walks=%d fills=%d cached=%d flushes=%d pageflush=%d watchfault=%d dropped=%d reused=%d reloads=%d spaces=%d evictions=%d globals=%d watches=%d unwatches=%d floods=%d",
		c.Misses, c.Walks, c.Fills, c.Cached, c.Flushes, c.PageFlush, c.WatchFault, c.Dropped,
		c.Reused, c.Reloads, c.Spaces, c.Evictions, c.Globals, c.Watches, c.Unwatches, c.Floods)
}
