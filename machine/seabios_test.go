package machine

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"bt86/disk"
)

// makeDisk builds the SYSLINUX disk image with scripts/mkdisk.sh, or
// skips the test when the guest files or the Debian tools are missing.
func makeDisk(t *testing.T) string {
	dir := guestDir()
	for _, f := range []string{"vmlinuz", "initrd.img", "seabios/bios.bin"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Skipf("guest file missing (%v): run scripts/setup.sh", err)
		}
	}
	for _, tool := range []string{"syslinux", "mcopy", "mkfs.fat"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed: run scripts/setup.sh", tool)
		}
	}
	out := filepath.Join(t.TempDir(), "disk.img")
	cmd := exec.Command("bash", filepath.Join("..", "scripts", "mkdisk.sh"), out,
		filepath.Join(dir, "vmlinuz"), filepath.Join(dir, "initrd.img"))
	b, err := cmd.CombinedOutput()
	require.NoError(t, err, "mkdisk.sh: %s", b)
	return out
}

// TestSeaBIOSDiskBoot boots the SYSLINUX disk image of scripts/mkdisk.sh
// with Debian's SeaBIOS under every engine: firmware POST, the IDE disk
// through INT 13h, SYSLINUX, Linux's real-mode entry, the busybox shell;
// then the checks of TestLinuxBoot. The disk is opened with Snapshot,
// and its checksum must not change. One boot per engine: minutes.
func TestSeaBIOSDiskBoot(t *testing.T) {
	if testing.Short() {
		t.Skip("boots Linux through SeaBIOS: minutes on the interpreter")
	}
	path := makeDisk(t)
	bios, err := os.ReadFile(filepath.Join(guestDir(), "seabios", "bios.bin"))
	require.NoError(t, err)
	orig, err := os.ReadFile(path)
	require.NoError(t, err)
	sum := sha256.Sum256(orig)
	for _, engine := range Engines() {
		t.Run(engine, func(t *testing.T) {
			img, err := disk.Open(path, disk.Options{Snapshot: true})
			require.NoError(t, err)
			defer img.Close()
			seabiosBoot(t, engine, bios, img)
			after, err := os.ReadFile(path)
			require.NoError(t, err)
			require.Equal(t, sum, sha256.Sum256(after), "a snapshot boot wrote the image")
		})
	}
}

