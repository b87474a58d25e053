package gdbstub

import (
	"encoding/hex"
	"errors"
)

// The packet layer of the Remote Serial Protocol:
//
//	$payload#cs   a packet; cs is the modulo-256 sum of the payload bytes
//	              as sent, in two hex digits
//	+ / -         acknowledgments (until QStartNoAckMode)
//	0x03          interrupt request (Ctrl-C), outside packets
//
// Inside binary data, '#', '$', '}' and '*' are escaped as '}' followed
// by the byte XOR 0x20. gdb does not run-length encode what it sends, and
// the stub never does.

// MaxPacket is the largest packet payload the stub accepts; longer ones
// are dropped (and nacked in ack mode). PacketSize in qSupported is
// smaller, so a well-behaved gdb never comes near it.
const MaxPacket = 64 << 10

// packetSize is what qSupported advertises: gdb sizes m/M/X requests
// and g replies by it.
const packetSize = 0x4000

// evKind classifies what the decoder found in the byte stream.
type evKind uint8

const (
	evPacket    evKind = iota // a complete packet (ok tells the checksum)
	evAck                     // '+'
	evNack                    // '-'
	evInterrupt               // 0x03 outside a packet
)

// event is one thing read from gdb.
type event struct {
	kind evKind
	data []byte // evPacket: the payload as sent (escapes not removed)
	ok   bool   // evPacket: the checksum matched and the packet fit
}

// packetDecoder splits a byte stream into events. It never fails: garbage
// between packets is skipped, a '$' inside a packet restarts it, an
// overlong packet is reported with ok false.
type packetDecoder struct {
	state uint8
	buf   []byte
	sum   byte
	over  bool // the packet exceeded MaxPacket
	cs    byte // first checksum digit
}

const (
	stIdle uint8 = iota
	stData
	stSum1
	stSum2
)

// feed consumes one byte and reports an event when one is complete. The
// returned data is only valid until the next call.
func (d *packetDecoder) feed(c byte) (event, bool) {
	switch d.state {
	case stIdle:
		switch c {
		case '$':
			d.start()
		case '+':
			return event{kind: evAck}, true
		case '-':
			return event{kind: evNack}, true
		case 0x03:
			return event{kind: evInterrupt}, true
		}
	case stData:
		// An escaped byte is never '#' or '$' ('}' is followed by the
		// byte XOR 0x20 only for '#', '$', '}' and '*'), so framing need
		// not know about escapes.
		switch c {
		case '$':
			d.start()
		case '#':
			d.state = stSum1
		default:
			d.add(c)
		}
	case stSum1:
		d.cs = c
		d.state = stSum2
	case stSum2:
		d.state = stIdle
		want, err := hex.DecodeString(string([]byte{d.cs, c}))
		ok := err == nil && want[0] == d.sum && !d.over
		return event{kind: evPacket, data: d.buf, ok: ok}, true
	}
	return event{}, false
}

func (d *packetDecoder) start() {
	d.state = stData
	d.buf = d.buf[:0]
	d.sum = 0
	d.over = false
}

func (d *packetDecoder) add(c byte) {
	d.sum += c
	if len(d.buf) >= MaxPacket {
		d.over = true
		return
	}
	d.buf = append(d.buf, c)
}

// checksum is the RSP checksum of p.
func checksum(p []byte) byte {
	var s byte
	for _, c := range p {
		s += c
	}
	return s
}

// frame returns $payload#cs for a payload that is already escaped as
// needed.
func frame(payload []byte) []byte {
	out := make([]byte, 0, len(payload)+4)
	out = append(out, '$')
	out = append(out, payload...)
	out = append(out, '#')
	return hex.AppendEncode(out, []byte{checksum(payload)})
}

// needsEscape reports whether c must be escaped in binary data.
func needsEscape(c byte) bool { return c == '#' || c == '$' || c == '}' || c == '*' }

// escape appends the binary-data escaping of b to dst.
func escape(dst, b []byte) []byte {
	for _, c := range b {
		if needsEscape(c) {
			dst = append(dst, '}', c^0x20)
		} else {
			dst = append(dst, c)
		}
	}
	return dst
}

var errTrailingEscape = errors.New("gdbstub: escape at end of binary data")

// unescape removes binary-data escaping from b.
func unescape(b []byte) ([]byte, error) {
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c == '}' {
			i++
			if i == len(b) {
				return nil, errTrailingEscape
			}
			c = b[i] ^ 0x20
		}
		out = append(out, c)
	}
	return out, nil
}
