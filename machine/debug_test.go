package machine

import (
	"bufio"
	"context"
	"encoding/hex"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bt86/gdbstub"
)

// rsp is a minimal Remote Serial Protocol client (what gdb sends).
type rsp struct {
	t    *testing.T
	conn net.Conn
	r    *bufio.Reader
}

func (c *rsp) call(data string) string {
	c.t.Helper()
	c.send(data)
	return c.reply()
}

// monitor runs a monitor command and returns its hex-decoded output.
func (c *rsp) monitor(cmd string) string {
	c.t.Helper()
	c.send("qRcmd," + fmt.Sprintf("%x", cmd))
	var out strings.Builder
	for p := c.reply(); p != "OK"; p = c.reply() {
		b, err := hex.DecodeString(strings.TrimPrefix(p, "O"))
		require.NoError(c.t, err, p)
		out.Write(b)
	}
	return out.String()
}

func (c *rsp) send(data string) {
	c.t.Helper()
	var sum byte
	for i := 0; i < len(data); i++ {
		sum += data[i]
	}
	_, err := fmt.Fprintf(c.conn, "$%s#%02x", data, sum)
	require.NoError(c.t, err)
}

func (c *rsp) reply() string {
	c.t.Helper()
	require.NoError(c.t, c.conn.SetReadDeadline(time.Now().Add(30*time.Second)))
	for {
		b, err := c.r.ReadByte()
		require.NoError(c.t, err)
		if b != '$' {
			continue
		}
		body, err := c.r.ReadString('#')
		require.NoError(c.t, err)
		_, err = c.r.Discard(2)
		require.NoError(c.t, err)
		_, err = c.conn.Write([]byte("+"))
		require.NoError(c.t, err)
		return strings.TrimSuffix(body, "#")
	}
}

// TestServeGDB debugs the synthetic kernel of TestLinuxEntryState under
// ServeGDB with Wait: the CPU waits at the boot stub, a breakpoint at the
// entry point is reached by continue with the boot protocol's entry state,
// and the guest then runs to its power-off as under Run (same debugcon
// output), which ends ServeGDB with ReasonPowerOff.
func TestServeGDB(t *testing.T) {
	var con syncBuffer
	m, err := New(Config{MemoryMiB: 16, Debugcon: &con, Deterministic: true})
	require.NoError(t, err)
	defer m.Close()
	require.NoError(t, m.LoadLinux(bzImage(t), []byte("INRD-and-more"), "console=ttyS0 bt86"))
	ln, err := gdbstub.Listen("127.0.0.1:0")
	require.NoError(t, err)
	type result struct {
		res Result
		err error
	}
	done := make(chan result, 1)
	go func() {
		res, err := m.ServeGDB(context.Background(), ln, GDBOptions{Wait: true})
		done <- result{res, err}
	}()
	conn, err := net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	defer conn.Close()
	c := &rsp{t: t, conn: conn, r: bufio.NewReader(conn)}

	assert.True(t, strings.HasPrefix(c.call("?"), "T05"))
	assert.Equal(t, "00ff0f00", c.call("p8"), "EIP at the boot stub 0xfff00")
	assert.Equal(t, "e9", c.call("mfff00,1"), "jmp rel32")
	assert.Equal(t, "OK", c.call("Z0,100000,1"))
	stop := c.call("c")
	assert.True(t, strings.HasPrefix(stop, "T05"), stop)
	assert.Equal(t, "00001000", c.call("p8"), "EIP at code32_start")
	assert.Equal(t, "00700000", c.call("p6"), "ESI: the zero page")
	assert.Equal(t, "OK", c.call("z0,100000,1"))
	assert.Regexp(t, `instructions retired: [1-9]\d*\n(.|\n)*engine (interp|dbt)`, c.monitor("info stats"))
	assert.Equal(t, "W00", c.call("c"), "the guest powers off")
	conn.Close() // as gdb does after the target exited

	select {
	case r := <-done:
		require.NoError(t, r.err)
		assert.Equal(t, ReasonPowerOff, r.res.Reason)
		assert.Positive(t, r.res.Instructions)
	case <-time.After(60 * time.Second):
		t.Fatal("ServeGDB did not return after the power-off")
	}
	assert.Equal(t, "console=ttyS0 bt86|INRD\n", con.String(), "the guest ran as under Run")
}
