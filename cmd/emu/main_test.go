package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"bt86/guest/demo"
	"bt86/machine"
)

// emu runs the command in-process with empty stdin.
func emu(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(args, hostIO{in: strings.NewReader(""), out: &out, err: &errb})
	return code, out.String(), errb.String()
}

func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	notKernel := filepath.Join(dir, "notes.txt")
	require.NoError(t, os.WriteFile(notKernel, bytes.Repeat([]byte("not a kernel\n"), 100), 0o644))
	kernel := filepath.Join(dir, "bzImage")
	require.NoError(t, os.WriteFile(kernel, bzImage(), 0o644))
	bigInitrd := filepath.Join(dir, "big.img")
	require.NoError(t, os.WriteFile(bigInitrd, make([]byte, 5<<20), 0o644))
	busy, err := net.Listen("tcp", "127.0.0.1:0") // a port in use for -gdb
	require.NoError(t, err)
	defer busy.Close()
	busyPort := fmt.Sprint(busy.Addr().(*net.TCPAddr).Port)
	snap := badSnapshots(t, dir)
	rec, recKernel := recording(t, dir)
	require.NoError(t, os.WriteFile(recKernel, append(bzImage(), 0), 0o644)) // changed since recorded
	stubRec := filepath.Join(dir, "stub2.rec")
	code, _, stderr := emu("-kernel", kernel, "-m", "16", "-nographic", "-record", stubRec)
	require.Equal(t, exitOK, code, "stderr: %s", stderr)
	empty := filepath.Join(dir, "empty")
	require.NoError(t, os.WriteFile(empty, nil, 0o644))
	truncated := filepath.Join(dir, "truncated")
	require.NoError(t, os.WriteFile(truncated, bzImage()[:700], 0o644))
	noPayload := filepath.Join(dir, "nopayload")
	require.NoError(t, os.WriteFile(noPayload, bzImage()[:1024], 0o644))
	badMagic := filepath.Join(dir, "badmagic")
	require.NoError(t, os.WriteFile(badMagic, corrupt(bzImage(), 0x202, 'X'), 0o644))
	oldProtocol := filepath.Join(dir, "oldprotocol")
	require.NoError(t, os.WriteFile(oldProtocol, corrupt(bzImage(), 0x207, 1), 0o644))
	hugeSetup := filepath.Join(dir, "hugesetup")
	require.NoError(t, os.WriteFile(hugeSetup, corrupt(bzImage(), 0x1F1, 0xFF), 0o644))
	emuBin := buildEmu(t)
	bios, err := filepath.Abs(filepath.Join("testdata", "atawrite.bin")) // a 64 KiB ROM (absolute: the binary runs elsewhere)
	require.NoError(t, err)
	diskImg := filepath.Join(dir, "disk.img")
	require.NoError(t, os.WriteFile(diskImg, make([]byte, 1<<20), 0o644))
	emptyFile := filepath.Join(dir, "empty")
	require.NoError(t, os.WriteFile(emptyFile, nil, 0o644))
	noRead := filepath.Join(dir, "noread.img")
	require.NoError(t, os.WriteFile(noRead, make([]byte, 4096), 0o200))

	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"missing kernel", []string{"-kernel", filepath.Join(dir, "nope")}, "bt86: -kernel " + filepath.Join(dir, "nope") + ": no such file or directory"},
		{"missing initrd", []string{"-kernel", kernel, "-initrd", filepath.Join(dir, "nope")}, "-initrd " + filepath.Join(dir, "nope") + ": no such file or directory"},
		{"not a bzImage", []string{"-kernel", notKernel}, "bt86: -kernel " + notKernel + ": not a bzImage: boot flag is"},
		{"initrd too large", []string{"-kernel", kernel, "-initrd", bigInitrd, "-m", "4"}, "initrd (5 MiB) does not fit in RAM (4 MiB)"},
		{"memory too small", []string{"-m", "1"}, "bt86: memory size 1 MiB out of range: use 2 to 3072 MiB"},
		{"memory too large", []string{"-m", "5000"}, "out of range"},
		{"unknown flag", []string{"-fda", "floppy.img"}, "bt86: flag provided but not defined: -fda (emu -h for help)"},
		{"two disk arguments", []string{"-bios", bios, diskImg, diskImg}, `unexpected argument "` + diskImg + `" (one disk image at most`},
		{"disk argument and -hda", []string{"-bios", bios, "-hda", diskImg, diskImg}, "-hda is already given"},
		{"missing disk", []string{"-bios", bios, "-hda", filepath.Join(dir, "nope.img")}, "bt86: -hda: " + filepath.Join(dir, "nope.img") + ": no such file or directory"},
		{"missing disk argument", []string{"-bios", bios, filepath.Join(dir, "nope.img")}, "bt86: -hda: " + filepath.Join(dir, "nope.img") + ": no such file or directory"},
		{"empty disk", []string{"-bios", bios, "-hdb", emptyFile}, "bt86: -hdb: " + emptyFile + ": disk image is empty"},
		{"disk is a directory", []string{"-bios", bios, "-hdc", dir}, "bt86: -hdc: " + dir + ": is a directory"},
		{"unreadable disk", []string{"-bios", bios, "-hdd", noRead}, "bt86: -hdd: " + noRead + ": permission denied"},
		{"missing bios", []string{"-bios", filepath.Join(dir, "nope.bin")}, "bt86: -bios " + filepath.Join(dir, "nope.bin") + ": no such file or directory"},
		{"empty bios", []string{"-bios", emptyFile}, "bt86: -bios " + emptyFile + ": firmware image is empty"},
		{"bios of wrong size", []string{"-bios", notKernel}, "bt86: -bios " + notKernel + ": firmware image is 1300 bytes: want a multiple of 64 KiB"},
		{"bios is a directory", []string{"-bios", dir}, "bt86: -bios " + dir + ": is a directory"},
		{"kernel and bios", []string{"-bios", bios, "-kernel", kernel}, "-kernel and -bios cannot be combined"},
		{"missing cdrom", []string{"-bios", bios, "-cdrom", filepath.Join(dir, "nope.iso")}, "bt86: -cdrom: " + filepath.Join(dir, "nope.iso") + ": no such file or directory"},
		{"empty cdrom", []string{"-bios", bios, "-cdrom", emptyFile}, "bt86: -cdrom: " + emptyFile + ": disk image is empty"},
		{"cdrom too small", []string{"-bios", bios, "-cdrom", notKernel}, "bt86: -cdrom: " + notKernel + ": CD image is 1300 bytes, less than one 2048-byte sector"},
		{"cdrom and hdc", []string{"-bios", bios, "-cdrom", diskImg, "-hdc", diskImg}, "-hdc and -cdrom are both the secondary master"},
		{"vgabios without bios", []string{"-vgabios", bios}, "-vgabios needs -bios"},
		{"missing vgabios", []string{"-bios", bios, "-vgabios", filepath.Join(dir, "nope.bin")}, "bt86: -vgabios " + filepath.Join(dir, "nope.bin") + ": no such file or directory"},
		{"vgabios not a ROM", []string{"-bios", bios, "-vgabios", notKernel}, "bt86: -vgabios " + notKernel + ": not an option ROM"},
		{"cdrom without firmware", []string{"-cdrom", diskImg}, "booting a CD-ROM needs firmware"},
		{"initrd without kernel", []string{"-initrd", bigInitrd}, "-initrd and -append need -kernel"},
		{"bad serial", []string{"-serial", "tcp:1234"}, `-serial "tcp:1234": want stdio, none or file:PATH`},
		{"bad icount", []string{"-icount=shift=x"}, "invalid boolean value"},
		{"gdb port in use", []string{"-icount", "-gdb", "tcp::" + busyPort}, "cannot listen on 127.0.0.1:" + busyPort + ": the port is already in use"},
		{"bad gdb address", []string{"-gdb", "tcp:localhost:http"}, `-gdb: gdbstub: bad listen address "tcp:localhost:http"`},
		{"-S without a stub", []string{"-S"}, "-S waits for a debugger: use it with -s or -gdb tcp::PORT"},
		{"unknown trace category", []string{"-d", "in_asm,bogus"}, `-d: unknown trace category "bogus"`},
		{"bad trace filter", []string{"-d", "exec", "-dfilter", "0x1000+"}, `-dfilter: bad address ""`},
		{"trace file in a missing directory", []string{"-icount", "-d", "int", "-D", filepath.Join(dir, "nope", "log")}, "-D: open " + filepath.Join(dir, "nope", "log") + ": no such file or directory"},
		{"snapshot missing", []string{"-loadvm", filepath.Join(dir, "nope")}, "bt86: -loadvm " + filepath.Join(dir, "nope") + ": no such file or directory"},
		{"snapshot empty", []string{"-loadvm", snap["empty"]}, "bt86: -loadvm " + snap["empty"] + ": empty file: not a bt86 snapshot"},
		{"snapshot truncated", []string{"-loadvm", snap["truncated"]}, `corrupt snapshot: section "RAM ": truncated`},
		{"snapshot corrupt", []string{"-loadvm", snap["corrupt"]}, "corrupt snapshot"},
		{"snapshot wrong version", []string{"-loadvm", snap["version"]}, "snapshot format version 99, this bt86 reads version 1"},
		{"not a snapshot", []string{"-loadvm", notKernel}, "not a bt86 snapshot (bad magic)"},
		{"snapshot memory size", []string{"-loadvm", snap["good"], "-m", "64"}, "the snapshot has 32 MiB of RAM, -m asks for 64"},
		{"replay missing", []string{"-replay", filepath.Join(dir, "nope")}, "bt86: -replay " + filepath.Join(dir, "nope") + ": no such file or directory"},
		{"replay not a recording", []string{"-replay", snap["good"]}, "not a bt86 recording (bad magic)"},
		{"replay file changed", []string{"-replay", rec}, "kernel " + recKernel + " differs from the recorded run's"},
		{"replay other kernel", []string{"-replay", rec, "-kernel", notKernel}, "-replay " + rec + ": kernel " + notKernel + " differs"},
		{"replay with -m", []string{"-replay", rec, "-m", "64"}, "-m cannot be given with -replay: it comes from the recording"},
		{"record and replay", []string{"-replay", rec, "-record", filepath.Join(dir, "r2")}, "-record and -replay exclude each other"},
		{"replay-stop alone", []string{"-replay-stop", "100"}, "-replay-stop needs -replay"},
		{"replay-stop after the end", []string{"-replay", stubRec, "-replay-stop", "100"}, "-replay-stop 100: the recorded run ended at instruction 2"},
		{"replay without its kernel", []string{"-replay", stubRec, "-loadvm", snap["good"]}, "the recorded run did not boot from a snapshot"},
		{"icount shift too large", []string{"-icount=shift=99"}, "want shift=N with N in 0..10"},
		{"empty kernel", []string{"-kernel", empty}, "-kernel " + empty + ": kernel image is empty"},
		{"truncated kernel setup", []string{"-kernel", truncated}, "truncated kernel: 700 bytes"},
		{"kernel without payload", []string{"-kernel", noPayload}, "truncated kernel: no protected-mode code"},
		{"corrupt kernel magic", []string{"-kernel", badMagic}, `not a bzImage: no "HdrS" signature`},
		{"kernel protocol too old", []string{"-kernel", oldProtocol}, "protocol 1.10 too old (need 2.02 or later)"},
		{"kernel setup sectors beyond file", []string{"-kernel", hugeSetup}, "truncated kernel"},
		{"kernel is a directory", []string{"-kernel", dir}, "-kernel " + dir + ": is a directory"},
		{"initrd is a directory", []string{"-kernel", kernel, "-initrd", dir}, "-initrd " + dir + ": is a directory"},
		{"memory zero", []string{"-m", "0"}, "memory size 0 MiB out of range"},
		{"memory negative", []string{"-m", "-5"}, "memory size -5 MiB out of range"},
		{"memory not a number", []string{"-m", "lots"}, `invalid value "lots" for flag -m`},
		{"memory overflows int", []string{"-m", "99999999999999999999999"}, "value out of range"},
		{"unknown engine", []string{"-engine", "jit"}, `engine "jit" is not available here`},
		{"serial file in missing directory", []string{"-serial", "file:" + filepath.Join(dir, "no", "such", "dir")}, "-serial: open"},
		{"serial file empty path", []string{"-serial", "file:"}, `-serial "file:": want stdio, none or file:PATH`},
	} {
		check := func(t *testing.T, code int, stdout, stderr string) {
			t.Helper()
			require.Equal(t, exitUsage, code, "stderr: %s", stderr)
			require.Empty(t, stdout)
			require.Contains(t, stderr, tc.want)
			require.Equal(t, 1, strings.Count(stderr, "\n"), "one line: %q", stderr)
			require.True(t, strings.HasSuffix(stderr, "\n"), "one whole line: %q", stderr)
			require.NotContains(t, stderr, "goroutine", "no Go traceback")
			require.NotContains(t, stderr, "panic", "no Go panic")
		}
		skipRoot := func(t *testing.T) {
			if tc.name == "unreadable disk" && os.Geteuid() == 0 {
				t.Skip("root reads any file")
			}
		}
		t.Run(tc.name, func(t *testing.T) {
			skipRoot(t)
			code, stdout, stderr := emu(tc.args...)
			check(t, code, stdout, stderr)
		})
		t.Run(tc.name+"/binary", func(t *testing.T) {
			skipRoot(t)
			code, stdout, stderr := runEmuBinary(t, emuBin, tc.args...)
			check(t, code, stdout, stderr)
		})
	}
}

