package cpu

import (
	"fmt"

	"bt86/decoder"
	"bt86/mmu"
	"bt86/mmu/shadow"
)

// handler executes one decoded instruction. On entry c.EIP is the
// instruction's address and c.next the address after it; a handler that
// transfers control sets c.next. Only an instruction that ends its trace
// (endsTrace) or raises an event may do so: the hot loop takes the EIP of
// the other instructions from their ops.
type handler func(c *CPU, in *decoder.Inst)

// opInfo is one row of the dispatch table.
type opInfo struct {
	fn handler
	// pick, when set, chooses a variant of fn for a decoded instruction
	// (spec32.go).
	pick picker
	// endsTrace marks instructions after which decoding of a trace stops
	// (control transfers and instructions that change the mode), except
	// that decodeTrace follows a direct JMP or CALL within the page.
	endsTrace bool
}

// A trace is a run of predecoded instructions from one physical address
// and EIP, ending at a control transfer or a page end. Traces are cached
// by physical address and EIP and dropped when their page is written.
type trace struct {
	phys   uint64
	eip    uint32
	code32 bool
	stamp  uint32 // write stamp of the first page at decode time
	phys2  int64  // second page (an instruction crosses into it), or -1
	stamp2 uint32
	ops    []traceOp
	// links remember traces that followed this one (see follow).
	links [2]traceLink
}

type traceOp struct {
	fn   handler
	next *traceOp // the following op of the trace, or nil
	eip  uint32   // the instruction's address
	end  uint32   // the address after it (wrapped to the code size)
	in   decoder.Inst
}

// A traceLink caches the trace that starts at eip, valid while the CPU's
// code generation is unchanged: then CS, the mode, the fetch translation
// and the code bytes are all what they were when the trace was looked up.
// Traces link to their successors with them, and the jump cache (lookup)
// is made of them.
type traceLink struct {
	eip uint32
	gen uint64
	t   *trace
}

const (
	traceSlots = 1 << 14
	jumpSlots  = 1 << 10
	maxTrace   = 32
)

// Run executes instructions until budget have retired or an exit occurs.
func (c *CPU) Run(budget int) Exit {
	retired, spent := 0, 0
	c.stopReq = false
	for {
		r, exit, done := c.runSome(budget - spent)
		retired += r
		c.Stats.Retired += uint64(r)
		c.ran = 0 // InstructionCount stays exact between slices
		// A delivered exception uses one unit of budget, so a guest
		// stuck in an exception loop still returns to its machine.
		spent += r + 1 + c.repCharge
		if done {
			exit.Retired = retired
			exit.Spent = max(spent-1, retired) // no exception ended this part
			return exit
		}
	}
}

// runSome runs until an exception, an exit or the budget; a guest
// exception is delivered here and the caller loops. c.ran counts the
// instructions retired, including those before a faulting one.
func (c *CPU) runSome(budget int) (retired int, exit Exit, done bool) {
	c.ran = 0
	c.repCharge = 0
	defer func() {
		if r := recover(); r != nil {
			x, ok := r.(*exception)
			if !ok || x != &c.exc {
				panic(r)
			}
			retired = c.ran
			exit, done = c.afterException(*x)
			if !done && retired+c.repCharge >= budget-1 {
				exit, done = Exit{Reason: ExitBudget}, true
			}
		}
	}()
	for {
		if c.stopReq {
			return c.ran, Exit{Reason: ExitStop}, true
		}
		if c.ran+c.repCharge >= budget {
			return c.ran, Exit{Reason: ExitBudget}, true
		}
		// Interrupt window.
		if c.InhibitIRQ {
			c.InhibitIRQ = false
			c.runTraces(c.ran + 1)
			continue
		}
		if c.Flags&FlagIF != 0 && c.pic != nil && c.pic.HasInterrupt() {
			c.Halted = false
			vec := c.pic.Acknowledge()
			c.Stats.Interrupts++
			c.next = c.EIP
			c.interrupt(vec, intExternal, 0, false)
		}
		if c.Halted {
			return c.ran, Exit{Reason: ExitHalt}, true
		}
		if c.Flags&FlagTF != 0 {
			c.runTraces(c.ran + 1)
			c.next = c.EIP
			c.raiseTrap()
			continue
		}
		if c.Trace != nil {
			c.runHooked(budget - c.repCharge)
			continue
		}
		c.runTraces(budget - c.repCharge)
		if c.oneTrace && c.ran > 0 && !c.stopReq {
			return c.ran, Exit{Reason: ExitBudget}, true
		}
	}
}

