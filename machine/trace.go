package machine

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"golang.org/x/arch/x86/x86asm"

	"bt86/cpu"
	"bt86/decoder"
	"bt86/mmu/shadow"
)

// Trace logging (emu -d LIST, -D FILE, -dfilter RANGES), in the spirit
// of QEMU's -d. Each category installs only the hooks it needs (cpu and
// bus hook fields that are nil otherwise), so a category that is off
// costs nothing, and tracing as a whole costs nothing when no category
// is on.

// TraceFlags selects trace categories.
type TraceFlags uint16

// Trace categories.
const (
	TraceInAsm  TraceFlags = 1 << iota // each decoded block's guest disassembly
	TraceExec                          // each executed instruction with the registers
	TraceInt                           // interrupts and exceptions: vector, error code, where
	TraceCPU                           // a full register dump at the start of each executed block
	TraceMMU                           // page faults and TLB flushes
	TraceIO                            // port and MMIO accesses
	TraceOutAsm                        // each translated block's host code (dbt engine)
)

var traceCategories = []struct {
	name string
	flag TraceFlags
	help string
}{
	{"in_asm", TraceInAsm, "guest disassembly of each block as it is decoded or translated"},
	{"exec", TraceExec, "each executed instruction with the general registers and EFLAGS"},
	{"int", TraceInt, "interrupts and exceptions with vector and error code"},
	{"cpu", TraceCPU, "full register dump before each executed block"},
	{"mmu", TraceMMU, "page faults and TLB flushes (full, INVLPG, CR3 loads)"},
	{"io", TraceIO, "I/O port and MMIO accesses with their values"},
	{"out_asm", TraceOutAsm, "host x86-64 code of each translated block (dbt engine; chain jumps as first emitted)"},
}

// TraceHelp lists the trace categories, one per line.
func TraceHelp() string {
	var b strings.Builder
	for _, c := range traceCategories {
		fmt.Fprintf(&b, "%-8s %s\n", c.name, c.help)
	}
	return b.String()
}

// ParseTraceFlags parses a comma-separated list of category names
// ("in_asm,int"); "all" selects every category.
func ParseTraceFlags(list string) (TraceFlags, error) {
	var f TraceFlags
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		if name == "all" {
			for _, c := range traceCategories {
				f |= c.flag
			}
			continue
		}
		found := false
		for _, c := range traceCategories {
			if c.name == name {
				f |= c.flag
				found = true
			}
		}
		if !found {
			names := make([]string, len(traceCategories))
			for i, c := range traceCategories {
				names[i] = c.name
			}
			return 0, fmt.Errorf("unknown trace category %q: use %s or all", name, strings.Join(names, ", "))
		}
	}
	return f, nil
}

// AddrRange is an inclusive range of guest-linear addresses.
type AddrRange struct{ Start, End uint32 }

// Contains reports whether a is in r.
func (r AddrRange) Contains(a uint32) bool { return a >= r.Start && a <= r.End }

// ParseAddrRanges parses QEMU's -dfilter syntax: comma-separated ranges,
// each START+SIZE, START..END (inclusive) or START-SIZE (the SIZE bytes
// ending at START), numbers in C syntax (0x.. hex).
func ParseAddrRanges(s string) ([]AddrRange, error) {
	var rs []AddrRange
	num := func(v string) (uint64, error) {
		n, err := strconv.ParseUint(strings.TrimSpace(v), 0, 64)
		if err != nil || n > 1<<32 {
			return 0, fmt.Errorf("bad address %q", v)
		}
		return n, nil
	}
	for _, part := range strings.Split(s, ",") {
		var r AddrRange
		var err error
		switch {
		case strings.Contains(part, ".."):
			a, b, _ := strings.Cut(part, "..")
			var x, y uint64
			if x, err = num(a); err == nil {
				y, err = num(b)
			}
			if err == nil && (y < x || y > 0xFFFFFFFF) {
				err = fmt.Errorf("range %q ends before it starts", part)
			}
			r = AddrRange{uint32(x), uint32(y)}
		case strings.Contains(part, "+"), strings.Contains(part, "-"):
			sep := "+"
			if !strings.Contains(part, "+") {
				sep = "-"
			}
			a, b, _ := strings.Cut(part, sep)
			var x, n uint64
			if x, err = num(a); err == nil {
				n, err = num(b)
			}
			if err == nil && n == 0 {
				err = fmt.Errorf("range %q is empty", part)
			}
			if err == nil && sep == "+" {
				if x+n-1 > 0xFFFFFFFF {
					err = fmt.Errorf("range %q goes beyond 4 GiB", part)
				}
				r = AddrRange{uint32(x), uint32(x + n - 1)}
			} else if err == nil {
				if n > x+1 {
					err = fmt.Errorf("range %q starts below 0", part)
				}
				r = AddrRange{uint32(x + 1 - n), uint32(x)}
			}
		default:
			err = fmt.Errorf("range %q: want START+SIZE, START..END or START-SIZE", part)
		}
		if err != nil {
			return nil, err
		}
		rs = append(rs, r)
	}
	if len(rs) == 0 {
		return nil, errors.New("empty address filter")
	}
	return rs, nil
}