func TestHelp(t *testing.T) {
	code, _, stderr := emu("-h")
	require.Equal(t, exitOK, code)
	require.Contains(t, stderr, "usage: emu")
}

// TestDemo boots the built-in demo, as `emu` with no arguments does.
func TestDemo(t *testing.T) {
	code, stdout, stderr := emu("-icount", "-stats")
	require.Equal(t, exitOK, code, "stderr: %s", stderr)
	require.Contains(t, stdout, "bt86 demo guest")
	require.Contains(t, stdout, "demo: done")
	require.Regexp(t, `^bt86: guest powered off \(halted with interrupts disabled\) after \d+ instructions, [\d.]+ s, [\d.]+ MIPS\n`, stderr)
	require.Contains(t, stderr, "bt86: stats: cpu retired=")
	require.Contains(t, stderr, "bt86: stats: mmu misses=")
}

func TestSerialFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "com1.txt")
	code, stdout, stderr := emu("-icount", "-serial", "file:"+path, "-nographic")
	require.Equal(t, exitOK, code, "stderr: %s", stderr)
	require.Empty(t, stdout)
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Contains(t, string(b), "bt86 demo guest")
}

func TestKernelBoot(t *testing.T) {
	dir := t.TempDir()
	kernel := filepath.Join(dir, "bzImage")
	require.NoError(t, os.WriteFile(kernel, bzImage(), 0o644))
	code, stdout, stderr := emu("-kernel", kernel, "-append", "console=ttyS0", "-m", "16", "-nographic")
	require.Equal(t, exitOK, code, "stderr: %s", stderr)
	require.Empty(t, stdout) // the stub kernel halts without printing on COM1
	require.Contains(t, stderr, "bt86: guest powered off")
}

