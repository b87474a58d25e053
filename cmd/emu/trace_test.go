package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// faultKernel is a bzImage whose protected-mode code turns on paging
// with an empty page directory: the next fetch page faults, and with no
// IDT the #PF becomes #GP, #DF and a triple fault.
func faultKernel() []byte {
	b := bzImage()
	return append(b[:1024],
		0xB8, 0x00, 0x00, 0x20, 0x00, // mov eax, 0x200000 (zeroed RAM: nothing present)
		0x0F, 0x22, 0xD8, // mov cr3, eax
		0x0F, 0x20, 0xC0, // mov eax, cr0
		0x0D, 0x00, 0x00, 0x00, 0x80, // or eax, 0x80000000
		0x0F, 0x22, 0xC0, // mov cr0, eax: the fetch of the next instruction faults
		0x90, // nop
	)
}

// TestTraceCategories boots a guest with each -d category, logging to a
// file with -D, and checks what each logs. The demo guest (real mode,
// protected mode, paging, serial and PIT I/O) covers in_asm, exec, cpu,
// mmu flushes and io; a kernel that page faults without an IDT covers
// int and mmu page faults (Linux itself takes too long to reach its first
// interrupt for a unit test). exec and cpu, which log every instruction,
// are limited to the demo's first 64 bytes with -dfilter.
func TestTraceCategories(t *testing.T) {
	dir := t.TempDir()
	kernel := filepath.Join(dir, "fault.bzImage")
	require.NoError(t, os.WriteFile(kernel, faultKernel(), 0o644))
	faulty := []string{"-kernel", kernel, "-m", "16"}
	for _, tc := range []struct {
		cat   string
		guest []string
		extra []string
		code  int
		want  []string
		check func(t *testing.T, log string)
	}{
		{cat: "in_asm", want: []string{
			"IN: 1000:00000000 linear 00010000 physical 00010000 (16-bit)\n0x00010000:  fa                             cli\n0x00010001:  fc                             cld\n",
			"mov cr0, eax", "(32-bit)",
		}},
		{cat: "exec", extra: []string{"-dfilter", "0x10000+0x40"}, want: []string{
			"exec: 1000:00000000 eax=00000000", "exec: 1000:00000004 eax=00001000",
		}, check: checkFiltered},
		{cat: "cpu", extra: []string{"-dfilter", "0x10000..0x1003f"}, want: []string{
			"CPU: EIP=00000000 EFL=00000002", "CPU: CS =1000 00010000 0000ffff", "CPU: CR0=60000010",
		}},
		{cat: "mmu", want: []string{"mmu: flush all (cr3=00080000)"}},
		// The demo's protected-mode code is translated (dbt, the default
		// engine here).
		{cat: "out_asm", want: []string{"OUT: linear 00", " host 0x"}, check: checkOutAsm},
		{cat: "io", want: []string{"io: out port 0x03fb size 1 value 0x80", "io: in  port 0x0061 size 1", "io: out port 0x0043"}},
		{cat: "int", guest: faulty, code: exitGuest, want: []string{
			// #PF, then #DF: delivering the #PF through an empty IDT
			// raises a contributory #GP.
			"int: vector 0x0e error 0x0 at 0010:00100013 (linear 00100013) cpl 0 count 5\n" +
				"int: vector 0x08 error 0x0 at 0010:00100013 (linear 00100013) cpl 0 count 5\n",
		}},
		{cat: "mmu", guest: faulty, code: exitGuest, want: []string{
			"mmu: flush all (cr3=00200000)",
			"mmu: page fault at linear 00100013 error 0x0 (not present, read or fetch) eip 00100013 cr3 00200000",
		}},
	} {
		name := tc.cat + "/demo"
		if tc.guest != nil {
			name = tc.cat + "/fault"
		}
		t.Run(name, func(t *testing.T) {
			logFile := filepath.Join(t.TempDir(), "trace.log")
			args := append([]string{"-icount", "-nographic", "-serial", "none", "-d", tc.cat, "-D", logFile}, tc.guest...)
			args = append(args, tc.extra...)
			code, _, stderr := emu(args...)
			require.Equal(t, tc.code, code, stderr)
			b, err := os.ReadFile(logFile)
			require.NoError(t, err)
			log := string(b)
			for _, w := range tc.want {
				assert.Contains(t, log, w)
			}
			for _, line := range strings.Split(strings.TrimSpace(log), "\n") {
				require.True(t, strings.HasPrefix(line, strings.ToUpper(tc.cat)) || strings.HasPrefix(line, tc.cat+":") ||
					tc.cat == "in_asm" || tc.cat == "out_asm" || tc.cat == "cpu" && strings.HasPrefix(line, "CPU: "), "only %s lines: %q", tc.cat, line)
			}
			if tc.check != nil {
				tc.check(t, log)
			}
		})
	}
}

// checkFiltered checks that every exec line is for code in the demo's
// first 64 bytes (CS 1000 in real mode; flat CS in protected mode).
func checkFiltered(t *testing.T, log string) {
	re := regexp.MustCompile(`(?m)^exec: ([0-9a-f]{4}):([0-9a-f]{8}) `)
	ms := re.FindAllStringSubmatch(log, -1)
	require.NotEmpty(t, ms)
	for _, m := range ms {
		eip, _ := strconv.ParseUint(m[2], 16, 32)
		lin := eip
		if m[1] == "1000" {
			lin += 0x10000
		}
		assert.True(t, lin >= 0x10000 && lin < 0x10040, "exec line outside the filter: %s", m[0])
	}
}

// checkOutAsm checks that each out_asm line is a block header or a
// decoded host instruction.
func checkOutAsm(t *testing.T, log string) {
	line := regexp.MustCompile(`^(OUT: linear [0-9a-f]{8} host 0x[0-9a-f]+ \[size=[0-9]+\]|0x[0-9a-f]+:  [0-9a-f]+ +\S.*)$`)
	for _, l := range strings.Split(strings.TrimSpace(log), "\n") {
		if l != "" {
			assert.Regexp(t, line, l)
		}
	}
	assert.NotContains(t, log, "(bad)")
}

// TestTraceHelp: -d help lists the categories.
func TestTraceHelp(t *testing.T) {
	code, _, stderr := emu("-d", "help")
	require.Equal(t, exitOK, code)
	for _, c := range []string{"in_asm", "exec", "int", "cpu", "mmu", "io", "out_asm"} {
		assert.Contains(t, stderr, "\n"+c)
	}
}
