package machine

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"bt86/clock"
	"bt86/guest/demo"
)

var update = flag.Bool("update", false, "rewrite golden files")

// syncBuffer is a bytes.Buffer safe for a writer and a reader on
// different goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// prog reads a test program from testdata/progs.
func prog(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "progs", name+".bin"))
	require.NoError(t, err)
	return b
}

// runDemo boots the embedded demo in deterministic mode.
func runDemo(t *testing.T) (Result, string, []string, [32]byte) {
	var serial syncBuffer
	m, err := New(Config{MemoryMiB: 32, Serial: &serial, Deterministic: true})
	require.NoError(t, err)
	defer m.Close()
	require.NoError(t, m.LoadProgram(demo.Image()))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	res, err := m.Run(ctx)
	require.NoError(t, err)
	return res, serial.String(), m.VGA().Text(), sha256.Sum256(m.ram)
}

func TestDemoGolden(t *testing.T) {
	res, serial, screen, _ := runDemo(t)
	require.Equal(t, ReasonPowerOff, res.Reason, "%s", res)
	golden := filepath.Join("testdata", "demo.serial")
	if *update {
		require.NoError(t, os.WriteFile(golden, []byte(serial), 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	require.Equal(t, string(want), serial, "serial output changed; rerun with -update if intended")
	require.Contains(t, screen[0], "bt86 demo guest")
	require.Contains(t, strings.Join(screen, "\n"), "demo: done")
	t.Logf("demo: %d instructions, %.1f MIPS, virtual %v ms", res.Instructions, res.MIPS(), res.VirtualTime/clock.Millisecond)
}

// TestTwoMachines runs two demo machines at once: they must not interfere
// and, being deterministic, must agree on everything.
func TestTwoMachines(t *testing.T) {
	type out struct {
		res    Result
		serial string
		screen []string
		ram    [32]byte
	}
	var outs [2]out
	var wg sync.WaitGroup
	for i := range outs {
		wg.Go(func() {
			o := &outs[i]
			o.res, o.serial, o.screen, o.ram = runDemo(t)
		})
	}
	wg.Wait()
	a, b := outs[0], outs[1]
	require.Equal(t, ReasonPowerOff, a.res.Reason)
	require.Equal(t, a.serial, b.serial)
	require.Equal(t, a.screen, b.screen)
	require.Equal(t, a.ram, b.ram, "RAM contents differ")
	require.Equal(t, a.res.Instructions, b.res.Instructions)
	require.Equal(t, a.res.VirtualTime, b.res.VirtualTime)
	require.Equal(t, a.res.CPU, b.res.CPU)
}

func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"too small", Config{MemoryMiB: 1, Deterministic: true}, "memory size 1 MiB out of range: use 2 to 3072 MiB"},
		{"too large", Config{MemoryMiB: 4096, Deterministic: true}, "memory size 4096 MiB out of range"},
		{"negative", Config{MemoryMiB: -5, Deterministic: true}, "out of range"},
		{"no start time", Config{MemoryMiB: 16}, "StartTime is required"},
		{"bad ns", Config{Deterministic: true, NsPerInstruction: -1}, "NsPerInstruction"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := New(tc.cfg)
			require.Error(t, err)
			require.Nil(t, m)
			require.Contains(t, err.Error(), tc.want)
			require.NotContains(t, err.Error(), "\n")
		})
	}
}

// bzImage builds a synthetic bzImage whose protected-mode part is
// linuxstub.bin (protocol 2.10, one setup sector).
func bzImage(t *testing.T) []byte {
	payload := prog(t, "linuxstub")
	b := make([]byte, 2*512+len(payload))
	b[0x1F1] = 1                                         // setup_sects
	binary.LittleEndian.PutUint16(b[0x1FE:], 0xAA55)     // boot_flag
	b[0x200], b[0x201] = 0xEB, 0x264-0x202               // jump over the header
	binary.LittleEndian.PutUint32(b[0x202:], 0x53726448) // "HdrS"
	binary.LittleEndian.PutUint16(b[0x206:], 0x020A)     // version
	b[0x211] = 1                                         // LOADED_HIGH
	binary.LittleEndian.PutUint32(b[0x214:], 0x100000)   // code32_start
	binary.LittleEndian.PutUint32(b[0x22C:], 0x7FFFFFFF) // initrd_addr_max
	binary.LittleEndian.PutUint32(b[0x230:], 0x200000)   // kernel_alignment
	binary.LittleEndian.PutUint32(b[0x238:], 2047)       // cmdline_size
	binary.LittleEndian.PutUint64(b[0x258:], 0x100000)   // pref_address
	binary.LittleEndian.PutUint32(b[0x260:], 0x10000)    // init_size
	binary.LittleEndian.PutUint32(b[0x1F4:], uint32((len(payload)+15)/16))
	copy(b[1024:], payload)
	return b
}

