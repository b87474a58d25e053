package machine

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// shellSession runs m until the busybox shell of the test initramfs
// answers on con, runs TestLinuxBoot's scripted session and checks, and
// powers off; it returns each command's output and the run's result.
// name prefixes the timing lines it prints. (It is TestLinuxBoot's
// session taking a machine already loaded: the direct boot and the boots
// through firmware share it.)
func shellSession(t *testing.T, m *Machine, con *console, name string) (outputs []string, res Result) {
	limit := 40 * time.Minute
	if dl, ok := t.Deadline(); ok {
		limit = min(limit, time.Until(dl)-20*time.Second)
	}
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	var runErr error
	done := make(chan struct{})
	start, cpu0 := time.Now(), sessionCPUTime()
	go func() {
		defer close(done)
		res, runErr = m.Run(ctx)
		cancel()
	}()
	defer func() { cancel(); <-done }() // before m.Close
	fail := func(format string, args ...any) {
		cancel()
		<-done
		t.Fatalf("%s\nrun: %v %v (%s) after %d instructions\nserial tail:\n%s",
			fmt.Sprintf(format, args...), res.Reason, runErr, res, res.Instructions, con.tail(3000))
	}

	pos, err := con.waitFor(ctx, 0, "BT86-INIT-READY")
	if err != nil {
		fail("%v", err)
	}
	ready := time.Since(start)
	if pos, err = con.waitFor(ctx, pos, "~ # "); err != nil {
		fail("%v", err)
	}
	prompt := time.Since(start)
	fmt.Printf("%s: BT86-INIT-READY after %.1f s, shell prompt after %.1f s (host time, deterministic mode; process CPU time %.1f s)\n",
		name, ready.Seconds(), prompt.Seconds(), (sessionCPUTime() - cpu0).Seconds())

	for _, c := range []struct {
		cmd  string
		want []string
	}{
		{"uname -a", []string{"Linux (none) 6.1.0-50-686 #1 SMP PREEMPT_DYNAMIC Debian 6.1.176-1", "i686 GNU/Linux"}},
		// Linux names a family 6 model 6 part by its cache size, not by
		// the brand string.
		{"cat /proc/cpuinfo", []string{"vendor_id\t: GenuineIntel", "cpu family\t: 6", "model\t\t: 6", "flags\t\t: fpu vme de pse tsc msr pae cx8 sep mtrr pge cmov"}},
		{"ls /", []string{"bin", "dev", "init", "proc", "sys"}},
		{"dd if=/dev/zero bs=1M count=16 | md5sum", []string{"16+0 records out", "2c7ab85a893283e98c931e9511add182  -"}},
	} {
		t0 := time.Now()
		m.SendSerial([]byte(c.cmd + "\n"))
		end, err := con.waitFor(ctx, pos, "\n~ # ")
		if err != nil {
			fail("%s: %v", c.cmd, err)
		}
		out := con.String()[pos:end]
		pos = end
		outputs = append(outputs, out)
		for _, w := range c.want {
			require.Contains(t, out, w, "output of %s", c.cmd)
		}
		fmt.Printf("%s: %q took %.1f s\n", name, c.cmd, time.Since(t0).Seconds())
	}

	m.SendSerial([]byte("poweroff -f\n"))
	select {
	case <-done:
	case <-ctx.Done():
		<-done
	}
	if runErr != nil && !errors.Is(runErr, context.Canceled) {
		fail("run: %v", runErr)
	}
	require.Equal(t, ReasonPowerOff, res.Reason, "serial tail:\n%s", con.tail(2000))
	require.Contains(t, con.String()[pos:], "reboot: System halted")
	// The kernel log: no oops or warning splat, and a calibrated timer
	// (the TSC measured against the PIT, as on a real P6).
	log := con.String()
	checkKernelLog(t, log)
	require.Contains(t, log, "clocksource: Switched to clocksource tsc")
	fmt.Printf("%s: powered off after %.1f s, %d instructions, %.1f MIPS, virtual %.1f s\n",
		name, time.Since(start).Seconds(), res.Instructions, res.MIPS(), float64(res.VirtualTime)/1e9)
	return outputs, res
}

// checkKernelLog fails t on a kernelLogProblem.
func checkKernelLog(t *testing.T, log string) {
	t.Helper()
	if p := kernelLogProblem(log); p != "" {
		t.Fatalf("kernel log: %s", p)
	}
	if strings.Contains(log, "Marking TSC unstable") {
		fmt.Println("note: the clocksource watchdog's PIT read raced a tick (see kernelLogProblem)")
	}
}

// kernelLogProblem checks a Linux boot's log: no oops or warning splat, a
// known CPU, and a calibrated TSC (measured against the PIT, as on a real
// P6) that the clocksource watchdog keeps. It returns what is wrong, or "".
//
// One watchdog verdict is not the TSC's fault: with no HPET or ACPI PM
// timer the watchdog is the PIT clocksource, whose reading is jiffies plus
// the counter, and a read after the counter wrapped but before the tick's
// interrupt was handled comes out one tick (4 ms at HZ=250) short; the
// next interval then looks one tick long. When that happens depends on
// where the host-timed serial input lands in the guest's timeline, so a
// report whose skew is one tick (within 0.5 ms) is that race; any other
// skew is a problem.
func kernelLogProblem(log string) string {
	for _, bad := range []string{"Oops", "BUG:", "Call Trace:", "WARNING:", "Kernel panic",
		"tsc: Unable to calibrate", "Unknown CPU"} {
		if strings.Contains(log, bad) {
			return fmt.Sprintf("contains %q", bad)
		}
	}
	if !strings.Contains(log, "tsc: Detected") {
		return "no TSC calibration"
	}
	if !strings.Contains(log, "Marking TSC unstable") {
		return ""
	}
	wd := regexp.MustCompile(`'pit' wd_nsec: (\d+)`).FindStringSubmatch(log)
	cs := regexp.MustCompile(`'tsc' cs_nsec: (\d+)`).FindStringSubmatch(log)
	if wd == nil || cs == nil {
		return "TSC marked unstable, and not against the PIT"
	}
	w, _ := strconv.ParseInt(wd[1], 10, 64)
	c, _ := strconv.ParseInt(cs[1], 10, 64)
	const tick, slack = 4_000_000, 500_000
	if skew := max(w-c, c-w); skew < tick-slack || skew > tick+slack {
		return fmt.Sprintf("TSC marked unstable: over one watchdog interval the PIT counted %d ns, the TSC %d ns", w, c)
	}
	return ""
}
