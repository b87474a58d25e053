package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// fakeGuest is a guest runner whose "guest" is bash reading command lines
// from the pipe, like the serial shell (prompt "~ # ", no echo).
func fakeGuest(t *testing.T, script string) *guestRunner {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash not found")
	}
	return &guestRunner{name: "fake", argv: []string{bash, "-c", script},
		fatal: regexp.MustCompile(`(?m)^(.*KVM internal error.*)$`)}
}

const fakeShell = `printf 'booting\n~ # '; while IFS= read -r line; do
  [ "$line" = exit ] && exit 0
  eval "$line"; printf '~ # '
done`

func TestGuestSession(t *testing.T) {
	g := fakeGuest(t, fakeShell)
	ctx := context.Background()
	s, boot, err := g.Start(ctx, time.Minute)
	require.NoError(t, err)
	require.Greater(t, boot, time.Duration(0))
	defer s.Close()
	for _, tc := range []struct {
		name       string
		w          Workload
		timeout    time.Duration
		wantStatus string
		wantOutput string
	}{
		{"ok", Workload{Name: "a", Script: func(string) string { return "echo hello" }}, time.Minute, "ok", "hello"},
		{"exit status", Workload{Name: "b", Script: func(string) string { return "false" }}, time.Minute, "failed: exit status 1", ""},
		{"pipefail is on", Workload{Name: "c", Script: func(string) string { return "false | true" }}, time.Minute, "failed: exit status 1", ""},
		{"expected output", Workload{Name: "d", Script: func(string) string { return "echo 123" }, Expect: "456"}, time.Minute, `failed: output "123" lacks "456"`, "123"},
		{"timeout, the shell still answers", Workload{Name: "e", Script: func(string) string { return "sleep 0.5" }}, 10 * time.Millisecond, "timeout (10ms)", ""},
		{"after a timeout", Workload{Name: "f", Script: func(string) string { return "echo again" }}, time.Minute, "ok", "again"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := s.Run(ctx, tc.w, "1-"+tc.w.Name, tc.timeout)
			require.Equal(t, tc.wantStatus, r.Status)
			require.Equal(t, tc.wantOutput, r.Output)
			require.False(t, r.broken)
			if r.OK() {
				require.GreaterOrEqual(t, r.Seconds, 0.0)
			}
		})
	}
	require.Nil(t, s.BootStats(), "no snapshots asked for")
}

func TestGuestUnavailable(t *testing.T) {
	for _, tc := range []struct {
		name, script, want string
		timeout            time.Duration
	}{
		{"exits before the prompt", `echo 'bt86: engine "dbt" is not available here' >&2; exit 2`,
			`exited before the shell prompt: bt86: engine "dbt" is not available here`, time.Minute},
		{"fatal message", `printf 'KVM internal error. Suberror: 1\nextra data[0]: 0x1\nemulation failure\nEAX=0\n' >&2; sleep 60`,
			"KVM internal error. Suberror: 1; emulation failure", time.Minute},
		{"no prompt in time", `echo 'Probing EDD'; sleep 60`, "no shell prompt within 200ms (last output: Probing EDD)", 200 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := fakeGuest(t, tc.script).Start(context.Background(), tc.timeout)
			var u *Unavailable
			require.True(t, errors.As(err, &u), "%v", err)
			require.Equal(t, tc.want, u.Reason)
		})
	}
	_, _, err := (&guestRunner{name: "x", argv: []string{filepath.Join(t.TempDir(), "missing")}}).Start(context.Background(), time.Second)
	var u *Unavailable
	require.True(t, errors.As(err, &u))
	require.Contains(t, u.Reason, "no such file or directory")
}

// TestNative runs two workloads under the guests' busybox on the host.
func TestNative(t *testing.T) {
	bb := filepath.Join(os.Getenv("HOME"), ".cache", "bt86", "guests", "busybox")
	if d := os.Getenv("BT86_GUEST_DIR"); d != "" {
		bb = filepath.Join(d, "busybox")
	}
	if _, err := os.Stat(bb); err != nil {
		t.Skip("no guest busybox: run scripts/fetch-guests.sh")
	}
	n, err := newNative(bb, t.TempDir())
	var u *Unavailable
	if errors.As(err, &u) {
		t.Skipf("native runner unavailable here: %s", u.Reason)
	}
	require.NoError(t, err)
	ctx := context.Background()
	wls := workloads(sizes{loop: 10, md5MiB: 1, gzipBB: 1, forks: 3, ddBytes: 10, touchMB: 1}, 0)
	for _, w := range wls {
		r := n.Run(ctx, w, "t-"+w.Name, time.Minute)
		if w.Boot() {
			require.Equal(t, "skipped: no boot natively", r.Status)
			continue
		}
		require.Equal(t, "ok", r.Status, "%s: %s", w.Name, r.Output)
	}
	r := n.Run(ctx, Workload{Name: "slow", Script: func(string) string { return "sleep 5" }}, "t-slow", 50*time.Millisecond)
	require.Equal(t, "timeout (50ms)", r.Status)

	_, err = newNative(filepath.Join(t.TempDir(), "nope"), t.TempDir())
	require.True(t, errors.As(err, &u))
	require.Contains(t, u.Reason, "the host cannot run the i386 busybox")
}