func seabiosBoot(t *testing.T, engine string, bios []byte, img disk.Image) {
	con, fw := newConsole(), newConsole()
	var serial io.Writer = con
	if p := os.Getenv("BT86_SERIAL_LOG"); p != "" {
		f, err := os.Create(p)
		require.NoError(t, err)
		defer f.Close()
		serial = io.MultiWriter(con, f)
	}
	m, err := New(Config{MemoryMiB: 256, Serial: serial, Debugcon: fw, Deterministic: true, Engine: engine,
		BIOSImage: bios, Disks: [4]disk.Image{PrimaryMaster: img}})
	require.NoError(t, err)
	defer m.Close()

	limit := 40 * time.Minute
	if dl, ok := t.Deadline(); ok {
		limit = min(limit, time.Until(dl)-20*time.Second)
	}
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	var res Result
	var runErr error
	done := make(chan struct{})
	start := time.Now()
	go func() {
		defer close(done)
		res, runErr = m.Run(ctx)
		cancel()
	}()
	defer func() { cancel(); <-done }()
	fail := func(format string, args ...any) {
		cancel()
		<-done
		t.Fatalf("%s\nrun: %v %v (%s) after %d instructions\nSeaBIOS log tail:\n%s\nserial tail:\n%s",
			fmt.Sprintf(format, args...), res.Reason, runErr, res, res.Instructions, fw.tail(1500), con.tail(3000))
	}

	steps := []string{"SYSLINUX", "Loading /VMLINUZ... ok", "Loading /INITRD.IMG...ok", "Linux version", "BT86-INIT-READY", "~ # "}
	pos := 0
	for _, s := range steps {
		if pos, err = con.waitFor(ctx, pos, s); err != nil {
			fail("%v", err)
		}
	}
	prompt := time.Since(start)
	fwlog := fw.String()
	require.Contains(t, fwlog, "ata0-0: BT86 HARDDISK ATA-6 Hard-Disk (32 MiBytes)")
	require.Contains(t, fwlog, "Booting from Hard Disk...")
	fmt.Printf("seabios-boot(%s): shell prompt after %.1f s (host time, deterministic mode, power-on to prompt)\n",
		engine, prompt.Seconds())

	for _, c := range linuxShellChecks() {
		m.SendSerial([]byte(c.cmd + "\n"))
		end, err := con.waitFor(ctx, pos, "\n~ # ")
		if err != nil {
			fail("%s: %v", c.cmd, err)
		}
		out := con.String()[pos:end]
		pos = end
		for _, w := range c.want {
			require.Contains(t, out, w, "output of %s", c.cmd)
		}
	}
	m.SendSerial([]byte("poweroff -f\n"))
	select {
	case <-done:
	case <-ctx.Done():
		<-done
	}
	if runErr != nil && !errors.Is(runErr, context.Canceled) {
		fail("run: %v", runErr)
	}
	require.Equal(t, ReasonPowerOff, res.Reason, "serial tail:\n%s", con.tail(2000))
	log := con.String()
	checkKernelLog(t, log)
	// The firmware's memory map reached the kernel.
	require.Contains(t, log, "BIOS-e820: [mem 0x0000000000100000-0x000000000fffffff] usable")
	fmt.Printf("seabios-boot(%s): powered off after %.1f s, %d instructions, %.1f MIPS\n",
		engine, time.Since(start).Seconds(), res.Instructions, res.MIPS())
}

// linuxShellChecks are TestLinuxBoot's shell commands and the output they
// must give.
func linuxShellChecks() []struct {
	cmd  string
	want []string
} {
	return []struct {
		cmd  string
		want []string
	}{
		{"uname -a", []string{"Linux (none) 6.1.0-50-686 #1 SMP PREEMPT_DYNAMIC Debian 6.1.176-1", "i686 GNU/Linux"}},
		{"cat /proc/cpuinfo", []string{"vendor_id\t: GenuineIntel", "cpu family\t: 6", "model\t\t: 6", "flags\t\t: fpu vme de pse tsc msr pae cx8 sep mtrr pge cmov"}},
		{"ls /", []string{"bin", "dev", "init", "proc", "sys"}},
		{"dd if=/dev/zero bs=1M count=16 | md5sum", []string{"16+0 records out", "2c7ab85a893283e98c931e9511add182  -"}},
	}
}

