package testsuite

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"bt86/machine"
)

// hostileCase is one hostile guest program (hostile/NAME.asm, built with
// the in-guest runtime guest/lib.inc) and what must come of it.
type hostileCase struct {
	name string
	// memMiB is the RAM size; zero means 16 (the programs hard-code it).
	memMiB int
	// want is how Run must end. ReasonDebugExit means the program ran
	// its checks to DONE with no FAIL line and exit status 0.
	want machine.Reason
	// detail must appear in Result.Detail (triple faults).
	detail string
	// maxInstructions bounds the instructions the run may retire: the
	// run is deterministic, so this is an exact property, not a timing.
	maxInstructions uint64
	// writes are the physical ranges [start, end) besides the program's
	// own 64 KiB segment that the guest may change. Every other RAM byte
	// (canary-filled before the run) and the ROM areas must be unchanged.
	writes [][2]uint64
	// cancelOn ends the run from the host once the guest has written
	// this text to the debug console (for loops that never end).
	cancelOn string
	// console must appear in the debug console output.
	console []string
}

const (
	progStart = 0x10000 // the program's segment (image and stack)
	progEnd   = 0x20000
)

// canary is the byte the harness puts at physical address a.
func canary(a int) byte { return byte(a*131>>5) ^ 0xA5 }

// consoleWatch is the debug console: it records the bytes and cancels
// the run once a given text appears.
type consoleWatch struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	text   string
	cancel context.CancelFunc
}

func (c *consoleWatch) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.buf.Write(p)
	if c.text != "" && strings.Contains(c.buf.String(), c.text) {
		c.cancel()
	}
	return len(p), nil
}

func (c *consoleWatch) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.buf.String()
}

// TestHostileGuests runs every hostile program under every engine on the
// whole machine (deterministic mode) and checks its outcome: the
// guest-visible results (the program's own PASS/FAIL lines), how the run
// ended, that it ended within its instruction bound, that no RAM outside
// the ranges the program may write changed, and that the emulator itself
// never failed (a Go bounds violation anywhere would come back from Run
// as *machine.InternalError).
func TestHostileGuests(t *testing.T) {
	nasm, err := exec.LookPath("nasm")
	if err != nil {
		t.Skip("nasm not installed (scripts/setup.sh installs it)")
	}
	tmp := t.TempDir()
	for _, tc := range hostileCases {
		bin := filepath.Join(tmp, tc.name+".bin")
		src, err := filepath.Abs(filepath.Join("hostile", tc.name+".asm"))
		require.NoError(t, err)
		cmd := exec.Command(nasm, "-f", "bin", "-I", "../guest/", "-o", bin, src)
		cmd.Dir = "hostile"
		msg, err := cmd.CombinedOutput()
		require.NoError(t, err, "nasm %s: %s", tc.name, msg)
		image, err := os.ReadFile(bin)
		require.NoError(t, err)
		for _, engine := range machine.Engines() {
			t.Run(tc.name+"/"+engine, func(t *testing.T) {
				runHostile(t, tc, engine, image)
			})
		}
	}
	srcs, err := filepath.Glob("hostile/*.asm")
	require.NoError(t, err)
	require.Len(t, hostileCases, len(srcs), "every hostile/*.asm has a row in hostileCases")
}

