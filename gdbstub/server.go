package gdbstub

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"syscall"
)

// ErrKilled is returned by Serve when gdb kills the target (k, vKill):
// like QEMU, the emulator is expected to exit.
var ErrKilled = errors.New("gdbstub: target killed by the debugger")

// Listen opens the debugger's TCP listener. addr is "PORT", ":PORT",
// "HOST:PORT", or QEMU's "tcp::PORT" / "tcp:HOST:PORT". Without a host
// it binds the loopback address only: whoever connects gets full control
// of the guest, so listening on other interfaces must be asked for by
// naming the host (e.g. "0.0.0.0:1234"). A port in use gives an error
// saying so.
func Listen(addr string) (net.Listener, error) {
	hostport, err := ListenAddr(addr)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", hostport)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return nil, fmt.Errorf("gdbstub: cannot listen on %s: the port is already in use (another emulator or gdbserver?); choose another port: %w", hostport, err)
		}
		return nil, fmt.Errorf("gdbstub: cannot listen on %s: %w", hostport, err)
	}
	return ln, nil
}

// ListenAddr turns the address forms Listen accepts into host:port
// (the loopback address when no host is given), or says why it cannot.
func ListenAddr(addr string) (string, error) {
	a := strings.TrimPrefix(addr, "tcp:")
	host, port, err := net.SplitHostPort(a)
	if err != nil {
		// A bare port.
		host, port = "", a
	}
	n, perr := strconv.ParseUint(port, 10, 16)
	if perr != nil {
		return "", fmt.Errorf("gdbstub: bad listen address %q: want PORT, :PORT, HOST:PORT or tcp::PORT", addr)
	}
	if host == "" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, strconv.FormatUint(n, 10)), nil
}

// Server serves one debugger at a time over the Remote Serial Protocol.
// While no debugger is attached the stub runs the guest (after a detach,
// or from the start with Running) or keeps it stopped.
type Server struct {
	Target Target
	// Running starts the guest running until a debugger attaches (qemu
	// -s); otherwise it waits stopped for the first one (qemu -s -S).
	Running bool
	// ExitOnStop makes Serve return nil when the guest stops by itself
	// (shutdown, halt with nothing to wake it) while no debugger is
	// attached, instead of keeping it stopped for the next debugger:
	// an emulator started with -s but no -S then exits as without -s.
	ExitOnStop bool
	// Logf, when set, receives a line per packet exchanged and per
	// session event.
	Logf func(format string, args ...any)
}

// Serve serves debuggers on ln with the target stopped until the first
// one attaches (qemu -s -S). See Server.Serve.
func Serve(ctx context.Context, ln net.Listener, t Target) error {
	return (&Server{Target: t}).Serve(ctx, ln)
}

// Serve accepts debuggers on ln, one session at a time (another
// connection during a session is closed at once), and closes ln when it
// returns: with ctx.Err() when ctx is done, ErrKilled when gdb kills the
// target, nil when the target exits (StopExited), or the listener's
// error. When a session ends by detach or disconnection, every
// breakpoint it inserted is removed and the guest resumes.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	conns := make(chan net.Conn)
	acceptErr := make(chan error, 1)
	go func() {
		<-ctx.Done()
		ln.Close()
	}()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				acceptErr <- err
				return
			}
			select {
			case conns <- c:
			case <-ctx.Done():
				c.Close()
				return
			}
		}
	}()
	fail := func(err error) error {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return err
	}
	running := s.Running
	last := StopReason{Kind: StopStep}
	for {
		var conn net.Conn
		if running {
			stop := make(chan struct{})
			done := make(chan StopReason, 1)
			go func() { done <- s.Target.Continue(stop) }()
			select {
			case conn = <-conns:
				close(stop)
				last = <-done
				if last.Kind == StopInterrupted {
					last = StopReason{Kind: StopStep} // attaching reports SIGTRAP, as QEMU does
				}
			case r := <-done:
				s.logf("guest stopped with no debugger attached: %s %s", r.Kind, r.Detail)
				running, last = false, r
				if r.Kind == StopExited || s.ExitOnStop {
					return nil
				}
				continue
			case <-ctx.Done():
				close(stop)
				<-done
				return ctx.Err()
			case err := <-acceptErr:
				close(stop)
				<-done
				return fail(err)
			}
		} else {
			select {
			case conn = <-conns:
			case <-ctx.Done():
				return ctx.Err()
			case err := <-acceptErr:
				return fail(err)
			}
		}
		s.logf("debugger connected from %s", conn.RemoteAddr())
		end, r := s.session(ctx, conn, conn, last, conns)
		conn.Close()
		last = r
		s.logf("debugger session ended: %s", end)
		switch {
		case end == endKill:
			return ErrKilled
		case end == endCanceled:
			return ctx.Err()
		case r.Kind == StopExited:
			return nil // the guest is gone
		}
		running = true
	}
}

func (s *Server) logf(format string, args ...any) {
	if s.Logf != nil {
		s.Logf(format, args...)
	}
}

// sessionEnd says how a session ended.
type sessionEnd uint8

const (
	endDisconnect sessionEnd = iota
	endDetach
	endKill
	endCanceled
)

func (e sessionEnd) String() string {
	return [...]string{"disconnected", "detached", "killed", "canceled"}[e]
}

// session runs one debugger connection: r and w are its two directions.
// It returns how it ended and the last stop. rejects, when not nil,
// receives connections to refuse during the session.
func (s *Server) session(ctx context.Context, r io.Reader, w io.Writer, last StopReason, rejects <-chan net.Conn) (sessionEnd, StopReason) {
	done := make(chan struct{})
	defer close(done)
	evs := make(chan event, 16)
	go readEvents(r, evs, done)
	ss := &session{
		srv:     s,
		t:       s.Target,
		w:       w,
		evs:     evs,
		rejects: rejects,
		ctx:     ctx,
		bps:     make(map[Breakpoint]bool),
		last:    last,
	}
	end := ss.run()
	ss.clearBreakpoints()
	return end, ss.last
}

// readEvents decodes r into out until r fails or done is closed; out is
// closed at the end.
func readEvents(r io.Reader, out chan<- event, done <-chan struct{}) {
	defer close(out)
	var d packetDecoder
	buf := make([]byte, 4096)
	for {
		n, err := r.Read(buf)
		for _, c := range buf[:n] {
			ev, ok := d.feed(c)
			if !ok {
				continue
			}
			if ev.kind == evPacket {
				ev.data = append([]byte(nil), ev.data...)
			}
			select {
			case out <- ev:
			case <-done:
				return
			}
		}
		if err != nil {
			return
		}
	}
}
