package ide

import (
	"bytes"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"bt86/bus"
)

// memDisk is a Disk in memory that counts flushes and can fail.
type memDisk struct {
	b       []byte
	flushes int
	fail    bool
	writes  []int64 // offsets of WriteAt calls, in order
}

func (m *memDisk) ReadAt(p []byte, off int64) (int, error) {
	if m.fail {
		return 0, errors.New("broken")
	}
	return copy(p, m.b[off:]), nil
}

func (m *memDisk) WriteAt(p []byte, off int64) (int, error) {
	if m.fail {
		return 0, errors.New("broken")
	}
	m.writes = append(m.writes, off)
	return copy(m.b[off:], p), nil
}

func (m *memDisk) Size() int64 { return int64(len(m.b)) }
func (m *memDisk) Flush() error {
	m.flushes++
	return nil
}

type irqLog struct{ level [16]bool }

func (l *irqLog) SetIRQ(line int, high bool) { l.level[line] = high }

type rig struct {
	b    *bus.Bus
	c    *Controller
	irq  *irqLog
	disk *memDisk
}

// newRig has a patterned disk of n sectors as primary master.
func newRig(t *testing.T, n int) *rig {
	r := &rig{b: bus.New(), irq: &irqLog{}, disk: &memDisk{b: make([]byte, n*SectorSize)}}
	for i := range r.disk.b {
		r.disk.b[i] = byte(i/SectorSize) ^ byte(i)
	}
	r.c = New(r.irq)
	require.NoError(t, r.c.Attach(r.b))
	require.NoError(t, r.b.MapPorts("bm", 0xC000, 0xC00F, r.c.BusMaster()))
	require.NoError(t, r.c.SetDisk(0, 0, r.disk))
	return r
}

func (r *rig) out(reg uint16, v uint8) { r.b.Out(PrimaryCmd+reg, 1, uint32(v)) }
func (r *rig) status() uint8           { return uint8(r.b.In(PrimaryCmd+regCommand, 1)) }

// lba28 issues cmd with an LBA28 address.
func (r *rig) lba28(cmd uint8, lba uint32, count uint8) {
	r.out(regCount, count)
	r.out(regLBALow, uint8(lba))
	r.out(regLBAMid, uint8(lba>>8))
	r.out(regLBAHigh, uint8(lba>>16))
	r.out(regDevice, 0xE0|uint8(lba>>24)&0x0F)
	r.out(regCommand, cmd)
}

// lba48 issues cmd with an LBA48 address.
func (r *rig) lba48(cmd uint8, lba uint64, count uint16) {
	r.out(regDevice, 0xE0)
	r.out(regCount, uint8(count>>8))
	r.out(regLBALow, uint8(lba>>24))
	r.out(regLBAMid, uint8(lba>>32))
	r.out(regLBAHigh, uint8(lba>>40))
	r.out(regCount, uint8(count))
	r.out(regLBALow, uint8(lba))
	r.out(regLBAMid, uint8(lba>>8))
	r.out(regLBAHigh, uint8(lba>>16))
	r.out(regCommand, cmd)
}

// readSectors reads n sectors' worth of words from the data port, waiting
// for DRQ before each block of block sectors.
func (r *rig) readSectors(t *testing.T, n, block int) []byte {
	var out []byte
	for i := 0; i < n; i += block {
		require.True(t, r.irq.level[PrimaryIRQ], "interrupt before block %d", i)
		st := r.status()
		require.False(t, r.irq.level[PrimaryIRQ], "status read clears INTRQ")
		require.Equal(t, uint8(StatusDRDY|StatusDSC|StatusDRQ), st)
		for w := 0; w < min(block, n-i)*SectorSize/4; w++ {
			v := r.b.In(PrimaryCmd, 4)
			out = append(out, byte(v), byte(v>>8), byte(v>>16), byte(v>>24))
		}
	}
	require.Equal(t, uint8(StatusDRDY|StatusDSC), r.status())
	return out
}