// raiseTrap delivers the single-step #DB after an instruction.
func (c *CPU) raiseTrap() {
	c.DR[6] |= 1 << 14
	c.interrupt(excDB, intException, 0, false)
}

func (c *CPU) afterException(e exception) (Exit, bool) {
	c.events = 0
	c.Halted = false
	ok, why := c.deliverException(e)
	if !ok {
		return Exit{Reason: ExitShutdown, Shutdown: why}, true
	}
	return Exit{}, false
}

// runTraces is the interpreter's hot loop: it runs the trace at CS:EIP
// and the traces that follow it until c.ran reaches limit, an
// instruction raises an event, or an interrupt is pending.
func (c *CPU) runTraces(limit int) {
	c.events = 0
	t := c.lookup()
	for {
		if limit-c.ran <= len(t.ops) {
			// The budget ends in or with this trace.
			c.runOps(t, limit, nil)
			return
		}
		// Only the last op, or one that raises an event, may change
		// the next EIP, so EIP comes from each op until then.
		for op := &t.ops[0]; ; {
			c.EIP, c.next = op.eip, op.end
			op.fn(c, &op.in)
			c.ran++
			if c.events != 0 {
				c.EIP = c.next
				return
			}
			if op = op.next; op == nil {
				break
			}
		}
		c.EIP = c.next
		if c.oneTrace || c.Flags&FlagIF != 0 && c.pic != nil && c.pic.HasInterrupt() {
			return
		}
		if l := &t.links[0]; l.eip == c.EIP && l.gen == c.gen {
			t = l.t
		} else {
			t = c.follow(t)
		}
	}
}

// runOps runs the ops of t until c.ran reaches limit or an event, calling
// hook (when set) before each instruction.
func (c *CPU) runOps(t *trace, limit int, hook func(c *CPU, in *decoder.Inst)) {
	for i := range t.ops {
		if c.ran >= limit {
			return
		}
		op := &t.ops[i]
		c.EIP, c.next = op.eip, op.end
		if hook != nil {
			hook(c, &op.in)
		}
		op.fn(c, &op.in)
		c.EIP = c.next
		c.ran++
		if c.events != 0 {
			return
		}
	}
}

// follow returns the trace at CS:EIP after t when t's first link missed:
// the one in its second link if that is valid, else the one lookup finds,
// which replaces the second link. The first link keeps the first
// successor seen, so a conditional branch has both of its successors
// linked and an indirect one its most frequent target, most often.
func (c *CPU) follow(t *trace) *trace {
	l := &t.links[1]
	if l.eip != c.EIP || l.gen != c.gen {
		*l = traceLink{eip: c.EIP, gen: c.gen, t: c.lookup()}
		if t.links[0].gen != c.gen {
			t.links[0] = *l
		}
	}
	return l.t
}

// lookup returns the trace at CS:EIP from the jump cache, a direct-mapped
// table of links by EIP that makes indirect branches with many targets
// (RET above all) cheap, or else from getTrace.
func (c *CPU) lookup() *trace {
	l := &c.jumps[(c.EIP^c.EIP>>10)%jumpSlots]
	if l.eip == c.EIP && l.gen == c.gen { // gen is never 0: empty slots miss
		c.Stats.TraceHits++
		return l.t
	}
	t := c.getTrace()
	*l = traceLink{eip: c.EIP, gen: c.gen, t: t}
	return t
}

