package gdbstub

import (
	"encoding/binary"
	"fmt"
	"strings"

	"bt86/cpu"
)

// The register layout: gdb's features/i386/32bit-core.xml (numbers 0-31)
// followed by a system feature with CR0, CR2, CR3 and CR4 (32-35), as
// QEMU describes them. g/G transfer every register in this order, each
// little-endian; p/P use the numbers.

// regInfo describes one register of the target description.
type regInfo struct {
	name    string
	bits    int
	typ     string
	group   string
	feature int // index into features
}

// regTable returns the layout. It is a function, not a package-level
// variable, so the package keeps no mutable globals.
func regTable() []regInfo {
	t := make([]regInfo, 0, numRegs)
	for _, n := range []string{"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"} {
		typ := "int32"
		if n == "esp" || n == "ebp" {
			typ = "data_ptr"
		}
		t = append(t, regInfo{name: n, bits: 32, typ: typ})
	}
	t = append(t, regInfo{name: "eip", bits: 32, typ: "code_ptr"}, regInfo{name: "eflags", bits: 32, typ: "i386_eflags"})
	for _, n := range []string{"cs", "ss", "ds", "es", "fs", "gs"} {
		t = append(t, regInfo{name: n, bits: 32, typ: "int32"})
	}
	for i := 0; i < 8; i++ {
		t = append(t, regInfo{name: fmt.Sprintf("st%d", i), bits: 80, typ: "i387_ext"})
	}
	for _, n := range []string{"fctrl", "fstat", "ftag", "fiseg", "fioff", "foseg", "fooff", "fop"} {
		t = append(t, regInfo{name: n, bits: 32, typ: "int", group: "float"})
	}
	t = append(t,
		regInfo{name: "cr0", bits: 32, typ: "i386_cr0", group: "system", feature: 1},
		regInfo{name: "cr2", bits: 32, typ: "int32", group: "system", feature: 1},
		regInfo{name: "cr3", bits: 32, typ: "i386_cr3", group: "system", feature: 1},
		regInfo{name: "cr4", bits: 32, typ: "i386_cr4", group: "system", feature: 1},
	)
	return t
}

// Register numbers of interest.
const (
	regEIP   = 8
	regST0   = 16
	regFCtrl = 24
	regCR0   = 32
	numRegs  = 36
	// regsSize is the size in bytes of a g packet's register block.
	regsSize = 16*4 + 8*10 + 8*4 + 4*4
)

// regOffsets returns the byte offset of every register in a g block.
func regOffsets() (off [numRegs + 1]int) {
	for i, r := range regTable() {
		off[i+1] = off[i] + r.bits/8
	}
	return off
}

// encodeRegs lays r out as a g block.
func encodeRegs(r *Registers) []byte {
	b := make([]byte, 0, regsSize)
	le := binary.LittleEndian
	for _, v := range r.GPR {
		b = le.AppendUint32(b, v)
	}
	b = le.AppendUint32(b, r.EIP)
	b = le.AppendUint32(b, r.EFlags)
	for _, s := range []uint16{r.CS, r.SS, r.DS, r.ES, r.FS, r.GS} {
		b = le.AppendUint32(b, uint32(s))
	}
	for _, f := range r.ST {
		b = le.AppendUint64(b, f.Mant)
		b = le.AppendUint16(b, f.SExp)
	}
	for _, v := range []uint32{r.FCtrl, r.FStat, r.FTag, r.FISeg, r.FIOff, r.FOSeg, r.FOOff, r.FOp, r.CR0, r.CR2, r.CR3, r.CR4} {
		b = le.AppendUint32(b, v)
	}
	return b
}