func (r *rig) writeSectors(t *testing.T, data []byte, block int) {
	n := len(data) / SectorSize
	for i := 0; i < n; i += block {
		if i > 0 {
			require.True(t, r.irq.level[PrimaryIRQ])
		}
		require.Equal(t, uint8(StatusDRDY|StatusDSC|StatusDRQ), r.status())
		for w := 0; w < min(block, n-i)*SectorSize/2; w++ {
			p := (i*SectorSize + 2*w)
			r.b.Out(PrimaryCmd, 2, uint32(data[p])|uint32(data[p+1])<<8)
		}
	}
	require.True(t, r.irq.level[PrimaryIRQ], "completion interrupt")
	require.Equal(t, uint8(StatusDRDY|StatusDSC), r.status())
}

func TestIdentify(t *testing.T) {
	r := newRig(t, 100000)
	r.out(regDevice, 0xA0)
	r.out(regCommand, CmdIdentify)
	data := r.readSectors(t, 1, 1)
	w := func(i int) uint16 { return uint16(data[2*i]) | uint16(data[2*i+1])<<8 }
	require.Equal(t, uint16(0x0040), w(0))
	require.Equal(t, uint16(16), w(3))
	require.Equal(t, uint16(63), w(6))
	require.Equal(t, uint16(100000/(16*63)), w(1))
	require.EqualValues(t, 100000, uint32(w(60))|uint32(w(61))<<16)
	require.EqualValues(t, 100000, uint64(w(100))|uint64(w(101))<<16)
	require.NotZero(t, w(83)&(1<<10), "LBA48")
	require.Zero(t, w(49)&(1<<8), "no DMA")
	require.Zero(t, w(88))
	model := make([]byte, 40)
	for i := 0; i < 20; i++ {
		model[2*i], model[2*i+1] = byte(w(27+i)>>8), byte(w(27+i))
	}
	require.Equal(t, modelName, string(bytes.TrimRight(model, " ")))
	var sum byte
	for _, b := range data {
		sum += b
	}
	require.Zero(t, sum, "integrity checksum")
	require.Equal(t, byte(0xA5), data[510])
}

func TestReadWrite(t *testing.T) {
	for _, tc := range []struct {
		name   string
		issue  func(r *rig, lba uint64, n int)
		block  int
		setMul uint8
		write  bool
	}{
		{"read lba28", func(r *rig, lba uint64, n int) { r.lba28(CmdReadSectors, uint32(lba), uint8(n)) }, 1, 0, false},
		{"read lba48", func(r *rig, lba uint64, n int) { r.lba48(CmdReadSectorsExt, lba, uint16(n)) }, 1, 0, false},
		{"read multiple", func(r *rig, lba uint64, n int) { r.lba28(CmdReadMultiple, uint32(lba), uint8(n)) }, 8, 8, false},
		{"read multiple ext", func(r *rig, lba uint64, n int) { r.lba48(CmdReadMultipleExt, lba, uint16(n)) }, 4, 4, false},
		{"write lba28", func(r *rig, lba uint64, n int) { r.lba28(CmdWriteSectors, uint32(lba), uint8(n)) }, 1, 0, true},
		{"write lba48", func(r *rig, lba uint64, n int) { r.lba48(CmdWriteSectorsExt, lba, uint16(n)) }, 1, 0, true},
		{"write multiple", func(r *rig, lba uint64, n int) { r.lba28(CmdWriteMultiple, uint32(lba), uint8(n)) }, 16, 16, true},
		{"write multiple ext", func(r *rig, lba uint64, n int) { r.lba48(CmdWriteMultipleExt, lba, uint16(n)) }, 2, 2, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, 2000)
			if tc.setMul > 0 {
				r.out(regCount, tc.setMul)
				r.out(regDevice, 0xA0)
				r.out(regCommand, CmdSetMultiple)
				require.Equal(t, uint8(StatusDRDY|StatusDSC), r.status())
			}
			const lba, n = 1234, 37
			if !tc.write {
				want := bytes.Clone(r.disk.b[lba*SectorSize : (lba+n)*SectorSize])
				tc.issue(r, lba, n)
				require.Equal(t, want, r.readSectors(t, n, tc.block))
				return
			}
			data := bytes.Repeat([]byte{0xAB, 0xCD, 0x12}, n*SectorSize/3+1)[:n*SectorSize]
			before := bytes.Clone(r.disk.b)
			tc.issue(r, lba, n)
			r.writeSectors(t, data, tc.block)
			copy(before[lba*SectorSize:], data)
			require.Equal(t, before, r.disk.b)
			// One WriteAt per block, in order.
			for i, off := range r.disk.writes {
				require.EqualValues(t, (lba+i*tc.block)*SectorSize, off)
			}
			require.Len(t, r.disk.writes, (n+tc.block-1)/tc.block)
		})
	}
}