// TestSeaBIOSCDBoot boots the El Torito CD image of scripts/mkiso.sh
// (ISOLINUX) from the ATAPI CD-ROM drive with SeaBIOS, until the kernel
// that ISOLINUX read from the CD prints its banner.
func TestSeaBIOSCDBoot(t *testing.T) {
	if testing.Short() {
		t.Skip("boots SeaBIOS and ISOLINUX: a minute on the interpreter")
	}
	dir := guestDir()
	for _, f := range []string{"vmlinuz", "initrd.img", "seabios/bios.bin"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Skipf("guest file missing (%v): run scripts/setup.sh", err)
		}
	}
	if _, err := exec.LookPath("xorriso"); err != nil {
		t.Skip("xorriso not installed: run scripts/setup.sh")
	}
	if _, err := os.Stat("/usr/lib/ISOLINUX/isolinux.bin"); err != nil {
		t.Skip("isolinux not installed: run scripts/setup.sh")
	}
	iso := filepath.Join(t.TempDir(), "cd.iso")
	b, err := exec.Command("bash", filepath.Join("..", "scripts", "mkiso.sh"), iso,
		filepath.Join(dir, "vmlinuz"), filepath.Join(dir, "initrd.img")).CombinedOutput()
	require.NoError(t, err, "mkiso.sh: %s", b)
	bios, err := os.ReadFile(filepath.Join(dir, "seabios", "bios.bin"))
	require.NoError(t, err)
	for _, engine := range Engines() {
		t.Run(engine, func(t *testing.T) {
			cd, err := disk.Open(iso, disk.Options{ReadOnly: true})
			require.NoError(t, err)
			defer cd.Close()
			con, fw := newConsole(), newConsole()
			m, err := New(Config{MemoryMiB: 256, Serial: con, Debugcon: fw, Deterministic: true, Engine: engine,
				BIOSImage: bios, CDROM: cd})
			require.NoError(t, err)
			defer m.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
			defer cancel()
			done := make(chan struct{})
			go func() {
				defer close(done)
				_, _ = m.Run(ctx)
			}()
			pos := 0
			for _, s := range []string{"ISOLINUX", "Loading /vmlinuz... ok", "Loading /initrd.img...ok", "Linux version 6.1.0"} {
				if pos, err = con.waitFor(ctx, pos, s); err != nil {
					cancel()
					<-done
					t.Fatalf("%v\nSeaBIOS log tail:\n%s\nserial tail:\n%s", err, fw.tail(1500), con.tail(2000))
				}
			}
			cancel()
			<-done
			require.Contains(t, fw.String(), "DVD/CD [ata1-0: BT86 CD-ROM ATAPI-6 DVD/CD]")
			require.Contains(t, fw.String(), "Booting from DVD/CD...")
		})
	}
}

// TestSeaBIOSVGA runs SeaBIOS with SeaVGABIOS handed over fw_cfg
// (Config.VGABIOS) and checks the VGA text screen: the firmware's banner
// and SYSLINUX's output through INT 10h, up to the kernel load.
func TestSeaBIOSVGA(t *testing.T) {
	if testing.Short() {
		t.Skip("boots SeaBIOS: tens of seconds on the interpreter")
	}
	path := makeDisk(t)
	bios, err := os.ReadFile(filepath.Join(guestDir(), "seabios", "bios.bin"))
	require.NoError(t, err)
	vga, err := os.ReadFile(filepath.Join(guestDir(), "seabios", "vgabios-isavga.bin"))
	if err != nil {
		t.Skipf("SeaVGABIOS missing (%v): run scripts/setup.sh", err)
	}
	for _, engine := range Engines() {
		t.Run(engine, func(t *testing.T) {
			img, err := disk.Open(path, disk.Options{Snapshot: true})
			require.NoError(t, err)
			defer img.Close()
			con, fw := newConsole(), newConsole()
			m, err := New(Config{MemoryMiB: 64, Serial: con, Debugcon: fw, Deterministic: true, Engine: engine,
				BIOSImage: bios, VGABIOS: vga, Disks: [4]disk.Image{PrimaryMaster: img}})
			require.NoError(t, err)
			defer m.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
			defer cancel()
			done := make(chan struct{})
			go func() {
				defer close(done)
				_, _ = m.Run(ctx)
			}()
			_, err = con.waitFor(ctx, 0, "Loading /VMLINUZ")
			cancel()
			<-done
			require.NoError(t, err, "SeaBIOS log tail:\n%s", fw.tail(1500))
			require.Contains(t, fw.String(), "Found QEMU fw_cfg")
			require.Contains(t, fw.String(), "Start SeaVGABIOS")
			screen := strings.Join(m.VGA().Text(), "\n")
			for _, want := range []string{"SeaBIOS (version 1.16.2", "Booting from Hard Disk...", "SYSLINUX 6.04", "Loading /VMLINUZ"} {
				require.Contains(t, screen, want, "screen:\n%s", screen)
			}
		})
	}
}
