package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(os.Stderr, "bench: %v\n", err)
		}
		os.Exit(2)
	}
}

// config is the parsed command line.
type config struct {
	quick       bool
	check       bool
	micro       bool
	reps        int
	runners     []string
	workloads   []string
	guests      string
	out         string
	results     string
	timeout     time.Duration
	bootTimeout time.Duration
	budget      time.Duration
	memMiB      int
	cmdline     string
	qemu        string
	emu         string
	args        []string
}

const usage = `usage: go run ./bench [flags]

Runs the guest workloads under every runner available here and prints a
Markdown table of medians, min-max and ratios to native and QEMU TCG.

`

func parseFlags(args []string, stderr io.Writer) (*config, error) {
	c := &config{args: args}
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are one line (main), -h prints the usage
	fs.Usage = func() {}
	var runners, workloads string
	home, _ := os.UserHomeDir()
	guests := os.Getenv("BT86_GUEST_DIR")
	if guests == "" {
		guests = filepath.Join(home, ".cache", "bt86", "guests")
	}
	fs.BoolVar(&c.quick, "quick", false, "one repetition of reduced workloads (CI)")
	fs.BoolVar(&c.check, "check", false, "exit with status 1 unless every runner gave figures or a reason and no workload failed")
	fs.IntVar(&c.reps, "reps", 0, "repetitions (default 3, or 1 with -quick)")
	fs.StringVar(&runners, "runners", strings.Join(runnerOrder, ","), "runners to use, comma-separated")
	fs.StringVar(&workloads, "workloads", "", "workloads to run, comma-separated (default all)")
	fs.StringVar(&c.guests, "guests", guests, "guest directory (vmlinuz, initrd.img, busybox)")
	fs.StringVar(&c.out, "out", filepath.Join("bench", "out"), "directory for samples.csv, results.json and ratios.png")
	fs.StringVar(&c.results, "results", filepath.Join("bench", "RESULTS.md"), "Markdown file to add the run to as its newest section (empty: none)")
	fs.DurationVar(&c.timeout, "timeout", 0, "per-workload timeout (default 5m, or 2m with -quick)")
	fs.DurationVar(&c.bootTimeout, "boot-timeout", 10*time.Minute, "time allowed to reach the shell prompt (QEMU: a fifth of it)")
	fs.DurationVar(&c.budget, "budget", 0, "time budget: a repetition of a runner is not started when the last one's duration would exceed it (0: none)")
	fs.IntVar(&c.memMiB, "m", 512, "guest RAM in MiB")
	fs.StringVar(&c.cmdline, "append", "console=ttyS0 quiet", "kernel command line")
	fs.StringVar(&c.qemu, "qemu", "qemu-system-i386", "QEMU binary")
	fs.StringVar(&c.emu, "emu", "", "prebuilt emu binary (default: go build ./cmd/emu into a temporary directory)")
	fs.BoolVar(&c.micro, "micro", true, "also run the Go micro-benchmarks (default true, false with -quick)")
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			fmt.Fprint(stderr, usage)
			fs.SetOutput(stderr)
			fs.PrintDefaults()
			return nil, err
		}
		return nil, fmt.Errorf("%v (go run ./bench -h for help)", err)
	}
	microSet := false
	fs.Visit(func(f *flag.Flag) { microSet = microSet || f.Name == "micro" })
	if c.quick && !microSet {
		c.micro = false
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if c.reps == 0 {
		c.reps = 3
		if c.quick {
			c.reps = 1
		}
	}
	if c.reps < 1 || c.reps > 100 {
		return nil, fmt.Errorf("-reps %d: want 1 to 100", c.reps)
	}
	if c.timeout == 0 {
		c.timeout = 5 * time.Minute
		if c.quick {
			c.timeout = 2 * time.Minute
		}
	}
	if c.timeout < 0 || c.bootTimeout <= 0 || c.budget < 0 {
		return nil, errors.New("timeouts must be positive")
	}
	if c.memMiB < 64 || c.memMiB > 3072 {
		return nil, fmt.Errorf("-m %d: want 64 to 3072 MiB", c.memMiB)
	}
	var err error
	if c.runners, err = pickList("-runners", runners, runnerOrder); err != nil {
		return nil, err
	}
	all := []string{}
	for _, w := range workloads0() {
		all = append(all, w.Name)
	}
	if workloads == "" {
		workloads = strings.Join(all, ",")
	}
	if c.workloads, err = pickList("-workloads", workloads, all); err != nil {
		return nil, err
	}
	return c, nil
}

