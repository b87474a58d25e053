package machine

import (
	"context"
	"encoding/binary"
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

// diskWith returns a disk image of size bytes starting with boot, the
// sectors after it filled by fill (may be nil).
func diskWith(boot []byte, size int, fill func(lba int, sec []byte)) bios.MemDrive {
	d := make(bios.MemDrive, size)
	copy(d, boot)
	if fill != nil {
		for lba := (len(boot) + 511) / 512; lba < size/512; lba++ {
			fill(lba, d[lba*512:(lba+1)*512])
		}
	}
	return d
}

// runBIOS boots cfg through the embedded BIOS on engine and returns the
// result, the debug console output and the serial output.
func runBIOS(t *testing.T, engine string, cfg bios.Config, keys [][]byte, serialIn ...string) (Result, string, string, *Machine) {
	t.Helper()
	var debugcon, serial syncBuffer
	m, err := New(Config{MemoryMiB: 32, Debugcon: &debugcon, Serial: &serial, DebugExit: true, Deterministic: true, Engine: engine})
	require.NoError(t, err)
	t.Cleanup(func() { m.Close() })
	require.NoError(t, m.LoadBIOS(cfg))
	for _, k := range keys {
		m.SendKeys(k)
	}
	for _, in := range serialIn {
		m.SendSerial([]byte(in))
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
			res, dbg, serial, m := runBIOS(t, engine, bios.Config{HardDisks: []bios.Drive{disk}, SerialConsole: true}, nil)
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

// TestBIOSServices runs the test boot sectors of testdata/bios on the
// whole machine, one per service group, and checks what they report on
// the debug console.
func TestBIOSServices(t *testing.T) {
	pattern := func(lba int, sec []byte) { binary.LittleEndian.PutUint32(sec, uint32(lba)) }
	hd := func(name string) bios.Config {
		return bios.Config{HardDisks: []bios.Drive{diskWith(bootSector(t, name), 1<<20, pattern)}}
	}
	key := func(codes ...byte) []byte { return codes }
	serialConsole := func(c bios.Config) bios.Config { c.SerialConsole = true; return c }
	for _, tc := range []struct {
		name   string
		cfg    bios.Config
		keys   [][]byte
		serial string // typed on the serial console
		status int
		want   string
	}{
		{"hello from a floppy", bios.Config{Floppies: []bios.Drive{diskWith(bootSector(t, "hello"), 1440<<10, nil)}, Boot: bios.BootFloppy}, nil, "", 0x21,
			"drive=00 mem=027f equip=0827\n"},
		{"disk", hd("disk"), nil, "", 0x22,
			"params cx=013f dx=0f01\nchs al=02 lba=0000003f,00000040\nedd bx=aa55 read=000003e8 written=54495257\nsectors=00000800 bad=02,01\n"},
		{"keys", hd("keys"), [][]byte{key(0x1E, 0x9E), key(0x2A, 0x30, 0xB0, 0xAA), key(0x1C, 0x9C)}, "", 0x23,
			"key=1e61\nkey=3042\nkey=1c0d\nempty flags=00\n"},
		{"keys from the serial console", serialConsole(hd("keys")), nil, "aB\r", 0x23,
			"key=1e61\nkey=3042\nkey=1c0d\nempty flags=00\n"},
		{"time", hd("time"), nil, "", 0x24, "wait ok precise date=20000101 time=000000\n"},
		{"memory map and PCI", hd("mem"), nil, "", 0x25,
			"e820 0000000000000000 000000000009fc00 01\n" +
				"e820 000000000009fc00 0000000000000400 02\n" +
				"e820 00000000000f0000 0000000000010000 02\n" +
				"e820 0000000000100000 0000000001f00000 01\n" +
				"e801 3c00 0100 88 7c00\n" +
				"pci 20494350 0210 piix3=0008 isa=0008 id=70008086\n"},
	} {
		for _, engine := range Engines() {
			t.Run(tc.name+"/"+engine, func(t *testing.T) {
				res, dbg, _, _ := runBIOS(t, engine, tc.cfg, tc.keys, tc.serial)
				require.Equal(t, ReasonDebugExit, res.Reason, "%s; debugcon %q", res, dbg)
				require.Equal(t, tc.want, dbg)
				require.Equal(t, tc.status<<1|1, res.ExitStatus)
			})
		}
	}
}

// TestBIOSNoBoot: a disk without the boot signature gives a message on
// the screen and a halt (a power-off for the machine).
func TestBIOSNoBoot(t *testing.T) {
	for _, engine := range Engines() {
		t.Run(engine, func(t *testing.T) {
			cfg := bios.Config{HardDisks: []bios.Drive{make(bios.MemDrive, 1<<20)}, SerialConsole: true}
			res, _, serial, m := runBIOS(t, engine, cfg, nil)
			require.Equal(t, ReasonPowerOff, res.Reason, "%s", res)
			screen := strings.Join(m.VGA().Text(), "\n")
			require.Contains(t, screen, "drive 0x80: not bootable (no 55AA signature)")
			require.Contains(t, screen, "no bootable device")
			require.Contains(t, serial, "no bootable device")
		})
	}
}

// TestBIOSReset: a machine reset runs POST and the boot sector again
// (the ROM is rewritten over the reset stub).
func TestBIOSReset(t *testing.T) {
	var debugcon syncBuffer
	m, err := New(Config{MemoryMiB: 8, Debugcon: &debugcon, DebugExit: true, Deterministic: true})
	require.NoError(t, err)
	defer m.Close()
	disk := diskWith(bootSector(t, "hello"), 1<<20, nil)
	require.NoError(t, m.LoadBIOS(bios.Config{HardDisks: []bios.Drive{disk}}))
	_, err = m.Run(context.Background())
	require.NoError(t, err)
	require.NoError(t, m.reset())
	res, err := m.Run(context.Background())
	require.NoError(t, err)
	require.Equal(t, ReasonDebugExit, res.Reason)
	require.Equal(t, strings.Repeat("drive=80 mem=027f equip=0826\n", 2), debugcon.String())
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

// BenchmarkBIOSPowerOnToBootSector measures a machine reset through POST
// and INT 19h to a boot sector that exits at once (hello.bin prints two
// lines first).
func BenchmarkBIOSPowerOnToBootSector(b *testing.B) {
	boot, err := os.ReadFile(filepath.Join("testdata", "bios", "hello.bin"))
	require.NoError(b, err)
	m, err := New(Config{MemoryMiB: 32, DebugExit: true, Deterministic: true})
	require.NoError(b, err)
	defer m.Close()
	require.NoError(b, m.LoadBIOS(bios.Config{HardDisks: []bios.Drive{diskWith(boot, 1<<20, nil)}}))
	var instr uint64
	for b.Loop() {
		require.NoError(b, m.reset())
		res, err := m.Run(context.Background())
		require.NoError(b, err)
		require.Equal(b, ReasonDebugExit, res.Reason)
		instr += res.Instructions
	}
	b.ReportMetric(float64(instr)/float64(b.N), "instructions/op")
}