func TestIcountFlag(t *testing.T) {
	var f icountFlag
	require.NoError(t, f.Set("true"))
	require.Equal(t, icountFlag{on: true}, f)
	require.NoError(t, f.Set("shift=3"))
	require.Equal(t, icountFlag{on: true, shift: 3}, f)
	require.NoError(t, f.Set("auto"))
	require.Equal(t, 0, f.shift)
	require.Error(t, f.Set("shift=99"))
}

// bzImage is a minimal bzImage whose protected-mode code is cli; hlt.
func bzImage() []byte {
	b := make([]byte, 2*512+16)
	b[0x1F1] = 1
	put16 := func(off int, v uint16) { b[off], b[off+1] = byte(v), byte(v>>8) }
	put32 := func(off int, v uint32) { put16(off, uint16(v)); put16(off+2, uint16(v>>16)) }
	put16(0x1FE, 0xAA55)
	b[0x200], b[0x201] = 0xEB, 0x264-0x202
	put32(0x202, 0x53726448)
	put16(0x206, 0x020A)
	b[0x211] = 1
	put32(0x214, 0x100000)
	put32(0x22C, 0x7FFFFFFF)
	put32(0x238, 2047)
	put32(0x258, 0x100000)
	put32(0x260, 0x10000)
	copy(b[1024:], []byte{0xFA, 0xF4})
	return b
}

