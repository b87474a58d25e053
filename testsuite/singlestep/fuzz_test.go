package singlestep

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzParse checks that Parse never panics and that whatever it accepts
// survives an encode/parse round trip unchanged. The seed corpus is in
// testdata/fuzz/FuzzParse (real bytes: raw, gzip, truncated, header only).
func FuzzParse(f *testing.F) {
	if data, err := os.ReadFile(filepath.Join("testdata", "sample.MOO.gz")); err == nil {
		f.Add(data)
	}
	f.Add(encodeMOO(synthetic()))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse(data)
		if err != nil {
			require.Nil(t, file)
			return
		}
		again, err := Parse(encodeMOO(file))
		require.NoError(t, err)
		require.Equal(t, file, again)
	})
}
