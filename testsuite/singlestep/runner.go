package singlestep

import (
	"fmt"
	"strings"
)

// Regs16 is the 286 register file as the vectors give it.
type Regs16 struct{ AX, BX, CX, DX, CS, SS, DS, ES, SP, BP, SI, DI, IP, Flags uint16 }

// Get returns register i.
func (r *Regs16) Get(i Reg) uint16 {
	switch i {
	case RegAX:
		return r.AX
	case RegBX:
		return r.BX
	case RegCX:
		return r.CX
	case RegDX:
		return r.DX
	case RegCS:
		return r.CS
	case RegSS:
		return r.SS
	case RegDS:
		return r.DS
	case RegES:
		return r.ES
	case RegSP:
		return r.SP
	case RegBP:
		return r.BP
	case RegSI:
		return r.SI
	case RegDI:
		return r.DI
	case RegIP:
		return r.IP
	case RegFlags:
		return r.Flags
	}
	return 0
}

// Set sets register i.
func (r *Regs16) Set(i Reg, v uint16) {
	switch i {
	case RegAX:
		r.AX = v
	case RegBX:
		r.BX = v
	case RegCX:
		r.CX = v
	case RegDX:
		r.DX = v
	case RegCS:
		r.CS = v
	case RegSS:
		r.SS = v
	case RegDS:
		r.DS = v
	case RegES:
		r.ES = v
	case RegSP:
		r.SP = v
	case RegBP:
		r.BP = v
	case RegSI:
		r.SI = v
	case RegDI:
		r.DI = v
	case RegIP:
		r.IP = v
	case RegFlags:
		r.Flags = v
	}
}

func regsFromArray(a *[NumRegs]uint16) Regs16 {
	var r Regs16
	for i := Reg(0); i < NumRegs; i++ {
		r.Set(i, a[i])
	}
	return r
}

// Target is a CPU + 16 MiB flat RAM that a vector runs on.
//
// The RAM accessors are named WriteRAM and ReadRAM rather than WriteByte
// and ReadByte: go vet's stdmethods check reserves those names for the
// io.ByteWriter and io.ByteReader signatures.
//
// I/O port reads must return all ones and writes must be dropped; no
// interrupt is ever raised from outside.
type Target interface {
	// Reset puts the CPU in real mode with the given registers
	// (segment base = selector*16, limit 0xFFFF) and FLAGS.
	Reset(r Regs16)
	Regs() Regs16
	WriteRAM(addr uint32, v byte)
	ReadRAM(addr uint32) byte
	// RunUntilHalt executes until a HLT executes (final IP one past the HLT),
	// at most maxInstructions; returns an error if the budget ran out or the CPU shut down.
	RunUntilHalt(maxInstructions int) error
}

// ExceptionReporter is optionally implemented by a Target that can tell
// which interrupt vector it took first during the last run (ok false: it
// took none). The known-difference categories then check that the CPU
// did what a 386 does, instead of inferring it from the final state.
type ExceptionReporter interface {
	FirstException() (vector uint8, ok bool)
}

// DefaultMaxInstructions is the per-test instruction budget when
// Options.MaxInstructions is zero: room for a REP with CX = 0xFFFF counted
// per iteration, plus the HLT.
const DefaultMaxInstructions = 1 << 17

// DefaultMaxFailures is the number of failure descriptions kept per file
// when Options.MaxFailures is zero.
const DefaultMaxFailures = 5

// Options tunes a Runner. The zero value is ready to use.
type Options struct {
	// MaxInstructions is the budget passed to RunUntilHalt per test
	// (0: DefaultMaxInstructions).
	MaxInstructions int
	// MaxFailures is how many failure descriptions to keep per file
	// (0: DefaultMaxFailures; negative: none). Counts are always complete.
	MaxFailures int
	// Metadata gives each opcode's flags-mask. RunDir loads it from the
	// directory when nil; with no metadata every FLAGS bit is compared.
	Metadata *Metadata
	// Revoked tests are skipped (and counted as skipped). RunDir loads
	// revocation_list.txt when nil.
	Revoked Revocations
	// Categories classifies failures as known 286/386 differences, first
	// match wins. nil means KnownDifferences(); an empty, non-nil slice
	// disables classification.
	Categories []Category
}

