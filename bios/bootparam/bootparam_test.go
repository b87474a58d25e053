package bootparam

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		file    func() []byte
		wantErr string // substring; empty means success
		check   func(t *testing.T, k *Kernel)
	}{
		{
			name: "valid",
			file: func() []byte { return defaultSynth().build() },
			check: func(t *testing.T, k *Kernel) {
				h := k.Header
				assert.Equal(t, uint16(0x020F), h.Version)
				assert.Equal(t, "2.15", h.ProtocolString())
				assert.Equal(t, 1, h.SetupSects)
				assert.Equal(t, uint32(HighLoadAddr), h.Code32Start)
				assert.Equal(t, uint32(0x7FFFFFFF), h.InitrdAddrMax)
				assert.Equal(t, uint32(2047), h.CmdlineSize)
				assert.Equal(t, uint32(0x200000), h.KernelAlignment)
				assert.True(t, h.Relocatable)
				assert.Equal(t, uint64(0x1000000), h.PrefAddress)
				assert.Equal(t, uint32(0x200000), h.InitSize)
				assert.Equal(t, uint32(16), h.SysSize)
				assert.Len(t, k.Setup, 1024)
				assert.Len(t, k.Payload, 256)
				assert.Equal(t, byte(1), k.Payload[0])
				assert.Equal(t, uint32(HighLoadAddr), k.LoadAddr)
				assert.Equal(t, uint32(HighLoadAddr), k.EntryAddr())
				assert.Equal(t, "6.1.0-synthetic (bt86@test) #1", k.Version)
				assert.Len(t, k.SetupHeader, maxHeaderEnd-SetupHeaderOffset)
				assert.Equal(t, uint64(0x200000), k.MemoryFootprint())
			},
		},
		{
			name: "setup_sects zero means four",
			file: func() []byte { s := defaultSynth(); s.setupSects = 0; return s.build() },
			check: func(t *testing.T, k *Kernel) {
				assert.Equal(t, 4, k.Header.SetupSects)
				assert.Len(t, k.Setup, 5*512)
			},
		},
		{
			name: "protocol 2.02 uses defaults",
			file: func() []byte { s := defaultSynth(); s.version = 0x0202; return s.build() },
			check: func(t *testing.T, k *Kernel) {
				h := k.Header
				assert.Equal(t, uint32(DefaultInitrdAddrMax), h.InitrdAddrMax)
				assert.Equal(t, uint32(DefaultCmdlineSize), h.CmdlineSize)
				assert.Zero(t, h.SysSize)
				assert.Zero(t, h.KernelAlignment)
				assert.False(t, h.Relocatable)
				assert.Zero(t, h.PrefAddress)
				assert.Zero(t, h.InitSize)
				assert.Equal(t, uint64(4*256), k.MemoryFootprint())
			},
		},
		{
			name: "protocol 2.05 has no cmdline_size",
			file: func() []byte { s := defaultSynth(); s.version = 0x0205; return s.build() },
			check: func(t *testing.T, k *Kernel) {
				assert.Equal(t, uint32(DefaultCmdlineSize), k.Header.CmdlineSize)
				assert.True(t, k.Header.Relocatable)
			},
		},
		{
			name:    "bad boot flag",
			file:    func() []byte { b := defaultSynth().build(); b[offBootFlag] = 0; return b },
			wantErr: "not a bzImage: boot flag is 0xaa00",
		},
		{
			name:    "bad HdrS",
			file:    func() []byte { b := defaultSynth().build(); copy(b[offHeaderMagic:], "MZ\x00\x00"); return b },
			wantErr: `not a bzImage: no "HdrS" signature`,
		},
		{
			name:    "ELF file",
			file:    func() []byte { return append([]byte("\x7fELF"), make([]byte, 1000)...) },
			wantErr: "not a bzImage",
		},
		{
			name:    "not loaded high",
			file:    func() []byte { s := defaultSynth(); s.loadFlags = 0; return s.build() },
			wantErr: "not a bzImage: LOADED_HIGH is clear",
		},
		{
			name:    "old protocol",
			file:    func() []byte { s := defaultSynth(); s.version = 0x0200; return s.build() },
			wantErr: "protocol 2.00 too old",
		},
		{
			name:    "empty",
			file:    func() []byte { return nil },
			wantErr: "truncated kernel: 0 bytes",
		},
		{
			name:    "truncated in header",
			file:    func() []byte { return defaultSynth().build()[:0x210] },
			wantErr: "truncated kernel: 528 bytes, the setup header ends at 0x26c",
		},
		{
			name:    "truncated in setup",
			file:    func() []byte { return defaultSynth().build()[:900] },
			wantErr: "truncated kernel: 900 bytes, 1 setup sectors need 1024",
		},
		{
			name:    "no payload",
			file:    func() []byte { return defaultSynth().build()[:1024] },
			wantErr: "truncated kernel: no protected-mode code",
		},
		{
			name:    "truncated payload",
			file:    func() []byte { return defaultSynth().build()[:1024+100] },
			wantErr: "truncated kernel: syssize says 256 bytes of protected-mode code, file has 100",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k, err := Parse(tc.file())
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.wantErr)
				assert.Nil(t, k)
				return
			}
			require.NoError(t, err)
			tc.check(t, k)
		})
	}
}