// TestLinuxEntryState boots a synthetic bzImage that checks the 32-bit
// boot protocol's entry state and echoes its command line and initrd.
func TestLinuxEntryState(t *testing.T) {
	var con syncBuffer
	m, err := New(Config{MemoryMiB: 16, Debugcon: &con, Deterministic: true})
	require.NoError(t, err)
	defer m.Close()
	require.NoError(t, m.LoadLinux(bzImage(t), []byte("INRD-and-more"), "console=ttyS0 bt86"))
	res, err := m.Run(context.Background())
	require.NoError(t, err)
	require.Equal(t, ReasonPowerOff, res.Reason)
	require.Equal(t, "console=ttyS0 bt86|INRD\n", con.String())
}

func TestLoadErrors(t *testing.T) {
	kernel := bzImage(t)
	for _, tc := range []struct {
		name           string
		mem            int
		kernel, initrd []byte
		want           string
	}{
		{"empty kernel", 16, nil, nil, "kernel image is empty"},
		{"not a bzImage", 16, bytes.Repeat([]byte("MZ"), 1024), nil, "not a bzImage"},
		{"initrd larger than RAM", 4, kernel, make([]byte, 5<<20), "initrd (5 MiB) does not fit in RAM (4 MiB)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := New(Config{MemoryMiB: tc.mem, Deterministic: true})
			require.NoError(t, err)
			defer m.Close()
			err = m.LoadLinux(tc.kernel, tc.initrd, "")
			require.Error(t, err)
			require.Contains(t, err.Error(), tc.want)
		})
	}
	m, err := New(Config{MemoryMiB: 2, Deterministic: true})
	require.NoError(t, err)
	defer m.Close()
	require.ErrorContains(t, m.LoadProgram(nil), "empty")
	require.ErrorContains(t, m.LoadProgram(make([]byte, 0x90001)), "at most")
	_, err = m.Run(context.Background())
	require.ErrorContains(t, err, "nothing to run")
	require.NoError(t, m.Close())
	require.ErrorIs(t, m.LoadProgram([]byte{0xF4}), ErrClosed)
}

// TestReset: the guest resets itself three ways (i8042, port 0x92,
// port 0xCF9); the NVRAM counter survives, the fourth boot exits.
func TestReset(t *testing.T) {
	var con syncBuffer
	m, err := New(Config{MemoryMiB: 4, Debugcon: &con, DebugExit: true, Deterministic: true})
	require.NoError(t, err)
	defer m.Close()
	require.NoError(t, m.LoadProgram(prog(t, "reset")))
	res, err := m.Run(context.Background())
	require.NoError(t, err)
	require.Equal(t, ReasonDebugExit, res.Reason, "%s", res)
	require.Equal(t, 1, res.ExitStatus)
	require.Equal(t, 3, res.Resets)
	require.Equal(t, "1234", con.String())
}

func TestNoReboot(t *testing.T) {
	var con syncBuffer
	m, err := New(Config{MemoryMiB: 4, Debugcon: &con, NoReboot: true, Deterministic: true})
	require.NoError(t, err)
	defer m.Close()
	require.NoError(t, m.LoadProgram(prog(t, "reset")))
	res, err := m.Run(context.Background())
	require.NoError(t, err)
	require.Equal(t, ReasonReset, res.Reason)
	require.Equal(t, "guest requested a reset (not rebooting)", res.String())
	require.Equal(t, "1", con.String())
}

func TestTripleFault(t *testing.T) {
	m, err := New(Config{MemoryMiB: 4, Deterministic: true})
	require.NoError(t, err)
	defer m.Close()
	require.NoError(t, m.LoadProgram(prog(t, "triple")))
	res, err := m.Run(context.Background())
	require.NoError(t, err)
	require.Equal(t, ReasonTripleFault, res.Reason)
	require.Contains(t, res.String(), "guest triple fault: #GP")
	require.Contains(t, res.String(), "at 1000:")
}

