package main

import (
	"bytes"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseBench(t *testing.T) {
	f, err := os.Open("testdata/gotest-bench.txt")
	require.NoError(t, err)
	defer f.Close()
	got := ParseBench("./cpu", f)
	require.Equal(t, []MicroResult{
		{Package: "./cpu", Name: "InterpTightLoop", N: 407891392, Metrics: []Measure{
			{5.86, "ns/op"}, {170.6, "MIPS"}, {173.2, "MIPS-cpu"}, {0, "B/op"}, {0, "allocs/op"}}},
		{Package: "./cpu", Name: "InterpMixed", N: 100, Metrics: []Measure{{12.5, "ns/op"}}},
	}, got)

	var b bytes.Buffer
	microMarkdown(&b, got, []string{"./dbt: skipped (no such package yet)"}, "go test -bench")
	golden(t, "micro.md", b.Bytes())
}