func TestNotBzImageIsDistinguishable(t *testing.T) {
	b := defaultSynth().build()
	b[offBootFlag] = 0
	_, err := Parse(b)
	assert.True(t, errors.Is(err, ErrNotBzImage))

	_, err = Parse(defaultSynth().build()[:900])
	assert.False(t, errors.Is(err, ErrNotBzImage))
}

func TestBuild(t *testing.T) {
	const mib = 1 << 20
	tests := []struct {
		name    string
		cfg     func() Config
		wantErr string
		check   func(t *testing.T, p *Plan)
	}{
		{
			name: "kernel initrd cmdline",
			cfg: func() Config {
				return Config{
					RAMSize: 64 * mib,
					Kernel:  defaultSynth().build(),
					Initrd:  bytes.Repeat([]byte{0xAB}, 3*mib+5),
					Cmdline: "console=ttyS0 earlyprintk=serial",
				}
			},
			check: func(t *testing.T, p *Plan) {
				// Initrd as high as possible, page aligned.
				assert.Equal(t, uint64(64*mib-3*mib-pageSize), p.InitrdAddr)
				assert.Equal(t, uint64(3*mib+5), p.InitrdSize)
				assert.Equal(t, uint64(0x1000000+0x200000), p.KernelEnd)

				bp := p.BootParams
				addr, size := bp.Ramdisk()
				assert.Equal(t, p.InitrdAddr, addr)
				assert.Equal(t, p.InitrdSize, size)
				assert.Equal(t, uint64(CmdlineAddr), bp.CmdlinePtr())
				assert.Equal(t, uint8(LoaderUndefined), bp.TypeOfLoader())
				assert.Equal(t, uint8(LoadedHigh|CanUseHeap), bp.LoadFlags())
				assert.Equal(t, uint16(HeapEnd), bp.HeapEnd())
				assert.Equal(t, DefaultE820(64*mib), bp.E820())
				assert.Equal(t, uint8(4), bp[offE820Entries])
				assert.Equal(t, uint32(63*1024), binary.LittleEndian.Uint32(bp[offAltMemK:]))
				// Header copied, magic intact; screen left blank.
				assert.Equal(t, uint32(HeaderMagic), binary.LittleEndian.Uint32(bp[offHeaderMagic:]))
				assert.Equal(t, uint16(0x020F), binary.LittleEndian.Uint16(bp[offVersion:]))
				assert.Zero(t, bp[offScreenInfo+siOrigVideoCols])

				e := p.Entry
				assert.Equal(t, uint32(HighLoadAddr), e.EIP)
				assert.Equal(t, uint32(ZeroPageAddr), e.ESI)
				assert.Equal(t, uint32(0x2), e.EFLAGS)
				assert.Equal(t, uint32(1), e.CR0)
				assert.Equal(t, uint16(0x10), e.CS.Selector)
				assert.Equal(t, uint16(0x18), e.DS.Selector)
				assert.Equal(t, uint32(0xFFFFFFFF), e.CS.Limit)
				assert.Equal(t, uint32(GDTAddr), e.GDTBase)
				assert.Equal(t, uint16(31), e.GDTLimit)

				names := []string{}
				for _, b := range p.Blocks {
					names = append(names, b.Name)
				}
				assert.Equal(t, []string{"gdt", "boot_params", "cmdline", "kernel", "initrd"}, names)
				assert.Equal(t, "console=ttyS0 earlyprintk=serial\x00", string(p.Blocks[2].Data))
				assert.Equal(t, uint64(HighLoadAddr), p.Blocks[3].Addr)
				assert.Len(t, p.Blocks[3].Data, 256)
				gdt := p.Blocks[0].Data
				assert.Equal(t, FlatCodeDescriptor, binary.LittleEndian.Uint64(gdt[BootCS:]))
				assert.Equal(t, FlatDataDescriptor, binary.LittleEndian.Uint64(gdt[BootDS:]))
				assert.Equal(t, e.CS.Descriptor, binary.LittleEndian.Uint64(gdt[e.CS.Selector:]))
			},
		},
		{
			name: "no initrd, text screen",
			cfg: func() Config {
				return Config{RAMSize: 32 * mib, Kernel: defaultSynth().build(), TextScreen: true}
			},
			check: func(t *testing.T, p *Plan) {
				assert.Zero(t, p.InitrdAddr)
				addr, size := p.BootParams.Ramdisk()
				assert.Zero(t, addr)
				assert.Zero(t, size)
				assert.Len(t, p.Blocks, 4)
				assert.Equal(t, "\x00", string(p.Blocks[2].Data))
				bp := p.BootParams
				assert.Equal(t, uint8(3), bp[siOrigVideoMode])
				assert.Equal(t, uint8(80), bp[siOrigVideoCols])
				assert.Equal(t, uint8(25), bp[siOrigVideoLine])
				assert.Equal(t, uint8(1), bp[siOrigVideoVGA])
			},
		},
		{
			name: "initrd capped by initrd_addr_max",
			cfg: func() Config {
				s := defaultSynth()
				s.initrdAddrMax = 32*mib - 1
				return Config{RAMSize: 128 * mib, Kernel: s.build(), Initrd: make([]byte, mib)}
			},
			check: func(t *testing.T, p *Plan) {
				assert.Equal(t, uint64(31*mib), p.InitrdAddr)
			},
		},
		{
			name: "initrd in the highest RAM range of a custom e820",
			cfg: func() Config {
				return Config{
					RAMSize: 128 * mib,
					Kernel:  defaultSynth().build(),
					Initrd:  make([]byte, 2*mib),
					E820: []E820Entry{
						{Addr: 0, Size: EBDAStart, Type: E820RAM},
						{Addr: OneMiB, Size: 63 * mib, Type: E820RAM},
						{Addr: 64 * mib, Size: 64 * mib, Type: E820Reserved},
					},
				}
			},
			check: func(t *testing.T, p *Plan) {
				assert.Equal(t, uint64(62*mib), p.InitrdAddr)
				assert.Len(t, p.BootParams.E820(), 3)
			},
		},
		{
			name: "initrd too large",
			cfg: func() Config {
				return Config{RAMSize: 32 * mib, Kernel: defaultSynth().build(), Initrd: make([]byte, 20*mib)}
			},
			wantErr: "initrd (20 MiB) does not fit in RAM (32 MiB)",
		},
		{
			name: "initrd too large, fractional",
			cfg: func() Config {
				return Config{RAMSize: 32 * mib, Kernel: defaultSynth().build(), Initrd: make([]byte, 30*mib+mib/2)}
			},
			wantErr: "initrd (30.5 MiB) does not fit in RAM (32 MiB)",
		},
		{
			name: "cmdline too long",
			cfg: func() Config {
				return Config{RAMSize: 32 * mib, Kernel: defaultSynth().build(), Cmdline: strings.Repeat("x", 2048)}
			},
			wantErr: "cmdline is 2048 bytes, kernel accepts at most 2047",
		},
		{
			name: "cmdline too long for protocol 2.05",
			cfg: func() Config {
				s := defaultSynth()
				s.version = 0x0205
				return Config{RAMSize: 32 * mib, Kernel: s.build(), Cmdline: strings.Repeat("x", 256)}
			},
			wantErr: "cmdline is 256 bytes, kernel accepts at most 255",
		},
		{
			name: "cmdline with NUL",
			cfg: func() Config {
				return Config{RAMSize: 32 * mib, Kernel: defaultSynth().build(), Cmdline: "a\x00b"}
			},
			wantErr: "cmdline contains a NUL byte",
		},
		{
			name: "RAM too small for the kernel",
			cfg: func() Config {
				return Config{RAMSize: 16 * mib, Kernel: defaultSynth().build()}
			},
			wantErr: "kernel needs RAM up to 0x1200000 (18 MiB), machine has 16 MiB",
		},
		{
			name: "RAM below 1 MiB",
			cfg: func() Config {
				return Config{RAMSize: 640 << 10, Kernel: defaultSynth().build()}
			},
			wantErr: "RAM (0.6 MiB) must be larger than 1 MiB",
		},
		{
			name: "too many e820 entries",
			cfg: func() Config {
				return Config{RAMSize: 32 * mib, Kernel: defaultSynth().build(), E820: make([]E820Entry, E820Max+1)}
			},
			wantErr: "e820 map has 129 entries, the zero page holds 128",
		},
		{
			name: "bad kernel",
			cfg: func() Config {
				return Config{RAMSize: 32 * mib, Kernel: []byte("hello")}
			},
			wantErr: "truncated kernel",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Build(tc.cfg())
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.wantErr)
				return
			}
			require.NoError(t, err)
			checkPlanInvariants(t, p)
			tc.check(t, p)
		})
	}
}

