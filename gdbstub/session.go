package gdbstub

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
)

// session is one debugger connection: the command interpreter of the
// Remote Serial Protocol (all-stop mode, one thread).
type session struct {
	srv     *Server
	t       Target
	w       io.Writer
	evs     <-chan event
	rejects <-chan net.Conn
	ctx     context.Context
	pending []event // packets that arrived while the guest ran

	noAck    bool
	lastSent []byte // the last packet, for a retransmission on '-'
	werr     error
	bps      map[Breakpoint]bool // what this session inserted
	last     StopReason
	// swbreak and hwbreak: gdb accepts these stop reasons (qSupported).
	swbreak, hwbreak bool
}

// maxPending bounds the packets kept while the guest runs (gdb sends
// none in all-stop mode but an interrupt).
const maxPending = 64

// threadID is the one thread the stub reports (the vCPU).
const threadID = "1"

func (s *session) run() sessionEnd {
	for {
		ev, ok := s.next()
		if !ok {
			if s.ctx.Err() != nil {
				return endCanceled
			}
			return endDisconnect
		}
		switch ev.kind {
		case evAck:
			s.lastSent = nil
		case evNack:
			if !s.noAck && s.lastSent != nil {
				s.writeRaw(s.lastSent)
			}
		case evInterrupt:
			// The guest is already stopped and its stop was reported.
		case evPacket:
			if !ev.ok {
				// Bad checksum or overlong: ask again in ack mode. In
				// no-ack mode the checksum may be ignored, but an
				// overlong packet was truncated and is dropped.
				if !s.noAck {
					s.writeRaw([]byte{'-'})
					continue
				}
				if len(ev.data) >= MaxPacket {
					continue
				}
			} else if !s.noAck {
				s.writeRaw([]byte{'+'})
			}
			if end, quit := s.dispatch(ev.data); quit {
				return end
			}
		}
		if s.werr != nil {
			return endDisconnect
		}
	}
}

// next returns the next event: queued packets first, then the reader's.
// ok is false when the connection is gone or the context is done.
func (s *session) next() (event, bool) {
	if len(s.pending) > 0 {
		ev := s.pending[0]
		s.pending = s.pending[1:]
		return ev, true
	}
	for {
		select {
		case ev, ok := <-s.evs:
			return ev, ok
		case c := <-s.rejects:
			c.Close()
		case <-s.ctx.Done():
			return event{}, false
		}
	}
}

func (s *session) writeRaw(b []byte) {
	if s.werr != nil {
		return
	}
	_, s.werr = s.w.Write(b)
}

// send frames and writes one packet payload (already escaped if binary).
func (s *session) send(payload string) {
	if s.srv.Logf != nil {
		s.srv.logf("-> %s", printable([]byte(payload)))
	}
	f := frame([]byte(payload))
	if !s.noAck {
		s.lastSent = f
	}
	s.writeRaw(f)
}

// dispatch executes one packet; quit is true when the session ends.
func (s *session) dispatch(p []byte) (end sessionEnd, quit bool) {
	if s.srv.Logf != nil {
		s.srv.logf("<- %s", printable(p))
	}
	if len(p) == 0 {
		s.send("")
		return
	}
	arg := p[1:]
	switch p[0] {
	case '?':
		s.send(s.stopReply(s.last))
	case 'g':
		r := s.t.Regs()
		s.send(hex.EncodeToString(encodeRegs(&r)))
	case 'G':
		s.send(s.writeRegs(arg))
	case 'p':
		s.send(s.readReg(arg))
	case 'P':
		s.send(s.writeReg(arg))
	case 'm':
		s.send(s.readMem(arg))
	case 'M':
		s.send(s.writeMem(arg, false))
	case 'X':
		s.send(s.writeMem(arg, true))
	case 'c', 's':
		if len(arg) > 0 && !s.setPC(string(arg)) {
			s.send("E01")
			return
		}
		return s.resume(p[0] == 's')
	case 'C', 'S': // sig[;addr]: the signal cannot be delivered to a machine
		if _, addr, ok := strings.Cut(string(arg), ";"); ok && !s.setPC(addr) {
			s.send("E01")
			return
		}
		return s.resume(p[0] == 'S')
	case 'v':
		return s.vPacket(string(p))
	case 'Z', 'z':
		s.send(s.breakpoint(p[0] == 'Z', string(arg)))
	case 'k':
		return endKill, true
	case 'D':
		s.send("OK")
		return endDetach, true
	case 'H':
		s.send("OK")
	case 'T':
		if isOurThread(string(arg)) {
			s.send("OK")
		} else {
			s.send("E01")
		}
	case 'q':
		s.query(string(p))
	case 'Q':
		switch {
		case string(p) == "QStartNoAckMode":
			s.send("OK") // acknowledged by gdb, then no more acks
			s.noAck = true
			s.lastSent = nil
		case string(p) == "QNonStop:0", strings.HasPrefix(string(p), "QThreadEvents:"):
			s.send("OK")
		default:
			s.send("")
		}
	default:
		s.send("")
	}
	return
}