// TraceConfig configures SetTrace.
type TraceConfig struct {
	Flags TraceFlags
	// Out receives the log (the caller buffers and flushes it).
	Out io.Writer
	// Filter, when not empty, limits in_asm, exec, cpu and int to code
	// at the given guest-linear addresses (QEMU's -dfilter); mmu and io
	// are not filtered.
	Filter []AddrRange
}

// tracer is the state of the installed trace hooks.
type tracer struct {
	cfg        TraceConfig
	blockStart bool
	code       [decoder.MaxLen]byte
}

// SetTrace installs the trace hooks cfg asks for, replacing those of an
// earlier call; Flags 0 removes them all. Call it while the machine is
// not running.
func (m *Machine) SetTrace(cfg TraceConfig) {
	c := m.cpu
	c.Trace, c.OnInterrupt, c.OnBlock = nil, nil, nil
	c.MMU.OnFlush = nil
	m.bus.IOTrace, m.bus.MMIOTrace = nil, nil
	if m.dbt != nil {
		m.dbt.OnTranslate = nil
	}
	m.trace = nil
	if cfg.Flags == 0 || cfg.Out == nil {
		return
	}
	t := &tracer{cfg: cfg, blockStart: true}
	m.trace = t
	f := cfg.Flags
	if f&TraceInAsm != 0 {
		c.OnBlock = t.block
	}
	if f&(TraceExec|TraceCPU) != 0 {
		c.Trace = t.step
	}
	if f&(TraceInt|TraceMMU|TraceCPU) != 0 {
		c.OnInterrupt = t.interrupt
	}
	if f&TraceMMU != 0 {
		c.MMU.OnFlush = t.flush
	}
	if f&TraceIO != 0 {
		m.bus.IOTrace = t.port
		m.bus.MMIOTrace = t.mmio
	}
	if f&TraceOutAsm != 0 && m.dbt != nil {
		m.dbt.OnTranslate = t.outAsm
	}
}

// want applies the address filter.
func (t *tracer) want(lin uint32) bool {
	if len(t.cfg.Filter) == 0 {
		return true
	}
	for _, r := range t.cfg.Filter {
		if r.Contains(lin) {
			return true
		}
	}
	return false
}

func (t *tracer) printf(format string, args ...any) {
	fmt.Fprintf(t.cfg.Out, format, args...)
}

// block logs a decoded block's disassembly (in_asm).
func (t *tracer) block(c *cpu.CPU, b *cpu.Block) {
	if len(b.EIPs) == 0 || !t.want(b.Base+b.EIPs[0]) {
		return
	}
	bits := 16
	if b.Code32 {
		bits = 32
	}
	t.printf("IN: %04x:%08x linear %08x physical %08x (%d-bit)\n", b.CS, b.EIPs[0], b.Base+b.EIPs[0], b.Phys, bits)
	for i, eip := range b.EIPs {
		lin := b.Base + eip
		code := t.code[:b.Lens[i]]
		if !c.DebugReadLinear(lin, code) {
			t.printf("0x%08x:  (code not readable)\n", lin)
			continue
		}
		text := "(bad)"
		if in, err := x86asm.Decode(code, bits); err == nil {
			text = x86asm.IntelSyntax(in, uint64(eip), nil)
		}
		t.printf("0x%08x:  %-30x %s\n", lin, code, text)
	}
	t.printf("\n")
}

// outAsm logs a translated block's host code (out_asm).
func (t *tracer) outAsm(linear uint32, host uintptr, code []byte) {
	if !t.want(linear) {
		return
	}
	t.printf("OUT: linear %08x host %#x [size=%d]\n", linear, host, len(code))
	for pc := 0; pc < len(code); {
		n, text := 1, "(bad)"
		if in, err := x86asm.Decode(code[pc:], 64); err == nil {
			n, text = in.Len, x86asm.IntelSyntax(in, uint64(host)+uint64(pc), nil)
		}
		t.printf("0x%x:  %-30x %s\n", uint64(host)+uint64(pc), code[pc:pc+n], text)
		pc += n
	}
	t.printf("\n")
}

