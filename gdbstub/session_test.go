package gdbstub

import (
	"bufio"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// client is a minimal gdb: it frames packets, checks checksums and
// handles acks until no-ack mode.
type client struct {
	t     testing.TB
	conn  net.Conn
	r     *bufio.Reader
	noAck bool
}

func newClient(t testing.TB, conn net.Conn) *client {
	conn.SetDeadline(time.Now().Add(20 * time.Second))
	return &client{t: t, conn: conn, r: bufio.NewReader(conn)}
}

func (c *client) raw(s string) {
	_, err := c.conn.Write([]byte(s))
	require.NoError(c.t, err)
}

func (c *client) readByte() byte {
	b, err := c.r.ReadByte()
	require.NoError(c.t, err)
	return b
}

// send sends a packet and, in ack mode, expects the stub's '+'.
func (c *client) send(payload string) {
	c.raw(string(frame([]byte(payload))))
	if !c.noAck {
		require.Equal(c.t, byte('+'), c.readByte(), "ack for %q", payload)
	}
}

// recvRaw reads one packet (skipping stray acks) without acking it.
func (c *client) recvRaw() string {
	for {
		b := c.readByte()
		if b == '$' {
			break
		}
		require.Contains(c.t, "+", string(b), "unexpected byte before a packet")
	}
	data, err := c.r.ReadString('#')
	require.NoError(c.t, err)
	data = data[:len(data)-1]
	cs := []byte{c.readByte(), c.readByte()}
	require.Equal(c.t, checksumHex(data), string(cs), "checksum of %q", data)
	return data
}

// recv reads one packet and acks it in ack mode.
func (c *client) recv() string {
	p := c.recvRaw()
	if !c.noAck {
		c.raw("+")
	}
	return p
}

func (c *client) cmd(payload string) string {
	c.send(payload)
	return c.recv()
}

// startSession runs a session of srv over a pipe and returns the client
// and a channel with how the session ended.
func startSession(t *testing.T, srv *Server) (*client, <-chan sessionEnd) {
	a, b := net.Pipe()
	ends := make(chan sessionEnd, 1)
	go func() {
		end, _ := srv.session(context.Background(), a, a, StopReason{Kind: StopStep}, nil)
		a.Close()
		ends <- end
	}()
	t.Cleanup(func() { b.Close() })
	return newClient(t, b), ends
}

func hexs(s string) string { return hex.EncodeToString([]byte(s)) }

// expedited is the register part of every stop reply with the fake's
// registers (ESP 0x8000, EBP 0, EIP given).
func expedited(eip uint32) string {
	return fmt.Sprintf("04:00800000;05:00000000;08:%s;thread:1;", hex.EncodeToString([]byte{byte(eip), byte(eip >> 8), byte(eip >> 16), byte(eip >> 24)}))
}

func TestConversation(t *testing.T) {
	f := newFakeTarget()
	f.stops = []StopReason{
		{Kind: StopBreakpoint, Break: Breakpoint{Kind: BreakSoftware, Addr: 0x1010, Len: 1}},
		{Kind: StopBreakpoint, Break: Breakpoint{Kind: BreakHardware, Addr: 0x1020, Len: 1}},
		{Kind: StopWatchpoint, Break: Breakpoint{Kind: WatchWrite, Addr: 0x3000, Len: 4}, DataAddr: 0x3002},
		{Kind: StopWatchpoint, Break: Breakpoint{Kind: WatchAccess, Addr: 0x3000, Len: 4}, DataAddr: 0x3000},
		{Kind: StopShutdown, Detail: "triple fault"},
		{Kind: StopHalted},
	}
	c, ends := startSession(t, &Server{Target: f})
	for _, step := range []struct{ send, want string }{
		{"qSupported:multiprocess+;swbreak+;hwbreak+;xmlRegisters=i386", "PacketSize=4000;qXfer:features:read+;QStartNoAckMode+;swbreak+;hwbreak+;vContSupported+"},
		{"vMustReplyEmpty", ""},
		{"?", "T05" + expedited(0x1000)},
		{"qC", "QC1"},
		{"qfThreadInfo", "m1"},
		{"qsThreadInfo", "l"},
		{"qAttached", "1"},
		{"qAttached:a410", "1"},
		{"qSymbol::", "OK"},
		{"qTStatus", ""},
		{"Hg0", "OK"},
		{"Hc-1", "OK"},
		{"T1", "OK"},
		{"Tp1.1", "OK"},
		{"T2", "E01"},
		{"vCont?", "vCont;c;C;s;S;t"},
		{"p8", "00100000"},
		{"p4", "00800000"},
		{"p10", "00000000000000000000"}, // st0, 80 bits
		{"p18", "00000000"},             // fctrl
		{"p23", "00000000"},             // cr4, the last register
		{"p24", "E45"},
		{"p99", "E45"},
		{"pzz", "E45"},
		{"P0=78563412", "OK"},
		{"p0", "78563412"},
		{"P0=7856", "E22"},
		{"P10=00000000000000803f40", "OK"},
		{"p10", "00000000000000803f40"},
		{"M100,4:deadbeef", "OK"},
		{"m100,4", "deadbeef"},
		{"M100,2:00", "E01"},
		{"M100,1:zz", "E01"},
		{"mfffe,4", "0000"}, // the readable prefix
		{"m20000,4", "E14"},
		{"m100000000,4", "E01"},
		{"mxyz", "E01"},
		{"X200,3:a}\x03b", "OK"},
		{"m200,3", "612362"},
		{"X200,0:", "OK"},
		{"X200,2:a", "E01"},
		{"X200,1:}", "E01"},
		{"Z0,1010,1", "OK"},
		{"Z0,1010,1", "OK"}, // idempotent: the target sees it once
		{"Z1,1020,1", "OK"},
		{"Z2,3000,4", "OK"},
		{"Z3,3000,4", ""}, // unsupported by the target
		{"Z4,3000,4;X1,0", "OK"},
		{"Z2,3000,0", "E22"},
		{"Z9,0,0", ""},
		{"Z0,zz,1", "E01"},
		{"z0,1010,1", "OK"},
		{"z0,1010,1", "OK"},
		{"c", "T05swbreak:;" + expedited(0x1000)},
		{"vCont;c", "T05hwbreak:;" + expedited(0x1000)},
		{"vCont;c:1", "T05watch:3002;" + expedited(0x1000)},
		{"C05", "T05awatch:3000;" + expedited(0x1000)},
		{"c", "T0b" + expedited(0x1000)},
		{"vCont;s:2;c", "T05" + expedited(0x1000)},
		{"s", "T05" + expedited(0x1001)},
		{"vCont;s:1;c", "T05" + expedited(0x1002)},
		{"S05", "T05" + expedited(0x1003)},
		{"s1000", "T05" + expedited(0x1001)},
		{"vCont;t", "T00thread:1;"},
		{"vCont;r1000,2000", "E01"},
		{"vCont;c:2", "E01"},
		{"qXfer:features:read:other.xml:0,40", "E00"},
		{"qXfer:features:read:target.xml:100000,40", "l"},
		{"qXfer:features:read:target.xml:zz", "E00"},
		{"QNonStop:0", "OK"},
		{"QFooBar", ""},
		{"!", ""},
		{"", ""},
	} {
		assert.Equal(t, step.want, c.cmd(step.send), "reply to %q", step.send)
	}
	// A g packet is the whole register block.
	g := c.cmd("g")
	require.Len(t, g, 2*regsSize)
	assert.Equal(t, "78563412", g[:8])
	assert.Equal(t, "OK", c.cmd("G"+g))
	assert.Equal(t, "E22", c.cmd("G"+g[:20]))

	// target.xml read in small chunks reassembles to the document.
	var doc strings.Builder
	for off := 0; ; off += 0x100 {
		r := c.cmd(fmt.Sprintf("qXfer:features:read:target.xml:%x,100", off))
		b, err := unescape([]byte(r[1:]))
		require.NoError(t, err)
		doc.Write(b)
		if r[0] == 'l' {
			break
		}
		require.Equal(t, byte('m'), r[0])
	}
	assert.Equal(t, targetXML(), doc.String())

	// Monitor: output in O packets, then OK.
	c.send("qRcmd," + hexs("info blocks"))
	assert.Equal(t, "O"+hexs("blocks=42\n"), c.recv())
	assert.Equal(t, "OK", c.recv())
	c.send("qRcmd," + hexs("x/2xb 0x100"))
	assert.Equal(t, "O"+hexs("00000100: 0xde 0xad\n"), c.recv())
	assert.Equal(t, "OK", c.recv())
	assert.Equal(t, "E01", c.cmd("qRcmd,zz"))

	// A nack gets the last packet again; a corrupt packet gets a nack.
	c.send("qC")
	assert.Equal(t, "QC1", c.recvRaw())
	c.raw("-")
	assert.Equal(t, "QC1", c.recv())
	c.raw("$qC#00")
	assert.Equal(t, byte('-'), c.readByte())
	assert.Equal(t, "QC1", c.cmd("qC"))

	// No-ack mode.
	assert.Equal(t, "OK", c.cmd("QStartNoAckMode"))
	c.noAck = true
	assert.Equal(t, "QC1", c.cmd("qC"))
	c.raw("$qC#00") // checksums may be ignored without acks
	assert.Equal(t, "QC1", c.recv())

	// Ctrl-C stops a running Continue with SIGINT.
	c.send("c")
	<-f.running
	c.raw("\x03")
	assert.Equal(t, "T02"+expedited(0x1001), c.recv())
	// A stray Ctrl-C while stopped is ignored.
	c.raw("\x03")
	assert.Equal(t, "QC1", c.cmd("qC"))

	// Detach ends the session; its breakpoints are removed.
	assert.Equal(t, "OK", c.cmd("D"))
	assert.Equal(t, endDetach, <-ends)
	assert.Empty(t, f.bps)
	calls := f.callLog()
	assert.Equal(t, 1, count(calls, "Set breakpoint 1010 1"))
	assert.Contains(t, calls, "Set hw-breakpoint 1020 1")
	assert.Contains(t, calls, "Clear watch 3000 4")
	assert.Contains(t, calls, "WriteMemory 200 612362")
}

func count(list []string, s string) int {
	n := 0
	for _, v := range list {
		if v == s {
			n++
		}
	}
	return n
}

func TestStopReplyWithoutSwbreak(t *testing.T) {
	f := newFakeTarget()
	f.stops = []StopReason{
		{Kind: StopBreakpoint, Break: Breakpoint{Kind: BreakSoftware, Addr: 0x1010, Len: 1}},
		{Kind: StopExited, ExitCode: 3},
	}
	c, ends := startSession(t, &Server{Target: f})
	assert.Equal(t, "PacketSize=4000;qXfer:features:read+;QStartNoAckMode+;swbreak+;hwbreak+;vContSupported+", c.cmd("qSupported"))
	assert.Equal(t, "T05"+expedited(0x1000), c.cmd("c")) // gdb did not ask for swbreak
	assert.Equal(t, "W03", c.cmd("c"))
	c.conn.Close()
	assert.Equal(t, endDisconnect, <-ends)
}

func TestDisconnectWhileRunning(t *testing.T) {
	f := newFakeTarget()
	c, ends := startSession(t, &Server{Target: f})
	assert.Equal(t, "OK", c.cmd("Z0,1234,1"))
	c.send("c")
	<-f.running
	c.conn.Close()
	assert.Equal(t, endDisconnect, <-ends)
	assert.Empty(t, f.bps, "breakpoints removed on disconnection")
}

// serve starts Serve on a loopback port.
func serve(t *testing.T, srv *Server) (addr string, done <-chan error, cancel func()) {
	ln, err := Listen("127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan error, 1)
	go func() { ch <- srv.Serve(ctx, ln) }()
	t.Cleanup(cancel)
	return ln.Addr().String(), ch, cancel
}

func dial(t *testing.T, addr string) *client {
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	return newClient(t, conn)
}

func wait(t *testing.T, ch <-chan error) error {
	select {
	case err := <-ch:
		return err
	case <-time.After(20 * time.Second):
		t.Fatal("Serve did not return")
		return nil
	}
}

func TestServeKill(t *testing.T) {
	addr, done, _ := serve(t, &Server{Target: newFakeTarget()})
	c := dial(t, addr)
	assert.Equal(t, "T05"+expedited(0x1000), c.cmd("?"))
	c.send("k")
	assert.ErrorIs(t, wait(t, done), ErrKilled)
}

func TestServeVKill(t *testing.T) {
	addr, done, _ := serve(t, &Server{Target: newFakeTarget()})
	c := dial(t, addr)
	assert.Equal(t, "OK", c.cmd("vKill;1"))
	assert.ErrorIs(t, wait(t, done), ErrKilled)
}

func TestServeOneSessionAtATime(t *testing.T) {
	addr, _, _ := serve(t, &Server{Target: newFakeTarget()})
	c := dial(t, addr)
	assert.Equal(t, "QC1", c.cmd("qC"))
	second := dial(t, addr)
	_, err := second.r.ReadByte()
	assert.ErrorIs(t, err, io.EOF, "a second debugger is refused")
	assert.Equal(t, "QC1", c.cmd("qC"))
}

func TestServeDetachResumesAndReattach(t *testing.T) {
	f := newFakeTarget()
	addr, done, cancel := serve(t, &Server{Target: f})
	c := dial(t, addr)
	assert.Equal(t, "OK", c.cmd("Z0,1010,1"))
	assert.Equal(t, "OK", c.cmd("D"))
	<-f.running // the guest runs with nobody attached
	assert.Empty(t, f.bps)
	c2 := dial(t, addr) // attaching stops it and reports SIGTRAP
	assert.Equal(t, "T05"+expedited(0x1000), c2.cmd("?"))
	cancel()
	assert.ErrorIs(t, wait(t, done), context.Canceled)
}

func TestServeRunningUntilExit(t *testing.T) {
	f := newFakeTarget()
	f.stops = []StopReason{{Kind: StopExited}}
	_, done, _ := serve(t, &Server{Target: f, Running: true})
	assert.NoError(t, wait(t, done))
}

func TestServeTargetExitsUnderDebugger(t *testing.T) {
	f := newFakeTarget()
	f.stops = []StopReason{{Kind: StopExited, ExitCode: 1}}
	addr, done, _ := serve(t, &Server{Target: f})
	c := dial(t, addr)
	assert.Equal(t, "W01", c.cmd("c"))
	c.conn.Close()
	assert.NoError(t, wait(t, done))
}

func TestListen(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"1234", "127.0.0.1:1234"},
		{":1234", "127.0.0.1:1234"},
		{"tcp::1234", "127.0.0.1:1234"},
		{"tcp:0.0.0.0:1234", "0.0.0.0:1234"},
		{"localhost:99", "localhost:99"},
		{"[::1]:5", "[::1]:5"},
	} {
		got, err := ListenAddr(tc.in)
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
	}
	for _, bad := range []string{"", "abc", "70000", "host:port"} {
		_, err := ListenAddr(bad)
		assert.Error(t, err, bad)
	}
	ln, err := Listen("0")
	require.NoError(t, err)
	defer ln.Close()
	assert.True(t, ln.Addr().(*net.TCPAddr).IP.IsLoopback(), "loopback by default")
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	_, err = Listen(port)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "already in use")
	assert.True(t, errors.Is(err, errAddrInUse()))
}

func errAddrInUse() error { return syscall.EADDRINUSE }