// runHooked runs one trace calling c.Trace before every instruction.
func (c *CPU) runHooked(limit int) {
	c.events = 0
	c.runOps(c.getTrace(), limit, c.Trace)
}

// getTrace returns the (possibly cached) trace starting at CS:EIP.
func (c *CPU) getTrace() *trace {
	if c.EIP > c.Seg[CS].Limit {
		c.gp(0)
	}
	lin := c.Seg[CS].Base + c.EIP
	phys := c.fetchPhys(lin)
	code32 := c.Seg[CS].Big()
	slot := (phys ^ phys>>14 ^ uint64(c.EIP>>12)<<3) % traceSlots
	t := c.traces[slot]
	if t != nil && t.phys == phys && t.eip == c.EIP && t.code32 == code32 && t.stamp == c.stampOf(phys) &&
		(t.phys2 < 0 || t.stamp2 == c.stampOf(uint64(t.phys2))) {
		c.Stats.TraceHits++
		return t
	}
	if old := c.traces[slot]; old != nil {
		// Links of evicted traces would keep old traces alive.
		old.links = [2]traceLink{}
	}
	t = c.decodeTrace(lin, phys, code32)
	c.traces[slot] = t
	return t
}

func (c *CPU) stampOf(phys uint64) uint32 {
	if pg := phys >> 12; pg < uint64(len(c.stamps)) {
		return c.stamps[pg]
	}
	return 0
}

// fetchPhys translates a code address, raising #PF.
func (c *CPU) fetchPhys(lin uint32) uint64 {
	e := &c.MMU.Cur.Fetch[c.priv][shadow.Slot(lin)]
	if e.Tag == lin&^0xFFF {
		return uint64(e.Addend + lin)
	}
	acc := mmu.AccFetch
	if c.priv != 0 {
		acc |= mmu.AccUser
	}
	mp, f := c.MMU.Fill(lin, acc)
	if f != nil {
		c.pageFault(f)
	}
	return mp.Phys
}

// codeBytes returns up to 15 bytes of code at lin (physical phys),
// fetching from the next page only when needed. crossPhys is the
// physical address of the next page if it was used.
func (c *CPU) codeBytes(buf *[decoder.MaxLen]byte, lin uint32, phys uint64, want int) (b []byte, cross int64) {
	cross = -1
	host, _ := c.phys.Lookup(phys)
	if host == nil { // executing from device space
		for i := 0; i < want && int(phys&0xFFF)+i < mmu.PageSize; i++ {
			buf[i] = byte(c.phys.Read(phys+uint64(i), 1))
		}
		n := min(want, mmu.PageSize-int(phys&0xFFF))
		return buf[:n], cross
	}
	if len(host) >= want {
		return host[:want], cross
	}
	return host, cross
}

