package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"time"
)

// Runner names, in table order.
const (
	RunDBT    = "bt86-dbt"
	RunInterp = "bt86-interp"
	RunTCG    = "qemu-tcg"
	RunKVM    = "qemu-kvm"
	RunNative = "native"
)

// runnerOrder is the order of the table and chart.
var runnerOrder = []string{RunDBT, RunInterp, RunTCG, RunKVM, RunNative}

// Unavailable is a runner that cannot run here, with the reason.
type Unavailable struct{ Reason string }

func (u *Unavailable) Error() string { return "unavailable: " + u.Reason }

// Runner starts sessions: one boot of a guest (or, natively, the host).
type Runner interface {
	Name() string
	// Command describes how the runner is started, for the report.
	Command() string
	// Start boots a session; it returns the boot time (0 natively).
	Start(ctx context.Context, timeout time.Duration) (Session, time.Duration, error)
}

// Session runs workloads one after another.
type Session interface {
	// Run runs one workload; tag makes its markers unique.
	Run(ctx context.Context, w Workload, tag string, timeout time.Duration) Result
	// BootStats returns engine statistics at the prompt (nil if none).
	BootStats() Counters
	// BootCPU is the CPU time used to reach the prompt (-1: unknown).
	BootCPU() float64
	// Close ends the session (the guest powers off, or is killed).
	Close()
}

// Result is the outcome of one workload run.
type Result struct {
	Seconds float64
	// CPU is the host CPU time the runner used meanwhile (seconds), or
	// -1 when unknown.
	CPU    float64
	Status string   // "ok", "timeout", "failed: ...", "skipped: ..."
	Output string   // what the workload printed (trimmed)
	Stats  Counters // engine statistics for the workload, if any
	broken bool     // the session cannot run more workloads
}

// OK reports whether r is a valid sample.
func (r Result) OK() bool { return r.Status == "ok" }

// guestRunner boots a kernel under an emulator process whose serial
// console is on stdin/stdout.
type guestRunner struct {
	name string
	argv []string
	// fatal, if it matches stderr, means the runner failed (its match is
	// the reason).
	fatal *regexp.Regexp
	// snapshots: the process prints emu -stats snapshots on SIGUSR1.
	snapshots bool
}

func (g *guestRunner) Name() string    { return g.name }
func (g *guestRunner) Command() string { return shellQuote(g.argv) }

var (
	promptRE = regexp.MustCompile(`~ # `)
	nonEmpty = regexp.MustCompile(`(?m)^.*\S.*$`)
	phraseRE = regexp.MustCompile(`(?m)^[a-z][a-z ]+[a-z]$`)
)

// guestSession is a booted guest.
type guestSession struct {
	cmd       *exec.Cmd
	stdin     io.WriteCloser
	out, errs *Transcript
	exited    chan struct{}
	snapshots bool
	nsnap     int
	last      Counters // the latest snapshot
	boot      Counters
	bootCPU   float64
	seq       int
}

// cpu is the process's CPU time so far, or -1.
func (s *guestSession) cpu() float64 {
	v, err := processCPU(s.cmd.Process.Pid)
	if err != nil {
		return -1
	}
	return v
}

func (s *guestSession) BootCPU() float64 { return s.bootCPU }

