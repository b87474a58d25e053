package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
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
	bios := filepath.Join("testdata", "atawrite.bin") // a 64 KiB ROM
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
		{"disk without firmware", []string{"disk.img"}, "booting a disk needs firmware: add -bios FILE"},
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
		{"cdrom without firmware", []string{"-cdrom", diskImg}, "booting a disk needs firmware"},
		{"initrd without kernel", []string{"-initrd", bigInitrd}, "-initrd and -append need -kernel"},
		{"bad serial", []string{"-serial", "tcp:1234"}, `-serial "tcp:1234": want stdio, none or file:PATH`},
		{"bad icount", []string{"-icount=shift=x"}, "invalid boolean value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "unreadable disk" && os.Geteuid() == 0 {
				t.Skip("root reads any file")
			}
			code, stdout, stderr := emu(tc.args...)
			require.Equal(t, exitUsage, code, "stderr: %s", stderr)
			require.Empty(t, stdout)
			require.Contains(t, stderr, tc.want)
			require.Equal(t, 1, strings.Count(stderr, "\n"), "one line: %q", stderr)
			require.NotContains(t, stderr, "goroutine", "no Go traceback")
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