func TestCHS(t *testing.T) {
	r := newRig(t, 5000)
	// Cylinder 2, head 3, sector 4 with the default 16/63 geometry.
	lba := (2*16+3)*63 + 3
	r.out(regCount, 1)
	r.out(regLBALow, 4)
	r.out(regLBAMid, 2)
	r.out(regLBAHigh, 0)
	r.out(regDevice, 0xA3)
	r.out(regCommand, CmdReadSectors)
	require.Equal(t, r.disk.b[lba*SectorSize:(lba+1)*SectorSize], r.readSectors(t, 1, 1))
	// Sector 0 is not a CHS address.
	r.out(regLBALow, 0)
	r.out(regCommand, CmdReadSectors)
	require.Equal(t, uint8(StatusDRDY|StatusDSC|StatusERR), r.status())
	require.Equal(t, uint32(ErrIDNF), r.b.In(PrimaryCmd+regFeature, 1))
}

func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		run  func(r *rig)
		err  uint8
	}{
		{"beyond end", func(r *rig) { r.lba28(CmdReadSectors, 99, 2) }, ErrIDNF},
		{"beyond end ext", func(r *rig) { r.lba48(CmdWriteSectorsExt, 1<<40, 1) }, ErrIDNF},
		{"multiple not set", func(r *rig) { r.lba28(CmdReadMultiple, 0, 1) }, ErrABRT},
		{"bad multiple", func(r *rig) { r.out(regCount, 3); r.out(regCommand, CmdSetMultiple) }, ErrABRT},
		{"packet", func(r *rig) { r.out(regCommand, CmdIdentifyPacket) }, ErrABRT},
		{"dma", func(r *rig) { r.lba28(0xC8, 0, 1) }, ErrABRT},
		{"udma mode", func(r *rig) { r.out(regFeature, 3); r.out(regCount, 0x42); r.out(regCommand, CmdSetFeatures) }, ErrABRT},
		{"medium error", func(r *rig) { r.disk.fail = true; r.lba28(CmdReadSectors, 0, 1) }, ErrUNC},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, 100)
			r.out(regDevice, 0xE0)
			tc.run(r)
			require.True(t, r.irq.level[PrimaryIRQ])
			require.Equal(t, uint8(StatusDRDY|StatusDSC|StatusERR), r.status())
			require.Equal(t, uint32(tc.err), r.b.In(PrimaryCmd+regFeature, 1))
		})
	}
}

func TestFlushAndFeatures(t *testing.T) {
	r := newRig(t, 100)
	r.out(regDevice, 0xE0)
	for _, cmd := range []uint8{CmdFlushCache, CmdFlushCacheExt} {
		r.out(regCommand, cmd)
		require.True(t, r.irq.level[PrimaryIRQ])
		require.Equal(t, uint8(StatusDRDY|StatusDSC), r.status())
	}
	require.Equal(t, 2, r.disk.flushes)
	r.lba48(CmdReadNativeMaxExt, 0, 0)
	require.Equal(t, uint32(99), r.b.In(PrimaryCmd+regLBALow, 1))
	r.out(regCount, 0) // clears HOB
	r.b.Out(PrimaryCtl, 1, CtlHOB)
	require.Equal(t, uint32(0), r.b.In(PrimaryCmd+regLBALow, 1))
}