func runHostile(t *testing.T, tc hostileCase, engine string, image []byte) {
	mem := tc.memMiB
	if mem == 0 {
		mem = 16
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute) // a hang fails, not blocks
	defer cancel()
	con := &consoleWatch{text: tc.cancelOn, cancel: cancel}
	m, err := machine.New(machine.Config{MemoryMiB: mem, Deterministic: true, Engine: engine,
		Debugcon: con, DebugExit: true, NoReboot: true})
	require.NoError(t, err)
	defer m.Close()
	require.NoError(t, m.LoadProgram(image))

	ram := m.Phys().RAM
	require.Len(t, ram, mem<<20)
	for a := range ram {
		if (a < progStart || a >= progEnd) && (a < 0xA0000 || a >= 0x100000) {
			ram[a] = canary(a)
		}
	}
	before := bytes.Clone(ram)

	res, err := m.Run(ctx)
	require.NoError(t, err, "the emulator failed (console: %s)", tail(con.String(), 10))
	console := con.String()
	if tc.cancelOn != "" {
		require.Equal(t, machine.ReasonCanceled, res.Reason, "console: %s", tail(console, 10))
		require.Contains(t, console, tc.cancelOn)
	} else {
		require.NoError(t, ctx.Err(), "the run did not end by itself (console: %s)", tail(console, 10))
		require.Equal(t, tc.want, res.Reason, "result %s; console:\n%s", res, tail(console, 10))
	}
	switch tc.want {
	case machine.ReasonDebugExit:
		require.NotContains(t, console, "FAIL", "console:\n%s", console)
		require.Contains(t, console, "DONE")
		require.Equal(t, 1, res.ExitStatus, "exit status 0 (reported as 0<<1|1)")
	case machine.ReasonTripleFault:
		require.Contains(t, res.Detail, tc.detail)
	}
	for _, s := range tc.console {
		require.Contains(t, console, s)
	}
	require.LessOrEqual(t, res.Instructions, tc.maxInstructions, "instructions retired")

	require.Len(t, ram, mem<<20, "RAM mapping unchanged")
	for a := range ram {
		if ram[a] == before[a] || (a >= progStart && a < progEnd) {
			continue
		}
		allowed := false
		for _, w := range tc.writes {
			allowed = allowed || uint64(a) >= w[0] && uint64(a) < w[1]
		}
		require.True(t, allowed, "RAM byte %#x changed from %#02x to %#02x outside the ranges the guest may write",
			a, before[a], ram[a])
	}
}

// hostileCases: one row per hostile/*.asm.
var hostileCases = []hostileCase{
	{name: "ram_end", want: machine.ReasonDebugExit, maxInstructions: 1_000_000,
		writes: [][2]uint64{{0x600, 0x604}, {0x200000, 0x200010}, {0xFFFFF0, 0x1000000}}},
	{name: "rom_mmio", want: machine.ReasonDebugExit, maxInstructions: 1_000_000,
		writes: [][2]uint64{{0x9FFFC, 0xA0000}}},
	{name: "a20_wrap", want: machine.ReasonDebugExit, maxInstructions: 1_000_000,
		writes: [][2]uint64{{0, 4}, {0x100000, 0x100004}, {0x2000F0, 0x2000F4}}},
	{name: "paging_wild", want: machine.ReasonDebugExit, maxInstructions: 1_000_000,
		writes: [][2]uint64{{0x300000, 0x303000}}},
	{name: "cr3_beyond", want: machine.ReasonTripleFault, detail: "#UD -> #GP -> #GP", maxInstructions: 1_000_000},
	{name: "pae_beyond", want: machine.ReasonDebugExit, maxInstructions: 1_000_000},
	{name: "smc", want: machine.ReasonDebugExit, maxInstructions: 1_000_000,
		writes: [][2]uint64{{0x300000, 0x302000}}},
	{name: "mid_insn", want: machine.ReasonDebugExit, maxInstructions: 1_000_000},
	{name: "exc_loop", want: machine.ReasonDebugExit, maxInstructions: 10_000_000},
	{name: "df_loop", cancelOn: "LOOP\n", maxInstructions: 10_000_000},
	{name: "triple", want: machine.ReasonTripleFault, detail: "#GP -> #SS -> #SS", maxInstructions: 1_000_000},
	{name: "halt_forever", cancelOn: "HALT\n", maxInstructions: 1_000_000},
	{name: "rep_huge", want: machine.ReasonDebugExit, maxInstructions: 1_000_000,
		writes: [][2]uint64{{0x30000, 0x30001}, {0x40000, 0x50000}, {0x400000, 0x500000}}},
	{name: "io_storm", want: machine.ReasonDebugExit, maxInstructions: 5_000_000,
		writes: [][2]uint64{{0x200000, 0x300000}}},
	{name: "irq_storm", want: machine.ReasonDebugExit, maxInstructions: 10_000_000},
	{name: "far_garbage", want: machine.ReasonDebugExit, maxInstructions: 20_000_000},
}
