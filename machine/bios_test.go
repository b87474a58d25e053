package machine

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"bt86/bios"
)

// bootSector reads a test boot sector from testdata/bios.
func bootSector(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "bios", name+".bin"))
	require.NoError(t, err)
	return b
}

// diskWith returns a hard disk image of size bytes holding sector 0 =
// boot and the following sectors filled by fill (may be nil).
func diskWith(boot []byte, size int, fill func(lba int, sec []byte)) bios.MemDrive {
	d := make(bios.MemDrive, size)
	copy(d, boot)
	if fill != nil {
		for lba := 1; lba < size/512; lba++ {
			fill(lba, d[lba*512:(lba+1)*512])
		}
	}
	return d
}

// runBIOS boots cfg through the embedded BIOS on engine and returns the
// result, the debug console output and the serial output.
func runBIOS(t *testing.T, engine string, cfg bios.Config, keys [][]byte) (Result, string, string, *Machine) {
	t.Helper()
	var debugcon, serial syncBuffer
	m, err := New(Config{MemoryMiB: 32, Debugcon: &debugcon, Serial: &serial, DebugExit: true, Deterministic: true, Engine: engine})
	require.NoError(t, err)
	t.Cleanup(func() { m.Close() })
	require.NoError(t, m.LoadBIOS(cfg))
	for _, k := range keys {
		m.SendKeys(k)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := m.Run(ctx)
	require.NoError(t, err)
	return res, debugcon.String(), serial.String(), m
}

func TestBIOSHello(t *testing.T) {
	for _, engine := range Engines() {
		t.Run(engine, func(t *testing.T) {
			disk := diskWith(bootSector(t, "hello"), 1<<20, nil)
			res, dbg, serial, m := runBIOS(t, engine, bios.Config{HardDisks: []bios.Drive{disk}, BootDrive: bios.BootDefault, SerialConsole: true}, nil)
			require.Equal(t, ReasonDebugExit, res.Reason, "%s; debugcon %q", res, dbg)
			require.Equal(t, 0x21<<1|1, res.ExitStatus)
			require.Equal(t, "drive=80 mem=027f equip=0826\n", dbg)
			require.Contains(t, serial, "Hello from the boot sector\r\n")
			screen := strings.Join(m.VGA().Text(), "\n")
			require.Contains(t, screen, "bt86 BIOS")
			require.Contains(t, screen, "Hello from the boot sector")
		})
	}
}

// TestBIOSSectorsUpToDate re-assembles the test boot sectors when nasm
// exists.
func TestBIOSSectorsUpToDate(t *testing.T) {
	nasm, err := exec.LookPath("nasm")
	if err != nil {
		t.Skip("nasm not installed")
	}
	srcs, err := filepath.Glob(filepath.Join("testdata", "bios", "*.asm"))
	require.NoError(t, err)
	require.NotEmpty(t, srcs)
	for _, src := range srcs {
		out := filepath.Join(t.TempDir(), "x.bin")
		msg, err := exec.Command(nasm, "-f", "bin", "-i", filepath.Join("testdata", "bios")+"/", "-o", out, src).CombinedOutput()
		require.NoError(t, err, "nasm: %s", msg)
		want, err := os.ReadFile(out)
		require.NoError(t, err)
		got, err := os.ReadFile(strings.TrimSuffix(src, ".asm") + ".bin")
		require.NoError(t, err)
		require.Equal(t, want, got, "%s is stale: reassemble it with nasm -f bin", src)
	}
}
