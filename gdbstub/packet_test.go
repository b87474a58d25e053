package gdbstub

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestChecksumAndFrame(t *testing.T) {
	for _, tc := range []struct {
		payload string
		framed  string
	}{
		{"", "$#00"},
		{"OK", "$OK#9a"},
		{"g", "$g#67"},
		{"?", "$?#3f"},
		{"qSupported", "$qSupported#37"},
		{"vMustReplyEmpty", "$vMustReplyEmpty#3a"},
		{"QStartNoAckMode", "$QStartNoAckMode#b0"},
		{"m2000,4", "$m2000,4#8f"},
		{"\xff\xff", "$\xff\xff#fe"},
	} {
		t.Run(tc.payload, func(t *testing.T) {
			assert.Equal(t, tc.framed, string(frame([]byte(tc.payload))))
		})
	}
}

func TestEscape(t *testing.T) {
	for _, tc := range []struct {
		name    string
		raw     string
		escaped string
	}{
		{"plain", "abc", "abc"},
		{"hash", "#", "}\x03"},
		{"dollar", "$", "}\x04"},
		{"brace", "}", "}]"},
		{"star", "*", "}\x0a"},
		{"mixed", "a#b$c}d*e", "a}\x03b}\x04c}]d}\x0ae"},
		{"binary", "\x00\x03\xff", "\x00\x03\xff"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.escaped, string(escape(nil, []byte(tc.raw))))
			back, err := unescape([]byte(tc.escaped))
			require.NoError(t, err)
			assert.Equal(t, tc.raw, string(back))
		})
	}
	_, err := unescape([]byte("ab}"))
	assert.ErrorIs(t, err, errTrailingEscape)
}

// decodeAll runs the decoder over s and renders its events.
func decodeAll(s string) []string {
	var d packetDecoder
	var out []string
	for i := 0; i < len(s); i++ {
		ev, ok := d.feed(s[i])
		if !ok {
			continue
		}
		switch ev.kind {
		case evAck:
			out = append(out, "+")
		case evNack:
			out = append(out, "-")
		case evInterrupt:
			out = append(out, "^C")
		case evPacket:
			tag := "ok:"
			if !ev.ok {
				tag = "bad:"
			}
			out = append(out, tag+string(ev.data))
		}
	}
	return out
}

func TestDecoder(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want []string
	}{
		{"packet", "$g#67", []string{"ok:g"}},
		{"uppercase checksum", "$QStartNoAckMode#B0", []string{"ok:QStartNoAckMode"}},
		{"acks and packet", "+$OK#9a-", []string{"+", "ok:OK", "-"}},
		{"interrupt", "\x03", []string{"^C"}},
		{"interrupt between packets", "$g#67\x03$?#3f", []string{"ok:g", "^C", "ok:?"}},
		{"bad checksum", "$g#00", []string{"bad:g"}},
		{"non-hex checksum", "$g#zz", []string{"bad:g"}},
		{"garbage skipped", "xyz\r\n$g#67", []string{"ok:g"}},
		{"restart on dollar", "$m10$g#67", []string{"ok:g"}},
		{"0x03 inside a packet is data", "$X0,1:}\x03#" + checksumHex("X0,1:}\x03"), []string{"ok:X0,1:}\x03"}},
		{"escaped hash does not end a packet", "$a}\x03b#" + checksumHex("a}\x03b"), []string{"ok:a}\x03b"}},
		{"hash always ends a packet", "$}#" + checksumHex("}"), []string{"ok:}"}},
		{"empty packet", "$#00", []string{"ok:"}},
		{"truncated", "$g#6", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, decodeAll(tc.in))
		})
	}
}

func checksumHex(s string) string {
	f := frame([]byte(s))
	return string(f[len(f)-2:])
}

func TestDecoderOverlong(t *testing.T) {
	big := make([]byte, MaxPacket+10)
	for i := range big {
		big[i] = 'a'
	}
	in := string(frame(big)) + "$g#67"
	got := decodeAll(in)
	require.Len(t, got, 2)
	assert.Equal(t, "bad:", got[0][:4])
	assert.Len(t, got[0], 4+MaxPacket)
	assert.Equal(t, "ok:g", got[1])
}

func TestFrameRoundTrip(t *testing.T) {
	for _, p := range []string{"", "OK", "T05thread:1;", "l<?xml?>", string(escape(nil, []byte("#$}*\x00\xff")))} {
		got := decodeAll(string(frame([]byte(p))))
		assert.Equal(t, []string{"ok:" + p}, got)
	}
}
