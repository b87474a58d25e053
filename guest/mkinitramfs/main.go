// Command mkinitramfs builds a gzip-compressed newc initramfs around a
// static busybox, for booting Linux guests in bt86.
//
// Usage:
//
//	mkinitramfs -busybox PATH -o OUT [-extra name=path ...]
//
// The archive holds /bin/busybox, a symlink in /bin for every applet (from
// `busybox --list`, or a built-in list when the binary cannot run here),
// /dev/console, /dev/ttyS0, /dev/tty and /dev/null, the usual empty
// directories, and an /init script that mounts proc, sysfs and devtmpfs,
// prints the line BT86-INIT-READY on the console and runs an interactive
// shell (prompt "~ # ") with job control through busybox cttyhack. When that
// shell exits, /init prints BT86-SHELL-EXIT and powers the machine off.
//
// -extra name=path (repeatable) adds the host file path as name in the
// archive, keeping its permission bits; missing parent directories are
// created. The output is reproducible: same inputs, same bytes.
package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"bt86/guest/cpio"
)

// ReadyMarker is the line /init prints once the guest is up.
const ReadyMarker = "BT86-INIT-READY"

// initScript is /init.
const initScript = `#!/bin/sh
# bt86 initramfs: mount the virtual file systems, announce readiness on the
# console, then run an interactive shell with job control.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
export HOME=/root
export TERM=vt100
export PS1='~ # '
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null || true
cd /root
echo "` + ReadyMarker + `"
setsid cttyhack sh
echo "BT86-SHELL-EXIT"
sync
poweroff -f
`

// fallbackApplets is used when `busybox --list` cannot run on this host.
func fallbackApplets() []string {
	return []string{
		"sh", "mount", "umount", "ls", "cat", "echo", "uname", "md5sum", "dd", "gzip",
		"true", "false", "poweroff", "reboot", "sleep", "mkdir", "mknod", "ps", "dmesg",
		"seq", "head", "wc", "sync", "expr", "test", "[", "printf", "time", "awk", "sed",
		"grep", "setsid", "cttyhack",
	}
}

// options are the command-line settings.
type options struct {
	busybox string
	out     string
	extras  []extra
}

type extra struct {
	name, path string
}

// extraFlag collects repeated -extra name=path flags.
type extraFlag struct{ list *[]extra }

func (f extraFlag) String() string {
	if f.list == nil {
		return ""
	}
	var s []string
	for _, e := range *f.list {
		s = append(s, e.name+"="+e.path)
	}
	return strings.Join(s, ",")
}

func (f extraFlag) Set(v string) error {
	name, p, ok := strings.Cut(v, "=")
	if !ok || name == "" || p == "" {
		return fmt.Errorf("want name=path, got %q", v)
	}
	*f.list = append(*f.list, extra{name: name, path: p})
	return nil
}

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "mkinitramfs:", err)
		os.Exit(1)
	}
}

func run(args []string, log io.Writer) error {
	var o options
	fs := flag.NewFlagSet("mkinitramfs", flag.ContinueOnError)
	fs.SetOutput(log)
	fs.StringVar(&o.busybox, "busybox", "", "path of a static busybox binary (required)")
	fs.StringVar(&o.out, "o", "", "output file, a gzip-compressed newc cpio (required)")
	fs.Var(extraFlag{&o.extras}, "extra", "add a host file: name=path (repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.busybox == "" || o.out == "" || fs.NArg() != 0 {
		fs.Usage()
		return errors.New("need -busybox PATH and -o OUT")
	}

	bb, err := os.ReadFile(o.busybox)
	if err != nil {
		return err
	}
	applets, err := listApplets(o.busybox)
	if err != nil {
		fmt.Fprintf(log, "mkinitramfs: %v; using the built-in applet list\n", err)
		applets = fallbackApplets()
	}
	img, n, err := build(bb, applets, o.extras)
	if err != nil {
		return err
	}
	if err := writeFileAtomic(o.out, img); err != nil {
		return err
	}
	fmt.Fprintf(log, "mkinitramfs: wrote %s: %d entries, %d applets, %d bytes\n", o.out, n, len(applets), len(img))
	return nil
}