func TestKeystroke(t *testing.T) {
	require.Equal(t, []byte{0x1E, 0x9E}, keystroke('a'))
	require.Equal(t, []byte{0x2A, 0x1E, 0x9E, 0xAA}, keystroke('A'))
	require.Equal(t, []byte{0x1C, 0x9C}, keystroke('\r'))
	require.Equal(t, []byte{0x2A, 0x03, 0x83, 0xAA}, keystroke('@'))
	require.Equal(t, []byte{0x35, 0xB5}, keystroke('/'))
	require.Equal(t, []byte{0x1D, 0x2E, 0xAE, 0x9D}, keystroke(3)) // Ctrl-C
	require.Nil(t, keystroke(0x80))
}

func TestConsoleEscapes(t *testing.T) {
	var out bytes.Buffer
	c := newConsole(hostIO{in: strings.NewReader("ab\x01\x01c\x01zd\x01xignored"), out: &out, err: &out})
	var got []byte
	quit := make(chan struct{})
	c.forward(func(b []byte) { got = append(got, b...) }, func() { close(quit) })
	<-quit
	require.Equal(t, "ab\x01c\x01zd", string(got))
}

// badSnapshots writes a valid snapshot of the demo guest (32 MiB) and
// broken variants of it to dir.
func badSnapshots(t *testing.T, dir string) map[string]string {
	m, err := machine.New(machine.Config{MemoryMiB: 32, Deterministic: true})
	require.NoError(t, err)
	defer m.Close()
	require.NoError(t, m.LoadProgram(demo.Image()))
	m.StopAt(10_000)
	_, err = m.Run(context.Background())
	require.NoError(t, err)
	var b bytes.Buffer
	require.NoError(t, m.SaveSnapshot(&b))
	good := b.Bytes()
	version := bytes.Clone(good)
	binary.LittleEndian.PutUint32(version[8:], 99)
	corrupt := bytes.Clone(good)
	corrupt[len(corrupt)/2] ^= 0x55
	files := map[string][]byte{"good": good, "empty": nil, "truncated": good[:len(good)/2], "corrupt": corrupt, "version": version}
	paths := map[string]string{}
	for name, data := range files {
		paths[name] = filepath.Join(dir, name+".snap")
		require.NoError(t, os.WriteFile(paths[name], data, 0o644))
	}
	return paths
}