func TestInterruptsAndSelection(t *testing.T) {
	r := newRig(t, 100)
	// nIEN masks the line; clearing it shows the pending interrupt.
	r.b.Out(PrimaryCtl, 1, CtlNIEN)
	r.lba28(CmdReadSectors, 0, 1)
	require.False(t, r.irq.level[PrimaryIRQ])
	require.Equal(t, uint32(StatusDRDY|StatusDSC|StatusDRQ), r.b.In(PrimaryCtl, 1), "alternate status")
	r.b.Out(PrimaryCtl, 1, 0)
	require.True(t, r.irq.level[PrimaryIRQ])
	r.b.In(PrimaryCtl, 1)
	require.True(t, r.irq.level[PrimaryIRQ], "alternate status keeps INTRQ")

	// The absent slave reads status 0 and ignores commands; its
	// registers still take writes.
	r.out(regDevice, 0xB0)
	require.Zero(t, r.status())
	r.out(regCount, 0x55)
	require.Equal(t, uint32(0x55), r.b.In(PrimaryCmd+regCount, 1))
	r.out(regCommand, CmdIdentify)
	require.Zero(t, r.status())

	// An empty channel reads 0.
	require.Zero(t, r.b.In(SecondaryCmd+regCommand, 1))
	require.Zero(t, r.b.In(SecondaryCmd+regLBAMid, 1))

	// Software reset: signatures, master selected.
	r.b.Out(PrimaryCtl, 1, CtlSRST)
	r.b.Out(PrimaryCtl, 1, 0)
	require.Equal(t, uint32(0xA0), r.b.In(PrimaryCmd+regDevice, 1))
	require.Equal(t, uint32(1), r.b.In(PrimaryCmd+regCount, 1))
	require.Equal(t, uint32(0), r.b.In(PrimaryCmd+regLBAMid, 1))
	require.Equal(t, uint32(StatusDRDY|StatusDSC), r.b.In(PrimaryCmd+regCommand, 1))
	r.out(regDevice, 0xB0)
	require.Equal(t, uint32(0xFF), r.b.In(PrimaryCmd+regLBAMid, 1), "absent slave signature")
}

func TestSecondarySlave(t *testing.T) {
	r := newRig(t, 10)
	d := &memDisk{b: bytes.Repeat([]byte{7}, 20*SectorSize)}
	require.NoError(t, r.c.SetDisk(1, 1, d))
	r.b.Out(SecondaryCmd+regDevice, 1, 0xF0)
	r.b.Out(SecondaryCmd+regCount, 1, 1)
	r.b.Out(SecondaryCmd+regLBALow, 1, 19)
	r.b.Out(SecondaryCmd+regCommand, 1, CmdReadSectors)
	require.True(t, r.irq.level[SecondaryIRQ])
	require.False(t, r.irq.level[PrimaryIRQ])
	require.Equal(t, uint32(0x0707), r.b.In(SecondaryCmd, 2))
	require.Error(t, r.c.SetDisk(2, 0, d))
}

func TestBusMasterRegisters(t *testing.T) {
	r := newRig(t, 10)
	r.b.Out(0xC004, 4, 0x12345677)
	require.Equal(t, uint32(0x12345674), r.b.In(0xC004, 4))
	r.lba28(CmdVerify, 0, 1)
	require.Equal(t, uint32(bmStatusIRQ), r.b.In(0xC002, 1))
	r.b.Out(0xC002, 1, bmStatusIRQ|bmStatusDMA0)
	require.Equal(t, uint32(bmStatusDMA0), r.b.In(0xC002, 1))
}
