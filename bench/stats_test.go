package main

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		xs   []float64
		want float64
	}{
		{[]float64{3}, 3},
		{[]float64{5, 1, 3}, 3},
		{[]float64{4, 1, 3, 2}, 2.5},
		{[]float64{2, 2, 9, 2}, 2},
	} {
		in := append([]float64(nil), tc.xs...)
		require.Equal(t, tc.want, median(tc.xs), "%v", tc.xs)
		require.Equal(t, in, tc.xs, "median must not reorder its input")
	}
}

func TestSummarize(t *testing.T) {
	samples := []Sample{
		{Runner: "a", Workload: "w", Rep: 1, Seconds: 3, Status: "ok"},
		{Runner: "a", Workload: "w", Rep: 2, Status: "timeout (5m0s)"},
		{Runner: "a", Workload: "w", Rep: 3, Seconds: 1, Status: "ok"},
		{Runner: "a", Workload: "w", Rep: 4, Seconds: 8, Status: "ok"},
		{Runner: "a", Workload: "v", Rep: 1, Status: "skipped: x"},
		{Runner: "a", Workload: "v", Rep: 2, Status: "skipped: x"},
		{Runner: "a", Workload: "v", Rep: 3, Status: "failed: exit status 1"},
	}
	s := summarize(samples)
	require.Len(t, s, 2)
	w := s[[2]string{"a", "w"}]
	require.Equal(t, &Summary{Runner: "a", Workload: "w", N: 3, Median: 3, Min: 1, Max: 8, Notes: []string{"timeout (5m0s)"}}, w)
	v := s[[2]string{"a", "v"}]
	require.Equal(t, 0, v.N)
	require.Equal(t, []string{"skipped: x (2 times)", "failed: exit status 1"}, v.Notes)

	require.Equal(t, 3.0/1.5, ratio(w, &Summary{N: 1, Median: 1.5}))
	require.True(t, math.IsNaN(ratio(w, v)), "no samples, no ratio")
	require.True(t, math.IsNaN(ratio(nil, w)))
}

func TestFormat(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		want string
	}{
		{123.4, "123"}, {75.44, "75.4"}, {2.154, "2.15"}, {0.9953, "0.995"},
		{0.0782, "0.0782"}, {0.00012345, "0.000123"},
	} {
		require.Equal(t, tc.want, fmtSeconds(tc.v))
	}
	for _, tc := range []struct {
		v    float64
		want string
	}{
		{1234.5, "1234x"}, {27.44, "27.4x"}, {1.234, "1.23x"}, {0.5, "0.50x"}, {math.NaN(), ""},
	} {
		require.Equal(t, tc.want, fmtRatio(tc.v))
	}
}
