package singlestep

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// metadataJSON has the real file's structure, cut down.
const metadataJSON = `{
    "github": "https://github.com/singlesteptests/80286",
    "version": "1.0.0",
    "syntax_version": 2,
    "cpu": "286",
    "cpu_detail": "Harris N80C286-12 (L4252050) (C)1986",
    "generator": "arduinoX86 v2.0",
    "author": "Daniel Balsom",
    "date": "2025/07/20",
    "opcodes": {
        "00": {"status": "normal", "arch": "86"},
        "08": {"status": "normal", "arch": "86", "flags": ".....a..", "flags-mask": 65519},
        "0f": {"status": "extension", "arch": "286"},
        "80": {"reg": {
            "0": {"status": "normal", "arch": "86"},
            "1": {"status": "normal", "arch": "86", "flags": ".....a..", "flags-mask": 65519}}},
        "8F": {"reg": {
            "0": {"status": "normal", "arch": "86"},
            "1": {"status": "undefined", "arch": "86"}}},
        "C0": {"reg": {
            "4": {"status": "normal", "arch": "186", "flags": ".....a..", "flags-mask": 65519}}},
        "D3": {"reg": {
            "4": {"status": "normal", "arch": "86", "flags": "o....a.c", "flags-mask": 63470}}}
    }
}`

func TestParseMetadata(t *testing.T) {
	m, err := ParseMetadata([]byte(metadataJSON))
	require.NoError(t, err)
	assert.Equal(t, "286", m.CPU)
	assert.Equal(t, 2, m.SyntaxVersion)
	assert.Equal(t, "Harris N80C286-12 (L4252050) (C)1986", m.CPUDetail)
	assert.Len(t, m.Opcodes, 7)

	for _, tc := range []struct {
		stem   string
		reg    int
		ok     bool
		status string
		mask   uint16
		flags  string
	}{
		{"00", -1, true, "normal", 0xFFFF, ""},
		{"08", -1, true, "normal", 0xFFEF, ".....a.."},
		{"08", 3, true, "normal", 0xFFEF, ".....a.."}, // not a group: reg ignored
		{"0F", -1, true, "extension", 0xFFFF, ""},     // keys are upper-cased
		{"80.0", -1, true, "normal", 0xFFFF, ""},
		{"80.1", -1, true, "normal", 0xFFEF, ".....a.."},
		{"80.1", 0, true, "normal", 0xFFEF, ".....a.."}, // the stem's reg wins
		{"8F", -1, true, "", 0xFFFF, ""},                // group top level
		{"8F", 1, true, "undefined", 0xFFFF, ""},        // reg from the ModRM
		{"d3.4", -1, true, "normal", 63470, "o....a.c"},
		{"80.7", -1, false, "", 0xFFFF, ""},
		{"C8", -1, false, "", 0xFFFF, ""},
	} {
		info, ok := m.Lookup(tc.stem, tc.reg)
		assert.Equal(t, tc.ok, ok, "%s/%d", tc.stem, tc.reg)
		assert.Equal(t, tc.status, info.Status, "%s/%d", tc.stem, tc.reg)
		assert.Equal(t, tc.mask, info.FlagsMask, "%s/%d", tc.stem, tc.reg)
		assert.Equal(t, tc.flags, info.Flags, "%s/%d", tc.stem, tc.reg)
	}

	var none *Metadata
	info, ok := none.Lookup("00", -1)
	assert.False(t, ok)
	assert.Equal(t, uint16(0xFFFF), info.FlagsMask)

	_, err = ParseMetadata([]byte(`{"opcodes": {"00": {"flags-mask": 70000}}}`))
	assert.Error(t, err, "a mask that does not fit 16 bits")
	_, err = ParseMetadata([]byte(`{`))
	assert.Error(t, err)
}

func TestParseRevocations(t *testing.T) {
	const h = "626be5084b331080eb08256c12a62d24afdf2a03"
	for _, tc := range []struct {
		name, in string
		want     int
		err      bool
	}{
		{"real file (empty)", "# Revocation list. Hash strings here identify tests which have been determined to be bad.\n# Hopefully this list stays empty!\n\n", 0, false},
		{"one hash", "# c\n" + h + "\n", 1, false},
		{"upper case and comment", "  626BE5084B331080EB08256C12A62D24AFDF2A03  # bad test\n", 1, false},
		{"not hex", "xyz\n", 0, true},
		{"short", "626be508\n", 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := ParseRevocations([]byte(tc.in))
			if tc.err {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Len(t, r, tc.want)
			if tc.want == 1 {
				tst := &Test{HasHash: true}
				copy(tst.Hash[:], []byte{0x62, 0x6b, 0xe5, 0x08, 0x4b, 0x33, 0x10, 0x80, 0xeb, 0x08, 0x25, 0x6c, 0x12, 0xa6, 0x2d, 0x24, 0xaf, 0xdf, 0x2a, 0x03})
				assert.True(t, r.Revoked(tst))
				assert.False(t, r.Revoked(&Test{}))
			}
		})
	}
}
