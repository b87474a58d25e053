package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"unknown flag", []string{"-fast"}, "flag provided but not defined: -fast (go run ./bench -h for help)"},
		{"stray argument", []string{"now"}, `unexpected argument "now"`},
		{"bad reps", []string{"-reps", "0x"}, `invalid value "0x" for flag -reps`},
		{"reps out of range", []string{"-reps", "1000"}, "-reps 1000: want 1 to 100"},
		{"negative timeout", []string{"-timeout", "-1s"}, "timeouts must be positive"},
		{"negative budget", []string{"-budget", "-1m"}, "timeouts must be positive"},
		{"memory", []string{"-m", "16"}, "-m 16: want 64 to 3072 MiB"},
		{"unknown runner", []string{"-runners", "bochs"}, `-runners: unknown name "bochs" (known: bt86-dbt, bt86-interp, qemu-tcg, qemu-kvm, native)`},
		{"no runner", []string{"-runners", ","}, "-runners: empty"},
		{"unknown workload", []string{"-workloads", "boot,compile"}, `-workloads: unknown name "compile"`},
		{"missing guests", []string{"-guests", filepath.Join(dir, "none")}, "guest file missing: stat " + filepath.Join(dir, "none", "vmlinuz") + ": no such file or directory (run scripts/fetch-guests.sh)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			err := run(context.Background(), tc.args, &out, &errb)
			require.Error(t, err)
			require.Contains(t, err.Error(), tc.want)
			require.NotContains(t, err.Error(), "\n")
			require.Empty(t, out.String())
			require.Empty(t, errb.String())
		})
	}
}

func TestHelp(t *testing.T) {
	var out, errb bytes.Buffer
	err := run(context.Background(), []string{"-h"}, &out, &errb)
	require.True(t, errors.Is(err, flag.ErrHelp))
	require.Contains(t, errb.String(), "usage: go run ./bench")
	require.Contains(t, errb.String(), "-quick")
}

func TestDefaults(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		reps    int
		timeout time.Duration
		micro   bool
	}{
		{nil, 3, 5 * time.Minute, true},
		{[]string{"-quick"}, 1, 2 * time.Minute, false},
		{[]string{"-quick", "-micro", "-reps", "2"}, 2, 2 * time.Minute, true},
		{[]string{"-micro=false", "-timeout", "1m"}, 3, time.Minute, false},
	} {
		c, err := parseFlags(tc.args, &bytes.Buffer{})
		require.NoError(t, err)
		require.Equal(t, tc.reps, c.reps, "%v", tc.args)
		require.Equal(t, tc.timeout, c.timeout, "%v", tc.args)
		require.Equal(t, tc.micro, c.micro, "%v", tc.args)
		require.Equal(t, runnerOrder, c.runners)
		require.Equal(t, "boot,sh-loop,md5sum,gzip,fork-exec,syscall,page-fault", strings.Join(c.workloads, ","))
	}
}
