//go:build linux && amd64

package dbt

import (
	"encoding/binary"
	"fmt"
	"io"
	"runtime"
	"time"

	"bt86/cpu"
	"bt86/decoder"
)

// Available reports whether the translator runs on this host.
func Available() bool { return true }

// codeSize is the size of the translated-code area.
const codeSize = 64 << 20

// arithFlags are the guest flags translated code keeps in host RFLAGS.
const arithFlags = cpu.FlagCF | cpu.FlagPF | cpu.FlagAF | cpu.FlagZF | cpu.FlagSF | cpu.FlagOF

type blockKey struct {
	phys uint64
	eip  uint32
	key  uint32
}

type block struct {
	blockKey
	stamp uint32
	entry uintptr // 0: the interpreter runs here (a marker)
	n     int     // guest instructions (markers: times entered)
	// firstSteps counts exits to the interpreter at the first instruction.
	firstSteps int
	// helperFirst: the first instruction is run by the interpreter (a
	// step there is expected and resumes).
	helperFirst bool
	// poll marks a marker whose instruction is port I/O or RDTSC: code
	// that may be a polling loop.
	poll bool
	// crosses: the last instruction continues on the next page (whose
	// writes drop the block too; nothing chains into such a block).
	crosses bool
	// crossMiss: the block stops before an instruction crossing the
	// page end, at EIP end, because the next page was not in the fetch
	// TLB when it was translated.
	crossMiss bool
	end       uint32
}

// Engine runs a cpu.CPU with the translator.
type Engine struct {
	cpu      *cpu.CPU
	dec      *decoder.Decoder
	mem      *codeMem
	ctx      *ctx
	fast     *[fastSlots]fastEntry
	blocks   map[blockKey]*block
	smc      map[uint64]int // invalidations of blocks, by physical page
	pages    map[uint64][]*block
	slots    map[uintptr]uint64 // chain slot address -> physical page
	dispatch uintptr
	tr       translator
	items    []item
	recent   [recentSlots]*block // direct-mapped cache of the block map
	crossBuf []byte              // an instruction across a page end
	// crossDrops counts blocks with a page-crossing instruction dropped
	// by a write to their second page (a step that drops one must not
	// resume into it).
	crossDrops uint64
	Stats      Stats
	// StepProfile, when non-nil, counts the instructions handed to the
	// interpreter by their opcode bytes (for finding what to translate
	// next).
	StepProfile map[string]uint64
	// PerfMap, when non-nil, gets a line per translated block in the
	// format of perf's JIT symbol maps (/tmp/perf-PID.map: start, size,
	// name), so `perf report` names the guest code host time goes to.
	PerfMap io.Writer
	// OnTranslate, when non-nil, is called with each translated block's
	// guest-linear entry, its host address and its host code as emitted
	// (chain slots not yet patched): emu -d out_asm.
	OnTranslate func(linear uint32, host uintptr, code []byte)
}

// profileStep counts the instruction at CS:EIP in StepProfile.
func (e *Engine) profileStep(what string) {
	c := e.cpu
	if c.CR0&cpu.CR0PE == 0 || c.Flags&cpu.FlagVM != 0 {
		e.StepProfile[what+" non-protected"]++
		return
	}
	phys, ok := c.FetchPhys(c.Seg[cpu.CS].Base + c.EIP)
	if !ok {
		e.StepProfile[what+" fetch-fault"]++
		return
	}
	code := c.CodeBytes(phys)
	in, err := e.dec.Decode(code, true)
	if err != nil {
		e.StepProfile[what+" page-cross"]++
		e.StepProfile[fmt.Sprintf("@%08x %s page-cross cpl=%d", c.EIP, what, c.CPL)]++
		return
	}
	_, ok = analyze(&in, code[:in.Len], 0)
	e.StepProfile[fmt.Sprintf("%s % x ok=%v", what, code[:min(int(in.Len), 3)], ok)]++
	if ok || what == "marker" {
		e.StepProfile[fmt.Sprintf("@%08x %s % x ok=%v cpl=%d", c.EIP, what, code[:min(int(in.Len), 6)], ok, c.CPL)]++
	}
}

