package gdbstub

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Monitor commands (gdb's `monitor CMD`, qRcmd). The target answers
// first; what it does not know falls to the generic commands below,
// which need only the Target interface.

const monitorHelp = `bt86 monitor commands:
  info registers      registers (with hidden segment state if the target has it)
  info tlb            mapped pages of the current page tables
  info blocks         execution engine statistics (traces or translated blocks)
  info stats          instructions, speed, engine and MMU counters (machines)
  x/NFU ADDR          dump guest-linear memory: N units, F format (x d u o c), U unit (b h w g)
  xp/NFU ADDR         the same for guest-physical memory
  system_reset        reset the machine (if the target supports it)
  help                this text
ADDR is a number (0x.. hex, decimal) or a register: $eip, $esp, $eax, ...
`

// monitor runs cmd and returns its output (always newline-terminated).
func (s *session) monitor(cmd string) string {
	return runMonitor(s.t, cmd)
}

func runMonitor(t Target, cmd string) string {
	cmd = strings.Join(strings.Fields(cmd), " ")
	out, err := t.Monitor(cmd)
	switch {
	case err == nil:
	case errors.Is(err, ErrUnknownCommand):
		out = genericMonitor(t, cmd)
	default:
		out = "error: " + err.Error()
	}
	if out != "" && !strings.HasSuffix(out, "\n") {
		out += "\n"
	}
	return out
}

func genericMonitor(t Target, cmd string) string {
	switch {
	case cmd == "help" || cmd == "?":
		return monitorHelp
	case cmd == "info registers":
		return formatRegisters(t.Regs())
	case cmd == "info tlb":
		return dumpTLB(t)
	case cmd == "info blocks":
		return "this target reports no engine statistics"
	case cmd == "x" || cmd == "xp" || strings.HasPrefix(cmd, "x/") || strings.HasPrefix(cmd, "xp/") ||
		strings.HasPrefix(cmd, "x ") || strings.HasPrefix(cmd, "xp "):
		return dumpMemory(t, cmd)
	}
	return fmt.Sprintf("unknown command %q; try \"monitor help\"", cmd)
}

// eflagsString renders the arithmetic and direction flags as QEMU does.
func eflagsString(f uint32) string {
	b := []byte("[-------]")
	for i, fl := range []struct {
		c   byte
		bit uint
	}{{'D', 10}, {'O', 11}, {'S', 7}, {'Z', 6}, {'A', 4}, {'P', 2}, {'C', 0}} {
		if f>>fl.bit&1 != 0 {
			b[i+1] = fl.c
		}
	}
	return string(b)
}

// formatRegisters is the generic info registers: what gdb sees.
func formatRegisters(r Registers) string {
	var b strings.Builder
	g := r.GPR
	fmt.Fprintf(&b, "EAX=%08x EBX=%08x ECX=%08x EDX=%08x\n", g[0], g[3], g[1], g[2])
	fmt.Fprintf(&b, "ESI=%08x EDI=%08x EBP=%08x ESP=%08x\n", g[6], g[7], g[5], g[4])
	fmt.Fprintf(&b, "EIP=%08x EFL=%08x %s\n", r.EIP, r.EFlags, eflagsString(r.EFlags))
	fmt.Fprintf(&b, "ES=%04x CS=%04x SS=%04x DS=%04x FS=%04x GS=%04x\n", r.ES, r.CS, r.SS, r.DS, r.FS, r.GS)
	fmt.Fprintf(&b, "CR0=%08x CR2=%08x CR3=%08x CR4=%08x\n", r.CR0, r.CR2, r.CR3, r.CR4)
	fmt.Fprintf(&b, "FCW=%04x FSW=%04x FTW=%04x FOP=%04x FIP=%04x:%08x FDP=%04x:%08x\n",
		r.FCtrl, r.FStat, r.FTag, r.FOp, r.FISeg, r.FIOff, r.FOSeg, r.FOOff)
	return b.String()
}

// parseMonitorAddr parses a number or a $register.
func parseMonitorAddr(t Target, s string) (uint64, error) {
	if name, ok := strings.CutPrefix(s, "$"); ok {
		r := t.Regs()
		names := []string{"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"}
		for i, n := range names {
			if n == name {
				return uint64(r.GPR[i]), nil
			}
		}
		if name == "eip" || name == "pc" {
			return uint64(r.EIP), nil
		}
		return 0, fmt.Errorf("unknown register $%s", name)
	}
	return strconv.ParseUint(s, 0, 64)
}

// maxDump bounds one x/xp command.
const maxDump = 64 << 10

// dumpMemory runs x/NFU ADDR and xp/NFU ADDR.
func dumpMemory(t Target, cmd string) string {
	name, rest, _ := strings.Cut(cmd, " ")
	verb, spec, _ := strings.Cut(name, "/")
	phys := verb == "xp"
	count, format, unit := 1, byte('x'), 4
	digits := 0
	for digits < len(spec) && spec[digits] >= '0' && spec[digits] <= '9' {
		digits++
	}
	if digits > 0 {
		n, err := strconv.Atoi(spec[:digits])
		if err != nil || n <= 0 {
			return fmt.Sprintf("bad count in %q", name)
		}
		count = n
	}
	for _, c := range []byte(spec[digits:]) {
		switch c {
		case 'x', 'd', 'u', 'o', 'c':
			format = c
		case 'b':
			unit = 1
		case 'h':
			unit = 2
		case 'w':
			unit = 4
		case 'g':
			unit = 8
		default:
			return fmt.Sprintf("bad format %q in %q: formats x d u o c, units b h w g", c, name)
		}
	}
	if format == 'c' {
		unit = 1
	}
	if rest == "" {
		return "usage: " + verb + "/NFU ADDR"
	}
	addr, err := parseMonitorAddr(t, rest)
	if err != nil {
		return fmt.Sprintf("bad address %q: %v", rest, err)
	}
	if !phys && addr > 0xFFFFFFFF {
		return fmt.Sprintf("linear address %#x beyond 4 GiB", addr)
	}
	size := count * unit
	if count > maxDump || size > maxDump {
		return fmt.Sprintf("at most %d bytes per dump", maxDump)
	}
	buf := make([]byte, size)
	got := 0
	for got < size {
		a := addr + uint64(got)
		n := min(size-got, 4096-int(a&0xFFF))
		var err error
		if phys {
			err = t.ReadPhysical(a, buf[got:got+n])
		} else {
			err = t.ReadMemory(uint32(a), buf[got:got+n])
		}
		if err != nil {
			break
		}
		got += n
	}
	var b strings.Builder
	width := 8
	if phys {
		width = 16
	}
	perLine := 16
	if format == 'c' {
		perLine = 8
	}
	for off := 0; off+unit <= got; off += unit {
		if off%perLine == 0 {
			if off > 0 {
				b.WriteByte('\n')
			}
			fmt.Fprintf(&b, "%0*x:", width, addr+uint64(off))
		}
		b.WriteByte(' ')
		writeUnit(&b, buf[off:off+unit], format)
	}
	if got >= unit {
		b.WriteByte('\n')
	}
	if got < size {
		fmt.Fprintf(&b, "Cannot access memory at address %#x\n", addr+uint64(got))
	}
	return b.String()
}

func writeUnit(b *strings.Builder, p []byte, format byte) {
	var v uint64
	for i := len(p) - 1; i >= 0; i-- {
		v = v<<8 | uint64(p[i])
	}
	bits := uint(8 * len(p))
	switch format {
	case 'x':
		fmt.Fprintf(b, "0x%0*x", 2*len(p), v)
	case 'u':
		fmt.Fprintf(b, "%d", v)
	case 'd':
		fmt.Fprintf(b, "%d", int64(v<<(64-bits))>>(64-bits))
	case 'o':
		fmt.Fprintf(b, "%#o", v)
	case 'c':
		if v >= 0x20 && v < 0x7F {
			fmt.Fprintf(b, "'%c'", rune(v))
		} else {
			fmt.Fprintf(b, "'\\x%02x'", v)
		}
	}
}

// maxTLBLines bounds info tlb.
const maxTLBLines = 1 << 16

// Paging-entry bits used by info tlb.
const (
	pteP   = 1 << 0
	pteRW  = 1 << 1
	pteUS  = 1 << 2
	ptePWT = 1 << 3
	ptePCD = 1 << 4
	pteA   = 1 << 5
	pteD   = 1 << 6
	ptePS  = 1 << 7
	pteG   = 1 << 8
	pteNX  = 1 << 63
)

// tlbDumper walks the guest's page tables through ReadPhysical.
type tlbDumper struct {
	t     Target
	b     strings.Builder
	lines int
	wide  bool // PAE: 36-bit physical addresses
}

func (d *tlbDumper) table(addr uint64, n, size int) ([]uint64, bool) {
	raw := make([]byte, n*size)
	if d.t.ReadPhysical(addr, raw) != nil {
		fmt.Fprintf(&d.b, "paging structure at %#x is not in RAM\n", addr)
		return nil, false
	}
	e := make([]uint64, n)
	for i := range e {
		if size == 4 {
			e[i] = uint64(binary.LittleEndian.Uint32(raw[4*i:]))
		} else {
			e[i] = binary.LittleEndian.Uint64(raw[8*i:])
		}
	}
	return e, true
}

// line prints one mapping in QEMU's format: lin: phys XGPDACTUW.
func (d *tlbDumper) line(lin uint32, phys uint64, flags uint64) bool {
	if d.lines == maxTLBLines {
		d.b.WriteString("... (truncated)\n")
		d.lines++
	}
	if d.lines > maxTLBLines {
		return false
	}
	d.lines++
	f := []byte("---------")
	for i, fl := range []struct {
		c   byte
		bit uint64
	}{{'X', pteNX}, {'G', pteG}, {'P', ptePS}, {'D', pteD}, {'A', pteA}, {'C', ptePCD}, {'T', ptePWT}, {'U', pteUS}, {'W', pteRW}} {
		if flags&fl.bit != 0 {
			f[i] = fl.c
		}
	}
	if d.wide {
		fmt.Fprintf(&d.b, "%08x: %09x %s\n", lin, phys, f)
	} else {
		fmt.Fprintf(&d.b, "%08x: %08x %s\n", lin, phys, f)
	}
	return true
}

// effective combines a leaf entry with its parent's U/S, R/W and NX.
func effective(parent, leaf uint64) uint64 {
	const inherit = pteUS | pteRW
	return leaf&^inherit | parent&leaf&inherit | (parent|leaf)&pteNX
}

// dumpTLB lists every present mapping of the current page tables.
func dumpTLB(t Target) string {
	r := t.Regs()
	if r.CR0&0x80000001 != 0x80000001 {
		return "paging is disabled (linear = physical)"
	}
	d := &tlbDumper{t: t}
	pse := r.CR4&(1<<4) != 0
	if r.CR4&(1<<5) == 0 {
		pd, ok := d.table(uint64(r.CR3&^0xFFF), 1024, 4)
		for i, pde := range pd {
			if !ok || pde&pteP == 0 {
				continue
			}
			lin := uint32(i) << 22
			if pde&ptePS != 0 && pse {
				phys := pde&0xFFC00000 | (pde&0x1E000)<<19
				if !d.line(lin, phys, pde) {
					break
				}
				continue
			}
			pt, ok := d.table(pde&0xFFFFF000, 1024, 4)
			for j, pte := range pt {
				if ok && pte&pteP != 0 && !d.line(lin|uint32(j)<<12, pte&0xFFFFF000, effective(pde&^ptePS, pte)) {
					return d.b.String()
				}
			}
		}
		return d.b.String()
	}
	d.wide = true
	const addr = 0x0000000FFFFFF000
	pdpt, ok := d.table(uint64(r.CR3&^0x1F), 4, 8)
	for i, pdpte := range pdpt {
		if !ok || pdpte&pteP == 0 {
			continue
		}
		pd, ok := d.table(pdpte&addr, 512, 8)
		for j, pde := range pd {
			if !ok || pde&pteP == 0 {
				continue
			}
			lin := uint32(i)<<30 | uint32(j)<<21
			if pde&ptePS != 0 {
				if !d.line(lin, pde&0xFFFE00000, pde) {
					return d.b.String()
				}
				continue
			}
			pt, ok := d.table(pde&addr, 512, 8)
			for k, pte := range pt {
				if ok && pte&pteP != 0 && !d.line(lin|uint32(k)<<12, pte&addr, effective(pde&^ptePS, pte)) {
					return d.b.String()
				}
			}
		}
	}
	return d.b.String()
}