func (o *Options) maxInstructions() int {
	if o.MaxInstructions > 0 {
		return o.MaxInstructions
	}
	return DefaultMaxInstructions
}

func (o *Options) maxFailures() int {
	switch {
	case o.MaxFailures < 0:
		return 0
	case o.MaxFailures == 0:
		return DefaultMaxFailures
	}
	return o.MaxFailures
}

// Mismatch is one difference between the expected and the actual final
// state.
type Mismatch struct {
	// IsRAM selects Addr (a RAM byte) over Reg.
	IsRAM bool
	Reg   Reg
	Addr  uint32
	// PushedFlags marks the RAM bytes of the FLAGS word an exception
	// pushed (compared under the flags mask like FLAGS itself).
	PushedFlags bool
	// PushedHigh marks the high byte of the pushed FLAGS word.
	PushedHigh bool
	Want, Got  uint16 // a byte for RAM
	// Mask is the mask both values were compared under (0xFFFF, or the
	// flags-mask for FLAGS, or its low or high byte for a pushed FLAGS byte).
	Mask uint16
}

// flagsDiff returns the FLAGS bits in which a FLAGS-related mismatch
// differs (a pushed high byte shifted into place), and whether it is
// FLAGS-related at all.
// pushedFlagsAddr is the physical address of the FLAGS word an exception
// pushed. EXCP records it rounded down to an even address; with an odd SP
// the word really starts one byte higher, at SS:SP-2 of the initial state
// (the first push of the interrupt frame), which is used when it is
// exactly one above the recorded address.
func pushedFlagsAddr(t *Test, init Regs16) uint32 {
	if t.Exception == nil {
		return 0
	}
	fa := t.Exception.FlagsAddr
	if alt := uint32(init.SS)<<4 + uint32(init.SP-2); alt == fa+1 {
		return alt
	}
	return fa
}

func (m *Mismatch) flagsDiff(excp *Exception) (uint16, bool) {
	d := (m.Want ^ m.Got) & m.Mask
	switch {
	case !m.IsRAM && m.Reg == RegFlags:
		return d, true
	case m.IsRAM && m.PushedHigh:
		return d << 8, true
	case m.IsRAM && m.PushedFlags:
		return d, true
	}
	return 0, false
}

func (m Mismatch) String() string {
	if m.IsRAM {
		s := fmt.Sprintf("RAM[%06X] want %02X got %02X", m.Addr, m.Want, m.Got)
		if m.PushedFlags {
			s += fmt.Sprintf(" (pushed FLAGS byte, mask %02X)", m.Mask)
		}
		return s
	}
	if m.Reg == RegFlags {
		return fmt.Sprintf("FLAGS want %04X got %04X (mask %04X, differs in %s)",
			m.Want, m.Got, m.Mask, flagNames((m.Want^m.Got)&m.Mask))
	}
	return fmt.Sprintf("%s want %04X got %04X", m.Reg, m.Want, m.Got)
}

// flagNames names FLAGS bits: "CF,ZF", or "bit12" for unnamed ones.
func flagNames(bits uint16) string {
	const names = "CF..PF..AF..ZFSFTFIFDFOF"
	var parts []string
	for i := 0; i < 16; i++ {
		if bits>>i&1 == 0 {
			continue
		}
		switch {
		case i < 12 && names[2*i] != '.':
			parts = append(parts, names[2*i:2*i+2])
		case i == 12 || i == 13:
			parts = append(parts, fmt.Sprintf("IOPL%d", i-12))
		case i == 14:
			parts = append(parts, "NT")
		default:
			parts = append(parts, fmt.Sprintf("bit%d", i))
		}
	}
	if len(parts) == 0 {
		return "nothing"
	}
	return strings.Join(parts, ",")
}

