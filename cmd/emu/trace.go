package main

import (
	"bufio"
	"fmt"
	"io"
	"os"

	"bt86/machine"
)

// startTrace installs the -d trace hooks on m, logging to -D FILE or to
// stderr. The returned function (idempotent) flushes and closes the log.
func (d *debugOptions) startTrace(m *machine.Machine, stderr io.Writer) (func(), error) {
	if d.flags == 0 {
		return func() {}, nil
	}
	var out io.Writer = stderr
	var f *os.File
	if d.traceFile != "" {
		var err error
		if f, err = os.Create(d.traceFile); err != nil {
			return nil, fmt.Errorf("-D: %w", err)
		}
		out = f
	}
	w := bufio.NewWriterSize(out, 1<<20)
	m.SetTrace(machine.TraceConfig{Flags: d.flags, Out: w, Filter: d.ranges})
	done := false
	return func() {
		if done {
			return
		}
		done = true
		m.SetTrace(machine.TraceConfig{})
		w.Flush()
		if f != nil {
			f.Close()
		}
	}, nil
}