// resume runs the guest (one step or until it stops) and reports the
// stop. During Continue the connection is watched for Ctrl-C.
func (s *session) resume(step bool) (sessionEnd, bool) {
	if step {
		s.last = s.t.Step()
		s.send(s.stopReply(s.last))
		return 0, false
	}
	stop := make(chan struct{})
	done := make(chan StopReason, 1)
	go func() { done <- s.t.Continue(stop) }()
	stopped := false
	halt := func() {
		if !stopped {
			stopped = true
			close(stop)
		}
	}
	for {
		select {
		case r := <-done:
			s.last = r
			s.send(s.stopReply(r))
			return 0, false
		case ev, ok := <-s.evs:
			if !ok {
				halt()
				s.last = <-done
				return endDisconnect, true
			}
			switch ev.kind {
			case evInterrupt:
				halt()
			case evPacket:
				if len(s.pending) < maxPending {
					s.pending = append(s.pending, ev)
				}
			}
		case c := <-s.rejects:
			c.Close()
		case <-s.ctx.Done():
			halt()
			s.last = <-done
			return endCanceled, true
		}
	}
}

// stopReply renders r as a stop reply packet.
func (s *session) stopReply(r StopReason) string {
	if r.Kind == StopExited {
		return fmt.Sprintf("W%02x", r.ExitCode&0xFF)
	}
	sig := sigTRAP
	switch r.Kind {
	case StopInterrupted:
		sig = sigINT
	case StopShutdown:
		sig = sigSEGV
	}
	var b strings.Builder
	fmt.Fprintf(&b, "T%02x", sig)
	switch r.Kind {
	case StopBreakpoint:
		if r.Break.Kind == BreakHardware && s.hwbreak {
			b.WriteString("hwbreak:;")
		} else if r.Break.Kind == BreakSoftware && s.swbreak {
			b.WriteString("swbreak:;")
		}
	case StopWatchpoint:
		name := "watch"
		switch r.Break.Kind {
		case WatchRead:
			name = "rwatch"
		case WatchAccess:
			name = "awatch"
		}
		fmt.Fprintf(&b, "%s:%x;", name, r.DataAddr)
	}
	// Expedite ESP, EBP and EIP: gdb needs them to show the frame.
	regs := s.t.Regs()
	enc := encodeRegs(&regs)
	off := regOffsets()
	for _, n := range []int{4, 5, regEIP} {
		fmt.Fprintf(&b, "%02x:%s;", n, hex.EncodeToString(enc[off[n]:off[n+1]]))
	}
	b.WriteString("thread:" + threadID + ";")
	return b.String()
}

func (s *session) setPC(addr string) bool {
	v, err := strconv.ParseUint(addr, 16, 32)
	if err != nil {
		return false
	}
	r := s.t.Regs()
	r.EIP = uint32(v)
	return s.t.SetRegs(r) == nil
}

func (s *session) writeRegs(arg []byte) string {
	b, err := hex.DecodeString(string(arg))
	if err != nil || len(b) != regsSize {
		return "E22"
	}
	if s.t.SetRegs(decodeRegs(b)) != nil {
		return "E22"
	}
	return "OK"
}

func (s *session) readReg(arg []byte) string {
	n, err := strconv.ParseUint(string(arg), 16, 32)
	if err != nil || n >= numRegs {
		return "E45"
	}
	r := s.t.Regs()
	off := regOffsets()
	return hex.EncodeToString(encodeRegs(&r)[off[n]:off[n+1]])
}