// recording records a run of the stub kernel; it returns the recording
// and the kernel's path.
func recording(t *testing.T, dir string) (rec, kernel string) {
	rec, kernel = filepath.Join(dir, "stub.rec"), filepath.Join(dir, "stub-bzImage")
	require.NoError(t, os.WriteFile(kernel, bzImage(), 0o644))
	code, _, stderr := emu("-kernel", kernel, "-m", "16", "-nographic", "-record", rec)
	require.Equal(t, exitOK, code, "stderr: %s", stderr)
	require.Regexp(t, `bt86: state hash [0-9a-f]{64} at instruction \d+`, stderr)
	return rec, kernel
}

// TestRecordReplayDemo records the demo guest and replays it, in
// process: same output, same final state.
func TestRecordReplayDemo(t *testing.T) {
	rec := filepath.Join(t.TempDir(), "demo.rec")
	code, out1, err1 := emu("-record", rec, "-nographic")
	require.Equal(t, exitOK, code, "stderr: %s", err1)
	code, out2, err2 := emu("-replay", rec, "-nographic")
	require.Equal(t, exitOK, code, "stderr: %s", err2)
	require.Equal(t, out1, out2)
	h1, c1 := finalHash(t, err1)
	h2, c2 := finalHash(t, err2)
	require.Equal(t, h1, h2)
	require.Equal(t, c1, c2)

	code, _, err3 := emu("-replay", rec, "-replay-stop", "123456", "-nographic")
	require.Equal(t, exitOK, code, "stderr: %s", err3)
	require.Contains(t, err3, "stopped at the instruction count after 123456 instructions")
	_, c3 := finalHash(t, err3)
	require.Equal(t, "123456", c3)
}

