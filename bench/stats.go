package main

import (
	"fmt"
	"math"
	"slices"
)

// Sample is one measurement: a runner ran a workload once.
type Sample struct {
	Runner   string  `json:"runner"`
	Workload string  `json:"workload"`
	Rep      int     `json:"rep"` // 1-based repetition
	Seconds  float64 `json:"seconds,omitempty"`
	// CPU is the host CPU time of the runner during the sample
	// (seconds; -1 unknown).
	CPU    float64  `json:"cpu_seconds"`
	Status string   `json:"status"`
	Output string   `json:"output,omitempty"`
	Stats  Counters `json:"stats,omitempty"`
}

// Summary is the statistics of one runner on one workload.
type Summary struct {
	Runner, Workload string
	N                int     // valid samples
	Median, Min, Max float64 // seconds, over the valid samples
	Notes            []string
}

// median returns the median of xs (the mean of the middle two for an
// even count); xs must not be empty.
func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// summarize groups samples by runner and workload. Failed, timed-out
// and skipped samples are counted in the notes.
func summarize(samples []Sample) map[[2]string]*Summary {
	return summarizeBy(samples, func(s Sample) float64 { return s.Seconds })
}

// summarizeCPU is summarize over the samples' CPU times (samples without
// one do not count).
func summarizeCPU(samples []Sample) map[[2]string]*Summary {
	var known []Sample
	for _, s := range samples {
		if s.Status != "ok" || s.CPU >= 0 {
			known = append(known, s)
		}
	}
	return summarizeBy(known, func(s Sample) float64 { return s.CPU })
}

// summarizeBy groups samples by runner and workload, taking value(s) of
// each valid sample.
func summarizeBy(samples []Sample, value func(Sample) float64) map[[2]string]*Summary {
	type acc struct {
		xs    []float64
		notes map[string]int
		order []string
	}
	accs := map[[2]string]*acc{}
	var keys [][2]string
	for _, s := range samples {
		k := [2]string{s.Runner, s.Workload}
		a := accs[k]
		if a == nil {
			a = &acc{notes: map[string]int{}}
			accs[k] = a
			keys = append(keys, k)
		}
		if s.Status == "ok" {
			a.xs = append(a.xs, value(s))
			continue
		}
		if a.notes[s.Status] == 0 {
			a.order = append(a.order, s.Status)
		}
		a.notes[s.Status]++
	}
	out := map[[2]string]*Summary{}
	for _, k := range keys {
		a := accs[k]
		s := &Summary{Runner: k[0], Workload: k[1], N: len(a.xs)}
		if len(a.xs) > 0 {
			s.Median = median(a.xs)
			s.Min, s.Max = slices.Min(a.xs), slices.Max(a.xs)
		}
		for _, note := range a.order {
			if c := a.notes[note]; c > 1 {
				s.Notes = append(s.Notes, fmt.Sprintf("%s (%d times)", note, c))
			} else {
				s.Notes = append(s.Notes, note)
			}
		}
		out[k] = s
	}
	return out
}

// ratio returns a/b, or NaN when either is missing.
func ratio(a, b *Summary) float64 {
	if a == nil || b == nil || a.N == 0 || b.N == 0 || b.Median <= 0 {
		return math.NaN()
	}
	return a.Median / b.Median
}

// fmtSeconds prints a duration in seconds with about three significant
// digits.
func fmtSeconds(v float64) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	case v >= 1:
		return fmt.Sprintf("%.2f", v)
	}
	return fmt.Sprintf("%.3g", v)
}

// fmtRatio prints a ratio ("45.2x"), or "" when it is unknown.
func fmtRatio(r float64) string {
	switch {
	case math.IsNaN(r):
		return ""
	case r >= 100:
		return fmt.Sprintf("%.0fx", r)
	case r >= 10:
		return fmt.Sprintf("%.1fx", r)
	}
	return fmt.Sprintf("%.2fx", r)
}
