package testsuite

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"bt86/bus"
	"bt86/cpu"
	"bt86/dbt"
	"bt86/devices/debugport"
	"bt86/mmu"
)

var update = flag.Bool("update", false, "rewrite the golden files of known failures")

// guestResult is what one in-guest program reported.
type guestResult struct {
	pass, skip int
	fails      []string // names of failed checks
	done       bool
	exit       int
	stop       string // why the run ended, when not by the exit port
}

// runGuest runs a flat binary under the contract of testsuite/guest/README.md:
// loaded at 0x10000, real mode at 1000:0000, port 0xE9 console, port 0xF4 exit.
func runGuest(t *testing.T, bin []byte, engine string) (guestResult, string, string) {
	ram := make([]byte, 32<<20)
	b := bus.New()
	p := mmu.NewPhys(ram, b)
	p.SetLowKind(0xA0000, 0x100000, mmu.KindRAM)
	var console bytes.Buffer
	exitCode := -1
	dp := debugport.New(debugport.Options{Console: &console, Exit: func(code int) { exitCode = code }})
	require.NoError(t, dp.Attach(b))
	c := cpu.New(cpu.Config{Phys: p, Ports: b})
	require.NoError(t, p.WriteBytes(0x10000, bin))
	c.SetSegmentReal(cpu.CS, 0x1000)
	c.EIP = 0
	c.StateChanged()
	var ex cpu.Executor = c
	if engine == "dbt" {
		e, err := dbt.New(c)
		require.NoError(t, err)
		defer e.Close()
		ex = e
	}
	var res guestResult
	const budget = 200_000_000
	spent := 0
	for spent < budget && exitCode < 0 {
		exit := ex.Run(1_000_000)
		spent += exit.Retired + 1
		if exit.Reason == cpu.ExitShutdown {
			res.stop = exit.Shutdown
			break
		}
		if exit.Reason == cpu.ExitHalt && exitCode < 0 {
			res.stop = fmt.Sprintf("halted at %04x:%08x with interrupts off", c.Seg[cpu.CS].Sel, c.EIP)
			break
		}
	}
	if exitCode < 0 && res.stop == "" {
		res.stop = "instruction budget exhausted"
	}
	res.exit = exitCode
	c.MaterializeFlags()
	digest := fmt.Sprintf("regs %08x eip %08x flags %08x ram %x", c.Regs[:8], c.EIP, c.Flags, sha256.Sum256(ram))
	sc := bufio.NewScanner(bytes.NewReader(console.Bytes()))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		switch f[0] {
		case "PASS":
			res.pass++
		case "SKIP":
			res.skip++
		case "DONE":
			res.done = true
		case "FAIL":
			name := "?"
			if len(f) > 1 {
				name = f[1]
			}
			res.fails = append(res.fails, name)
		}
	}
	return res, console.String(), digest
}

// engines are the engines the in-guest programs run under.
func engines() []string {
	if dbt.Available() {
		return []string{"interp", "dbt"}
	}
	return []string{"interp"}
}

// TestGuestPrograms assembles every in-guest program with nasm and runs
// it on the interpreter. Checks that do not pass yet are listed, by name,
// in testdata/guest/NAME.known-failures (regenerate with -update); the
// test fails on any other failed check, so the list can only shrink.
func TestGuestPrograms(t *testing.T) {
	nasm, err := exec.LookPath("nasm")
	if err != nil {
		t.Skip("nasm not installed (scripts/setup.sh installs it)")
	}
	srcs, err := filepath.Glob("guest/*.asm")
	require.NoError(t, err)
	require.NotEmpty(t, srcs)
	tmp := t.TempDir()
	for _, src := range srcs {
		name := strings.TrimSuffix(filepath.Base(src), ".asm")
		if name == "boot" {
			continue // the QEMU boot-sector wrapper, not a test program
		}
		t.Run(name, func(t *testing.T) {
			out := filepath.Join(tmp, name+".bin")
			cmd := exec.Command(nasm, "-f", "bin", "-o", out, filepath.Base(src))
			cmd.Dir = "guest"
			msg, err := cmd.CombinedOutput()
			require.NoError(t, err, "nasm: %s", msg)
			bin, err := os.ReadFile(out)
			require.NoError(t, err)
			res, console, digest := runGuest(t, bin, "interp")
			fmt.Printf("guest-%s: %d passed, %d failed\n", name, res.pass, len(res.fails))
			// The translator must reach the same state (registers, RAM)
			// and print the same console output as the interpreter.
			for _, eng := range engines()[1:] {
				r2, console2, digest2 := runGuest(t, bin, eng)
				fmt.Printf("guest-%s[%s]: %d passed, %d failed\n", name, eng, r2.pass, len(r2.fails))
				if console2 != console {
					t.Errorf("%s under %s: console differs from the interpreter's\n%s", name, eng, firstDiff(console, console2))
				}
				require.Equal(t, digest, digest2, "%s under %s: final state differs from the interpreter's", name, eng)
			}
			golden := filepath.Join("testdata", "guest", name+".known-failures")
			got := append([]string(nil), res.fails...)
			if !res.done {
				got = append(got, "NOT-DONE")
			}
			sort.Strings(got)
			if *update {
				require.NoError(t, os.WriteFile(golden, []byte(strings.Join(got, "\n")+"\n"), 0o644))
				return
			}
			known := map[string]int{}
			if data, err := os.ReadFile(golden); err == nil {
				for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
					if l != "" {
						known[l]++
					}
				}
			}
			var fresh []string
			for _, f := range got {
				if known[f] > 0 {
					known[f]--
				} else {
					fresh = append(fresh, f)
				}
			}
			if len(fresh) > 0 {
				t.Errorf("%s: new failures %v (stop: %s)\nconsole tail:\n%s", name, fresh, res.stop, tail(console, 15))
			}
			fixed := 0
			for _, n := range known {
				fixed += n
			}
			if fixed > 0 {
				t.Logf("%s: %d known failures now pass: run go test ./testsuite -run GuestPrograms -update", name, fixed)
			}
		})
	}
}

// firstDiff shows the first differing line of two outputs.
func firstDiff(a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(la) || i < len(lb); i++ {
		var x, y string
		if i < len(la) {
			x = la[i]
		}
		if i < len(lb) {
			y = lb[i]
		}
		if x != y {
			return fmt.Sprintf("line %d:\n  interp: %q\n  other:  %q", i+1, x, y)
		}
	}
	return ""
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
