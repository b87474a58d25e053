package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"bt86/bios"
	"bt86/guest/demo"
	"bt86/machine"
)

// Exit codes.
const (
	exitOK       = 0 // the guest powered off (or the user quit)
	exitGuest    = 1 // the guest failed: triple fault
	exitUsage    = 2 // bad flags or input files
	exitInternal = 3 // an emulator bug
)

func main() {
	stop := startProfile()
	code := run(os.Args[1:], hostIO{in: os.Stdin, out: os.Stdout, err: os.Stderr})
	stop()
	os.Exit(code)
}

// hostIO is the host side of the console; tests substitute their own.
type hostIO struct {
	in       io.Reader
	out, err io.Writer
}

// options are the parsed command line.
type options struct {
	kernel, initrd, cmdline string
	memMiB                  int
	serial                  string
	serialSet               bool
	nographic               bool
	icount                  icountFlag
	noReboot                bool
	dbg                     debugOptions // gdb.go
	stats                   bool
	engine                  string
	loadvm, record, replay  string
	replayStop              uint64
	set                     map[string]bool // the flags given
	disk                    diskOptions     // disk.go
}

// icountFlag accepts QEMU's spellings: -icount, -icount=shift=N (N ns
// per instruction is 2^N) and -icount=auto (treated as shift=0).
type icountFlag struct {
	on    bool
	shift int
}

func (f *icountFlag) IsBoolFlag() bool { return true }

func (f *icountFlag) String() string {
	if f == nil || !f.on {
		return "false"
	}
	return fmt.Sprintf("shift=%d", f.shift)
}

func (f *icountFlag) Set(s string) error {
	switch {
	case s == "true" || s == "auto" || s == "":
		f.on, f.shift = true, 0
	case s == "false":
		f.on = false
	default:
		v, ok := strings.CutPrefix(s, "shift=")
		if !ok {
			v = s
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 10 {
			return fmt.Errorf("want shift=N with N in 0..10, or auto")
		}
		f.on, f.shift = true, n
	}
	return nil
}

const usage = `usage: emu [options]

With no -kernel and no -bios, emu boots its built-in demo guest.

  -kernel FILE      boot a Linux bzImage directly (32-bit boot protocol)
  -initrd FILE      initramfs for the kernel
  -append "ARGS"    kernel command line (e.g. "console=ttyS0")
  -m MiB            RAM size in MiB (default 128)
  -serial DEV       COM1: stdio, none or file:PATH
                    (default stdio; none when the VGA screen is shown)
  -nographic        no VGA screen on the terminal; COM1 on stdio
  -icount[=shift=N] deterministic: virtual time is 2^N ns per instruction
  -no-reboot        exit when the guest resets instead of rebooting
  -s                gdb stub on tcp::1234 (loopback), as -gdb tcp::1234
  -gdb tcp:[HOST]:PORT  gdb stub on HOST:PORT (default host: 127.0.0.1)
  -S                wait for gdb before the first instruction
  -d LIST           trace log: in_asm,out_asm,exec,int,cpu,mmu,io (emu -d help)
  -D FILE           write the trace log to FILE (default: stderr)
  -dfilter RANGES   trace only code at START+SIZE,START..END,...
  -stats            print emulation statistics on exit (and on SIGUSR1)
  -engine NAME      execution engine: interp or dbt (default: the fastest here)
  -loadvm FILE      start from a snapshot (RAM size and, without -icount,
                    the time mode come from it; -kernel is not needed)
  -record FILE      record the run's input to FILE (implies -icount)
  -replay FILE      replay a recording: boot files and settings come from it
                    (-kernel/-initrd/-loadvm may give moved files' paths)
  -replay-stop N    with -replay: stop at instruction count N
-record, -replay and -stats print the final state hash (SHA-256 of the
CPU, RAM and device state) and instruction count.

On a terminal, COM1 on stdio puts the terminal in raw mode: type
Ctrl-A x to quit, Ctrl-A Ctrl-A to send Ctrl-A, Ctrl-A c to switch
to the monitor (savevm FILE, info status, info hash, stats, quit) and back.
`

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("emu", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // run reports errors in one line
	fs.Usage = func() {}
	fs.StringVar(&o.kernel, "kernel", "", "")
	fs.StringVar(&o.initrd, "initrd", "", "")
	fs.StringVar(&o.cmdline, "append", "", "")
	fs.IntVar(&o.memMiB, "m", machine.DefaultMemoryMiB, "")
	fs.StringVar(&o.serial, "serial", "", "")
	fs.BoolVar(&o.nographic, "nographic", false, "")
	fs.Var(&o.icount, "icount", "")
	fs.BoolVar(&o.noReboot, "no-reboot", false, "")
	o.dbg.register(fs)
	fs.BoolVar(&o.stats, "stats", false, "")
	fs.StringVar(&o.engine, "engine", machine.DefaultEngine(), "")
	fs.StringVar(&o.loadvm, "loadvm", "", "")
	fs.StringVar(&o.record, "record", "", "")
	fs.StringVar(&o.replay, "replay", "", "")
	fs.Uint64Var(&o.replayStop, "replay-stop", 0, "")
	o.disk.register(fs)
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			fmt.Fprint(stderr, usage+diskUsage)
			return nil, err
		}
		return nil, fmt.Errorf("%v (emu -h for help)", err)
	}
	o.set = map[string]bool{}
	fs.Visit(func(f *flag.Flag) {
		o.set[f.Name] = true
		if f.Name == "serial" {
			o.serialSet = true
		}
	})
	if err := o.dbg.check(stderr); err != nil {
		return nil, err
	}
	if err := o.disk.positional(fs.Args()); err != nil {
		return nil, err
	}
	if err := o.disk.check(o.kernel); err != nil {
		return nil, err
	}
	if o.memMiB < machine.MinMemoryMiB || o.memMiB > machine.MaxMemoryMiB {
		return nil, fmt.Errorf("memory size %d MiB out of range: use %d to %d MiB", o.memMiB, machine.MinMemoryMiB, machine.MaxMemoryMiB)
	}
	if o.kernel == "" && o.replay == "" && (o.initrd != "" || o.cmdline != "") {
		return nil, errors.New("-initrd and -append need -kernel")
	}
	switch {
	case o.serial == "", o.serial == "stdio", o.serial == "none", strings.HasPrefix(o.serial, "file:") && len(o.serial) > 5:
	default:
		return nil, fmt.Errorf("-serial %q: want stdio, none or file:PATH", o.serial)
	}
	return o, nil
}