// New returns a translator engine for c.
func New(c *cpu.CPU) (*Engine, error) { return newEngine(c, codeSize) }

// newEngine is New with a code area of size bytes (tests use small ones).
func newEngine(c *cpu.CPU, size int) (*Engine, error) {
	mem, err := newCodeMem(size)
	if err != nil {
		return nil, err
	}
	e := &Engine{cpu: c, dec: decoder.New(), mem: mem, ctx: new(ctx), fast: new([fastSlots]fastEntry)}
	e.flush()
	c.OnCodeWrite = e.invalidatePage
	return e, nil
}

// Close releases the code area.
func (e *Engine) Close() error {
	e.cpu.OnCodeWrite = nil
	return e.mem.close()
}

// flush drops every block and recycles the code area.
func (e *Engine) flush() {
	e.Stats.Flushes++
	e.mem.used = 0
	e.blocks = make(map[blockKey]*block)
	e.smc = make(map[uint64]int)
	e.pages = make(map[uint64][]*block)
	e.slots = make(map[uintptr]uint64)
	clear(e.fast[:])
	clear(e.recent[:])
	off := e.mem.place(dispatcher())
	e.dispatch = e.mem.addr(off)
	e.tr.dispatch = uint64(e.dispatch)
}

// invalidatePage is the CPU's OnCodeWrite hook.
func (e *Engine) invalidatePage(page uint64) {
	bs := e.pages[page]
	if len(bs) == 0 {
		return
	}
	e.smc[page]++
	for _, b := range bs {
		if b.crosses {
			e.crossDrops++ // do not resume into it (its page's stamp may be unchanged)
		}
		if r := &e.recent[recentIndex(b.phys)]; *r == b {
			*r = nil
		}
		delete(e.blocks, b.blockKey)
		e.dropFast(b)
	}
	e.Stats.Invalidations += uint64(len(bs))
	delete(e.pages, page)
	// Chain slots of the dropped blocks are unreachable: chains join
	// blocks of one page only.
}

// native reports whether the CPU is in a mode the translator handles:
// 32-bit protected mode with a flat 4 GiB code segment and a 32-bit
// stack.
func (e *Engine) native() bool {
	c := e.cpu
	if c.CR0&cpu.CR0PE == 0 || c.Flags&cpu.FlagVM != 0 || !c.Seg[cpu.CS].Big() || !c.Seg[cpu.SS].Big() {
		return false
	}
	r, _ := c.SegFull(cpu.CS)
	return r
}

// modeKey describes what translated code assumed about the segments:
// for ES, SS, DS, FS and GS, whether they need no limit check for reads
// and for writes and whether their base is zero; and the CPL.
func (e *Engine) modeKey() uint32 {
	c := e.cpu
	k := uint32(c.CPL)
	if c.Flags&cpu.FlagDF != 0 {
		k |= 1 << 31
	}
	for i, s := range [...]int{cpu.ES, cpu.SS, cpu.DS, cpu.FS, cpu.GS} {
		r, w := c.SegFull(s)
		var bits uint32
		if r {
			bits |= 1
		}
		if w {
			bits |= 2
		}
		if c.Seg[s].Base == 0 {
			bits |= 4
		}
		k |= bits << (2 + 3*i)
	}
	return k
}

// lookup returns the block at CS:EIP, translating it if needed, or nil
// when the interpreter must run there.
func (e *Engine) lookup() *block {
	c := e.cpu
	e.Stats.Lookups++
	lin := c.Seg[cpu.CS].Base + c.EIP
	phys, ok := c.FetchPhys(lin)
	if !ok {
		return nil
	}
	k := blockKey{phys: phys, eip: c.EIP, key: e.modeKey()}
	slot := &e.recent[recentIndex(phys)]
	if b := *slot; b != nil && b.blockKey == k && b.stamp == c.CodeStamp(phys) {
		e.Stats.LookupHits++
		return b
	}
	if b := e.blocks[k]; b != nil && b.stamp == c.CodeStamp(phys) {
		e.Stats.LookupHits++
		*slot = b
		return b
	}
	b := e.translate(k)
	*slot = b
	return b
}

