package main

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Counters are engine statistics by name ("instructions", "cpu.traces",
// "mmu.walks", ...), as emu -stats prints them.
type Counters map[string]uint64

const statsPrefix = "bt86: stats: "

var (
	statsKV     = regexp.MustCompile(`([A-Za-z][\w-]*)=(\d+)\b`)
	statsInstr  = regexp.MustCompile(`^instructions (\d+)\b`)
	statsGroup  = regexp.MustCompile(`^([A-Za-z][\w-]*) [A-Za-z][\w-]*=`)
	snapshotEnd = regexp.MustCompile(`(?m)^bt86: stats: end of snapshot (\d+)\r?\n`)
)

// ParseStats reads every "bt86: stats:" line of text into counters. A
// line "GROUP k=v k=v ..." gives GROUP.k; other k=v pairs are taken as
// they are; the summary line gives "instructions". Later lines overwrite
// earlier ones, so text should hold one snapshot.
func ParseStats(text string) Counters {
	c := Counters{}
	for line := range strings.Lines(text) {
		i := strings.Index(line, statsPrefix)
		if i < 0 {
			continue
		}
		body := strings.TrimSpace(line[i+len(statsPrefix):])
		if m := statsInstr.FindStringSubmatch(body); m != nil {
			if v, err := strconv.ParseUint(m[1], 10, 64); err == nil {
				c["instructions"] = v
			}
			continue
		}
		group := ""
		if m := statsGroup.FindStringSubmatch(body); m != nil {
			group = m[1] + "."
		}
		for _, kv := range statsKV.FindAllStringSubmatch(body, -1) {
			if v, err := strconv.ParseUint(kv[2], 10, 64); err == nil {
				c[group+kv[1]] = v
			}
		}
	}
	return c
}

// Sub returns c - base for every counter of c (counters are cumulative;
// one that went down, or is missing from base, is taken as is).
func (c Counters) Sub(base Counters) Counters {
	d := Counters{}
	for k, v := range c {
		if b, ok := base[k]; ok && b <= v {
			v -= b
		}
		d[k] = v
	}
	return d
}

// Keys returns the counter names, sorted.
func (c Counters) Keys() []string {
	ks := make([]string, 0, len(c))
	for k := range c {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