// step logs an instruction about to execute (exec) and the registers at
// the start of a block (cpu).
func (t *tracer) step(c *cpu.CPU, in *decoder.Inst) {
	lin := c.Seg[cpu.CS].Base + c.EIP
	if t.want(lin) {
		if t.cfg.Flags&TraceCPU != 0 && t.blockStart {
			t.printf("%s", dumpCPU(c))
		}
		if t.cfg.Flags&TraceExec != 0 {
			r := &c.Regs
			t.printf("exec: %04x:%08x eax=%08x ebx=%08x ecx=%08x edx=%08x esi=%08x edi=%08x ebp=%08x esp=%08x efl=%08x\n",
				c.Seg[cpu.CS].Sel, c.EIP, r[cpu.EAX], r[cpu.EBX], r[cpu.ECX], r[cpu.EDX], r[cpu.ESI], r[cpu.EDI], r[cpu.EBP], r[cpu.ESP], c.EFlags())
		}
	}
	t.blockStart = !c.DebugFallsThrough(in)
}

// interrupt logs an interrupt or exception delivery (int) and page
// faults (mmu).
func (t *tracer) interrupt(c *cpu.CPU, vec uint8, code uint32, hasCode bool) {
	t.blockStart = true
	lin := c.Seg[cpu.CS].Base + c.EIP
	f := t.cfg.Flags
	if f&TraceInt != 0 && t.want(lin) {
		ec := "none"
		if hasCode {
			ec = fmt.Sprintf("%#x", code)
		}
		t.printf("int: vector %#02x error %s at %04x:%08x (linear %08x) cpl %d count %d\n",
			vec, ec, c.Seg[cpu.CS].Sel, c.EIP, lin, c.CPL, c.InstructionCount())
	}
	if f&TraceMMU != 0 && vec == 14 && hasCode && c.CR0&cpu.CR0PE != 0 {
		t.printf("mmu: page fault at linear %08x error %#x (%s) eip %08x cr3 %08x\n", c.CR2, code, pfCause(code), c.EIP, c.CR3)
	}
}

// pfCause spells a page-fault error code.
func pfCause(code uint32) string {
	var p []string
	if code&1 != 0 {
		p = append(p, "protection")
	} else {
		p = append(p, "not present")
	}
	switch {
	case code&16 != 0:
		p = append(p, "fetch")
	case code&2 != 0:
		p = append(p, "write")
	default:
		p = append(p, "read or fetch") // without NX a fetch sets no I/D bit
	}
	if code&4 != 0 {
		p = append(p, "user")
	}
	if code&8 != 0 {
		p = append(p, "reserved bit")
	}
	return strings.Join(p, ", ")
}

// flush logs a TLB flush (mmu).
func (t *tracer) flush(e shadow.FlushEvent) { t.printf("mmu: %s\n", e) }

// port logs a port access (io).
func (t *tracer) port(write bool, port uint16, size uint8, v uint32) {
	if write {
		t.printf("io: out port %#04x size %d value %#x\n", port, size, v)
	} else {
		t.printf("io: in  port %#04x size %d value %#x\n", port, size, v)
	}
}

// mmio logs a device memory access (io).
func (t *tracer) mmio(write bool, addr uint64, size uint8, v uint64) {
	if write {
		t.printf("io: mmio write %#x size %d value %#x\n", addr, size, v)
	} else {
		t.printf("io: mmio read  %#x size %d value %#x\n", addr, size, v)
	}
}

// dumpCPU is the register dump of -d cpu.
func dumpCPU(c *cpu.CPU) string {
	var b strings.Builder
	r := &c.Regs
	fmt.Fprintf(&b, "CPU: EAX=%08x EBX=%08x ECX=%08x EDX=%08x\n", r[cpu.EAX], r[cpu.EBX], r[cpu.ECX], r[cpu.EDX])
	fmt.Fprintf(&b, "CPU: ESI=%08x EDI=%08x EBP=%08x ESP=%08x\n", r[cpu.ESI], r[cpu.EDI], r[cpu.EBP], r[cpu.ESP])
	fmt.Fprintf(&b, "CPU: EIP=%08x EFL=%08x CPL=%d II=%v HLT=%v\n", c.EIP, c.EFlags(), c.CPL, c.InhibitIRQ, c.Halted)
	for _, s := range []struct {
		name string
		i    int
	}{{"ES", cpu.ES}, {"CS", cpu.CS}, {"SS", cpu.SS}, {"DS", cpu.DS}, {"FS", cpu.FS}, {"GS", cpu.GS}} {
		sg := c.Seg[s.i]
		fmt.Fprintf(&b, "CPU: %-2s =%04x %08x %08x %04x\n", s.name, sg.Sel, sg.Base, sg.Limit, sg.Attr)
	}
	fmt.Fprintf(&b, "CPU: GDT=%08x %04x IDT=%08x %04x LDT=%04x TR=%04x\n", c.GDTR.Base, c.GDTR.Limit, c.IDTR.Base, c.IDTR.Limit, c.LDTR.Sel, c.TR.Sel)
	fmt.Fprintf(&b, "CPU: CR0=%08x CR2=%08x CR3=%08x CR4=%08x\n", c.CR0, c.CR2, c.CR3, c.CR4)
	return b.String()
}