// smcLimit is the number of times a page's blocks may be dropped by
// writes to it (self-modifying code, or data beside code) before its
// code is left to the interpreter, within an epoch of smcEpoch block
// translations (a page reused for other code later is translated again).
const (
	smcLimit = 64
	smcEpoch = 1 << 16
)

// recentSlots sizes the direct-mapped cache in front of the block map.
const recentSlots = 4096

// recentIndex is the slot of the block at physical address phys in the
// lookup cache.
func recentIndex(phys uint64) uint32 { return (uint32(phys) ^ uint32(phys>>12)*31) % recentSlots }

// crossBytes returns tail (the bytes of an instruction up to its page's
// end) followed by the start of the next page, at linear address lin,
// and that page's physical address, when the fetch TLB maps it to RAM.
func (e *Engine) crossBytes(tail []byte, lin uint32) ([]byte, uint64, bool) {
	phys, ok := e.cpu.FetchPhysCached(lin)
	if !ok {
		return nil, 0, false
	}
	next := e.cpu.CodeBytes(phys)
	if next == nil {
		return nil, 0, false
	}
	buf := append(append(e.crossBuf[:0], tail...), next[:min(len(next), 16)]...)
	e.crossBuf = buf
	return buf, phys, true
}

// translate translates the block at k (the CPU's current CS:EIP).
func (e *Engine) translate(k blockKey) *block {
	c := e.cpu
	code := c.CodeBytes(k.phys)
	if code == nil {
		return nil
	}
	t0 := time.Now()
	// The segment facts the plans rely on are those of the key.
	var full [6][2]bool
	for s := range 6 {
		full[s][0], full[s][1] = c.SegFull(s)
		e.tr.zeroBase[s] = c.Seg[s].Base == 0
	}
	e.tr.down = k.key&(1<<31) != 0
	items := e.items[:0]
	if e.smc[k.phys>>12] > smcLimit {
		// Code on this page keeps being rewritten (or written beside):
		// the interpreter runs it, instead of translating it again
		// after every write.
		items = items[:0]
		code = code[:0]
	}
	eip, off := k.eip, 0
	stepAtEnd := false
	// crosses: the last instruction continues on the next page, at
	// physical page cross.
	var cross uint64
	crosses, crossMiss := false, false
	for len(items) < maxBlock && off < len(code) {
		raw := code[off:]
		in, err := e.dec.Decode(raw, true)
		if err != nil || off+int(in.Len) > len(code) {
			// It may cross the page end: with the next page's bytes (if
			// the fetch TLB maps it) it can end the block.
			raw, cross, crosses = e.crossBytes(code[off:], c.Seg[cpu.CS].Base+k.eip&^0xFFF+0x1000)
			if !crosses {
				// The next page is not in the fetch TLB yet: the
				// interpreter's step there fills it, then the page's
				// blocks are translated again (see Run).
				stepAtEnd, crossMiss = true, true
				break
			}
			if in, err = e.dec.Decode(raw, true); err != nil || int(in.Len) <= len(code)-off {
				stepAtEnd, crosses = true, false
				break
			}
		}
		next := eip + uint32(in.Len)
		p, ok := analyze(&in, raw[:in.Len], next)
		if ok && p.mem != memNone && p.mem != memAddr {
			seg := int(in.Seg)
			if p.kind == kPush || p.kind == kPushImm || p.kind == kPop || p.kind == kCall || p.kind == kRet || p.kind == kLeave {
				seg = cpu.SS
			}
			if (p.mem != memW && !full[seg][0]) || (p.mem != memR && !full[seg][1]) {
				ok = false
			}
		}
		if ok && p.kind == kString {
			// What each reads and writes: seg:[ESI] and ES:[EDI].
			src, dst := int(in.Seg), cpu.ES
			switch op := p.opc[0]; {
			case op <= 0xA5: // MOVS
				ok = full[src][0] && full[dst][1]
			case op <= 0xA7: // CMPS
				ok = full[src][0] && full[dst][0]
			case op <= 0xAB: // STOS
				ok = full[dst][1]
			case op <= 0xAD: // LODS
				ok = full[src][0]
			default: // SCAS
				ok = full[dst][0]
			}
		}
		if ok && (p.kind == kCallInd) && !(full[cpu.SS][0] && full[cpu.SS][1]) {
			ok = false
		}
		if ok && (p.kind == kPush || p.kind == kPushImm || p.kind == kCall || p.kind == kCallInd || p.kind == kPushEv || p.kind == kPushf || p.kind == kPushSeg) && !full[cpu.SS][1] {
			ok = false
		}
		if ok && (p.kind == kPop || p.kind == kRet || p.kind == kLeave || p.kind == kPopf) && !full[cpu.SS][0] {
			ok = false
		}
		if ok && (p.kind == kCli || p.kind == kSti || p.kind == kPopf) && k.key&3 != 0 {
			ok = false // CPL > 0: IOPL and the virtual interrupt flags decide
		}
		if ok && (p.kind == kCld && e.tr.down || p.kind == kStd && !e.tr.down) {
			p.ends = true // DF changes, and with it the key
		}
		if !ok && !crosses && !endsFlow(raw[:in.Len]) {
			// The interpreter runs it in the middle of the block.
			p, ok = plan{kind: kHelper, resReg: -1, btReg: -1}, true
		}
		if !ok {
			stepAtEnd, crosses = true, false
			break
		}
		items = append(items, item{in: in, eip: eip, next: next, p: p})
		eip, off = next, off+int(in.Len)
		if p.ends || crosses {
			break
		}
	}
	e.items = items
	if len(items) == 0 && crossMiss {
		return nil // the interpreter runs it, and it is translated next time
	}
	if len(items) == 0 {
		// Remember that the interpreter runs here (entry 0), so the
		// next lookup does not try again.
		c.WatchCode(k.phys)
		b := &block{blockKey: k, stamp: c.CodeStamp(k.phys), poll: polls(code)}
		e.blocks[k] = b
		e.pages[k.phys>>12] = append(e.pages[k.phys>>12], b)
		return b
	}
	e.tr.key = k.key
	e.tr.phys, e.tr.eip, e.tr.stamp = k.phys, k.eip, c.CodeStamp(k.phys)
	e.tr.crosses, e.tr.cross = crosses, cross
	buf, slots := e.tr.block(items, k.eip, eip, stepAtEnd)
	at := e.mem.place(buf)
	if at < 0 {
		e.flush()
		buf, slots = e.tr.block(items, k.eip, eip, stepAtEnd)
		if at = e.mem.place(buf); at < 0 {
			return nil
		}
	}
	c.WatchCode(k.phys)
	b := &block{blockKey: k, stamp: c.CodeStamp(k.phys), entry: e.mem.addr(at), n: len(items), helperFirst: items[0].p.kind == kHelper, crosses: crosses}
	if crossMiss {
		b.crossMiss, b.end = true, eip
	}
	e.blocks[k] = b
	page := k.phys >> 12
	e.pages[page] = append(e.pages[page], b)
	if crosses {
		// A write to the next page drops it too.
		c.WatchCode(cross)
		e.pages[cross>>12] = append(e.pages[cross>>12], b)
	}
	for _, s := range slots {
		e.slots[b.entry+uintptr(s.off)] = page
	}
	if c.OnBlock != nil { // -d in_asm
		cb := &cpu.Block{CS: c.Seg[cpu.CS].Sel, Base: c.Seg[cpu.CS].Base, Phys: k.phys, Code32: true}
		for _, it := range items {
			cb.EIPs = append(cb.EIPs, it.eip)
			cb.Lens = append(cb.Lens, it.in.Len)
		}
		c.OnBlock(c, cb)
	}
	if e.OnTranslate != nil {
		e.OnTranslate(c.Seg[cpu.CS].Base+k.eip, b.entry, buf)
	}
	if e.PerfMap != nil {
		fmt.Fprintf(e.PerfMap, "%x %x bt86:%08x/%x\n", b.entry, len(buf), k.eip, k.key)
	}
	e.Stats.Blocks++
	if e.Stats.Blocks%smcEpoch == 0 {
		clear(e.smc) // pages left to the interpreter get another chance
	}
	e.Stats.CodeBytes += uint64(len(buf))
	e.Stats.TranslateTime += time.Since(t0)
	return b
}

