package machine

import (
	"io"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"bt86/bios"
)

// fileDrive is a disk image file as a bios.Drive (the tests' stand-in
// for bt86/disk).
type fileDrive struct {
	f    *os.File
	size int64
}

func (d fileDrive) ReadAt(p []byte, off int64) (int, error)  { return d.f.ReadAt(p, off) }
func (d fileDrive) WriteAt(p []byte, off int64) (int, error) { return d.f.WriteAt(p, off) }
func (d fileDrive) Size() int64                              { return d.size }

// syslinuxImage is the SYSLINUX disk image (FAT, the guest kernel and
// initramfs, console=ttyS0) the BIOS boot test uses: BT86_BIOS_DISK, or
// one scripts/mkdisk.sh builds (as the SeaBIOS test does).
func syslinuxImage(t *testing.T) string {
	if p := os.Getenv("BT86_BIOS_DISK"); p != "" {
		return p
	}
	return makeDisk(t)
}

// TestBIOSLinuxBoot boots a SYSLINUX disk image through the embedded
// BIOS (POST, INT 19h, SYSLINUX on INT 13h, Linux's real-mode setup on
// INT 10h/15h) to the busybox shell under every engine and runs the same
// session and checks as TestLinuxBoot; every engine must give the same
// output. The image is opened read-only (BIOS writes fail).
func TestBIOSLinuxBoot(t *testing.T) {
	if testing.Short() {
		t.Skip("boots Linux: minutes on the interpreter")
	}
	f, err := os.Open(syslinuxImage(t))
	if err != nil {
		t.Skipf("SYSLINUX image not available (%v)", err)
	}
	defer f.Close()
	st, err := f.Stat()
	require.NoError(t, err)
	var first []string
	for _, engine := range Engines() {
		t.Run(engine, func(t *testing.T) {
			con := newConsole()
			var serial io.Writer = con
			if p := os.Getenv("BT86_SERIAL_LOG"); p != "" {
				log, err := os.Create(p)
				require.NoError(t, err)
				defer log.Close()
				serial = io.MultiWriter(con, log)
			}
			m, err := New(Config{MemoryMiB: 256, Serial: serial, Deterministic: true, Engine: engine})
			require.NoError(t, err)
			defer m.Close()
			require.NoError(t, m.LoadBIOS(bios.Config{HardDisks: []bios.Drive{fileDrive{f, st.Size()}}}))
			outs, _ := shellSession(t, m, con, "bios-boot["+engine+"]")
			if first == nil {
				first = outs
				return
			}
			require.Equal(t, first, outs, "the session's output under %s differs from %s's", engine, Engines()[0])
		})
	}
}
