package demo

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestImageUpToDate re-assembles demo.asm and checks that the committed
// demo.bin is what nasm makes of it.
func TestImageUpToDate(t *testing.T) {
	nasm, err := exec.LookPath("nasm")
	if err != nil {
		t.Skip("nasm not installed (scripts/setup.sh installs it)")
	}
	out := filepath.Join(t.TempDir(), "demo.bin")
	msg, err := exec.Command(nasm, "-f", "bin", "-o", out, "demo.asm").CombinedOutput()
	require.NoError(t, err, "nasm: %s", msg)
	want, err := os.ReadFile(out)
	require.NoError(t, err)
	require.Equal(t, want, Image(), "demo.bin is stale: run `nasm -f bin -o demo.bin demo.asm` in guest/demo")
}

func TestImageFits(t *testing.T) {
	img := Image()
	require.NotEmpty(t, img)
	require.Less(t, len(img), 48<<10, "the program must stay below 48 KiB (its stack is in the same 64 KiB)")
	img[0] ^= 0xFF
	require.NotEqual(t, img[0], Image()[0], "Image must return a copy")
}