// chain patches the chain slot at slot (from the last exit) to jump to
// b when both are on one physical page.
func (e *Engine) chain(slot uintptr, b *block) {
	page, ok := e.slots[slot]
	if !ok || page != b.phys>>12 || b.crosses {
		return
	}
	off := e.mem.offsetOf(slot)
	binary.LittleEndian.PutUint32(e.mem.w[off:], uint32(int32(int64(b.entry)-int64(slot+4))))
	delete(e.slots, slot)
	e.Stats.ChainPatches++
}

// Run implements cpu.Executor.
func (e *Engine) Run(budget int) cpu.Exit {
	c := e.cpu
	c.ClearStop()
	retired := 0
	left := budget
	interp := func(n int, oneTrace bool) (cpu.Exit, bool) {
		x := c.RunInterp(n, oneTrace)
		retired += x.Retired
		left -= max(x.Spent, 1)
		if x.Reason != cpu.ExitBudget {
			x.Retired = retired
			return x, true
		}
		return x, false
	}
	chain := false        // ctx.slot is a chain slot to patch to the next block
	var resume uintptr    // translated code to go on with after a step
	var resumeFrom *block // ... entered at this block (its key)
	for {
		if c.Stopped() {
			return cpu.Exit{Reason: cpu.ExitStop, Retired: retired}
		}
		if left <= 0 {
			return cpu.Exit{Reason: cpu.ExitBudget, Retired: retired}
		}
		var b *block
		var entry uintptr
		if resume != 0 && e.canResume(resumeFrom.key) {
			e.Stats.Resumes++
			b, entry = resumeFrom, resume
		} else {
			if c.NeedsInterpreter() || !e.native() {
				e.Stats.InterpTraces++
				if e.StepProfile != nil {
					e.profileStep("mode")
				}
				if x, done := interp(left, true); done {
					return x
				}
				chain, resume = false, 0
				continue
			}
			b = e.lookup()
			if b == nil || b.entry == 0 {
				// The interpreter runs here: one trace, or, where that
				// keeps happening at port I/O or RDTSC (a polling loop),
				// a longer stretch, so the loop runs in the
				// interpreter's own chained loop instead of coming back
				// here every trace.
				e.Stats.InterpTraces++
				if e.StepProfile != nil {
					e.profileStep("marker")
				}
				n, one := left, true
				if b != nil && b.poll {
					if b.n++; b.n > 16 {
						n, one = min(left, 512), false
					}
				}
				if x, done := interp(n, one); done {
					return x
				}
				chain, resume = false, 0
				continue
			}
			if chain {
				e.chain(e.ctx.slot, b)
			}
			if b.n > left {
				// The block does not fit: the interpreter retires
				// exactly what is left.
				x, _ := interp(left, false)
				x.Retired = retired
				return x
			}
			e.insertFast(b)
			entry = b.entry
		}
		chain, resume = false, 0
		n, used := e.runNative(entry, left)
		retired += n
		left -= used
		switch e.ctx.exit {
		case exitJump:
			chain = e.ctx.slot != 0
			if e.StepProfile != nil && !chain {
				// A dispatch the native lookup could not make.
				e.StepProfile[fmt.Sprintf("dispatch-miss @%08x cpl=%d", c.EIP, c.CPL)]++
			}
		case exitBudget:
			if left <= 0 {
				continue
			}
			if x, done := interp(left, false); done {
				return x
			}
		case exitInhibit:
			// STI enabled interrupts with one pending: the next
			// instruction runs in its shadow, in the interpreter, which
			// then takes the interrupt.
			c.InhibitIRQ = true
		case exitStep:
			if left <= 0 {
				continue
			}
			e.Stats.Steps++
			if e.StepProfile != nil {
				e.profileStep("step")
			}
			// The interpreter runs that one instruction (a TLB miss fills
			// the TLB on the way), and translated code goes on after it
			// where the step allows (resume), else in a block starting
			// there. A block whose first instruction keeps stepping
			// (memory that is never in the TLB: MMIO, a watched page)
			// becomes an interpreter marker, so that the interpreter runs
			// such code a trace at a time.
			if e.ctx.eip == b.eip && b.entry != 0 && !b.helperFirst {
				if b.firstSteps++; b.firstSteps > 8 {
					e.demote(b)
				}
			}
			// A step at the first instruction of the block entered from
			// here (code that keeps missing the TLB, like a walk through
			// unmapped memory) lets the interpreter run to its trace's
			// end, so blocks are not translated at every instruction.
			n, one := 1, false
			if e.ctx.resume != 0 {
				n = min(int(e.ctx.resumeCount), left)
			}
			if e.ctx.eip == b.eip && b.entry != 0 && !b.helperFirst {
				n, one = left, true
			}
			r, drops := e.ctx.resume, e.crossDrops
			if x, done := interp(n, one); done {
				return x
			}
			if b.crossMiss && e.ctx.eip == b.end && !one {
				// The step fetched across the page end: translate the
				// page's blocks again, this one with that instruction.
				if _, ok := c.FetchPhysCached(c.Seg[cpu.CS].Base + b.end&^0xFFF + 0x1000); ok {
					e.invalidatePage(b.phys >> 12)
					b.crossMiss = false
					r = 0
				}
			}
			if !one && r != 0 && drops == e.crossDrops {
				resume, resumeFrom = r, b
			}
		}
	}
}