// decodeRegs is the inverse of encodeRegs; b must be regsSize bytes.
func decodeRegs(b []byte) Registers {
	var r Registers
	le := binary.LittleEndian
	u32 := func() uint32 { v := le.Uint32(b); b = b[4:]; return v }
	for i := range r.GPR {
		r.GPR[i] = u32()
	}
	r.EIP = u32()
	r.EFlags = u32()
	for _, s := range []*uint16{&r.CS, &r.SS, &r.DS, &r.ES, &r.FS, &r.GS} {
		*s = uint16(u32())
	}
	for i := range r.ST {
		r.ST[i] = cpu.Float80{Mant: le.Uint64(b), SExp: le.Uint16(b[8:])}
		b = b[10:]
	}
	for _, p := range []*uint32{&r.FCtrl, &r.FStat, &r.FTag, &r.FISeg, &r.FIOff, &r.FOSeg, &r.FOOff, &r.FOp, &r.CR0, &r.CR2, &r.CR3, &r.CR4} {
		*p = u32()
	}
	return r
}

// targetXML is the target description gdb reads with
// qXfer:features:read:target.xml. Everything is inline (no xi:include).
func targetXML() string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?>
<!DOCTYPE target SYSTEM "gdb-target.dtd">
<target version="1.0">
<architecture>i386</architecture>
<feature name="org.gnu.gdb.i386.core">
`)
	b.WriteString(flagsXML("i386_eflags", []flagField{
		{"CF", 0, 0}, {"", 1, 1}, {"PF", 2, 2}, {"AF", 4, 4}, {"ZF", 6, 6}, {"SF", 7, 7},
		{"TF", 8, 8}, {"IF", 9, 9}, {"DF", 10, 10}, {"OF", 11, 11}, {"NT", 14, 14},
		{"RF", 16, 16}, {"VM", 17, 17}, {"AC", 18, 18}, {"VIF", 19, 19}, {"VIP", 20, 20}, {"ID", 21, 21},
	}))
	regs := regTable()
	for i, r := range regs {
		if r.feature != 0 {
			continue
		}
		writeReg(&b, i, r)
	}
	b.WriteString("</feature>\n<feature name=\"org.qemu.gdb.i386.sys\">\n")
	b.WriteString(flagsXML("i386_cr0", []flagField{
		{"PE", 0, 0}, {"MP", 1, 1}, {"EM", 2, 2}, {"TS", 3, 3}, {"ET", 4, 4}, {"NE", 5, 5},
		{"WP", 16, 16}, {"AM", 18, 18}, {"NW", 29, 29}, {"CD", 30, 30}, {"PG", 31, 31},
	}))
	b.WriteString(flagsXML("i386_cr3", []flagField{{"PWT", 3, 3}, {"PCD", 4, 4}, {"PDBR", 12, 31}}))
	b.WriteString(flagsXML("i386_cr4", []flagField{
		{"VME", 0, 0}, {"PVI", 1, 1}, {"TSD", 2, 2}, {"DE", 3, 3}, {"PSE", 4, 4}, {"PAE", 5, 5},
		{"MCE", 6, 6}, {"PGE", 7, 7}, {"PCE", 8, 8}, {"OSFXSR", 9, 9}, {"OSXMMEXCPT", 10, 10},
	}))
	for i, r := range regs {
		if r.feature == 1 {
			writeReg(&b, i, r)
		}
	}
	b.WriteString("</feature>\n</target>\n")
	return b.String()
}

type flagField struct {
	name       string
	start, end int
}

func flagsXML(id string, fields []flagField) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<flags id=%q size=\"4\">\n", id)
	for _, f := range fields {
		fmt.Fprintf(&b, "  <field name=%q start=\"%d\" end=\"%d\"/>\n", f.name, f.start, f.end)
	}
	b.WriteString("</flags>\n")
	return b.String()
}

func writeReg(b *strings.Builder, num int, r regInfo) {
	fmt.Fprintf(b, "<reg name=%q bitsize=\"%d\" type=%q regnum=\"%d\"", r.name, r.bits, r.typ, num)
	if r.group != "" {
		fmt.Fprintf(b, " group=%q", r.group)
	}
	b.WriteString("/>\n")
}