func checkPlanInvariants(t *testing.T, p *Plan) {
	t.Helper()
	for i, b := range p.Blocks {
		if i > 0 {
			assert.LessOrEqual(t, p.Blocks[i-1].End(), b.Addr, "blocks %s and %s overlap", p.Blocks[i-1].Name, b.Name)
		}
		if b.Name == "initrd" {
			assert.Zero(t, b.Addr%pageSize, "initrd not page aligned")
			assert.GreaterOrEqual(t, b.Addr, p.KernelEnd, "initrd inside the kernel's decompression area")
		}
	}
}

func TestSetLoader(t *testing.T) {
	var bp BootParams
	bp.SetLoader(0x7, 0x23) // GRUB 2.x style: T=7
	assert.Equal(t, uint8(0x73), bp.TypeOfLoader())
	assert.Equal(t, uint8(0x2), bp[offExtLoaderVer])
	bp.SetLoader(0x11, 0x5) // extended ID 0x11
	assert.Equal(t, uint8(0xE5), bp.TypeOfLoader())
	assert.Equal(t, uint8(0x01), bp[offExtLoaderType])
}

func TestE820RoundTrip(t *testing.T) {
	var bp BootParams
	m := []E820Entry{
		{Addr: 0, Size: 0x9F000, Type: E820RAM},
		{Addr: 0x100000, Size: 0x7EF0000, Type: E820RAM},
		{Addr: 0x7FF0000, Size: 0x10000, Type: E820ACPI},
		{Addr: 0xFEC00000, Size: 0x1000, Type: E820Reserved},
	}
	require.NoError(t, bp.SetE820(m))
	assert.Equal(t, m, bp.E820())
	assert.Equal(t, uint32(0x7EF0000>>10), binary.LittleEndian.Uint32(bp[offAltMemK:]))
	assert.Equal(t, "ACPI data", E820ACPI.String())
	assert.Equal(t, "type 9", E820Type(9).String())

	require.NoError(t, bp.SetE820(m[:1]))
	assert.Len(t, bp.E820(), 1)
	assert.Zero(t, bp[offE820Table+e820EntrySize], "stale entries cleared")
}

func TestNewBootParamsCapsLongHeader(t *testing.T) {
	b := defaultSynth().build()
	b[offJump+1] = 0xFF // header claims to run to 0x301
	k, err := Parse(b)
	require.NoError(t, err)
	bp := NewBootParams(k)
	assert.Zero(t, bp[offEDDMBRSigBuffer], "header copy stops at 0x290")
}