// TestMonitor drives the monitor's commands without a guest running.
func TestMonitor(t *testing.T) {
	m, err := machine.New(machine.Config{MemoryMiB: 4, Deterministic: true})
	require.NoError(t, err)
	defer m.Close()
	require.NoError(t, m.LoadProgram(demo.Image()))
	quit := false
	mo := &monitor{m: m, quit: func() { quit = true }}
	path := filepath.Join(t.TempDir(), "s.snap")
	for _, tc := range []struct{ in, want string }{
		{"help\r", "savevm FILE"},
		{"info status\r", "VM status: stopped"},
		{"info status\r", "deterministic; instruction 0"},
		{"stats\r", "cpu retired=0"},
		{"info hash\r", "state hash "},
		{"savevm\r", "usage: savevm FILE"},
		{"savevm " + path + "\r", "saved " + path},
		{"savevm /nonexistent/dir/x\r", "savevm: no such file or directory"},
		{"frobnicate\r", `unknown command "frobnicate": try help`},
		{"ab\x7fc\r", `unknown command "ac"`},
	} {
		require.Contains(t, mo.input([]byte(tc.in)), tc.want, tc.in)
	}
	_, err = os.Stat(path)
	require.NoError(t, err)
	require.False(t, quit)
	mo.input([]byte("quit\r"))
	require.True(t, quit)
}

// TestConsoleMonitor: Ctrl-A c switches typed bytes to the monitor and
// back; guest output is held while the monitor is shown.
func TestConsoleMonitor(t *testing.T) {
	m, err := machine.New(machine.Config{MemoryMiB: 4, Deterministic: true})
	require.NoError(t, err)
	defer m.Close()
	var out bytes.Buffer
	c := newConsole(hostIO{in: strings.NewReader("ab\x01cinfo status\r\x01ccd\x01x"), out: &out, err: &out})
	c.mon = &monitor{m: m, quit: func() {}}
	var got []byte
	quit := make(chan struct{})
	c.forward(func(b []byte) { got = append(got, b...) }, func() { close(quit) })
	<-quit
	require.Equal(t, "abcd", string(got))
	require.Contains(t, out.String(), monitorBanner+monitorPrompt+"info status\r\nVM status: stopped")
	require.Contains(t, out.String(), monitorLeave)

	out.Reset()
	w := c.serialOut()
	w.Write([]byte("before "))
	c.toggleMonitor()
	w.Write([]byte("held"))
	require.NotContains(t, out.String(), "held")
	c.toggleMonitor()
	require.Equal(t, "before "+monitorBanner+monitorPrompt+monitorLeave+"held", out.String())
}

// TestConsoleMonitorOverVGA: VGA frames are not drawn while the monitor
// is shown; the last one is drawn again when it closes.
func TestConsoleMonitorOverVGA(t *testing.T) {
	var out bytes.Buffer
	c := newConsole(hostIO{out: &out, err: &out})
	c.altOn = true
	d := c.displayOut()
	d.Write([]byte("frame1"))
	c.toggleMonitor()
	d.Write([]byte("frame2"))
	require.NotContains(t, out.String(), "frame2")
	c.toggleMonitor()
	require.True(t, strings.HasSuffix(out.String(), monitorLeave+"\x1b[2Jframe2"), "%q", out.String())
}
