package main

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bt86/guest/cpio"
)

// fakeBusybox writes a shell script standing in for busybox.
func fakeBusybox(t *testing.T, listOK bool) string {
	t.Helper()
	script := "#!/bin/sh\nif [ \"$1\" = --list ]; then printf 'sh\\nls\\n[\\nbusybox\\ncttyhack\\nsetsid\\n'; exit 0; fi\nexit 1\n"
	if !listOK {
		script = "#!/bin/sh\nexit 127\n"
	}
	p := filepath.Join(t.TempDir(), "busybox")
	require.NoError(t, os.WriteFile(p, []byte(script), 0o755))
	return p
}

func readImage(t *testing.T, path string) map[string]cpio.Entry {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	zr, err := gzip.NewReader(f)
	require.NoError(t, err)
	entries, err := cpio.ReadAll(zr)
	require.NoError(t, err)
	m := map[string]cpio.Entry{}
	for _, e := range entries {
		m[e.Name] = e
	}
	return m
}

func TestRun(t *testing.T) {
	extraFile := filepath.Join(t.TempDir(), "tool")
	require.NoError(t, os.WriteFile(extraFile, []byte("payload"), 0o750))

	tests := []struct {
		name       string
		listOK     bool
		extra      []string
		wantErr    string
		wantLog    string
		wantLinks  []string
		notLinks   []string
		wantExtras map[string]uint32
	}{
		{
			name:      "applets from busybox --list",
			listOK:    true,
			wantLinks: []string{"sh", "ls", "[", "cttyhack", "setsid"},
			notLinks:  []string{"awk", "grep"},
			wantLog:   "5 applets",
		},
		{
			name:      "fallback applet list",
			listOK:    false,
			wantLinks: []string{"sh", "awk", "grep", "[", "poweroff", "cttyhack", "setsid"},
			wantLog:   "using the built-in applet list",
		},
		{
			name:       "extras",
			listOK:     true,
			extra:      []string{"-extra", "opt/tools/tool=" + extraFile, "-extra", "/bin/tool2=" + extraFile},
			wantExtras: map[string]uint32{"opt/tools/tool": 0o750, "bin/tool2": 0o750},
		},
		{
			name:    "extra collides",
			listOK:  true,
			extra:   []string{"-extra", "init=" + extraFile},
			wantErr: "duplicate entry init",
		},
		{
			name:    "bad extra flag",
			listOK:  true,
			extra:   []string{"-extra", "nopath"},
			wantErr: "want name=path",
		},
		{
			name:    "missing extra",
			listOK:  true,
			extra:   []string{"-extra", "x=/nonexistent/file"},
			wantErr: "no such file",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "initrd.img")
			args := append([]string{"-busybox", fakeBusybox(t, tc.listOK), "-o", out}, tc.extra...)
			var log bytes.Buffer
			err := run(args, &log)
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.wantErr)
				return
			}
			require.NoError(t, err, log.String())
			assert.Contains(t, log.String(), tc.wantLog)

			m := readImage(t, out)
			bb := m["bin/busybox"]
			assert.Equal(t, uint32(cpio.TypeReg|0o755), bb.Mode)
			assert.True(t, strings.HasPrefix(string(bb.Data), "#!/bin/sh"))

			for _, l := range tc.wantLinks {
				e, ok := m["bin/"+l]
				if assert.True(t, ok, "missing applet link %s", l) {
					assert.Equal(t, uint32(cpio.TypeSymlink), e.Type())
					assert.Equal(t, "busybox", e.Linkname)
				}
			}
			for _, l := range tc.notLinks {
				_, ok := m["bin/"+l]
				assert.False(t, ok, "unexpected applet link %s", l)
			}
			for name, perm := range tc.wantExtras {
				e, ok := m[name]
				if assert.True(t, ok, "missing extra %s", name) {
					assert.Equal(t, "payload", string(e.Data))
					assert.Equal(t, perm, e.Perm())
				}
			}
			_, ok := m["opt/tools"]
			assert.Equal(t, tc.wantExtras != nil, ok, "parent directories of extras")

			checkSkeleton(t, m)
		})
	}
}

func checkSkeleton(t *testing.T, m map[string]cpio.Entry) {
	t.Helper()
	for _, d := range []string{"bin", "dev", "proc", "sys", "tmp", "etc", "root"} {
		assert.Equal(t, uint32(cpio.TypeDir), m[d].Type(), d)
	}
	assert.Equal(t, uint32(0o1777), m["tmp"].Perm())
	nodes := map[string][2]uint32{"dev/console": {5, 1}, "dev/ttyS0": {4, 64}, "dev/null": {1, 3}, "dev/tty": {5, 0}}
	for name, dev := range nodes {
		e := m[name]
		assert.Equal(t, uint32(cpio.TypeChar), e.Type(), name)
		assert.Equal(t, dev, [2]uint32{e.RDevMajor, e.RDevMinor}, name)
	}
	init := m["init"]
	assert.Equal(t, uint32(cpio.TypeReg|0o755), init.Mode)
	s := string(init.Data)
	assert.True(t, strings.HasPrefix(s, "#!/bin/sh\n"))
	for _, want := range []string{
		"mount -t proc proc /proc", "mount -t sysfs sysfs /sys",
		"mount -t devtmpfs devtmpfs /dev 2>/dev/null || true",
		"\necho \"BT86-INIT-READY\"\n", "setsid cttyhack sh", "PS1='~ # '", "poweroff -f",
	} {
		assert.Contains(t, s, want)
	}
}

func TestReproducible(t *testing.T) {
	bb := fakeBusybox(t, true)
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	require.NoError(t, run([]string{"-busybox", bb, "-o", a}, &bytes.Buffer{}))
	require.NoError(t, run([]string{"-busybox", bb, "-o", b}, &bytes.Buffer{}))
	da, err := os.ReadFile(a)
	require.NoError(t, err)
	db, err := os.ReadFile(b)
	require.NoError(t, err)
	assert.Equal(t, da, db)
}

func TestUsage(t *testing.T) {
	var log bytes.Buffer
	err := run([]string{"-o", "x"}, &log)
	require.ErrorContains(t, err, "need -busybox PATH and -o OUT")
	assert.Contains(t, log.String(), "-extra")
}