// canResume reports whether translated code may go on at the resume
// point of the last step exit: no interrupt or other interpreter duty
// is due, the mode key is the block's, the CPU is at the EIP and
// physical address the code expects, and the block's page was not
// written.
func (e *Engine) canResume(key uint32) bool {
	c := e.cpu
	x := e.ctx
	if c.EIP != x.resumeEIP || c.NeedsInterpreter() || !e.native() || e.modeKey() != key {
		return false
	}
	return stepPhys(c) == x.resumePhys && c.CodeStamp(x.resumePhys) == x.resumeStamp
}

// polls reports whether the instruction at the start of code is port
// I/O (IN, OUT, INS, OUTS, with or without prefixes) or RDTSC: where a
// marker keeps being entered there, the interpreter runs a longer
// stretch (a polling loop stays in the interpreter's chained loop). Any
// other marker runs one interpreter trace and hands back to translated
// code: a kernel's CLI or IRET on a hot path is followed by translated
// code.
func polls(code []byte) bool {
	i := 0
	for i < len(code) && i < 4 && isPrefix(code[i]) {
		i++
	}
	if i >= len(code) {
		return false
	}
	switch op := code[i]; {
	case op >= 0xE4 && op <= 0xE7, op >= 0xEC && op <= 0xEF, op >= 0x6C && op <= 0x6F:
		return true
	case op == 0x0F && i+1 < len(code) && code[i+1] == 0x31:
		return true
	}
	return false
}

