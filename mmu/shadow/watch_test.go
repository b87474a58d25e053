package shadow_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bt86/mmu"
	"bt86/mmu/shadow"
)

// TestWatchLinear: a watched linear page gets no fast-path data entries
// (read or write, any privilege) in any space until it is unwatched;
// fetches and other pages are not affected; watches nest.
func TestWatchLinear(t *testing.T) {
	modes(t, func(t *testing.T, r *rig) {
		root := r.newRoot()
		const lin = 0x00400123
		r.setPTE(root, lin, 0x100000, RW|US|D)
		r.setPTE(root, lin+0x1000, 0x101000, RW|US|D)
		r.enable(root, 0, 0, 0)
		r.mustMap(lin, U|W, 0x100123, "fill")
		r.mustMap(lin+0x1000, U|W, 0x101123, "fill the next page")
		_, ok := r.hit(lin, U|W)
		require.True(t, ok)

		r.m.WatchLinear(lin + 0x10)
		r.m.WatchLinear(lin)
		for _, acc := range []mmu.Access{0, W, U, U | W} {
			_, ok = r.hit(lin, acc)
			assert.False(t, ok, "watched: access %#x takes the slow path", acc)
			r.mustMap(lin, acc, 0x100123, "the slow path still translates")
			_, ok = r.hit(lin, acc)
			assert.False(t, ok, "and enters nothing")
		}
		r.mustMap(lin, F, 0x100123, "fetch")
		_, ok = r.hit(lin, F)
		assert.True(t, ok, "fetches are not watched")
		_, ok = r.hit(lin+0x1000, U|W)
		assert.True(t, ok, "other pages are not watched")

		r.m.UnwatchLinear(lin)
		r.mustMap(lin, W, 0x100123, "still watched once")
		_, ok = r.hit(lin, W)
		assert.False(t, ok)
		r.m.UnwatchLinear(lin)
		r.mustMap(lin, W, 0x100123, "unwatched")
		_, ok = r.hit(lin, W)
		assert.True(t, ok, "back on the fast path")
	})
}

// TestOnFlush: flushes are reported with their kind.
func TestOnFlush(t *testing.T) {
	r := newRig(t, true)
	var got []string
	r.m.OnFlush = func(e shadow.FlushEvent) { got = append(got, e.String()) }
	root := r.newRoot()
	r.enable(root, 0, 0, 0)
	r.m.FlushPage(0x1234)
	require.NoError(t, r.m.SetCR3(uint32(root)))
	r.m.Flush()
	require.GreaterOrEqual(t, len(got), 4)
	assert.Contains(t, got, "flush page 00001234 (cr3=00200000)")
	assert.Contains(t, got, "cr3 load 00200000")
	assert.Equal(t, "flush all (cr3=00200000)", got[len(got)-1])
}
