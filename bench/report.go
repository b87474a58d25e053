package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// Report is a whole run: what was run where, and every sample.
type Report struct {
	Title     string         `json:"title"`
	Date      string         `json:"date"` // UTC, "2006-01-02 15:04"
	Command   string         `json:"command"`
	Host      string         `json:"host"`
	Versions  []string       `json:"versions"`
	LoadStart string         `json:"load_start"`
	LoadEnd   string         `json:"load_end"`
	Duration  string         `json:"duration"`
	Settings  string         `json:"settings"` // repetitions, timeouts, guest
	Notes     []string       `json:"notes,omitempty"`
	Runners   []RunnerInfo   `json:"runners"`
	Workloads []WorkloadInfo `json:"workloads"`
	Samples   []Sample       `json:"samples"`
	// Go micro-benchmarks (-micro).
	MicroCommand string        `json:"micro_command,omitempty"`
	Micro        []MicroResult `json:"micro,omitempty"`
	MicroNotes   []string      `json:"micro_notes,omitempty"`
}

// RunnerInfo is a runner's command line or why it did not run.
type RunnerInfo struct {
	Name        string `json:"name"`
	Command     string `json:"command,omitempty"`
	Unavailable string `json:"unavailable,omitempty"`
}

// WorkloadInfo names a workload and gives its command line.
type WorkloadInfo struct {
	Name   string `json:"name"`
	Title  string `json:"title"`
	Script string `json:"script,omitempty"`
}

// statsColumns are the engine counters the Markdown shows, with their
// headings; every "dbt.*" counter is shown as well.
var statsColumns = []struct{ key, head string }{
	{"instructions", "instructions"},
	{"cpu.traces", "traces decoded"},
	{"cpu.invalidations", "trace invalidations"},
	{"cpu.exceptions", "exceptions"},
	{"cpu.interrupts", "interrupts"},
	{"mmu.misses", "MMU misses"},
	{"mmu.walks", "walks"},
	{"mmu.flushes", "flushes"},
	{"mmu.pageflush", "page flushes"},
	{"mmu.spaces", "new spaces"},
	{"mmu.dropped", "dropped"},
	{"mmu.watchfault", "PT write faults"},
}

// Markdown writes the report as a RESULTS.md section.
func (r *Report) Markdown(w io.Writer) {
	fmt.Fprintf(w, "## %s: %s\n\n", r.Date, r.Title)
	fmt.Fprintf(w, "Command: `%s` (%s), %s.\n\n", r.Command, r.Settings, r.Duration)
	fmt.Fprintf(w, "Host: %s; load average %s at the start, %s at the end.\n", r.Host, r.LoadStart, r.LoadEnd)
	fmt.Fprintf(w, "Versions: %s.\n\n", strings.Join(r.Versions, "; "))
	for _, n := range r.Notes {
		fmt.Fprintf(w, "Note: %s.\n\n", n)
	}

	fmt.Fprintln(w, "Runners:")
	fmt.Fprintln(w)
	for _, ri := range r.Runners {
		if ri.Unavailable != "" {
			fmt.Fprintf(w, "- %s: unavailable: %s\n", ri.Name, ri.Unavailable)
		} else {
			fmt.Fprintf(w, "- %s: `%s`\n", ri.Name, ri.Command)
		}
	}
	fmt.Fprintln(w)

	fmt.Fprintln(w, "Wall-clock seconds between the workload's markers (boot: process start to the prompt); median and min-max over the repetitions; ratios of medians:")
	fmt.Fprintln(w)
	r.table(w, summarize(r.Samples), "median s", "min-max s")
	fmt.Fprintln(w, "Host CPU seconds used by the runner's process meanwhile (all threads, with reaped children; bt86 and QEMU from /proc at the markers, 10 ms resolution; native from the shell's rusage): less sensitive to other jobs on a shared host than wall-clock time:")
	fmt.Fprintln(w)
	r.table(w, summarizeCPU(r.Samples), "median CPU s", "min-max CPU s")
	fmt.Fprintln(w, "Workloads (`$B` is /bin in the guest, the applet links natively; each runs as `echo START; <script>; echo END-$?` with pipefail):")
	fmt.Fprintln(w)
	for _, wl := range r.Workloads {
		if wl.Script == "" {
			fmt.Fprintf(w, "- %s: %s\n", wl.Name, wl.Title)
		} else {
			fmt.Fprintf(w, "- %s: %s: `%s`\n", wl.Name, wl.Title, wl.Script)
		}
	}
	fmt.Fprintln(w)
	r.statsMarkdown(w)
	microMarkdown(w, r.Micro, r.MicroNotes, r.MicroCommand)
}

// table writes one Markdown table of summaries: a row per workload and
// runner, with ratios to native and to QEMU TCG.
func (r *Report) table(w io.Writer, sum map[[2]string]*Summary, medHead, rangeHead string) {
	fmt.Fprintf(w, "| workload | runner | runs | %s | %s | vs native | vs QEMU TCG | notes |\n", medHead, rangeHead)
	fmt.Fprintln(w, "|---|---|---:|---:|---:|---:|---:|---|")
	for _, wl := range r.Workloads {
		native := sum[[2]string{RunNative, wl.Name}]
		tcg := sum[[2]string{RunTCG, wl.Name}]
		first := true
		for _, rn := range r.available() {
			s := sum[[2]string{rn, wl.Name}]
			if s == nil {
				continue
			}
			name := ""
			if first {
				name, first = wl.Name, false
			}
			med, rng := "", ""
			if s.N > 0 {
				med = fmtSeconds(s.Median)
				rng = fmtSeconds(s.Min) + "-" + fmtSeconds(s.Max)
			}
			vsN, vsT := fmtRatio(ratio(s, native)), fmtRatio(ratio(s, tcg))
			if rn == RunNative {
				vsN = ""
			}
			if rn == RunTCG || rn == RunNative {
				vsT = ""
			}
			fmt.Fprintf(w, "| %s | %s | %d | %s | %s | %s | %s | %s |\n",
				name, rn, s.N, med, rng, vsN, vsT, mdEscape(strings.Join(s.Notes, "; ")))
		}
	}
	fmt.Fprintln(w)
}

