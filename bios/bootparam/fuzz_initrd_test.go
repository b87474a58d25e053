package bootparam

import (
	"bytes"
	"testing"
)

// FuzzBuildInitrd fuzzes the initrd side of the loader: initrd size, RAM
// size, initrd_addr_max, the kernel's preferred address and init_size,
// and the command line. Build either refuses with an error or returns a
// plan whose blocks are sorted, disjoint and inside RAM, with the initrd
// page aligned, below initrd_addr_max, above the kernel's decompression
// area and holding exactly the initrd's bytes.
func FuzzBuildInitrd(f *testing.F) {
	f.Add(uint32(5000), uint16(64), uint32(0x7FFFFFFF), uint32(0x100000), uint32(0x200000), "console=ttyS0")
	f.Add(uint32(0), uint16(2), uint32(0x37FFFFFF), uint32(0x100000), uint32(0x100000), "")
	f.Add(uint32(60<<20), uint16(64), uint32(0x7FFFFFFF), uint32(0x100000), uint32(0x400000), "x")
	f.Add(uint32(1<<20), uint16(3072), uint32(0xFFFFFFFF), uint32(0xFFFFF000), uint32(0xFFFFFFFF), "a b c")
	f.Add(uint32(4096), uint16(16), uint32(0x1000), uint32(0x100000), uint32(0x10000), "quiet")
	f.Fuzz(func(t *testing.T, initrdLen uint32, ramMiB uint16, addrMax, pref, initSize uint32, cmdline string) {
		initrdLen %= 8 << 20 // keep each run quick (and its allocation small)
		s := defaultSynth()
		s.payloadLen = 64
		s.initrdAddrMax = addrMax
		s.prefAddress = uint64(pref)
		s.initSize = initSize
		initrd := bytes.Repeat([]byte{0xA5}, int(initrdLen))
		ram := uint64(ramMiB) << 20
		p, err := Build(Config{RAMSize: ram, Kernel: s.build(), Initrd: initrd, Cmdline: cmdline})
		if err != nil {
			if p != nil {
				t.Fatalf("Build returned a plan and error %v", err)
			}
			return
		}
		for i, b := range p.Blocks {
			if b.End() > ram || b.End() < b.Addr {
				t.Fatalf("block %s [%#x, %#x) outside RAM (%#x)", b.Name, b.Addr, b.End(), ram)
			}
			if i > 0 && p.Blocks[i-1].End() > b.Addr {
				t.Fatalf("blocks %s and %s overlap", p.Blocks[i-1].Name, b.Name)
			}
		}
		if initrdLen == 0 {
			if p.InitrdAddr != 0 || p.InitrdSize != 0 {
				t.Fatalf("no initrd, but InitrdAddr %#x size %d", p.InitrdAddr, p.InitrdSize)
			}
			return
		}
		if p.InitrdSize != uint64(initrdLen) || p.InitrdAddr%4096 != 0 {
			t.Fatalf("initrd at %#x size %d, want page aligned, size %d", p.InitrdAddr, p.InitrdSize, initrdLen)
		}
		if last := p.InitrdAddr + p.InitrdSize - 1; last > uint64(p.Kernel.Header.InitrdAddrMax) {
			t.Fatalf("initrd ends at %#x above initrd_addr_max %#x", last, p.Kernel.Header.InitrdAddrMax)
		}
		if p.InitrdAddr < p.KernelEnd {
			t.Fatalf("initrd at %#x inside the kernel's area (ends %#x)", p.InitrdAddr, p.KernelEnd)
		}
		found := false
		for _, b := range p.Blocks {
			if b.Name == "initrd" {
				found = b.Addr == p.InitrdAddr && bytes.Equal(b.Data, initrd)
			}
		}
		if !found {
			t.Fatalf("no initrd block at %#x with the initrd's bytes", p.InitrdAddr)
		}
	})
}
