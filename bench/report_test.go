package main

import (
	"bytes"
	"flag"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// sampleReport is a small run with every kind of outcome.
func sampleReport() *Report {
	wls := workloads(quickSizes, 2063088)
	r := &Report{
		Title:     "benchmark harness, test run",
		Date:      "2026-11-25 21:00 UTC",
		Command:   "go run ./bench -quick",
		Host:      "Test CPU, 2 CPUs, linux 6.1/amd64",
		Versions:  []string{"go1.26.8", "bt86 abc1234"},
		LoadStart: "1.00 0.50 0.25",
		LoadEnd:   "2.00 1.00 0.50",
		Duration:  "took 3m0s",
		Settings:  "2 repetition(s), workload timeout 2m0s",
		Notes:     []string{"qemu-kvm: repetition 2 not run: the time budget (1m0s) would be exceeded (the last took 2m0s)"},
		Runners: []RunnerInfo{
			{Name: RunDBT, Unavailable: `exited before the shell prompt: bt86: engine "dbt" is not available here`},
			{Name: RunInterp, Command: "emu -engine interp -stats"},
			{Name: RunTCG, Command: "qemu-system-i386 -accel tcg"},
			{Name: RunKVM, Unavailable: "KVM internal error. Suberror: 1; emulation failure"},
			{Name: RunNative, Command: "busybox sh -c ..."},
		},
	}
	for _, w := range wls[:3] {
		wi := WorkloadInfo{Name: w.Name, Title: w.Title}
		if !w.Boot() {
			wi.Script = w.Script("$B")
		}
		r.Workloads = append(r.Workloads, wi)
	}
	add := func(runner, wl string, rep int, secs float64, status string, st Counters) {
		cpu := secs / 2 // a loaded host
		if runner == RunTCG && rep == 2 || status != "ok" {
			cpu = -1 // unknown
		}
		r.Samples = append(r.Samples, Sample{Runner: runner, Workload: wl, Rep: rep, Seconds: secs, CPU: cpu, Status: status, Stats: st})
	}
	add(RunInterp, "boot", 1, 80.5, "ok", Counters{"instructions": 7000000000, "cpu.traces": 900000, "mmu.walks": 12345})
	add(RunInterp, "sh-loop", 1, 2.5, "ok", Counters{"instructions": 250000000, "cpu.traces": 100, "mmu.walks": 10, "dbt.blocks": 3})
	add(RunInterp, "md5sum", 1, 0, "timeout (2m0s)", nil)
	add(RunInterp, "boot", 2, 78.25, "ok", nil)
	add(RunInterp, "sh-loop", 2, 2.25, "ok", nil)
	add(RunInterp, "md5sum", 2, 0, "skipped: timed out in repetition 1", nil)
	add(RunTCG, "boot", 1, 9.5, "ok", nil)
	add(RunTCG, "sh-loop", 1, 0.25, "ok", nil)
	add(RunTCG, "md5sum", 1, 0.5, "ok", nil)
	add(RunTCG, "boot", 2, 10.5, "ok", nil)
	add(RunTCG, "sh-loop", 2, 0.75, "ok", nil)
	add(RunTCG, "md5sum", 2, 0, "failed: exit status 1", nil)
	add(RunNative, "sh-loop", 1, 0.05, "ok", nil)
	add(RunNative, "md5sum", 1, 0.02, "ok", nil)
	add(RunNative, "sh-loop", 2, 0.03, "ok", nil)
	add(RunNative, "md5sum", 2, 0.04, "ok", nil)
	return r
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./bench -update to create it")
	require.Equal(t, string(want), string(got))
}

func TestReportMarkdown(t *testing.T) {
	var b bytes.Buffer
	sampleReport().Markdown(&b)
	golden(t, "report.md", b.Bytes())
}

func TestReportCSV(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, sampleReport().CSV(&b))
	golden(t, "samples.csv", b.Bytes())
}

func TestReportJSON(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, sampleReport().JSON(&b))
	golden(t, "results.json", b.Bytes())
}

func TestChartData(t *testing.T) {
	d := sampleReport().chartData(false)
	require.Equal(t, []string{"sh-loop", "md5sum"}, d.workloads, "boot has no native figure")
	require.Equal(t, []string{RunInterp, RunTCG}, d.runners)
	require.InDelta(t, 2.375/0.04, d.ratios[RunInterp][0], 1e-9)
	require.True(t, d.ratios[RunInterp][1] != d.ratios[RunInterp][1], "timed out: NaN")
	require.InDelta(t, 0.5/0.04, d.ratios[RunTCG][0], 1e-9)
	require.InDelta(t, 0.5/0.03, d.ratios[RunTCG][1], 1e-9)
}

func TestChartPNG(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ratios.png")
	require.NoError(t, sampleReport().Chart(path, false))
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	require.NoError(t, err)
	require.Greater(t, cfg.Width, 400)
	require.Greater(t, cfg.Height, 300)

	empty := &Report{Workloads: []WorkloadInfo{{Name: "boot"}}}
	require.Error(t, empty.Chart(path, true), "nothing to draw")
}

func TestInsertSection(t *testing.T) {
	const sec = "## new\n\nfigures\n"
	for _, tc := range []struct {
		name, old, want string
	}{
		{"before the newest section", "# title\n\nintro\n\n## old\n\nold figures\n", "# title\n\nintro\n\n## new\n\nfigures\n\n## old\n\nold figures\n"},
		{"file starts with a section", "## old\n", "## new\n\nfigures\n\n## old\n"},
		{"no section yet", "# title\n\nintro\n", "# title\n\nintro\n\n## new\n\nfigures\n"},
		{"new file", "", "# bt86 benchmark results\n\n## new\n\nfigures\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "RESULTS.md")
			if tc.old != "" {
				require.NoError(t, os.WriteFile(path, []byte(tc.old), 0o644))
			}
			require.NoError(t, insertSection(path, sec))
			got, err := os.ReadFile(path)
			require.NoError(t, err)
			require.Equal(t, tc.want, string(got))
		})
	}
}

func TestCheck(t *testing.T) {
	r := sampleReport()
	_, err := r.check()
	require.EqualError(t, err, "qemu-tcg md5sum repetition 2: failed: exit status 1")

	r.Samples[11].Status = "timeout (2m0s)"
	msg, err := r.check()
	require.NoError(t, err)
	require.Equal(t, "13 valid samples, 3 timed out or skipped, 2 of 5 runners unavailable with a reason", msg)

	r.Runners = append(r.Runners, RunnerInfo{Name: "silent", Command: "x"})
	_, err = r.check()
	require.EqualError(t, err, "silent: no valid sample")
}
