package bootparam

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// guestDir is where scripts/fetch-guests.sh caches guest files.
func guestDir(t *testing.T) string {
	if d := os.Getenv("BT86_GUEST_DIR"); d != "" {
		return d
	}
	home, err := os.UserHomeDir()
	if err != nil {
		t.Skip("guest kernel not fetched; run scripts/fetch-guests.sh")
	}
	return filepath.Join(home, ".cache", "bt86", "guests")
}

// TestGuestKernel parses the real Debian kernel when it has been fetched.
// Run with -v to see its header.
func TestGuestKernel(t *testing.T) {
	dir := guestDir(t)
	data, err := os.ReadFile(filepath.Join(dir, "vmlinuz"))
	if os.IsNotExist(err) {
		t.Skip("guest kernel not fetched; run scripts/fetch-guests.sh")
	}
	require.NoError(t, err)

	k, err := Parse(data)
	require.NoError(t, err)
	h := k.Header
	t.Logf("kernel %q", k.Version)
	t.Logf("protocol %s, setup_sects %d, code32_start %#x, init_size %#x (%d MiB), kernel_alignment %#x, relocatable %v, pref_address %#x",
		h.ProtocolString(), h.SetupSects, h.Code32Start, h.InitSize, h.InitSize>>20, h.KernelAlignment, h.Relocatable, h.PrefAddress)
	t.Logf("initrd_addr_max %#x, cmdline_size %d, loadflags %#x, xloadflags %#x, min_alignment 2^%d, syssize %d paragraphs",
		h.InitrdAddrMax, h.CmdlineSize, h.LoadFlags, h.XLoadFlags, h.MinAlignment, h.SysSize)
	t.Logf("setup %d bytes, protected-mode part %d bytes, compressed payload at +%#x, %d bytes",
		len(k.Setup), len(k.Payload), h.PayloadOffset, h.PayloadLength)

	assert.GreaterOrEqual(t, h.Version, uint16(0x020A), "a 6.x kernel speaks protocol 2.10 or later")
	assert.Equal(t, uint32(HighLoadAddr), h.Code32Start)
	assert.NotZero(t, h.InitSize)
	assert.NotEmpty(t, k.Version)
	assert.LessOrEqual(t, uint64(h.SysSize)*16, uint64(len(k.Payload))+15)

	const ram = 256 << 20
	var initrd []byte
	if b, err := os.ReadFile(filepath.Join(dir, "initrd.img")); err == nil {
		initrd = b
	}
	p, err := Build(Config{RAMSize: ram, Kernel: data, Initrd: initrd, Cmdline: "console=ttyS0 earlyprintk=serial,ttyS0,115200"})
	require.NoError(t, err)
	checkPlanInvariants(t, p)
	for _, b := range p.Blocks {
		t.Logf("block %-11s [%#09x, %#09x) %d bytes", b.Name, b.Addr, b.End(), len(b.Data))
	}
	t.Logf("entry EIP %#x ESI %#x, kernel claims RAM up to %#x", p.Entry.EIP, p.Entry.ESI, p.KernelEnd)
}