// endsFlow reports whether the instruction at the start of code
// transfers control or may (branches, calls, returns, interrupts, IRET,
// far transfers, SYSENTER/SYSEXIT/SYSCALL/SYSRET, HLT, UD2): an
// untranslated instruction that does not is run by the interpreter in
// the middle of a block, which then resumes.
func endsFlow(code []byte) bool {
	i := 0
	for i < len(code) && i < 14 && isPrefix(code[i]) {
		i++
	}
	if i >= len(code) {
		return true
	}
	op := code[i]
	switch {
	case op >= 0x70 && op <= 0x7F, op >= 0xE0 && op <= 0xE3, op >= 0xE8 && op <= 0xEB,
		op >= 0xC2 && op <= 0xC3, op >= 0xCA && op <= 0xCF, op == 0x9A, op == 0xF4:
		return true
	case op == 0xFF:
		return i+1 >= len(code) || (code[i+1]>>3)&7 >= 2 && (code[i+1]>>3)&7 <= 5
	case op == 0x0F:
		if i+1 >= len(code) {
			return true
		}
		op2 := code[i+1]
		return op2 >= 0x80 && op2 <= 0x8F || op2 == 0x05 || op2 == 0x07 || op2 == 0x34 || op2 == 0x35 || op2 == 0x0B
	}
	return false
}

