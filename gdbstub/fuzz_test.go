package gdbstub

import (
	"bytes"
	"context"
	"io"
	"testing"
)

// FuzzPacket feeds arbitrary byte streams to the packet decoder and to a
// whole session (over a fake target): nothing may panic or hang, every
// decoded packet must survive re-framing, and everything the stub writes
// must be well-formed (acks and packets with correct checksums). The
// seed corpus in testdata/fuzz/FuzzPacket holds real gdb sessions.
func FuzzPacket(f *testing.F) {
	for _, s := range []string{
		"$g#67",
		"+$qSupported:swbreak+;hwbreak+#00+$QStartNoAckMode#b0+$?#3f",
		"$c#63\x03$g#67",
		"$vCont;s:1;c#" + checksumHex("vCont;s:1;c") + "$vCont;t#" + checksumHex("vCont;t"),
		"$X2000,4:}]}\n}\x04}\x03#" + checksumHex("X2000,4:}]}\n}\x04}\x03") + "$m2000,4#" + checksumHex("m2000,4"),
		"$Z0,1010,1#" + checksumHex("Z0,1010,1") + "$Z2,3000,4#" + checksumHex("Z2,3000,4") + "$c#63$z0,1010,1#" + checksumHex("z0,1010,1"),
		"$qRcmd," + hexs("x/4xw 0x2000") + "#" + checksumHex("qRcmd,"+hexs("x/4xw 0x2000")),
		"$qRcmd," + hexs("info tlb") + "#" + checksumHex("qRcmd,"+hexs("info tlb")),
		"$G" + string(bytes.Repeat([]byte("00"), regsSize)) + "#00",
		"$P8=00200000#" + checksumHex("P8=00200000") + "$s#73",
		"$qXfer:features:read:target.xml:0,ffff#" + checksumHex("qXfer:features:read:target.xml:0,ffff"),
		"$m0,ffffffff#" + checksumHex("m0,ffffffff"),
		"$g#00-$g#67-",
		"$$$#####\x03\x03}}}}",
		"$D#44",
		"$k#6b",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var d packetDecoder
		for _, c := range data {
			ev, ok := d.feed(c)
			if !ok || ev.kind != evPacket || !ev.ok {
				continue
			}
			got := decodeAll(string(frame(ev.data)))
			if len(got) != 1 || got[0] != "ok:"+string(ev.data) {
				t.Fatalf("re-framing %q gave %q", ev.data, got)
			}
		}

		ft := newFakeTarget()
		ft.stops = []StopReason{
			{Kind: StopBreakpoint, Break: Breakpoint{Kind: BreakSoftware, Addr: 0x1010, Len: 1}},
			{Kind: StopWatchpoint, Break: Breakpoint{Kind: WatchWrite, Addr: 0x3000, Len: 4}, DataAddr: 0x3000},
			{Kind: StopShutdown},
		}
		var out bytes.Buffer
		srv := &Server{Target: ft}
		srv.session(context.Background(), bytes.NewReader(data), &out, StopReason{}, nil)

		var od packetDecoder
		for _, c := range out.Bytes() {
			if ev, ok := od.feed(c); ok && (ev.kind == evInterrupt || ev.kind == evPacket && !ev.ok) {
				t.Fatalf("malformed output %q", out.Bytes())
			}
		}
		if od.state != stIdle {
			t.Fatalf("output ends inside a packet: %q", out.Bytes())
		}
	})
}

// FuzzSessionCPU runs sessions against a CPUTarget over a real CPU (the
// gdb end-to-end program): register writes with any selector or control
// register, memory writes through page tables the stream itself may
// build, breakpoints, steps and continues must never panic.
func FuzzSessionCPU(f *testing.F) {
	f.Add([]byte("$G" + string(bytes.Repeat([]byte("ff"), regsSize)) + "#00$c#63$s#73"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, _ := newFlatCPU(t, gdbProgram)
		srv := &Server{Target: NewCPUTarget(c)}
		srv.session(context.Background(), bytes.NewReader(data), io.Discard, StopReason{}, nil)
	})
}