// decodeTrace decodes a new trace at lin.
func (c *CPU) decodeTrace(lin uint32, phys uint64, code32 bool) *trace {
	c.Stats.Traces++
	t := &trace{phys: phys, eip: c.EIP, code32: code32, stamp: c.stampOf(phys), phys2: -1}
	if pg := phys >> 12; pg < uint64(len(c.stamps)) {
		c.watchCode(phys)
	}
	eip := c.EIP
	var buf [decoder.MaxLen]byte
	for len(t.ops) < maxTrace {
		if eip > c.Seg[CS].Limit && len(t.ops) > 0 {
			break
		}
		cur := c.Seg[CS].Base + eip
		if cur>>12 != lin>>12 {
			break // next page: a new trace
		}
		p := phys&^0xFFF | uint64(cur&0xFFF)
		b, _ := c.codeBytes(&buf, cur, p, decoder.MaxLen)
		in, err := c.dec.Decode(b, code32)
		if err == decoder.ErrTruncated {
			// The instruction crosses into the next page.
			n := copy(buf[:], b)
			nextLin := (cur | 0xFFF) + 1
			if len(t.ops) > 0 {
				break // end the trace; the crossing instruction starts one
			}
			p2 := c.fetchPhys(nextLin)
			var buf2 [decoder.MaxLen]byte
			b2, _ := c.codeBytes(&buf2, nextLin, p2, decoder.MaxLen-n)
			copy(buf[n:], b2)
			in, err = c.dec.Decode(buf[:n+len(b2)], code32)
			if err != nil {
				in = decoder.Inst{Op: decoder.OpUD, Len: 1}
			}
			t.phys2 = int64(p2 &^ 0xFFF)
			t.stamp2 = c.stampOf(p2)
			if p2>>12 < uint64(len(c.stamps)) {
				c.watchCode(p2)
			}
		}
		info := &c.ops[in.Op]
		fn := info.fn
		if info.pick != nil {
			if f := info.pick(&in); f != nil {
				fn = f
			}
		}
		end := (eip + uint32(in.Len)) & c.ipMask
		t.ops = append(t.ops, traceOp{fn: fn, eip: eip, end: end, in: in})
		eip = end
		if t.phys2 >= 0 {
			break
		}
		if info.endsTrace {
			// A direct JMP or CALL continues the trace at its target
			// when that is on the same page: the next op's EIP is the
			// target the handler sets.
			target, ok := directTarget(&in, end)
			if !ok || (c.Seg[CS].Base+target)>>12 != lin>>12 {
				break
			}
			eip = target
		}
	}
	for i := range len(t.ops) - 1 {
		t.ops[i].next = &t.ops[i+1]
	}
	if c.OnBlock != nil {
		c.reportBlock(t, lin)
	}
	return t
}

// directTarget returns the target of a direct near JMP or CALL ending at
// end, as its handler computes it.
func directTarget(in *decoder.Inst, end uint32) (uint32, bool) {
	switch in.Op {
	case 0xE8, 0xE9, 0xEB:
		target := end + in.Imm
		if !in.Op32() {
			target &= 0xFFFF
		}
		return target, true
	}
	return 0, false
}

// watchCode marks the RAM page holding phys as containing cached code.
func (c *CPU) watchCode(phys uint64) {
	if c.phys.Watched(phys)&mmu.WatchCode == 0 {
		c.phys.Watch(phys, mmu.WatchCode)
		c.MMU.FlushWritesTo(phys >> 12)
	}
}

// onCodeWrite is the physical-memory hook for writes to watched pages.
func (c *CPU) onCodeWrite(page uint64, addr uint64, size int, kinds uint8) {
	if kinds&mmu.WatchCode == 0 || page >= uint64(len(c.stamps)) {
		return
	}
	c.stamps[page]++
	c.gen++
	c.Stats.Invalidations++
	c.phys.Unwatch(page, mmu.WatchCode)
	c.events |= evSMC
	if c.OnCodeWrite != nil {
		c.OnCodeWrite(page)
	}
}

// opTable builds the dispatch table: every key starts as #UD and the
// instruction families fill in theirs.
func opTable() *[decoder.NumOps]opInfo {
	t := new([decoder.NumOps]opInfo)
	for i := range t {
		t[i] = opInfo{fn: (*CPU).opUD, endsTrace: true}
	}
	t[decoder.OpTooLong] = opInfo{fn: func(c *CPU, _ *decoder.Inst) { c.gp(0) }, endsTrace: true}
	for _, reg := range registrars() {
		reg(t)
	}
	return t
}

func (c *CPU) opUD(in *decoder.Inst) { c.ud() }

// def registers handler fn for key k.
func def(t *[decoder.NumOps]opInfo, k uint16, fn handler) {
	t[k] = opInfo{fn: fn}
}

// spec attaches a picker of specialised variants to key k.
func spec(t *[decoder.NumOps]opInfo, k uint16, p picker) {
	t[k].pick = p
}

// defBranch registers a handler that ends a trace.
func defBranch(t *[decoder.NumOps]opInfo, k uint16, fn handler) {
	t[k] = opInfo{fn: fn, endsTrace: true}
}

var _ = fmt.Sprintf
