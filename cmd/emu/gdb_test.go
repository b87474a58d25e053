package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bt86/machine"
)

// emuProcess is emu running as a child process.
type emuProcess struct {
	cmd    *exec.Cmd
	stderr *bufio.Reader
	addr   string // where the gdb stub listens
	log    strings.Builder
}

// startEmu starts emu with args and waits for its gdb stub's line.
func startEmu(t *testing.T, args ...string) *emuProcess {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "BT86_EMU_MAIN=1")
	errPipe, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	p := &emuProcess{cmd: cmd, stderr: bufio.NewReader(errPipe)}
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			_ = p.cmd.Process.Kill()
			_ = p.cmd.Wait()
		}
	})
	re := regexp.MustCompile(`gdb (?:on|stub listening on) (\S+:\d+)`)
	for {
		line, err := p.stderr.ReadString('\n')
		p.log.WriteString(line)
		if m := re.FindStringSubmatch(line); m != nil {
			p.addr = m[1]
			return p
		}
		require.NoError(t, err, "emu did not start its stub: %s", p.log.String())
	}
}

// stop interrupts emu and returns its exit code and the rest of stderr.
func (p *emuProcess) stop(t *testing.T) (int, string) {
	t.Helper()
	require.NoError(t, p.cmd.Process.Signal(os.Interrupt))
	rest, _ := io.ReadAll(p.stderr)
	p.log.Write(rest)
	err := p.cmd.Wait()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode(), p.log.String()
	}
	require.NoError(t, err)
	return 0, p.log.String()
}

// runGDB runs gdb in batch mode with the commands and returns its output.
func runGDB(t *testing.T, cmds []string) string {
	t.Helper()
	gdb, err := exec.LookPath("gdb")
	if err != nil {
		t.Skip("gdb not installed (scripts/setup.sh installs Debian's gdb)")
	}
	script := filepath.Join(t.TempDir(), "cmds.gdb")
	require.NoError(t, os.WriteFile(script, []byte(strings.Join(cmds, "\n")+"\n"), 0o644))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, gdb, "-batch", "-nx", "-x", script).CombinedOutput()
	require.NoError(t, err, "gdb: %s", out)
	return string(out)
}

// guestKernel returns the path of Debian's kernel fetched by
// scripts/fetch-guests.sh, or skips.
func guestKernel(t *testing.T) string {
	dir := os.Getenv("BT86_GUEST_DIR")
	if dir == "" {
		home, _ := os.UserHomeDir()
		dir = filepath.Join(home, ".cache", "bt86", "guests")
	}
	k := filepath.Join(dir, "vmlinuz")
	if _, err := os.Stat(k); err != nil {
		t.Skipf("Linux guest not available (%v): run scripts/fetch-guests.sh", err)
	}
	return k
}

