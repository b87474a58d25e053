package bootparam

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// fuzzSeeds are the synthetic headers the seed corpus in
// testdata/fuzz/FuzzParse is made from (regenerate with
// BT86_WRITE_FUZZ_SEEDS=1 go test -run TestWriteFuzzSeeds).
func fuzzSeeds() map[string][]byte {
	small := func(f func(*synth)) []byte {
		s := defaultSynth()
		s.payloadLen = 64
		if f != nil {
			f(&s)
		}
		return s.build()
	}
	valid := small(nil)
	badMagic := append([]byte(nil), valid...)
	badMagic[offHeaderMagic] = 'X'
	return map[string][]byte{
		"valid-2.15":      valid,
		"valid-2.02":      small(func(s *synth) { s.version = 0x0202 }),
		"valid-2.10":      small(func(s *synth) { s.version = 0x020A }),
		"setup-sects-0":   small(func(s *synth) { s.setupSects = 0 }),
		"old-protocol":    small(func(s *synth) { s.version = 0x0201 }),
		"not-loaded-high": small(func(s *synth) { s.loadFlags = 0 }),
		"bad-hdrs":        badMagic,
		"truncated":       valid[:0x300],
		"huge-init-size":  small(func(s *synth) { s.initSize = 0xFFFFFFFF; s.prefAddress = 0xFFFFF000 }),
	}
}

func TestWriteFuzzSeeds(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzParse")
	seeds := fuzzSeeds()
	if os.Getenv("BT86_WRITE_FUZZ_SEEDS") == "" {
		// Check the committed corpus is what the synthesizer makes.
		for name, data := range seeds {
			got, err := os.ReadFile(filepath.Join(dir, name))
			require.NoError(t, err, "seed %s missing: run BT86_WRITE_FUZZ_SEEDS=1 go test -run TestWriteFuzzSeeds", name)
			require.Equal(t, corpusFile(data), string(got), "seed %s is stale", name)
		}
		return
	}
	require.NoError(t, os.MkdirAll(dir, 0o755))
	for name, data := range seeds {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(corpusFile(data)), 0o644))
	}
}

// corpusFile encodes one []byte input in the "go test fuzz v1" format.
func corpusFile(data []byte) string {
	return fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", data)
}

func FuzzParse(f *testing.F) {
	for _, data := range fuzzSeeds() {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := Parse(data)
		if err != nil {
			if k != nil {
				t.Fatalf("Parse returned a kernel and error %v", err)
			}
			return
		}
		if len(k.Payload) == 0 || len(k.Setup)+len(k.Payload) != len(data) {
			t.Fatalf("setup %d + payload %d != file %d", len(k.Setup), len(k.Payload), len(data))
		}
		if k.Header.Version < MinProtocol || k.Header.LoadFlags&LoadedHigh == 0 {
			t.Fatalf("accepted header %+v", k.Header)
		}
		bp := NewBootParams(k)
		if err := bp.SetE820(DefaultE820(64 << 20)); err != nil {
			t.Fatal(err)
		}
		for _, ram := range []uint64{2 << 20, 64 << 20, 3 << 30} {
			p, err := Build(Config{RAMSize: ram, Kernel: data, Initrd: make([]byte, 5000), Cmdline: "console=ttyS0"})
			if err != nil {
				continue
			}
			for i, b := range p.Blocks {
				if b.End() > ram || (i > 0 && p.Blocks[i-1].End() > b.Addr) {
					t.Fatalf("bad block layout %d: %s [%#x, %#x)", i, b.Name, b.Addr, b.End())
				}
			}
		}
	})
}