func (s *session) writeReg(arg []byte) string {
	num, val, ok := strings.Cut(string(arg), "=")
	n, err := strconv.ParseUint(num, 16, 32)
	if !ok || err != nil || n >= numRegs {
		return "E45"
	}
	v, err := hex.DecodeString(val)
	off := regOffsets()
	if err != nil || len(v) != off[n+1]-off[n] {
		return "E22"
	}
	r := s.t.Regs()
	enc := encodeRegs(&r)
	copy(enc[off[n]:], v)
	if s.t.SetRegs(decodeRegs(enc)) != nil {
		return "E22"
	}
	return "OK"
}

// maxMem is the most bytes an m reply carries (two hex digits each).
const maxMem = packetSize/2 - 16

// parseAddrLen parses "addr,len" (hex) with a 32-bit address.
func parseAddrLen(s string) (addr uint32, n int, ok bool) {
	a, l, found := strings.Cut(s, ",")
	av, err1 := strconv.ParseUint(a, 16, 64)
	lv, err2 := strconv.ParseUint(l, 16, 32)
	if !found || err1 != nil || err2 != nil || av > 0xFFFFFFFF {
		return 0, 0, false
	}
	return uint32(av), int(lv), true
}

// readMem answers m: the longest readable prefix, page by page; E14
// (EFAULT) when the first byte is unreadable.
func (s *session) readMem(arg []byte) string {
	addr, n, ok := parseAddrLen(string(arg))
	if !ok {
		return "E01"
	}
	n = min(n, maxMem)
	buf := make([]byte, n)
	got := 0
	for got < n {
		a := addr + uint32(got)
		chunk := min(n-got, 4096-int(a&0xFFF))
		if s.t.ReadMemory(a, buf[got:got+chunk]) != nil {
			break
		}
		got += chunk
	}
	if got == 0 && n > 0 {
		return "E14"
	}
	return hex.EncodeToString(buf[:got])
}

// writeMem answers M (hex data) and X (binary data).
func (s *session) writeMem(arg []byte, binary bool) string {
	head, data, found := strings.Cut(string(arg), ":")
	addr, n, ok := parseAddrLen(head)
	if !found || !ok {
		return "E01"
	}
	var b []byte
	var err error
	if binary {
		b, err = unescape([]byte(data))
	} else {
		b, err = hex.DecodeString(data)
	}
	if err != nil || len(b) != n {
		return "E01"
	}
	if n == 0 {
		return "OK"
	}
	if err := s.t.WriteMemory(addr, b); err != nil {
		return "E14"
	}
	return "OK"
}

// breakpoint answers Z (insert) and z (remove): "type,addr,kind[;...]".
func (s *session) breakpoint(insert bool, arg string) string {
	arg, _, _ = strings.Cut(arg, ";") // conditions and commands are gdb's business
	f := strings.Split(arg, ",")
	if len(f) != 3 || len(f[0]) != 1 || f[0][0] < '0' || f[0][0] > '4' {
		return ""
	}
	addr, err1 := strconv.ParseUint(f[1], 16, 64)
	kind, err2 := strconv.ParseUint(f[2], 16, 32)
	if err1 != nil || err2 != nil || addr > 0xFFFFFFFF {
		return "E01"
	}
	bp := Breakpoint{Kind: BreakKind(f[0][0] - '0'), Addr: uint32(addr), Len: uint32(kind)}
	if bp.Kind.IsWatch() && (bp.Len == 0 || uint64(bp.Addr)+uint64(bp.Len) > 1<<32) {
		return "E22"
	}
	if insert {
		if s.bps[bp] {
			return "OK"
		}
		if err := s.t.SetBreakpoint(bp); err != nil {
			if errors.Is(err, ErrUnsupported) {
				return ""
			}
			return "E01"
		}
		s.bps[bp] = true
		return "OK"
	}
	if !s.bps[bp] {
		return "OK"
	}
	delete(s.bps, bp)
	if s.t.ClearBreakpoint(bp) != nil {
		return "E01"
	}
	return "OK"
}

// clearBreakpoints removes what the session inserted (detach,
// disconnection): the guest must not stop with nobody to report to.
func (s *session) clearBreakpoints() {
	for bp := range s.bps {
		s.t.ClearBreakpoint(bp)
		delete(s.bps, bp)
	}
}