// TestGDBLinux drives the real gdb against `emu -s -S` booting Debian's
// kernel, under every engine: a breakpoint at the 32-bit entry point
// (code32_start, 0x100000: the decompressor's startup_32), registers and
// memory, write and read watchpoints, 100 single steps checked against
// gdb's own disassembly, and a detach after which the guest runs on.
//
// The watched variable is boot_params.scratch (offset 0x1e4 of the zero
// page, whose address the boot protocol passes in ESI): startup_32 in
// arch/x86/boot/compressed/head_32.S points ESP just past it
// (`leal (BP_scratch+4)(%esi), %esp`) and does `call 1f; 1: popl %edx`
// to learn where it runs, so its 4th instruction provably writes the
// return address (the address of the popl) there, and its 5th reads it
// back. The watchpoints are set with gdb's eval on ESI so that gdb sees a
// constant address (a hardware watchpoint, not a software one).
func TestGDBLinux(t *testing.T) {
	if testing.Short() {
		t.Skip("boots Linux under gdb")
	}
	kernelPath := guestKernel(t)
	kernel, err := os.ReadFile(kernelPath)
	require.NoError(t, err)
	setupSects := int(kernel[0x1F1])
	if setupSects == 0 {
		setupSects = 4
	}
	entryCode := kernel[(setupSects+1)*512:][:8]

	for _, engine := range machine.Engines() {
		t.Run(engine, func(t *testing.T) {
			args := []string{"-S", "-engine", engine, "-m", "128", "-nographic", "-serial", "none",
				"-kernel", kernelPath, "-append", "console=ttyS0"}
			// -s is tcp::1234; another program may hold that port.
			if ln, err := net.Listen("tcp", "127.0.0.1:1234"); err == nil {
				ln.Close()
				args = append([]string{"-s"}, args...)
			} else {
				args = append([]string{"-gdb", "tcp::0"}, args...)
			}
			emu := startEmu(t, args...)
			cmds := []string{
				"set architecture i386",
				"set pagination off",
				"target remote " + emu.addr,
				"info registers eip",
				"break *0x100000",
				"continue",
				"info registers",
				"x/8xb 0x100000",
				`eval "watch *(unsigned int *)0x%x", $esi + 0x1e4`,
				"continue",
				"info registers eip esp",
				"delete 2",
				`eval "rwatch *(unsigned int *)0x%x", $esi + 0x1e4`,
				"continue",
				"info registers eip edx",
				"delete",
				"echo STEPS\\n",
			}
			for range 100 {
				cmds = append(cmds, "x/2i $pc", "stepi")
			}
			cmds = append(cmds, "x/2i $pc", "echo END\\n", "monitor info stats", "detach")
			out := runGDB(t, cmds)
			code, log := emu.stop(t)
			if t.Failed() {
				t.Logf("gdb:\n%s\nemu:\n%s", out, log)
			}

			for _, want := range []string{
				"0x000fff00 in ?? ()", // -S: stopped before the boot stub's jump
				"Breakpoint 1 at 0x100000",
				"Breakpoint 1, 0x00100000 in ?? ()",
				"eip            0x100000",
				"cs             0x10",
				"esi            0x7000",
				"Hardware watchpoint 2: *(unsigned int *)0x71e4",
				"Hardware read watchpoint 3: *(unsigned int *)0x71e4",
				"instructions retired:",
				"[Inferior 1 (Remote target) detached]",
			} {
				assert.Contains(t, out, want)
			}
			// Memory at the entry point is the kernel's protected-mode code.
			var bytes []string
			for _, b := range entryCode {
				bytes = append(bytes, fmt.Sprintf("0x%02x", b))
			}
			assert.Contains(t, out, "0x100000:\t"+strings.Join(bytes, "\t"))

			// The write watchpoint stops after the CALL, having stored the
			// address of the next instruction; the read one after the POP.
			m := regexp.MustCompile(`Old value = 0\nNew value = (\d+)\n0x([0-9a-f]+) in \?\? \(\)`).FindStringSubmatch(out)
			require.NotNil(t, m, "write watchpoint report")
			stored, _ := strconv.ParseUint(m[1], 10, 32)
			at, _ := strconv.ParseUint(m[2], 16, 32)
			assert.Equal(t, at, stored, "the return address the CALL pushed is where it stopped")
			assert.Contains(t, out, fmt.Sprintf("esp            0x%x", 0x7000+0x1e4))
			m = regexp.MustCompile(`Value = (\d+)\n0x([0-9a-f]+) in \?\? \(\)`).FindStringSubmatch(out)
			require.NotNil(t, m, "read watchpoint report")
			read, _ := strconv.ParseUint(m[1], 10, 32)
			after, _ := strconv.ParseUint(m[2], 16, 32)
			assert.Equal(t, stored, read)
			assert.Equal(t, stored+1, after, "stops after the one-byte POP")
			assert.Contains(t, out, fmt.Sprintf("edx            0x%x", stored))

			steps := out[strings.Index(out, "STEPS\n"):strings.Index(out, "END\n")]
			checked := checkSteps(t, steps)
			t.Logf("%d of 100 single steps checked against the disassembly; last: %s", checked,
				strings.TrimSpace(steps[strings.LastIndex(steps, "=> "):]))
			assert.GreaterOrEqual(t, checked, 90, "steps whose successor the disassembly fixes")

			assert.Equal(t, 128+int(syscall.SIGINT), code, "emu ran on after the detach until interrupted: %s", log)
			assert.Contains(t, log, "stopped by interrupt")
		})
	}
}

