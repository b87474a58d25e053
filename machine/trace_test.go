package machine

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseTraceFlags(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want TraceFlags
		err  string
	}{
		{"", 0, ""},
		{"in_asm", TraceInAsm, ""},
		{"int,mmu", TraceInt | TraceMMU, ""},
		{" exec , cpu ,io", TraceExec | TraceCPU | TraceIO, ""},
		{"all", TraceInAsm | TraceExec | TraceInt | TraceCPU | TraceMMU | TraceIO | TraceOutAsm, ""},
		{"out_asm", TraceOutAsm, ""},
		{"int,bogus", 0, `unknown trace category "bogus": use in_asm, exec, int, cpu, mmu, io, out_asm or all`},
	} {
		got, err := ParseTraceFlags(tc.in)
		if tc.err != "" {
			assert.EqualError(t, err, tc.err, tc.in)
			continue
		}
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
	}
}

func TestParseAddrRanges(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []AddrRange
		err  string
	}{
		{"0x1000+0x100", []AddrRange{{0x1000, 0x10FF}}, ""},
		{"0x1000..0x10ff,0xc0000000+4096", []AddrRange{{0x1000, 0x10FF}, {0xC0000000, 0xC0000FFF}}, ""},
		{"0x10ff-0x100", []AddrRange{{0x1000, 0x10FF}}, ""},
		{"0xfffff000+0x1000", []AddrRange{{0xFFFFF000, 0xFFFFFFFF}}, ""},
		{"0xfffff000+0x1001", nil, `range "0xfffff000+0x1001" goes beyond 4 GiB`},
		{"0x2000..0x1000", nil, `range "0x2000..0x1000" ends before it starts`},
		{"0x10-0x20", nil, `range "0x10-0x20" starts below 0`},
		{"0x1000+0", nil, `range "0x1000+0" is empty`},
		{"0x1000", nil, `range "0x1000": want START+SIZE, START..END or START-SIZE`},
		{"zz+1", nil, `bad address "zz"`},
	} {
		got, err := ParseAddrRanges(tc.in)
		if tc.err != "" {
			assert.EqualError(t, err, tc.err, tc.in)
			continue
		}
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
	}
}