func (s *session) vPacket(p string) (sessionEnd, bool) {
	switch {
	case p == "vCont?":
		s.send("vCont;c;C;s;S;t")
	case strings.HasPrefix(p, "vCont;"):
		for _, a := range strings.Split(p[len("vCont;"):], ";") {
			act, thread, has := strings.Cut(a, ":")
			if act == "" || has && !isOurThread(thread) {
				continue
			}
			switch act[0] {
			case 'c', 'C':
				return s.resume(false)
			case 's', 'S':
				return s.resume(true)
			case 't':
				s.last = StopReason{Kind: StopInterrupted}
				s.send("T00thread:" + threadID + ";")
				return 0, false
			}
			s.send("E01") // an action bt86 does not support (r: range step)
			return 0, false
		}
		s.send("E01") // no action for the vCPU
	case strings.HasPrefix(p, "vKill"):
		s.send("OK")
		return endKill, true
	case p == "vCtrlC":
		s.send("OK")
	default:
		s.send("") // vMustReplyEmpty and everything unsupported
	}
	return 0, false
}

// isOurThread reports whether a thread-id names the vCPU: 1, 0 (any),
// -1 (all), optionally in the multiprocess form pPID.TID.
func isOurThread(id string) bool {
	if strings.HasPrefix(id, "p") {
		_, id, _ = strings.Cut(id[1:], ".")
	}
	switch id {
	case "", "0", "-1", threadID, "01":
		return true
	}
	return false
}

func (s *session) query(p string) {
	switch {
	case strings.HasPrefix(p, "qSupported"):
		_, feats, _ := strings.Cut(p, ":")
		for _, f := range strings.Split(feats, ";") {
			switch f {
			case "swbreak+":
				s.swbreak = true
			case "hwbreak+":
				s.hwbreak = true
			}
		}
		s.send(fmt.Sprintf("PacketSize=%x;qXfer:features:read+;QStartNoAckMode+;swbreak+;hwbreak+;vContSupported+", packetSize))
	case strings.HasPrefix(p, "qXfer:features:read:"):
		s.send(s.xferFeatures(p[len("qXfer:features:read:"):]))
	case p == "qC":
		s.send("QC" + threadID)
	case p == "qfThreadInfo":
		s.send("m" + threadID)
	case p == "qsThreadInfo":
		s.send("l")
	case strings.HasPrefix(p, "qAttached"):
		s.send("1")
	case strings.HasPrefix(p, "qThreadExtraInfo,"):
		s.send(hex.EncodeToString([]byte("vCPU 0")))
	case strings.HasPrefix(p, "qSymbol"):
		s.send("OK")
	case strings.HasPrefix(p, "qRcmd,"):
		cmd, err := hex.DecodeString(p[len("qRcmd,"):])
		if err != nil {
			s.send("E01")
			return
		}
		out := s.monitor(string(cmd))
		for len(out) > 0 {
			n := min(len(out), maxMem)
			s.send("O" + hex.EncodeToString([]byte(out[:n])))
			out = out[n:]
		}
		s.send("OK")
	default:
		s.send("")
	}
}

// xferFeatures answers qXfer:features:read:ANNEX:OFFSET,LENGTH.
func (s *session) xferFeatures(arg string) string {
	annex, rng, ok := strings.Cut(arg, ":")
	if !ok {
		return "E00"
	}
	off, n, ok := parseAddrLen(rng)
	if !ok || annex != "target.xml" {
		return "E00"
	}
	doc := targetXML()
	if int64(off) >= int64(len(doc)) {
		return "l"
	}
	end := min(int(off)+min(n, maxMem), len(doc))
	chunk := []byte(doc[off:end])
	prefix := byte('m')
	if end == len(doc) {
		prefix = 'l'
	}
	return string(escape([]byte{prefix}, chunk))
}

// printable renders a packet for logs.
func printable(p []byte) string {
	const max = 200
	var b strings.Builder
	for i, c := range p {
		if i == max {
			fmt.Fprintf(&b, "...(%d bytes)", len(p))
			break
		}
		if c >= 0x20 && c < 0x7F {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "\\x%02x", c)
		}
	}
	return b.String()
}
