package singlestep

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Report prints one line per opcode file with its counts, the kept failure
// descriptions of failing files, the known-difference categories with
// their counts and explanations, and the totals. The totals line is
// exactly "singlestep: N passed, N failed"; known differences are included
// in N failed and detailed on the line after it.
func (s *Summary) Report(w io.Writer) error {
	bw := bufio.NewWriter(w)
	for i := range s.Files {
		r := &s.Files[i]
		if r.Err != nil {
			fmt.Fprintf(bw, "  %-12s error: %v\n", r.File, r.Err)
			continue
		}
		fmt.Fprintf(bw, "  %-12s %-8s %6d passed, %4d failed", r.File, r.Mnemonic, r.Passed, r.Failed)
		if k := r.KnownTotal(); k > 0 {
			fmt.Fprintf(bw, " (%d known: %s)", k, countList(r.Known, s.Categories))
		}
		if r.Skipped > 0 {
			fmt.Fprintf(bw, ", %d revoked", r.Skipped)
		}
		if r.Status != "" && r.Status != "normal" {
			fmt.Fprintf(bw, " [%s]", r.Status)
		}
		bw.WriteByte('\n')
		for j := range r.Failures {
			fmt.Fprintf(bw, "      %s\n", r.Failures[j].String())
		}
		if n := r.Failed - len(r.Failures); n > 0 && len(r.Failures) > 0 {
			fmt.Fprintf(bw, "      ... and %d more\n", n)
		}
	}
	if k := s.KnownTotal(); k > 0 {
		fmt.Fprintf(bw, "known 286/386 differences:\n")
		for _, c := range s.Categories {
			if n := s.Known[c.Name]; n > 0 {
				fmt.Fprintf(bw, "  %-16s %6d  %s: %s\n", c.Name, n, c.Title, c.Explanation)
			}
		}
	}
	if s.Skipped > 0 {
		fmt.Fprintf(bw, "singlestep: %d revoked tests skipped\n", s.Skipped)
	}
	fmt.Fprintf(bw, "singlestep: %d passed, %d failed\n", s.Passed, s.Failed)
	if k := s.KnownTotal(); k > 0 {
		fmt.Fprintf(bw, "singlestep: %d of the failures are known 286/386 differences: %s\n",
			k, countList(s.Known, s.Categories))
	}
	return bw.Flush()
}

// countList formats per-category counts in category order ("lock-prefix
// 12, segment-wrap 3"); names not among cats follow, sorted.
func countList(counts map[string]int, cats []Category) string {
	var parts []string
	seen := map[string]bool{}
	for _, c := range cats {
		if n := counts[c.Name]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", c.Name, n))
		}
		seen[c.Name] = true
	}
	var rest []string
	for name := range counts {
		if !seen[name] && counts[name] > 0 {
			rest = append(rest, name)
		}
	}
	sort.Strings(rest)
	for _, name := range rest {
		parts = append(parts, fmt.Sprintf("%s %d", name, counts[name]))
	}
	return strings.Join(parts, ", ")
}
