package main

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestTranscriptWait(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	for _, tc := range []struct {
		name    string
		chunks  []string // fed at 10 ms, 20 ms, ...
		from    int
		re      string
		want    string // the match
		wantAt  time.Time
		groups  []string
		wantErr error
	}{
		{
			name:   "marker in one chunk",
			chunks: []string{"echo BT86\"\"-S-1\r\nBT86-S-1\r\n"},
			re:     `BT86-S-1\r?\n`, want: "BT86-S-1\r\n", wantAt: at(10),
		},
		{
			name:   "the echoed command does not match",
			chunks: []string{"~ # echo BT86\"\"-E-1-$?\r\n", "BT86-E-1-0\r\n"},
			re:     `BT86-E-1-(\d+)\r?\n`, want: "BT86-E-1-0\r\n", wantAt: at(20), groups: []string{"0"},
		},
		{
			name:   "a marker split across reads takes the time of its last byte",
			chunks: []string{"out\r\nBT86-E-", "7-1", "3\r", "\n~ # "},
			re:     `BT86-E-7-(\d+)\r?\n`, want: "BT86-E-7-13\r\n", wantAt: at(40), groups: []string{"13"},
		},
		{
			name:   "from skips earlier matches",
			chunks: []string{"~ # ", "x\r\n~ # "},
			from:   4,
			re:     `~ # `, want: "~ # ", wantAt: at(20),
		},
		{
			name:    "the stream ends first",
			chunks:  []string{"Kernel panic"},
			re:      `~ # `,
			wantErr: ErrClosed,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := NewTranscript()
			for i, c := range tc.chunks {
				tr.Feed([]byte(c), at(10*(i+1)))
			}
			tr.Close()
			m, err := tr.Wait(context.Background(), tc.from, regexp.MustCompile(tc.re))
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, tr.Slice(m.Start, m.End))
			require.Equal(t, tc.wantAt, m.At)
			require.Equal(t, tc.groups, m.Groups)
		})
	}
}

// TestTranscriptWaitLive checks that Wait wakes up for text fed later and
// honours its context.
func TestTranscriptWaitLive(t *testing.T) {
	tr := NewTranscript()
	done := make(chan Match)
	go func() {
		m, err := tr.Wait(context.Background(), 0, regexp.MustCompile(`ready`))
		if err == nil {
			done <- m
		}
		close(done)
	}()
	tr.Feed([]byte("not yet "), time.Now())
	tr.Feed([]byte("ready"), time.Unix(42, 0))
	m, ok := <-done
	require.True(t, ok)
	require.Equal(t, time.Unix(42, 0), m.At)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := tr.Wait(ctx, 0, regexp.MustCompile(`never`))
	require.ErrorIs(t, err, context.Canceled)
}

func TestTranscriptPump(t *testing.T) {
	tr := NewTranscript()
	tr.Pump(strings.NewReader("line one\nline two\n"))
	require.Equal(t, "line one\nline two\n", tr.String())
	require.Equal(t, "two\n", tr.Tail(4))
	_, err := tr.Wait(context.Background(), 0, regexp.MustCompile(`three`))
	require.ErrorIs(t, err, ErrClosed)
}