// run is emu's main program; it returns the process exit code.
func run(args []string, h hostIO) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(h.err, "bt86: internal error: %v (a bt86 bug: please report it with the command line)\n", r)
			if os.Getenv("BT86_TRACEBACK") != "" {
				h.err.Write(debug.Stack())
			}
			code = exitInternal
		}
	}()
	o, err := parseFlags(args, h.err)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(h.err, "bt86: %v\n", err)
		return exitUsage
	}
	return boot(o, h)
}

func boot(o *options, h hostIO) int {
	fail := func(err error) int {
		fmt.Fprintf(h.err, "bt86: %v\n", err)
		return exitUsage
	}
	replay, err := prepareReplay(o)
	if err != nil {
		return fail(err)
	}
	if o.record != "" && !o.icount.on {
		o.icount.on = true // a recording replays only deterministically
	}
	var kernel, initrd []byte
	if o.kernel != "" {
		var err error
		if kernel, err = readFile("-kernel", o.kernel); err != nil {
			return fail(err)
		}
		if o.initrd != "" {
			if initrd, err = readFile("-initrd", o.initrd); err != nil {
				return fail(err)
			}
		}
	}
	snap, files, err := bootInputs(o, replay, kernel, initrd)
	if err != nil {
		return fail(err)
	}

	con := newConsole(h)
	serialStdio := o.serial == "stdio" || (!o.serialSet && (o.nographic || !con.isTerminalOut()))
	showVGA := !o.nographic && con.isTerminalOut() && !serialStdio

	cfg := machine.Config{MemoryMiB: o.memMiB, NoReboot: o.noReboot, Engine: o.engine}
	if o.icount.on {
		cfg.Deterministic = true
		cfg.NsPerInstruction = 1 << o.icount.shift
	}
	if snap != nil {
		if err := applySnapshotConfig(o, snap, &cfg); err != nil {
			return fail(err)
		}
	}
	if !cfg.Deterministic {
		cfg.StartTime = time.Now() // the one host clock sample devices get
	}
	switch {
	case serialStdio:
		cfg.Serial = con.serialOut()
	case strings.HasPrefix(o.serial, "file:"):
		f, err := os.Create(strings.TrimPrefix(o.serial, "file:"))
		if err != nil {
			return fail(fmt.Errorf("-serial: %w", err))
		}
		defer f.Close()
		cfg.Serial = f
	}
	if showVGA {
		cfg.Display = con.displayOut()
	}
	disks, err := o.disk.open(&cfg)
	if err != nil {
		return fail(err)
	}
	defer disks.Close()
	m, err := machine.New(cfg)
	if err != nil {
		return fail(err)
	}
	defer m.Close()
	closeTrace, err := o.dbg.startTrace(m, h.err)
	if err != nil {
		return fail(err)
	}
	defer closeTrace()
	ln, err := o.dbg.listen()
	if err != nil {
		return fail(err)
	}
	if ln != nil {
		defer ln.Close() // ServeGDB closes it too; this covers early failures
	}
	if kernel != nil {
		if err := m.LoadLinux(kernel, initrd, o.cmdline); err != nil {
			return fail(fmt.Errorf("-kernel %s: %w", o.kernel, err))
		}
	} else if snap == nil && cfg.BIOSImage == nil {
		// Disks without -bios boot through the embedded BIOS; with
		// nothing to boot, the built-in demo runs.
		var hard []bios.Drive
		for _, d := range cfg.Disks {
			if d != nil {
				hard = append(hard, d)
			}
		}
		if len(hard) > 0 {
			if err := loadEmbeddedBIOS(m, hard, !showVGA); err != nil {
				return fail(err)
			}
		} else if err := m.LoadProgram(demo.Image()); err != nil {
			return fail(err)
		}
	}
	if snap != nil {
		if err := m.RestoreSnapshot(snap); err != nil {
			return fail(fmt.Errorf("-loadvm %s: %w", o.loadvm, err))
		}
	}
	finishRecording, err := startRecordReplay(o, m, replay, files)
	if err != nil {
		return fail(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigs)
	var sig atomic.Value // the os.Signal that stopped the run
	go func() {
		select {
		case s := <-sigs:
			sig.Store(s)
			cancel()
		case <-ctx.Done():
		}
	}()

	serialIn, keysIn := m.SendSerial, m.SendKeys
	if replay != nil { // the input comes from the recording
		serialIn, keysIn = func([]byte) {}, func([]byte) {}
	}
	con.mon = &monitor{m: m, quit: cancel}
	if err := con.start(showVGA, serialStdio, serialIn, keysIn, cancel); err != nil {
		return fail(err)
	}
	var res machine.Result
	if ln == nil {
		res, err = runGuest(ctx, m, o.stats, h.err)
	} else {
		res, err = o.dbg.run(ctx, m, ln, h.err)
	}
	cancel()
	closeTrace()
	con.stop()
	if rerr := finishRecording(); rerr != nil && err == nil {
		fmt.Fprintf(h.err, "bt86: -record %s: %v\n", o.record, rerr)
	}
	signaled, _ := sig.Load().(os.Signal)
	if showVGA { // leave the last screen on the terminal
		fmt.Fprintln(h.out, strings.TrimRight(strings.Join(m.VGA().Text(), "\n"), "\n"))
	}

	var ie *machine.InternalError
	if errors.As(err, &ie) {
		fmt.Fprintf(h.err, "bt86: %v (a bt86 bug: please report it with the command line)\n", err)
		if os.Getenv("BT86_TRACEBACK") != "" {
			h.err.Write(ie.Stack)
		}
		return exitInternal
	}
	if err != nil {
		fmt.Fprintf(h.err, "bt86: %v\n", err)
		return exitGuest
	}
	what := res.String()
	switch {
	case res.Reason == machine.ReasonCanceled && signaled != nil:
		what = fmt.Sprintf("stopped by %v", signaled)
	case res.Reason == machine.ReasonCanceled && res.Detail != "":
		what = res.Detail
	case res.Reason == machine.ReasonCanceled:
		what = "quit (Ctrl-A x)"
	}
	fmt.Fprintf(h.err, "bt86: %s after %d instructions, %.1f s, %.1f MIPS\n",
		what, res.Instructions, res.HostTime.Seconds(), res.MIPS())
	if o.stats {
		printStats(h.err, res)
		if e := m.DBT(); e != nil && e.StepProfile != nil {
			printProfile(h.err, e.StepProfile)
		}
	}
	if o.stats || o.record != "" || o.replay != "" {
		fmt.Fprintln(h.err, hashLine(m))
	}
	switch res.Reason {
	case machine.ReasonTripleFault:
		return exitGuest
	case machine.ReasonDebugExit:
		return res.ExitStatus
	case machine.ReasonCanceled:
		if signaled != nil {
			return 128 + signalNumber(signaled)
		}
	}
	return exitOK
}

func signalNumber(s os.Signal) int {
	if n, ok := s.(syscall.Signal); ok {
		return int(n)
	}
	return 1
}

// readFile reads a boot file with a one-line error naming the flag.
func readFile(flagName, path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("%s %s: %v", flagName, path, err)
	}
	return b, nil
}