func (g *guestRunner) Start(ctx context.Context, timeout time.Duration) (Session, time.Duration, error) {
	cmd := exec.Command(g.argv[0], g.argv[1:]...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, 0, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, 0, err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, 0, err
	}
	s := &guestSession{cmd: cmd, stdin: stdin, out: NewTranscript(), errs: NewTranscript(),
		exited: make(chan struct{}), snapshots: g.snapshots}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, 0, &Unavailable{Reason: oneLine(err.Error())}
	}
	pumped := make(chan struct{}, 2)
	go func() { s.out.Pump(stdout); pumped <- struct{}{} }()
	go func() { s.errs.Pump(stderr); pumped <- struct{}{} }()
	go func() { // Wait closes the pipes: only after both are drained
		<-pumped
		<-pumped
		_ = cmd.Wait()
		close(s.exited)
	}()

	bctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	fatalLine := make(chan string, 1)
	if g.fatal != nil {
		go func() {
			if m, err := s.errs.Wait(bctx, 0, g.fatal); err == nil {
				fatalLine <- m.Groups[0]
				cancel()
			}
		}()
	}
	m, err := s.out.Wait(bctx, 0, promptRE)
	if err == nil {
		boot := m.At.Sub(start)
		s.bootCPU = s.cpu()
		if err := s.exec(ctx, "set -o pipefail"); err != nil {
			s.Close()
			return nil, 0, fmt.Errorf("shell set-up: %w", err)
		}
		if s.snapshots {
			if s.boot, err = s.snapshot(ctx); err != nil {
				s.Close()
				return nil, 0, err
			}
		}
		return s, boot, nil
	}
	var reason string
	select {
	case reason = <-fatalLine:
		// Add the first plain phrase that follows (QEMU's "emulation
		// failure" after "KVM internal error").
		time.Sleep(500 * time.Millisecond)
		s.kill()
		rest := stripANSI(s.errs.String())
		if i := strings.Index(rest, reason); i >= 0 {
			if m := phraseRE.FindString(rest[i+len(reason):]); m != "" {
				reason += "; " + m
			}
		}
	default:
		switch {
		case errors.Is(err, ErrClosed):
			s.kill()
			reason = "exited before the shell prompt: " + s.lastWords()
		case ctx.Err() != nil:
			s.kill()
			return nil, 0, ctx.Err()
		default:
			s.kill()
			reason = fmt.Sprintf("no shell prompt within %v", timeout)
			if w := s.lastWords(); w != "" {
				reason += " (last output: " + w + ")"
			}
		}
	}
	s.kill()
	return nil, 0, &Unavailable{Reason: oneLine(reason)}
}

// lastWords is the process's last line of stderr, or of stdout.
func (s *guestSession) lastWords() string {
	select {
	case <-s.exited:
	case <-time.After(5 * time.Second):
	}
	for _, t := range []*Transcript{s.errs, s.out} {
		lines := nonEmpty.FindAllString(stripANSI(t.Tail(4096)), -1)
		if len(lines) > 0 {
			return strings.TrimSpace(lines[len(lines)-1])
		}
	}
	return ""
}

// exec runs a command line in the guest's shell and waits for it.
func (s *guestSession) exec(ctx context.Context, line string) error {
	s.seq++
	tag := fmt.Sprint(s.seq)
	from := s.out.Len()
	if _, err := fmt.Fprintf(s.stdin, "%s; echo BT86\"\"-Y-%s\n", line, tag); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	_, err := s.out.Wait(ctx, from, regexp.MustCompile(regexp.QuoteMeta(markSync+tag)+`\r?\n`))
	return err
}

