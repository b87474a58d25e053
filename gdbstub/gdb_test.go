package gdbstub

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRealGDB drives the stub with the real gdb (Debian package gdb).
func TestRealGDB(t *testing.T) {
	gdb, err := exec.LookPath("gdb")
	if err != nil {
		t.Skip("gdb not installed (apt-get install gdb): skipping the end-to-end test")
	}
	c, ram := newFlatCPU(t, gdbProgram)
	put32(ram, 0x2004, 0x55667788)
	put32(ram, 0x2008, 0x99aabbcc)
	put32(ram, 0x200c, 0xddeeff00)
	ln, err := Listen("127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var mu sync.Mutex
	var log strings.Builder
	srv := &Server{Target: NewCPUTarget(c), Logf: func(f string, a ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(&log, f+"\n", a...)
	}}
	defer func() {
		if t.Failed() {
			mu.Lock()
			t.Logf("stub log:\n%s", log.String())
			mu.Unlock()
		}
	}()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()

	cmds := []string{
		"set architecture i386",
		"target remote " + ln.Addr().String(),
		"break *0x1010",
		"continue",
		"info registers eip",
		"stepi 5",
		"info registers eip",
		"x/4xw 0x2000",
		"x/x 0x7ff00000",
		"watch *(int*)0x3000",
		"continue",
		"info registers eip eax ebx ecx",
		"monitor x/4xw 0x2000",
		"monitor info blocks",
		"detach",
	}
	args := []string{"-batch", "-nx"}
	for _, c := range cmds {
		args = append(args, "-ex", c)
	}
	out, err := exec.CommandContext(ctx, gdb, args...).CombinedOutput()
	t.Logf("gdb output:\n%s", out)
	require.NoError(t, err)
	s := string(out)
	for _, want := range []string{
		"Breakpoint 1 at 0x1010",
		"Breakpoint 1, 0x00001010 in ?? ()",
		"eip            0x1010",
		"0x0000101f in ?? ()",
		"eip            0x101f",
		"0x2000:\t0x11223344\t0x55667788\t0x99aabbcc\t0xddeeff00",
		"Cannot access memory at address 0x7ff00000",
		"Hardware watchpoint 2: *(int*)0x3000",
		"Old value = 0",
		"New value = 42",
		"eip            0x1029",
		"eax            0x5",
		"ebx            0x3",
		"ecx            0x4",
		"00002000: 0x11223344 0x55667788 0x99aabbcc 0xddeeff00",
		"interpreter: retired=",
	} {
		assert.Contains(t, s, want)
	}
	cancel()
	<-served
}