var (
	reCur  = regexp.MustCompile(`(?m)^=> 0x([0-9a-f]+)(?: <[^>]*>)?:\t(.*)$`)
	reNext = regexp.MustCompile(`(?m)^   0x([0-9a-f]+)(?: <[^>]*>)?:\t`)
	reDst  = regexp.MustCompile(`^(?:\S+)\s+0x([0-9a-f]+)$`)
)

// checkSteps checks gdb's log of `x/2i $pc; stepi` pairs: each step
// moves EIP where the disassembly says: the next instruction, or the
// target of a direct jump or call (either one for a conditional jump,
// the same instruction again for a REP string instruction that is not
// finished). It returns how many steps it could check (indirect
// transfers are not), and requires 100 steps.
func checkSteps(t *testing.T, log string) int {
	t.Helper()
	blocks := strings.Split(log, "=> ")[1:]
	require.Len(t, blocks, 101, "x/2i outputs")
	type insn struct {
		pc, next uint64
		text     string
	}
	var ins []insn
	for _, b := range blocks {
		b = "=> " + b
		c := reCur.FindStringSubmatch(b)
		n := reNext.FindStringSubmatch(b)
		require.NotNil(t, c, "disassembly: %q", b)
		require.NotNil(t, n, "disassembly: %q", b)
		pc, _ := strconv.ParseUint(c[1], 16, 32)
		next, _ := strconv.ParseUint(n[1], 16, 32)
		ins = append(ins, insn{pc, next, strings.TrimSpace(c[2])})
	}
	checked := 0
	for i := 0; i < 100; i++ {
		cur, got := ins[i], ins[i+1].pc
		text := cur.text
		fields := strings.Fields(text)
		mn := fields[0]
		var allowed []uint64
		switch {
		case strings.HasPrefix(mn, "rep"):
			allowed = []uint64{cur.pc, cur.next}
		case strings.Contains(text, "*") && (strings.HasPrefix(mn, "jmp") || strings.HasPrefix(mn, "call")),
			strings.HasPrefix(mn, "ret"), strings.HasPrefix(mn, "iret"), strings.HasPrefix(mn, "lret"),
			strings.HasPrefix(mn, "ljmp"), strings.HasPrefix(mn, "lcall"), strings.HasPrefix(mn, "int"):
			continue // the target is data, not in the disassembly
		case mn == "jmp" || mn == "call":
			d := reDst.FindStringSubmatch(text)
			require.NotNil(t, d, "direct %s: %q", mn, text)
			target, _ := strconv.ParseUint(d[1], 16, 32)
			allowed = []uint64{target}
		case strings.HasPrefix(mn, "j") || strings.HasPrefix(mn, "loop"):
			d := reDst.FindStringSubmatch(text)
			require.NotNil(t, d, "conditional %s: %q", mn, text)
			target, _ := strconv.ParseUint(d[1], 16, 32)
			allowed = []uint64{target, cur.next}
		default:
			allowed = []uint64{cur.next}
		}
		assert.Contains(t, allowed, got, "step %d: %#x %s went to %#x", i, cur.pc, text, got)
		checked++
	}
	return checked
}

