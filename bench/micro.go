package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// microSuites are the Go micro-benchmarks the harness runs with -micro:
// package, -bench pattern. A package that does not exist (dbt before the
// translator lands) is reported as skipped.
var microSuites = []struct{ pkg, pattern string }{
	{"./cpu", "^BenchmarkInterp"},
	{"./mmu/shadow", "^Benchmark(FastPath|MissWalkFill|CR3Switch|PTEWrite)"},
	{"./dbt", "."},
}

// MicroResult is one benchmark line of go test -bench.
type MicroResult struct {
	Package string    `json:"package"`
	Name    string    `json:"name"` // without "Benchmark" and the -N suffix
	N       int64     `json:"n"`
	Metrics []Measure `json:"metrics"` // in the order printed
}

// Measure is one value and unit ("ns/op", "MIPS", ...).
type Measure struct {
	Value float64 `json:"value"`
	Unit  string  `json:"unit"`
}

// ParseBench reads go test -bench output: lines "BenchmarkName-P N v unit
// v unit ..."; other lines are ignored.
func ParseBench(pkg string, r io.Reader) []MicroResult {
	var out []MicroResult
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") || len(f)%2 != 0 {
			continue
		}
		n, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil {
			continue
		}
		name := strings.TrimPrefix(f[0], "Benchmark")
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			if _, err := strconv.Atoi(name[i+1:]); err == nil {
				name = name[:i]
			}
		}
		res := MicroResult{Package: pkg, Name: name, N: n}
		ok := true
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				ok = false
				break
			}
			res.Metrics = append(res.Metrics, Measure{Value: v, Unit: f[i+1]})
		}
		if ok {
			out = append(out, res)
		}
	}
	return out
}

// runMicro runs the micro-benchmark suites from the module root.
func runMicro(ctx context.Context, root, benchtime string, logf func(string, ...any)) ([]MicroResult, []string) {
	var res []MicroResult
	var notes []string
	for _, s := range microSuites {
		if _, err := os.Stat(filepath.Join(root, s.pkg)); err != nil {
			notes = append(notes, fmt.Sprintf("%s: skipped (no such package yet)", s.pkg))
			continue
		}
		logf("micro-benchmarks: %s", s.pkg)
		cmd := exec.CommandContext(ctx, "go", "test", "-run", "^$", "-bench", s.pattern, "-benchtime", benchtime, s.pkg)
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		got := ParseBench(s.pkg, strings.NewReader(string(out)))
		if err != nil {
			notes = append(notes, fmt.Sprintf("%s: go test failed: %v", s.pkg, err))
		} else if len(got) == 0 {
			notes = append(notes, fmt.Sprintf("%s: no benchmark matched %s", s.pkg, s.pattern))
		}
		res = append(res, got...)
	}
	return res, notes
}

// microMarkdown writes the micro-benchmark table.
func microMarkdown(w io.Writer, res []MicroResult, notes []string, command string) {
	if len(res) == 0 && len(notes) == 0 {
		return
	}
	fmt.Fprintf(w, "Go micro-benchmarks (`%s`):\n\n", command)
	fmt.Fprintln(w, "| package | benchmark | iterations | metrics |")
	fmt.Fprintln(w, "|---|---|---:|---|")
	for _, r := range res {
		var ms []string
		for _, m := range r.Metrics {
			ms = append(ms, strconv.FormatFloat(m.Value, 'g', 4, 64)+" "+m.Unit)
		}
		fmt.Fprintf(w, "| %s | %s | %d | %s |\n", strings.TrimPrefix(r.Package, "./"), r.Name, r.N, strings.Join(ms, ", "))
	}
	fmt.Fprintln(w)
	for _, n := range notes {
		fmt.Fprintf(w, "- %s\n", n)
	}
	if len(notes) > 0 {
		fmt.Fprintln(w)
	}
}