// snapshot asks emu for its statistics and waits for them.
func (s *guestSession) snapshot(ctx context.Context) (Counters, error) {
	s.nsnap++
	from := s.errs.Len()
	if err := s.cmd.Process.Signal(syscall.SIGUSR1); err != nil {
		return nil, fmt.Errorf("statistics snapshot: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	for {
		m, err := s.errs.Wait(ctx, from, snapshotEnd)
		if err != nil {
			return nil, fmt.Errorf("statistics snapshot %d: %w", s.nsnap, err)
		}
		if m.Groups[0] == fmt.Sprint(s.nsnap) {
			c := ParseStats(s.errs.Slice(from, m.Start))
			s.last = c
			return c, nil
		}
		from = m.End
	}
}

func (s *guestSession) BootStats() Counters { return s.boot }

func (s *guestSession) Run(ctx context.Context, w Workload, tag string, timeout time.Duration) Result {
	from := s.out.Len()
	if _, err := fmt.Fprintln(s.stdin, commandLine(w.Script("/bin"), tag)); err != nil {
		return Result{Status: "failed: " + oneLine(err.Error()), broken: true}
	}
	sctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	start, err := s.out.Wait(sctx, from, markerRE(markStart, tag, false))
	cpu0 := s.cpu()
	cancel()
	if err != nil {
		return Result{Status: "failed: no start marker: " + oneLine(err.Error()), broken: true}
	}
	ectx, cancel := context.WithTimeout(ctx, timeout)
	end, err := s.out.Wait(ectx, start.End, markerRE(markEnd, tag, true))
	cpu1 := s.cpu()
	cancel()
	if err != nil {
		if ctx.Err() != nil || errors.Is(err, ErrClosed) {
			return Result{Status: "failed: " + oneLine(err.Error()) + ": " + s.lastWords(), broken: true}
		}
		// Interrupt the workload (Ctrl-C, three times: one may land
		// between two commands of a loop) and check the shell answers.
		r := Result{Status: fmt.Sprintf("timeout (%v)", timeout)}
		for range 3 {
			_, _ = s.stdin.Write([]byte{3})
			time.Sleep(time.Second)
		}
		if err := s.exec(ctx, "true"); err != nil {
			r.broken = true
		}
		if s.snapshots && !r.broken {
			_, _ = s.snapshot(ctx)
		}
		return r
	}
	r := Result{Seconds: end.At.Sub(start.At).Seconds(), Status: "ok", CPU: -1,
		Output: cleanOutput(s.out.Slice(start.End, end.Start))}
	if cpu0 >= 0 && cpu1 >= 0 {
		r.CPU = cpu1 - cpu0
	}
	if st := end.Groups[0]; st != "0" {
		r.Status = "failed: exit status " + st
	} else if w.Expect != "" && !strings.Contains(r.Output, w.Expect) {
		r.Status = fmt.Sprintf("failed: output %q lacks %q", r.Output, w.Expect)
	}
	if s.snapshots {
		prev := s.last
		c, err := s.snapshot(ctx)
		if err != nil {
			r.Status, r.broken = "failed: "+oneLine(err.Error()), true
			return r
		}
		r.Stats = c.Sub(prev)
	}
	return r
}

// Close powers the guest off through the shell (/init then runs
// poweroff -f), or kills it.
func (s *guestSession) Close() {
	_, _ = io.WriteString(s.stdin, "exit\n")
	select {
	case <-s.exited:
	case <-time.After(60 * time.Second):
		s.kill()
	}
	_ = s.stdin.Close()
}

func (s *guestSession) kill() {
	if s.cmd.Process != nil {
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
	}
	<-s.exited
}

// markerRE matches a marker line; with status, it captures the exit
// status after the tag.
func markerRE(mark, tag string, status bool) *regexp.Regexp {
	s := regexp.QuoteMeta(mark + tag)
	if status {
		return regexp.MustCompile(s + `-(\d+)\r?\n`)
	}
	return regexp.MustCompile(s + `\r?\n`)
}

// cleanOutput trims a workload's output to its text lines.
func cleanOutput(s string) string {
	s = strings.ReplaceAll(stripANSI(s), "\r", "")
	return strings.TrimSpace(s)
}

var ansiRE = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Za-z0-9]|\x1bc`)

func stripANSI(s string) string { return ansiRE.ReplaceAllString(s, "") }

// oneLine collapses text into one line.
func oneLine(s string) string { return strings.Join(strings.Fields(stripANSI(s)), " ") }

// shellQuote renders argv as a shell command line.
func shellQuote(argv []string) string {
	q := make([]string, len(argv))
	for i, a := range argv {
		if a != "" && strings.IndexFunc(a, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./=:,+@%", r))
		}) < 0 {
			q[i] = a
		} else {
			q[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
	}
	return strings.Join(q, " ")
}

// homeShort replaces the home directory in s with ~.
func homeShort(s string) string {
	if h, err := os.UserHomeDir(); err == nil && h != "" && h != "/" {
		return strings.ReplaceAll(s, h, "~")
	}
	return s
}