// TestHaltJumpsTime: a guest halted with interrupts on waits for five
// 18.2 Hz PIT interrupts; deterministic time jumps to each deadline, so
// few instructions run while 5 x 54.9 ms of virtual time pass.
func TestHaltJumpsTime(t *testing.T) {
	for _, det := range []bool{true, false} {
		t.Run(fmt.Sprintf("deterministic=%v", det), func(t *testing.T) {
			var con syncBuffer
			cfg := Config{MemoryMiB: 4, Debugcon: &con, Deterministic: det}
			if !det {
				cfg.StartTime = time.Now()
			}
			m, err := New(cfg)
			require.NoError(t, err)
			defer m.Close()
			require.NoError(t, m.LoadProgram(prog(t, "ticks")))
			res, err := m.Run(context.Background())
			require.NoError(t, err)
			require.Equal(t, ReasonPowerOff, res.Reason)
			require.Equal(t, "5", con.String())
			require.Less(t, res.Instructions, uint64(10_000))
			require.Equal(t, uint64(5), res.CPU.Interrupts)
			period := clock.Time(65536) * clock.Second / 1193182
			require.GreaterOrEqual(t, res.VirtualTime, 5*period)
			if det {
				require.Less(t, res.VirtualTime, 6*period)
			} else { // a loaded host may lose ticks (the PIT coalesces them)
				require.GreaterOrEqual(t, res.HostTime, time.Duration(5*period)-time.Millisecond, "host mode sleeps")
			}
		})
	}
}

func TestSerialInput(t *testing.T) {
	t.Run("SendSerial", func(t *testing.T) {
		var serial, con syncBuffer
		m, err := New(Config{MemoryMiB: 4, Serial: &serial, Debugcon: &con, DebugExit: true, Deterministic: true})
		require.NoError(t, err)
		defer m.Close()
		require.NoError(t, m.LoadProgram(prog(t, "echo")))
		long := strings.Repeat("0123456789abcdef", 32) // more than the FIFO holds
		go m.SendSerial([]byte("hello " + long + "."))
		res, err := m.Run(context.Background())
		require.NoError(t, err)
		require.Equal(t, ReasonDebugExit, res.Reason)
		require.Equal(t, "hello "+long, serial.String())
		require.Equal(t, "hello "+long, con.String())
	})
	t.Run("SerialIn", func(t *testing.T) {
		var serial syncBuffer
		m, err := New(Config{MemoryMiB: 4, Serial: &serial, SerialIn: strings.NewReader("typed."), DebugExit: true, Deterministic: true})
		require.NoError(t, err)
		defer m.Close()
		require.NoError(t, m.LoadProgram(prog(t, "echo")))
		res, err := m.Run(context.Background())
		require.NoError(t, err)
		require.Equal(t, ReasonDebugExit, res.Reason)
		require.Equal(t, "typed", serial.String())
	})
}

// TestCancel: a guest that never stops returns ReasonCanceled.
func TestCancel(t *testing.T) {
	m, err := New(Config{MemoryMiB: 4, Deterministic: true})
	require.NoError(t, err)
	defer m.Close()
	require.NoError(t, m.LoadProgram(prog(t, "echo"))) // waits for input forever
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	res, err := m.Run(ctx)
	require.NoError(t, err)
	require.Equal(t, ReasonCanceled, res.Reason)
	require.Positive(t, res.Instructions)
}

// TestProgramsUpToDate re-assembles the test programs when nasm exists.
func TestProgramsUpToDate(t *testing.T) {
	nasm, err := exec.LookPath("nasm")
	if err != nil {
		t.Skip("nasm not installed")
	}
	srcs, err := filepath.Glob(filepath.Join("testdata", "progs", "*.asm"))
	require.NoError(t, err)
	require.NotEmpty(t, srcs)
	for _, src := range srcs {
		out := filepath.Join(t.TempDir(), "x.bin")
		msg, err := exec.Command(nasm, "-f", "bin", "-o", out, src).CombinedOutput()
		require.NoError(t, err, "nasm: %s", msg)
		want, err := os.ReadFile(out)
		require.NoError(t, err)
		got, err := os.ReadFile(strings.TrimSuffix(src, ".asm") + ".bin")
		require.NoError(t, err)
		require.Equal(t, want, got, "%s is stale: reassemble it with nasm -f bin", src)
	}
}
