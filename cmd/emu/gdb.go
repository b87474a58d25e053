package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"os"

	"bt86/gdbstub"
	"bt86/machine"
)

// debugOptions are the debugging flags: the gdb stub (-s, -gdb, -S) and
// trace logging (-d, -D, -dfilter; trace.go).
type debugOptions struct {
	gdbDefault bool   // -s: -gdb tcp::1234
	gdb        string // -gdb tcp:[HOST]:PORT
	wait       bool   // -S
	trace      string // -d LIST
	traceFile  string // -D FILE
	filter     string // -dfilter RANGES

	flags  machine.TraceFlags
	ranges []machine.AddrRange
}

// defaultGDBAddr is QEMU's -s.
const defaultGDBAddr = "tcp::1234"

func (d *debugOptions) register(fs *flag.FlagSet) {
	fs.BoolVar(&d.gdbDefault, "s", false, "")
	fs.StringVar(&d.gdb, "gdb", "", "")
	fs.BoolVar(&d.wait, "S", false, "")
	fs.StringVar(&d.trace, "d", "", "")
	fs.StringVar(&d.traceFile, "D", "", "")
	fs.StringVar(&d.filter, "dfilter", "", "")
}

// check validates the debugging flags after parsing. -d help prints the
// categories and returns flag.ErrHelp.
func (d *debugOptions) check(stderr io.Writer) error {
	if d.gdbDefault && d.gdb == "" {
		d.gdb = defaultGDBAddr
	}
	if d.wait && d.gdb == "" {
		return fmt.Errorf("-S waits for a debugger: use it with -s or -gdb tcp::PORT")
	}
	if d.gdb != "" {
		if _, err := gdbstub.ListenAddr(d.gdb); err != nil {
			return fmt.Errorf("-gdb: %v", err)
		}
	}
	if d.trace == "help" {
		fmt.Fprint(stderr, "trace categories for -d (comma-separated):\n"+machine.TraceHelp())
		return flag.ErrHelp
	}
	var err error
	if d.flags, err = machine.ParseTraceFlags(d.trace); err != nil {
		return fmt.Errorf("-d: %v (emu -d help lists them)", err)
	}
	if d.filter != "" {
		if d.ranges, err = machine.ParseAddrRanges(d.filter); err != nil {
			return fmt.Errorf("-dfilter: %v", err)
		}
	}
	return nil
}

// listen opens the gdb stub's listener (nil without -s or -gdb).
func (d *debugOptions) listen() (net.Listener, error) {
	if d.gdb == "" {
		return nil, nil
	}
	return gdbstub.Listen(d.gdb)
}

// run runs the machine: under the gdb stub when ln is set, else with
// Machine.Run.
func (d *debugOptions) run(ctx context.Context, m *machine.Machine, ln net.Listener, stderr io.Writer) (machine.Result, error) {
	if ln == nil {
		return m.Run(ctx)
	}
	addr := ln.Addr().String()
	if d.wait {
		fmt.Fprintf(stderr, "bt86: waiting for gdb on %s (gdb -ex 'target remote %s')\r\n", addr, addr)
	} else {
		fmt.Fprintf(stderr, "bt86: gdb stub listening on %s\r\n", addr)
	}
	opt := machine.GDBOptions{Wait: d.wait}
	if os.Getenv("BT86_GDB_LOG") != "" { // the stub's packets, for debugging the stub
		opt.Logf = func(format string, args ...any) { fmt.Fprintf(stderr, "gdbstub: "+format+"\r\n", args...) }
	}
	return m.ServeGDB(ctx, ln, opt)
}
