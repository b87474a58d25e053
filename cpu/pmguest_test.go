package cpu

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"bt86/bus"
	"bt86/mmu"
)

// guestPorts is the guest-test contract's I/O: port 0xE9 is the debug
// console, port 0xF4 the exit status.
type guestPorts struct {
	out  bytes.Buffer
	exit int
	c    *CPU
}

func (g *guestPorts) ReadPort(port uint16, size uint8) uint32 { return 0xFFFFFFFF }

func (g *guestPorts) WritePort(port uint16, size uint8, v uint32) {
	switch port {
	case 0xE9:
		g.out.WriteByte(byte(v))
	case 0xF4:
		g.exit = int(v & 0xFF)
		g.c.Stop()
	}
}

// runGuestBin runs a guest test image: loaded at physical 0x10000 and
// entered in real mode at 1000:0000 with 32 MiB of RAM. It returns the
// debug-console output, the exit status (-1: none) and the last exit.
func runGuestBin(t *testing.T, bin []byte, budget int) (string, int, Exit) {
	t.Helper()
	ram := make([]byte, 32<<20)
	b := bus.New()
	p := mmu.NewFlat(ram, b)
	g := &guestPorts{exit: -1}
	require.NoError(t, b.MapPorts("debugcon", 0xE9, 0xE9, g))
	require.NoError(t, b.MapPorts("exit", 0xF4, 0xF7, g))
	c := New(Config{Phys: p, Ports: b})
	g.c = c
	copy(ram[0x10000:], bin)
	c.SetSegmentReal(CS, 0x1000)
	c.EIP = 0
	var exit Exit
	for run := 0; run < budget; run += 1_000_000 {
		exit = c.Run(1_000_000)
		if g.exit >= 0 || exit.Reason == ExitShutdown || exit.Reason == ExitHalt {
			break
		}
	}
	return g.out.String(), g.exit, exit
}

// pmPrograms are the guest programs of the protected-mode work; the others
// (owned by other families) only log their results unless
// BT86_GUEST_ALL is set, until the lead wires the suite up.
var pmPrograms = map[string]bool{"smoke": true, "pmode": true, "gates": true, "task": true, "v86": true}

// TestGuestPrograms assembles testsuite/guest/*.asm with nasm (skipped if
// nasm is missing) and runs each: every check must PASS and the program
// must print DONE and exit with status 0. BT86_GUEST=name runs one.
func TestGuestPrograms(t *testing.T) {
	nasm, err := exec.LookPath("nasm")
	if err != nil {
		t.Skip("nasm not installed")
	}
	dir, err := filepath.Abs("../testsuite/guest")
	require.NoError(t, err)
	srcs, _ := filepath.Glob(filepath.Join(dir, "*.asm"))
	tmp := t.TempDir()
	for _, src := range srcs {
		name := strings.TrimSuffix(filepath.Base(src), ".asm")
		if name == "boot" {
			continue
		}
		if only := os.Getenv("BT86_GUEST"); only != "" && only != name {
			continue
		}
		t.Run(name, func(t *testing.T) {
			bin := filepath.Join(tmp, name+".bin")
			out, err := exec.Command(nasm, "-f", "bin", "-I", dir+"/", "-o", bin, src).CombinedOutput()
			require.NoError(t, err, "nasm: %s", out)
			img, err := os.ReadFile(bin)
			require.NoError(t, err)
			text, status, exit := runGuestBin(t, img, 50_000_000)
			var fails []string
			pass := 0
			for _, l := range strings.Split(text, "\n") {
				switch {
				case strings.HasPrefix(l, "PASS "):
					pass++
				case strings.HasPrefix(l, "FAIL "), strings.HasPrefix(l, "XFAIL "):
					fails = append(fails, l)
				}
			}
			t.Logf("%s: %d pass, %d fail, exit %d (%s %s)", name, pass, len(fails), status, exit.Reason, exit.Shutdown)
			if !pmPrograms[name] && os.Getenv("BT86_GUEST_ALL") == "" {
				for _, f := range fails {
					t.Log(f)
				}
				return
			}
			require.Empty(t, fails, "failed checks")
			require.Contains(t, text, "DONE\n", "output:\n%s", text)
			require.Equal(t, 0, status)
		})
	}
}