// Failure describes one failed test.
type Failure struct {
	File       string // "00.MOO.gz"
	Index      uint32 // the test's index in the file
	Name       string
	Bytes      []byte
	Hash       string
	Mismatches []Mismatch
	// Got holds the registers the Target ended with.
	Got Regs16
	// Err is RunUntilHalt's error, or a panic of the Target, or nil.
	Err error
	// Category names the known 286/386 difference the failure matched,
	// "" when none; Detail says why it matched.
	Category string
	Detail   string
}

func (f *Failure) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s #%d %q [% X]:", f.File, f.Index, f.Name, f.Bytes)
	if f.Err != nil {
		fmt.Fprintf(&b, " error: %v;", f.Err)
	}
	for i, m := range f.Mismatches {
		if i > 0 {
			b.WriteByte(';')
		}
		b.WriteByte(' ')
		b.WriteString(m.String())
	}
	if f.Category != "" {
		fmt.Fprintf(&b, " [known difference %s", f.Category)
		if f.Detail != "" {
			fmt.Fprintf(&b, ": %s", f.Detail)
		}
		b.WriteByte(']')
	}
	return b.String()
}

// FileResult is the outcome of one opcode file.
type FileResult struct {
	File     string // "00.MOO.gz"
	Stem     string // "00", "80.1"
	Mnemonic string // from META
	Status   string // from metadata.json: "normal", "undocumented", ...
	Passed   int
	Failed   int
	Skipped  int            // revoked tests
	Known    map[string]int // failures per known-difference category
	Failures []Failure      // the first few (Options.MaxFailures)
	Err      error          // the file could not be read or parsed
}

// KnownTotal is the number of failures in known-difference categories.
func (r *FileResult) KnownTotal() int {
	n := 0
	for _, v := range r.Known {
		n += v
	}
	return n
}

// Runner runs test vectors on one Target. It remembers which RAM bytes the
// previous test named, to clear them before the next. Not safe for
// concurrent use.
type Runner struct {
	target Target
	opt    Options
	cats   []Category
	dirty  []uint32
}

// NewRunner returns a Runner for t.
func NewRunner(t Target, opt Options) *Runner {
	cats := opt.Categories
	if cats == nil {
		cats = KnownDifferences()
	}
	return &Runner{target: t, opt: opt, cats: cats}
}

// FlagsMask returns the flags-mask for a test of the file with this stem
// ("00", "80.1"), from the runner's metadata (0xFFFF when unknown).
func (r *Runner) FlagsMask(stem string, t *Test) uint16 {
	info, _ := r.opt.Metadata.Lookup(stem, modrmReg(t))
	return info.FlagsMask
}

// modrmReg returns the ModRM reg field of a test's instruction, -1 when it
// has no ModRM.
func modrmReg(t *Test) int {
	in := decode(t.Bytes)
	if !in.modrm {
		return -1
	}
	return int(in.reg)
}