// TestGDBDemo runs the built-in demo under `-gdb tcp::0 -S` and lets gdb
// continue it to its power-off, reading memory on the way; without -S
// the demo runs to completion with the stub listening.
func TestGDBDemo(t *testing.T) {
	emu := startEmu(t, "-gdb", "tcp::0", "-S", "-icount", "-nographic")
	out := runGDB(t, []string{
		"set architecture i386",
		"target remote " + emu.addr,
		"info registers eip cs",
		"monitor info registers",
		"monitor xp/2xb 0xfff00",
		"continue",
	})
	code, log := emu.stop(t)
	assert.Contains(t, out, "cs             0xf000")
	assert.Contains(t, out, "000fff00: 0xea 0x00")
	assert.Contains(t, out, "[Inferior 1 (Remote target) exited normally]")
	assert.Equal(t, exitOK, code, log)
	assert.Contains(t, log, "guest powered off")

	free := startEmu(t, "-gdb", "tcp::0", "-icount", "-nographic")
	rest, _ := io.ReadAll(free.stderr)
	require.NoError(t, free.cmd.Wait())
	assert.Contains(t, string(rest), "guest powered off")
}

// rspPacket frames a Remote Serial Protocol packet.
func rspPacket(data string) string {
	var sum byte
	for i := 0; i < len(data); i++ {
		sum += data[i]
	}
	return fmt.Sprintf("$%s#%02x", data, sum)
}

// rspReply reads the next packet from r, acknowledging it.
func rspReply(t *testing.T, conn net.Conn, r *bufio.Reader) string {
	t.Helper()
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(60*time.Second)))
	for {
		c, err := r.ReadByte()
		require.NoError(t, err)
		if c != '$' {
			continue // acks
		}
		body, err := r.ReadString('#')
		require.NoError(t, err)
		_, err = io.ReadFull(r, make([]byte, 2))
		require.NoError(t, err)
		_, err = conn.Write([]byte("+"))
		require.NoError(t, err)
		return strings.TrimSuffix(body, "#")
	}
}

// TestGDBInterruptAndKill speaks the protocol to `emu -S` booting Linux
// as gdb does for Ctrl-C and kill: continue, 0x03 a second later (the
// kernel is still decompressing or booting: SIGINT stop), then k, which
// ends emu.
func TestGDBInterruptAndKill(t *testing.T) {
	if testing.Short() {
		t.Skip("boots Linux")
	}
	kernelPath := guestKernel(t)
	for _, engine := range machine.Engines() {
		t.Run(engine, func(t *testing.T) {
			emu := startEmu(t, "-gdb", "tcp::0", "-S", "-engine", engine, "-m", "128", "-nographic", "-serial", "none",
				"-kernel", kernelPath, "-append", "console=ttyS0")
			conn, err := net.Dial("tcp", emu.addr)
			require.NoError(t, err)
			defer conn.Close()
			r := bufio.NewReader(conn)
			send := func(s string) {
				_, err := conn.Write([]byte(s))
				require.NoError(t, err)
			}
			send(rspPacket("?"))
			assert.True(t, strings.HasPrefix(rspReply(t, conn, r), "T05"), "stopped before the first instruction")
			send(rspPacket("c"))
			time.Sleep(time.Second)
			send("\x03")
			stop := rspReply(t, conn, r)
			assert.True(t, strings.HasPrefix(stop, "T02"), "Ctrl-C stops with SIGINT: %s", stop)
			send(rspPacket("qRcmd," + fmt.Sprintf("%x", "info stats")))
			var out strings.Builder
			for {
				p := rspReply(t, conn, r)
				if p == "OK" {
					break
				}
				b := make([]byte, len(p)/2)
				_, err := fmt.Sscanf(p[1:], "%x", &b)
				require.NoError(t, err)
				out.Write(b)
			}
			assert.Regexp(t, `instructions retired: [1-9]\d*`, out.String())
			send(rspPacket("k"))
			rest, _ := io.ReadAll(emu.stderr)
			require.NoError(t, emu.cmd.Wait(), "exit status 0: %s", rest)
			assert.Contains(t, string(rest), "bt86: killed by the debugger after")
		})
	}
}
