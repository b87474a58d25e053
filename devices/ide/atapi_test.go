package ide

import (
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/require"
)

// cdRig has a patterned 10-sector CD as secondary master.
func cdRig(t *testing.T) (*rig, *memDisk) {
	r := newRig(t, 10)
	cd := &memDisk{b: make([]byte, 10*CDSectorSize)}
	for i := range cd.b {
		cd.b[i] = byte(i/CDSectorSize) + byte(i)*3
	}
	require.NoError(t, r.c.SetCDROM(1, 0, cd))
	return r, cd
}

func (r *rig) sout(reg uint16, v uint8) { r.b.Out(SecondaryCmd+reg, 1, uint32(v)) }
func (r *rig) sin(reg uint16) uint8     { return uint8(r.b.In(SecondaryCmd+reg, 1)) }

// packetCmd sends cdb with byte count limit and returns the data the
// drive sent, checking the protocol's phases and interrupts.
func (r *rig) packetCmd(t *testing.T, limit uint16, cdb ...byte) ([]byte, uint8) {
	r.sout(regDevice, 0xA0)
	r.sout(regFeature, 0)
	r.sout(regLBAMid, uint8(limit))
	r.sout(regLBAHigh, uint8(limit>>8))
	r.sout(regCommand, CmdPacket)
	require.Equal(t, uint8(StatusDRDY|StatusDSC|StatusDRQ), r.sin(regCommand))
	require.Equal(t, uint8(reasonCoD), r.sin(regCount))
	var p [12]byte
	copy(p[:], cdb)
	for i := 0; i < 12; i += 2 {
		r.b.Out(SecondaryCmd, 2, uint32(p[i])|uint32(p[i+1])<<8)
	}
	var data []byte
	for {
		require.True(t, r.irq.level[SecondaryIRQ])
		st := r.sin(regCommand)
		if st&StatusDRQ == 0 {
			require.Equal(t, uint8(reasonCoD|reasonIO), r.sin(regCount), "status phase")
			return data, st
		}
		require.Equal(t, uint8(reasonIO), r.sin(regCount), "data phase")
		n := int(r.sin(regLBAMid)) | int(r.sin(regLBAHigh))<<8
		require.LessOrEqual(t, n, int(limit))
		for i := 0; i < n; i += 2 {
			v := r.b.In(SecondaryCmd, 2)
			data = append(data, byte(v), byte(v>>8))
		}
	}
}

func TestATAPIIdentify(t *testing.T) {
	r, _ := cdRig(t)
	r.sout(regDevice, 0xA0)
	require.Equal(t, uint8(0x14), r.sin(regLBAMid), "ATAPI signature")
	require.Equal(t, uint8(0xEB), r.sin(regLBAHigh))
	r.sout(regCommand, CmdIdentify)
	require.Equal(t, uint8(StatusDRDY|StatusDSC|StatusERR), r.sin(regCommand))
	require.Equal(t, uint8(0x14), r.sin(regLBAMid), "IDENTIFY DEVICE aborts with the signature")
	r.sout(regCommand, CmdIdentifyPacket)
	require.Equal(t, uint8(StatusDRDY|StatusDSC|StatusDRQ), r.sin(regCommand))
	w0 := r.b.In(SecondaryCmd, 2)
	require.Equal(t, uint32(0x85C0), w0, "ATAPI CD-ROM, removable, 12-byte packets")
}

func TestATAPICommands(t *testing.T) {
	r, cd := cdRig(t)
	data, st := r.packetCmd(t, 0xFFFE, scsiTestUnitReady)
	require.Empty(t, data)
	require.Equal(t, uint8(StatusDRDY|StatusDSC), st)

	data, _ = r.packetCmd(t, 0xFFFE, scsiReadCapacity)
	require.Equal(t, []byte{0, 0, 0, 9, 0, 0, 8, 0}, data)

	data, _ = r.packetCmd(t, 0xFFFE, scsiInquiry, 0, 0, 0, 36)
	require.Len(t, data, 36)
	require.Equal(t, byte(5), data[0])
	require.Equal(t, "BT86    ", string(data[8:16]))

	// READ(10) of 3 sectors from 6 with a 4 KiB byte count limit: two
	// data blocks.
	data, st = r.packetCmd(t, 4096, scsiRead10, 0, 0, 0, 0, 6, 0, 0, 3)
	require.Equal(t, uint8(StatusDRDY|StatusDSC), st)
	require.Equal(t, cd.b[6*CDSectorSize:9*CDSectorSize], data)

	data, _ = r.packetCmd(t, 0xFFFE, scsiRead12, 0, 0, 0, 0, 1, 0, 0, 0, 1)
	require.Equal(t, cd.b[CDSectorSize:2*CDSectorSize], data)

	// Beyond the end and unknown commands: CHECK CONDITION, then sense.
	for _, tc := range []struct {
		cdb []byte
		asc byte
	}{
		{[]byte{scsiRead10, 0, 0, 0, 0, 9, 0, 0, 2}, ascLBAOutOfRange},
		{[]byte{0xFF}, ascInvalidCommand},
	} {
		data, st = r.packetCmd(t, 0xFFFE, tc.cdb...)
		require.Empty(t, data)
		require.Equal(t, uint8(StatusDRDY|StatusDSC|StatusERR), st)
		require.Equal(t, uint8(senseIllegalRequest<<4|ErrABRT), r.sin(regFeature))
		sense, _ := r.packetCmd(t, 0xFFFE, scsiRequestSense, 0, 0, 0, 18)
		require.Len(t, sense, 18)
		require.Equal(t, byte(senseIllegalRequest), sense[2])
		require.Equal(t, tc.asc, sense[12])
	}

	toc, _ := r.packetCmd(t, 0xFFFE, scsiReadTOC, 0, 0, 0, 0, 0, 0, 0, 20)
	require.Len(t, toc, 20)
	require.Equal(t, uint32(10), binary.BigEndian.Uint32(toc[16:]), "lead-out")

	// Disk commands abort on a CD-ROM.
	r.sout(regCommand, CmdReadSectors)
	require.Equal(t, uint8(StatusDRDY|StatusDSC|StatusERR), r.sin(regCommand))
	require.Equal(t, uint8(ErrABRT), r.sin(regFeature))
}