func isPrefix(b byte) bool {
	switch b {
	case 0x66, 0x67, 0xF0, 0xF2, 0xF3, 0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65:
		return true
	}
	return false
}

// stepPhys is the physical address of CS:EIP, or ^0 when it has none.
func stepPhys(c *cpu.CPU) uint64 {
	phys, ok := c.FetchPhys(c.Seg[cpu.CS].Base + c.EIP)
	if !ok {
		return ^uint64(0)
	}
	return phys
}

// demote turns b into an interpreter marker: lookups find entry 0, the
// fast table forgets it (chains from its page may still reach its code,
// which steps at once).
func (e *Engine) demote(b *block) {
	e.dropFast(b)
	b.entry, b.n = 0, 0
	e.Stats.Demoted++
}

// insertFast records b in the fast lookup table.
func (e *Engine) insertFast(b *block) {
	i := fastIndex(b.eip)
	w0, w1 := &e.fast[i], &e.fast[i+1]
	if w0.code == b.entry || w1.code == b.entry {
		return
	}
	// The set's older entry goes.
	*w1 = *w0
	*w0 = fastEntry{eip: b.eip, key: b.key, page: uint32(b.phys &^ 0xFFF), code: b.entry}
}

// dropFast clears b's entry in the fast table, if it has one.
func (e *Engine) dropFast(b *block) {
	if b.entry == 0 {
		return
	}
	i := fastIndex(b.eip)
	for _, f := range []*fastEntry{&e.fast[i], &e.fast[i+1]} {
		if f.code == b.entry {
			*f = fastEntry{}
		}
	}
}

// runNative enters translated code at entry with budget left and returns
// the instructions retired natively and the budget used (REP iterations
// use budget too), leaving the CPU state synced.
func (e *Engine) runNative(entry uintptr, left int) (retired, used int) {
	c := e.cpu
	x := e.ctx
	c.MaterializeFlags()
	for i := range x.regs {
		x.regs[i] = c.Regs[i]
	}
	x.hf = uint64(c.Flags&arithFlags) | 0x202
	x.sys = c.Flags
	x.irq = 0
	if c.IRQPending() {
		x.irq = 1
	}
	x.budget = int64(left)
	x.tlbR, x.tlbW, x.ram = c.NativeTLB()
	x.tlbF = c.NativeFetchTLB()
	x.fast = fastAddr(e.fast)
	x.slot = 0
	x.charge = 0
	for s := range x.seg {
		x.seg[s] = c.Seg[s].Base
		x.sel[s] = uint32(c.Seg[s].Sel)
	}
	x.resume = 0
	e.Stats.Entries++
	enter(ctxAddr(x), entry)
	runtime.KeepAlive(x)
	for i := range x.regs {
		c.Regs[i] = x.regs[i]
	}
	c.EIP = x.eip
	c.Flags = x.sys&^arithFlags | uint32(x.hf)&arithFlags
	used = left - int(x.budget)
	n := used - int(x.charge) // REP iterations use budget, not instructions
	c.AddRetired(n)
	e.Stats.NativeRetired += uint64(n)
	if x.exit < uint32(len(e.Stats.Exits)) {
		e.Stats.Exits[x.exit]++
	}
	return n, used
}

// FlushCodeCache drops every translated block (after a snapshot restore
// replaced RAM wholesale).
func (e *Engine) FlushCodeCache() { e.flush() }