// statsMarkdown writes the engine statistics of bt86's runners (from the
// first repetition with a valid sample).
func (r *Report) statsMarkdown(w io.Writer) {
	var rows []Sample
	for _, rn := range runnerOrder {
		for _, wl := range r.Workloads {
			for _, s := range r.Samples {
				if s.Runner == rn && s.Workload == wl.Name && s.Status == "ok" && len(s.Stats) > 0 {
					rows = append(rows, s)
					break
				}
			}
		}
	}
	if len(rows) == 0 {
		return
	}
	type col struct{ key, head string }
	var cols []col
	seen := map[string]bool{}
	for _, c := range statsColumns {
		for _, s := range rows {
			if _, ok := s.Stats[c.key]; ok && !seen[c.key] {
				cols = append(cols, col{c.key, c.head})
				seen[c.key] = true
			}
		}
	}
	for _, s := range rows {
		for _, k := range s.Stats.Keys() {
			if strings.HasPrefix(k, "dbt.") && !seen[k] {
				cols = append(cols, col{k, strings.TrimPrefix(k, "dbt.")})
				seen[k] = true
			}
		}
	}
	fmt.Fprintln(w, "Engine statistics (emu -stats snapshots taken at the prompt after boot and after each end marker; first valid repetition; MIPS = instructions / sample time, MIPS-cpu = instructions / the process's CPU time):")
	fmt.Fprintln(w)
	fmt.Fprint(w, "| runner | workload | MIPS | MIPS-cpu |")
	for _, c := range cols {
		fmt.Fprintf(w, " %s |", c.head)
	}
	fmt.Fprint(w, "\n|---|---|---:|---:|")
	for range cols {
		fmt.Fprint(w, "---:|")
	}
	fmt.Fprintln(w)
	for _, s := range rows {
		mips, mipsCPU := "", ""
		if n, ok := s.Stats["instructions"]; ok {
			if s.Seconds > 0 {
				mips = fmt.Sprintf("%.1f", float64(n)/s.Seconds/1e6)
			}
			if s.CPU > 0 {
				mipsCPU = fmt.Sprintf("%.1f", float64(n)/s.CPU/1e6)
			}
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s |", s.Runner, s.Workload, mips, mipsCPU)
		for _, c := range cols {
			if v, ok := s.Stats[c.key]; ok {
				fmt.Fprintf(w, " %d |", v)
			} else {
				fmt.Fprint(w, "  |")
			}
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w)
}

// available lists the runners that produced at least one sample, in
// table order.
func (r *Report) available() []string {
	var out []string
	for _, rn := range runnerOrder {
		for _, s := range r.Samples {
			if s.Runner == rn {
				out = append(out, rn)
				break
			}
		}
	}
	return out
}

func mdEscape(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// CSV writes one row per sample.
func (r *Report) CSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"runner", "workload", "rep", "seconds", "cpu_seconds", "status"})
	for _, s := range r.Samples {
		secs, cpu := "", ""
		if s.Status == "ok" {
			secs = strconv.FormatFloat(s.Seconds, 'f', 6, 64)
			if s.CPU >= 0 {
				cpu = strconv.FormatFloat(s.CPU, 'f', 6, 64)
			}
		}
		_ = cw.Write([]string{s.Runner, s.Workload, strconv.Itoa(s.Rep), secs, cpu, s.Status})
	}
	cw.Flush()
	return cw.Error()
}

// JSON writes the whole report.
func (r *Report) JSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// insertSection adds section to the results file as its newest section:
// before the first "## " heading (the file lists newest runs first), or
// at the end when it has none. The file is created if missing.
func insertSection(path, section string) error {
	old, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	text := string(old)
	section = strings.TrimRight(section, "\n") + "\n"
	var out string
	switch i := strings.Index(text, "\n## "); {
	case strings.HasPrefix(text, "## "):
		out = section + "\n" + text
	case i >= 0:
		out = text[:i+1] + section + "\n" + text[i+1:]
	case text == "":
		out = "# bt86 benchmark results\n\n" + section
	default:
		out = strings.TrimRight(text, "\n") + "\n\n" + section
	}
	return os.WriteFile(path, []byte(out), 0o644)
}

// check verifies a run for CI: every runner is unavailable with a reason
// or has valid samples, and no sample failed (timeouts and skips are
// allowed: they depend on the machine's speed). It describes the run.
func (r *Report) check() (string, error) {
	var problems []string
	var ok, other, unavailable int
	for _, s := range r.Samples {
		switch {
		case s.Status == "ok":
			ok++
		case strings.HasPrefix(s.Status, "failed"):
			problems = append(problems, fmt.Sprintf("%s %s repetition %d: %s", s.Runner, s.Workload, s.Rep, s.Status))
		default:
			other++
		}
	}
	for _, ri := range r.Runners {
		if ri.Unavailable != "" {
			unavailable++
			continue
		}
		valid := false
		for _, s := range r.Samples {
			valid = valid || (s.Runner == ri.Name && s.Status == "ok")
		}
		if !valid {
			problems = append(problems, ri.Name+": no valid sample")
		}
	}
	if len(problems) > 0 {
		return "", fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	return fmt.Sprintf("%d valid samples, %d timed out or skipped, %d of %d runners unavailable with a reason",
		ok, other, unavailable, len(r.Runners)), nil
}
