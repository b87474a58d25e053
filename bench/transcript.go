package main

import (
	"context"
	"errors"
	"io"
	"regexp"
	"sort"
	"sync"
	"time"
)

// Transcript collects what a process writes, remembering when each byte
// arrived on the host, and lets the harness wait for patterns in it.
type Transcript struct {
	mu     sync.Mutex
	buf    []byte
	chunks []chunk       // arrival of buf, in order
	notify chan struct{} // closed and replaced on every change
	eof    bool          // the writer is done
}

// chunk says that buf[:end] had arrived at at.
type chunk struct {
	end int
	at  time.Time
}

// ErrClosed is returned by Wait when the stream ended before a match.
var ErrClosed = errors.New("output ended")

// NewTranscript returns an empty transcript.
func NewTranscript() *Transcript { return &Transcript{notify: make(chan struct{})} }

// Feed appends p, which arrived at at.
func (t *Transcript) Feed(p []byte, at time.Time) {
	if len(p) == 0 {
		return
	}
	t.mu.Lock()
	t.buf = append(t.buf, p...)
	t.chunks = append(t.chunks, chunk{end: len(t.buf), at: at})
	t.wake()
	t.mu.Unlock()
}

// Close marks the end of the stream.
func (t *Transcript) Close() {
	t.mu.Lock()
	t.eof = true
	t.wake()
	t.mu.Unlock()
}

func (t *Transcript) wake() {
	close(t.notify)
	t.notify = make(chan struct{})
}

// Pump copies r into t, timestamping each read as it returns, until r
// ends; then it closes t.
func (t *Transcript) Pump(r io.Reader) {
	buf := make([]byte, 32<<10)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			t.Feed(buf[:n], time.Now())
		}
		if err != nil {
			t.Close()
			return
		}
	}
}

// Len is the number of bytes so far.
func (t *Transcript) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.buf)
}

// String returns everything so far.
func (t *Transcript) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}

// Slice returns bytes [from, to) as a string.
func (t *Transcript) Slice(from, to int) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	to = min(to, len(t.buf))
	if from >= to {
		return ""
	}
	return string(t.buf[from:to])
}

// Tail returns the last n bytes.
func (t *Transcript) Tail(n int) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf[max(0, len(t.buf)-n):])
}

// arrival returns when byte i arrived (the caller holds mu).
func (t *Transcript) arrival(i int) time.Time {
	k := sort.Search(len(t.chunks), func(k int) bool { return t.chunks[k].end > i })
	return t.chunks[k].at
}

// Match is a pattern found by Wait.
type Match struct {
	Start, End int       // the match is buf[Start:End]
	At         time.Time // when its last byte arrived
	Groups     []string  // submatches
}

// Wait waits for re to match at or after offset from, and returns the
// first match with the arrival time of its last byte. It fails with
// ErrClosed if the stream ends first, or with ctx's error.
func (t *Transcript) Wait(ctx context.Context, from int, re *regexp.Regexp) (Match, error) {
	for {
		t.mu.Lock()
		var m []int
		if from < len(t.buf) {
			m = re.FindSubmatchIndex(t.buf[from:])
		}
		if m != nil {
			res := Match{Start: from + m[0], End: from + m[1], At: t.arrival(from + m[1] - 1)}
			for g := 2; g+1 < len(m); g += 2 {
				if m[g] >= 0 {
					res.Groups = append(res.Groups, string(t.buf[from+m[g]:from+m[g+1]]))
				} else {
					res.Groups = append(res.Groups, "")
				}
			}
			t.mu.Unlock()
			return res, nil
		}
		ch, eof := t.notify, t.eof
		t.mu.Unlock()
		if eof {
			return Match{}, ErrClosed
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return Match{}, ctx.Err()
		}
	}
}