// listApplets runs `busybox --list`.
func listApplets(busybox string) ([]string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, busybox, "--list").Output()
	if err != nil {
		return nil, fmt.Errorf("%s --list: %w", busybox, err)
	}
	var applets []string
	for _, l := range strings.Split(string(out), "\n") {
		l = strings.TrimSpace(l)
		if l == "" || l == "busybox" || strings.ContainsAny(l, "/\x00") || l == "." || l == ".." {
			continue
		}
		applets = append(applets, l)
	}
	if len(applets) == 0 {
		return nil, fmt.Errorf("%s --list printed no applets", busybox)
	}
	return applets, nil
}

// build returns the compressed archive and its number of entries.
func build(busybox []byte, applets []string, extras []extra) ([]byte, int, error) {
	var raw bytes.Buffer
	w := cpio.NewWriter(&raw)
	a := &archive{w: w, dirs: map[string]bool{}}

	for _, d := range []string{"bin", "sbin", "usr", "usr/bin", "usr/sbin", "dev", "etc", "proc", "sys", "root", "mnt", "run"} {
		a.dir(d, 0o755)
	}
	a.dir("tmp", 0o1777)
	a.add(cpio.Header{Name: "dev/console", Mode: cpio.TypeChar | 0o600, RDevMajor: 5, RDevMinor: 1}, nil)
	a.add(cpio.Header{Name: "dev/tty", Mode: cpio.TypeChar | 0o666, RDevMajor: 5, RDevMinor: 0}, nil)
	a.add(cpio.Header{Name: "dev/ttyS0", Mode: cpio.TypeChar | 0o660, RDevMajor: 4, RDevMinor: 64}, nil)
	a.add(cpio.Header{Name: "dev/null", Mode: cpio.TypeChar | 0o666, RDevMajor: 1, RDevMinor: 3}, nil)
	a.add(cpio.Header{Name: "etc/passwd", Mode: cpio.TypeReg | 0o644}, []byte("root:x:0:0:root:/root:/bin/sh\n"))
	a.add(cpio.Header{Name: "etc/group", Mode: cpio.TypeReg | 0o644}, []byte("root:x:0:\n"))
	a.add(cpio.Header{Name: "bin/busybox", Mode: cpio.TypeReg | 0o755}, busybox)

	sorted := append([]string(nil), applets...)
	sort.Strings(sorted)
	seen := map[string]bool{}
	for _, ap := range sorted {
		if seen[ap] {
			continue
		}
		seen[ap] = true
		a.add(cpio.Header{Name: "bin/" + ap, Mode: cpio.TypeSymlink | 0o777, Linkname: "busybox"}, nil)
	}
	a.add(cpio.Header{Name: "init", Mode: cpio.TypeReg | 0o755}, []byte(initScript))

	for _, e := range extras {
		name, err := cpio.CleanName(e.name)
		if err != nil {
			return nil, 0, err
		}
		st, err := os.Stat(e.path)
		if err != nil {
			return nil, 0, err
		}
		if !st.Mode().IsRegular() {
			return nil, 0, fmt.Errorf("extra %s: %s is not a regular file", name, e.path)
		}
		data, err := os.ReadFile(e.path)
		if err != nil {
			return nil, 0, err
		}
		a.parents(name)
		a.add(cpio.Header{Name: name, Mode: cpio.TypeReg | uint32(st.Mode().Perm())}, data)
	}
	if a.err != nil {
		return nil, 0, a.err
	}
	if err := w.Close(); err != nil {
		return nil, 0, err
	}

	var gz bytes.Buffer
	zw, err := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	if err != nil {
		return nil, 0, err
	}
	// The zero gzip header (no name, ModTime 0) keeps the output reproducible.
	if _, err := zw.Write(raw.Bytes()); err != nil {
		return nil, 0, err
	}
	if err := zw.Close(); err != nil {
		return nil, 0, err
	}
	return gz.Bytes(), a.n, nil
}

// archive wraps a cpio.Writer with a sticky error and a set of directories.
type archive struct {
	w    *cpio.Writer
	dirs map[string]bool
	n    int
	err  error
}

func (a *archive) add(h cpio.Header, data []byte) {
	if a.err != nil {
		return
	}
	a.err = a.w.WriteEntry(h, data)
	a.n++
}

func (a *archive) dir(name string, perm uint32) {
	if a.dirs[name] {
		return
	}
	a.dirs[name] = true
	a.add(cpio.Header{Name: name, Mode: cpio.TypeDir | perm}, nil)
}

// parents adds the missing directories above name.
func (a *archive) parents(name string) {
	d := path.Dir(name)
	if d == "." {
		return
	}
	a.parents(d)
	a.dir(d, 0o755)
}

func writeFileAtomic(name string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), ".mkinitramfs-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}
