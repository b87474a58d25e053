package main

import (
	"fmt"
	"strings"

	"bt86/machine"
)

// Messages that frame a monitor session on the console.
const (
	monitorBanner = "\r\n[bt86 monitor: help lists the commands, Ctrl-A c returns to the guest]\r\n"
	monitorLeave  = "\r\n[bt86 monitor closed]\r\n"
	monitorPrompt = "(bt86) "
)

// monitor is the QEMU-like command prompt reached with Ctrl-A c. It runs
// commands on the machine while the guest keeps running; the machine
// takes snapshots and statistics between two CPU slices.
type monitor struct {
	m    *machine.Machine
	quit func()
	line []byte
}

// input handles typed bytes and returns what to print: the echo, and the
// output of each completed command.
func (mo *monitor) input(b []byte) string {
	var out strings.Builder
	for _, c := range b {
		switch c {
		case '\r', '\n':
			out.WriteString("\r\n")
			cmd := string(mo.line)
			mo.line = mo.line[:0]
			if res := mo.exec(cmd); res != "" {
				out.WriteString(strings.ReplaceAll(res, "\n", "\r\n"))
				out.WriteString("\r\n")
			}
			out.WriteString(monitorPrompt)
		case 0x7F, 0x08:
			if len(mo.line) > 0 {
				mo.line = mo.line[:len(mo.line)-1]
				out.WriteString("\b \b")
			}
		default:
			if c >= 0x20 && c < 0x7F {
				mo.line = append(mo.line, c)
				out.WriteByte(c)
			}
		}
	}
	return out.String()
}

// exec runs one command line and returns its output.
func (mo *monitor) exec(line string) string {
	f := strings.Fields(line)
	if len(f) == 0 {
		return ""
	}
	switch {
	case f[0] == "help" || f[0] == "?":
		return strings.Join([]string{
			"savevm FILE   save the whole machine to FILE (emu -loadvm FILE restores it)",
			"info status   run state, instruction count, virtual time",
			"info hash     the state hash (as -stats prints at exit)",
			"stats         emulation statistics",
			"quit          stop emu",
		}, "\n")
	case f[0] == "savevm" && len(f) == 2:
		n, err := saveSnapshotFile(mo.m, f[1])
		if err != nil {
			return fmt.Sprintf("savevm: %v", err)
		}
		return fmt.Sprintf("saved %s (%d bytes) at instruction %d", f[1], n, mo.m.InstructionCount())
	case f[0] == "savevm":
		return "usage: savevm FILE"
	case f[0] == "info" && len(f) == 2 && f[1] == "status":
		s := mo.m.Status()
		mode := "host time"
		if s.Deterministic {
			mode = "deterministic"
		}
		switch {
		case s.Recording:
			mode += ", recording"
		case s.Replaying:
			mode += ", replaying"
		}
		state := "stopped"
		switch {
		case s.Running && s.Halted:
			state = "running (guest idle)"
		case s.Running:
			state = "running"
		}
		return fmt.Sprintf("VM status: %s, %s; instruction %d, virtual time %.3f s, at %04x:%08x",
			state, mode, s.Instructions, float64(s.VirtualTime)/1e9, s.CS, s.EIP)
	case f[0] == "info" && len(f) == 2 && f[1] == "hash":
		return strings.TrimPrefix(hashLine(mo.m), "bt86: ")
	case f[0] == "stats":
		s := mo.m.Status()
		c := s.CPU
		return fmt.Sprintf("instructions %d, virtual time %.3f s\ncpu retired=%d traces=%d trace-hits=%d invalidations=%d exceptions=%d interrupts=%d\nmmu %v",
			s.Instructions, float64(s.VirtualTime)/1e9, c.Retired, c.Traces, c.TraceHits, c.Invalidations, c.Exceptions, c.Interrupts, s.MMU)
	case f[0] == "quit" || f[0] == "q":
		mo.quit()
		return ""
	}
	return fmt.Sprintf("unknown command %q: try help", line)
}