// printProfile prints the 40 most frequent instructions the translator
// handed to the interpreter (BT86_DBT_PROFILE=1).
func printProfile(w io.Writer, prof map[string]uint64) {
	keys := make([]string, 0, len(prof))
	for k := range prof {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return prof[keys[i]] > prof[keys[j]] })
	for _, k := range keys[:min(40, len(keys))] {
		fmt.Fprintf(w, "bt86: dbt step %10d  %s\n", prof[k], k)
	}
}

func printStats(w io.Writer, r machine.Result) {
	fmt.Fprintf(w, "bt86: stats: instructions %d, host %.3f s, %.1f MIPS, virtual time %.3f s, resets %d\n",
		r.Instructions, r.HostTime.Seconds(), r.MIPS(), float64(r.VirtualTime)/1e9, r.Resets)
	c := r.CPU
	fmt.Fprintf(w, "bt86: stats: cpu retired=%d traces=%d trace-hits=%d invalidations=%d exceptions=%d interrupts=%d\n",
		c.Retired, c.Traces, c.TraceHits, c.Invalidations, c.Exceptions, c.Interrupts)
	fmt.Fprintf(w, "bt86: stats: mmu %v\n", r.MMU)
	if r.DBT != nil {
		fmt.Fprintf(w, "bt86: stats: dbt %v\n", *r.DBT)
	}
}