func workloads0() []Workload { return workloads(fullSizes, 0) }

// pickList parses a comma-separated selection from known names.
func pickList(flagName, s string, known []string) ([]string, error) {
	var out []string
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !slices.Contains(known, f) {
			return nil, fmt.Errorf("%s: unknown name %q (known: %s)", flagName, f, strings.Join(known, ", "))
		}
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: empty", flagName)
	}
	return out, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	logf := func(format string, a ...any) {
		fmt.Fprintf(stderr, "bench: "+format+"\n", a...)
	}
	kernel := filepath.Join(c.guests, "vmlinuz")
	initrd := filepath.Join(c.guests, "initrd.img")
	busybox := filepath.Join(c.guests, "busybox")
	for _, f := range []string{kernel, initrd, busybox} {
		if _, err := os.Stat(f); err != nil {
			return fmt.Errorf("guest file missing: %v (run scripts/fetch-guests.sh)", err)
		}
	}
	if c.out != "" {
		if err := os.MkdirAll(c.out, 0o755); err != nil {
			return err
		}
	}
	tmp, err := os.MkdirTemp("", "bt86-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	sz := fullSizes
	if c.quick {
		sz = quickSizes
	}
	var bbSize int64
	if fi, err := os.Stat(busybox); err == nil {
		bbSize = fi.Size()
	}
	var wls []Workload
	for _, w := range workloads(sz, bbSize) {
		if slices.Contains(c.workloads, w.Name) {
			wls = append(wls, w)
		}
	}

	rep := &Report{
		Title:     fmt.Sprintf("benchmark harness, full run (%s)", plural(c.reps, "repetition")),
		Date:      time.Now().UTC().Format("2006-01-02 15:04 UTC"),
		Command:   shellQuote(append([]string{"go", "run", "./bench"}, c.args...)),
		Host:      hostDescription(),
		LoadStart: loadAverage(),
		Settings: fmt.Sprintf("%s, workload timeout %v, guest %d MiB, kernel command line %q",
			plural(c.reps, "repetition"), c.timeout, c.memMiB, c.cmdline),
	}
	if c.quick {
		rep.Title = fmt.Sprintf("benchmark harness, -quick run (%s, reduced sizes)", plural(c.reps, "repetition"))
	}
	for _, w := range wls {
		wi := WorkloadInfo{Name: w.Name, Title: w.Title}
		if !w.Boot() {
			wi.Script = w.Script("$B")
		}
		rep.Workloads = append(rep.Workloads, wi)
	}
	started := time.Now()

	runners, infos := makeRunners(ctx, c, tmp, kernel, initrd, busybox, logf)
	rep.Runners = infos
	root := moduleRoot()
	qemuPath, _ := exec.LookPath(c.qemu)
	rep.Versions = versions(root, c.guests, qemuPath)

	skip := map[[2]string]string{} // runner, workload: why later repetitions skip it
	lastRun := map[string]time.Duration{}
	budgetCut := map[string]bool{}
	for r := 1; r <= c.reps && ctx.Err() == nil; r++ {
		for _, rn := range runners {
			if ctx.Err() != nil {
				break
			}
			name := rn.Name()
			if info := findInfo(rep.Runners, name); info.Unavailable != "" {
				continue
			}
			if d, ok := lastRun[name]; ok && c.budget > 0 && time.Since(started)+d > c.budget {
				if !budgetCut[name] {
					which := fmt.Sprintf("repetitions %d to %d", r, c.reps)
					if r == c.reps {
						which = fmt.Sprintf("repetition %d", r)
					}
					rep.Notes = append(rep.Notes, fmt.Sprintf("%s: %s not run: the time budget (%v) would be exceeded (the last took %v)",
						name, which, c.budget, d.Round(time.Second)))
					budgetCut[name] = true
				}
				continue
			}
			sessionStart := time.Now()
			bootTimeout := c.bootTimeout
			if strings.HasPrefix(name, "qemu") {
				bootTimeout /= 5
			}
			logf("repetition %d/%d: %s: starting", r, c.reps, name)
			sess, boot, err := rn.Start(ctx, bootTimeout)
			if err != nil {
				var u *Unavailable
				if errors.As(err, &u) && r == 1 {
					findInfo(rep.Runners, name).Unavailable = u.Reason
					logf("%s: unavailable: %s", name, u.Reason)
					continue
				}
				if ctx.Err() != nil {
					break
				}
				rep.Samples = append(rep.Samples, Sample{Runner: name, Workload: "boot", Rep: r, Status: "failed: " + oneLine(err.Error())})
				logf("%s: boot failed: %v", name, err)
				continue
			}
			for wi, w := range wls {
				s := Sample{Runner: name, Workload: w.Name, Rep: r, CPU: -1}
				switch {
				case w.Boot() && name == RunNative:
					continue
				case w.Boot():
					s.Seconds, s.Status, s.Stats, s.CPU = boot.Seconds(), "ok", sess.BootStats(), sess.BootCPU()
				case skip[[2]string{name, w.Name}] != "":
					s.Status = skip[[2]string{name, w.Name}]
				default:
					res := sess.Run(ctx, w, fmt.Sprintf("%d-%s", r, w.Name), c.timeout)
					s.Seconds, s.Status, s.Output, s.Stats, s.CPU = res.Seconds, res.Status, res.Output, res.Stats, res.CPU
					if strings.HasPrefix(res.Status, "timeout") {
						skip[[2]string{name, w.Name}] = fmt.Sprintf("skipped: timed out in repetition %d", r)
					}
					if res.broken {
						rep.Samples = append(rep.Samples, s)
						logf("%s: %s: %s; ending this boot", name, w.Name, s.Status)
						for _, rest := range wls[wi+1:] {
							if !rest.Boot() {
								rep.Samples = append(rep.Samples, Sample{Runner: name, Workload: rest.Name, Rep: r,
									Status: "skipped: the guest stopped answering"})
							}
						}
						goto next
					}
				}
				rep.Samples = append(rep.Samples, s)
				if s.Status == "ok" {
					logf("%s: %s: %s s (CPU %s s)", name, w.Name, fmtSeconds(s.Seconds), fmtSeconds(s.CPU))
				} else {
					logf("%s: %s: %s", name, w.Name, s.Status)
				}
			}
		next:
			sess.Close()
			lastRun[name] = time.Since(sessionStart)
		}
	}
	if c.micro && ctx.Err() == nil {
		benchtime := "1s"
		rep.MicroCommand = "go test -run '^$' -bench PATTERN -benchtime " + benchtime + " PACKAGE"
		rep.Micro, rep.MicroNotes = runMicro(ctx, root, benchtime, logf)
	}
	rep.LoadEnd = loadAverage()
	rep.Duration = fmt.Sprintf("took %s", time.Since(started).Round(time.Second))
	if ctx.Err() != nil {
		rep.Title += ", interrupted"
	}

	var md bytes.Buffer
	rep.Markdown(&md)
	fmt.Fprint(stdout, md.String())
	if c.out != "" {
		if err := writeFile(filepath.Join(c.out, "samples.csv"), rep.CSV); err != nil {
			return err
		}
		if err := writeFile(filepath.Join(c.out, "results.json"), rep.JSON); err != nil {
			return err
		}
		for _, ch := range []struct {
			file string
			cpu  bool
		}{{"ratios.png", false}, {"ratios-cpu.png", true}} {
			png := filepath.Join(c.out, ch.file)
			if err := rep.Chart(png, ch.cpu); err != nil {
				logf("chart %s not drawn: %v", ch.file, err)
			} else {
				logf("wrote %s", png)
			}
		}
		logf("wrote %s and %s", filepath.Join(c.out, "samples.csv"), filepath.Join(c.out, "results.json"))
	}
	if c.results != "" {
		if err := insertSection(c.results, md.String()); err != nil {
			return err
		}
		logf("added the run to %s", c.results)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if c.check {
		msg, err := rep.check()
		if err != nil {
			return fmt.Errorf("check: %v", err)
		}
		logf("check ok: %s", msg)
	}
	return nil
}

func findInfo(infos []RunnerInfo, name string) *RunnerInfo {
	for i := range infos {
		if infos[i].Name == name {
			return &infos[i]
		}
	}
	panic("bench: no runner " + name)
}

func writeFile(path string, f func(io.Writer) error) error {
	var b bytes.Buffer
	if err := f(&b); err != nil {
		return err
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}

// moduleRoot is the directory of bt86's go.mod ("." if unknown).
func moduleRoot() string {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "."
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "."
	}
	return filepath.Dir(gomod)
}

// makeRunners builds the selected runners, in table order. A runner
// that cannot be built is listed with its reason.
func makeRunners(ctx context.Context, c *config, tmp, kernel, initrd, busybox string, logf func(string, ...any)) ([]Runner, []RunnerInfo) {
	var runners []Runner
	var infos []RunnerInfo
	add := func(r Runner) {
		runners = append(runners, r)
		// The emu built into tmp is shown as plain "emu".
		infos = append(infos, RunnerInfo{Name: r.Name(), Command: homeShort(strings.ReplaceAll(r.Command(), tmp+string(filepath.Separator), ""))})
	}
	unavailable := func(name, why string) {
		infos = append(infos, RunnerInfo{Name: name, Unavailable: why})
	}
	emu, emuErr := c.emu, error(nil)
	if emu == "" && (slices.Contains(c.runners, RunDBT) || slices.Contains(c.runners, RunInterp)) {
		emu = filepath.Join(tmp, "emu")
		logf("building emu")
		cmd := exec.CommandContext(ctx, "go", "build", "-o", emu, "./cmd/emu")
		cmd.Dir = moduleRoot()
		if out, err := cmd.CombinedOutput(); err != nil {
			emuErr = fmt.Errorf("go build ./cmd/emu: %v: %s", err, oneLine(string(out)))
		}
	}
	guestArgs := []string{"-m", fmt.Sprint(c.memMiB), "-kernel", kernel, "-initrd", initrd, "-append", c.cmdline}
	for _, name := range runnerOrder {
		if !slices.Contains(c.runners, name) {
			continue
		}
		switch name {
		case RunDBT, RunInterp:
			if emuErr != nil {
				unavailable(name, emuErr.Error())
				continue
			}
			engine := strings.TrimPrefix(name, "bt86-")
			argv := append([]string{emu, "-engine", engine, "-stats", "-nographic", "-serial", "stdio"}, guestArgs...)
			add(&guestRunner{name: name, argv: argv, snapshots: true})
		case RunTCG, RunKVM:
			q, err := exec.LookPath(c.qemu)
			if err != nil {
				unavailable(name, fmt.Sprintf("%s not found (Debian package qemu-system-x86; scripts/setup.sh installs it)", c.qemu))
				continue
			}
			accel := strings.TrimPrefix(name, "qemu-")
			if accel == "kvm" {
				f, err := os.OpenFile("/dev/kvm", os.O_RDWR, 0)
				if err != nil {
					unavailable(name, fmt.Sprintf("no usable KVM: %v", err))
					continue
				}
				f.Close()
			}
			argv := append([]string{q, "-accel", accel, "-nodefaults", "-display", "none", "-serial", "stdio", "-no-reboot"}, guestArgs...)
			add(&guestRunner{name: name, argv: argv,
				fatal: regexp.MustCompile(`(?m)^(.*(?:KVM internal error|failed to initialize|Could not access KVM|kvm run failed).*)$`)})
		case RunNative:
			n, err := newNative(busybox, tmp)
			if err != nil {
				unavailable(name, strings.TrimPrefix(err.Error(), "unavailable: "))
				continue
			}
			add(n)
		}
	}
	return runners, infos
}

// plural says "1 repetition", "2 repetitions".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