// RunTest runs one test, comparing FLAGS under mask, and returns nil when
// it passes. Classification is left to the caller (see Classify).
func (r *Runner) RunTest(t *Test, mask uint16) *Failure {
	tg := r.target
	for _, a := range r.dirty {
		tg.WriteRAM(a, 0)
	}
	r.dirty = r.dirty[:0]
	for _, b := range t.Init.RAM {
		r.dirty = append(r.dirty, b.Addr)
	}
	for _, b := range t.Final.RAM {
		r.dirty = append(r.dirty, b.Addr)
	}

	init := initialRegs(t)
	err := r.execute(t, init)

	var mm []Mismatch
	got := tg.Regs()
	for i := Reg(0); i < NumRegs; i++ {
		want := init.Get(i)
		if t.Final.Has(i) {
			want = t.Final.Regs[i]
		}
		m := uint16(0xFFFF)
		if i == RegFlags {
			m = mask
		}
		if g := got.Get(i); (g^want)&m != 0 {
			mm = append(mm, Mismatch{Reg: i, Want: want, Got: g, Mask: m})
		}
	}
	flagsAddr := pushedFlagsAddr(t, init)
	check := func(b RAMByte) {
		m := uint16(0xFF)
		pushed, high := false, false
		if t.Exception != nil {
			switch b.Addr {
			case flagsAddr:
				m, pushed = mask&0xFF, true
			case flagsAddr + 1:
				m, pushed, high = mask>>8, true, true
			}
		}
		if g := tg.ReadRAM(b.Addr); (g^b.Value)&byte(m) != 0 {
			mm = append(mm, Mismatch{IsRAM: true, Addr: b.Addr, PushedFlags: pushed, PushedHigh: high,
				Want: uint16(b.Value), Got: uint16(g), Mask: m})
		}
	}
	// A byte named only in the initial state must be unchanged.
	for _, b := range t.Init.RAM {
		if !ramHas(t.Final.RAM, b.Addr) {
			check(b)
		}
	}
	for _, b := range t.Final.RAM {
		check(b)
	}
	if err == nil && len(mm) == 0 {
		return nil
	}
	return &Failure{
		Index: t.Index, Name: t.Name, Bytes: t.Bytes, Hash: t.HashString(),
		Mismatches: mm, Got: got, Err: err,
	}
}

// execute resets the target, loads the test and runs it, turning a panic
// of the Target into an error.
func (r *Runner) execute(t *Test, init Regs16) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("target panicked: %v", p)
		}
	}()
	tg := r.target
	tg.Reset(init)
	for _, b := range t.Init.RAM {
		tg.WriteRAM(b.Addr, b.Value)
	}
	return tg.RunUntilHalt(r.opt.maxInstructions())
}

func ramHas(ram []RAMByte, addr uint32) bool {
	for _, b := range ram {
		if b.Addr == addr {
			return true
		}
	}
	return false
}

// RunFile runs every test of a parsed file. name is its base file name
// ("80.1.MOO.gz"); the stem before ".MOO" selects the metadata entry.
func (r *Runner) RunFile(name string, f *File) FileResult {
	stem := Stem(name)
	res := FileResult{File: name, Stem: stem}
	if f.Meta != nil {
		res.Mnemonic = f.Meta.Mnemonic
	}
	if info, ok := r.opt.Metadata.Lookup(stem, -1); ok {
		res.Status = info.Status
	}
	keep := r.opt.maxFailures()
	for i := range f.Tests {
		t := &f.Tests[i]
		if r.opt.Revoked.Revoked(t) {
			res.Skipped++
			continue
		}
		mask := r.FlagsMask(stem, t)
		fail := r.RunTest(t, mask)
		if fail == nil {
			res.Passed++
			continue
		}
		res.Failed++
		fail.File = name
		cs := &Case{File: name, Test: t, Failure: fail, FlagsMask: mask}
		if er, ok := r.target.(ExceptionReporter); ok {
			v, took := er.FirstException()
			cs.First = &FirstInterrupt{Took: took, Vector: v}
		}
		if c, detail, ok := Classify(r.cats, cs); ok {
			fail.Category, fail.Detail = c.Name, detail
			if res.Known == nil {
				res.Known = map[string]int{}
			}
			res.Known[c.Name]++
		}
		if len(res.Failures) < keep {
			res.Failures = append(res.Failures, *fail)
		}
	}
	return res
}

// Stem returns a MOO file name without its directory and ".MOO[.gz]"
// suffix: "80.1.MOO.gz" -> "80.1".
func Stem(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.TrimSuffix(name, ".gz")
	name = strings.TrimSuffix(name, ".MOO")
	return strings.TrimSuffix(name, ".moo")
}
