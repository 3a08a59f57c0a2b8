package feed

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/store/inmem"
)

// testStore is the in-memory store with what the tests of the feed need
// on top: each Write can take time (delay, in the test's synctest time)
// and be failed (fail), and the writes and the reads are counted.
type testStore struct {
	magi.Store
	delay time.Duration
	// fail, when set, is asked before every Write; a non-nil error fails
	// the whole write.
	fail func(b magi.Batch) error

	writes, reads atomic.Int64
}

func newTestStore() *testStore { return &testStore{Store: inmem.New()} }

func (s *testStore) Write(ctx context.Context, b magi.Batch) (magi.Refused, error) {
	s.writes.Add(1)
	if s.delay > 0 {
		select {
		case <-time.After(s.delay):
		case <-ctx.Done():
			return magi.Refused{}, ctx.Err()
		}
	}
	if s.fail != nil {
		if err := s.fail(b); err != nil {
			return magi.Refused{}, err
		}
	}
	return s.Store.Write(ctx, b)
}

func (s *testStore) Events(ctx context.Context, id string, after int64, limit int) ([]magi.Event, error) {
	s.reads.Add(1)
	return s.Store.Events(ctx, id, after, limit)
}

// stored returns the seqs stored for id.
func (s *testStore) stored(t testing.TB, id string) []int64 {
	t.Helper()
	evs, err := s.Store.Events(context.Background(), id, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var seqs []int64
	for _, e := range evs {
		seqs = append(seqs, e.Seq)
	}
	return seqs
}

var errInjected = errors.New("injected: disk on fire")

// newJournal starts a Journal on store and hub, closed when t ends.
func newJournal(t testing.TB, store magi.Store, hub *Hub) *Journal {
	j := NewJournal(store, hub)
	t.Cleanup(j.Close)
	return j
}

// openWriter opens deliberation id on a Journal of its own.
func openWriter(t testing.TB, store magi.Store, hub *Hub, id string) *Writer {
	t.Helper()
	w, err := newJournal(t, store, hub).Open(context.Background(), magi.NewDeliberation{ID: id, Question: "q"})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// event returns the i-th event of a test deliberation of n events: a start,
// traces, and a complete at the end. (Traces, not chunks: queued chunks of
// one agent may be coalesced, and these tests count events.)
func event(i, n int) magi.Event {
	switch {
	case i == 1:
		return magi.Event{Type: magi.EventStart, Question: "q"}
	case i == n:
		return magi.Event{Type: magi.EventComplete, Outcome: &magi.Outcome{Decision: magi.Approved}}
	}
	return magi.Event{Type: magi.EventTrace, Agent: magi.Melchior, Stage: fmt.Sprint(i)}
}

// collect follows id after seq after to its end and returns the seqs it
// gave and the error that ended it (nil for io.EOF).
func collect(ctx context.Context, f magi.Follower, id string, after int64) ([]int64, error) {
	var seqs []int64
	err := each(ctx, f, id, after, func(x magi.Encoded) bool {
		seqs = append(seqs, x.Event.Seq)
		return true
	})
	return seqs, err
}

// each calls fn with every event of id after seq after until the end, or
// until fn returns false; it returns the error that ended the stream (nil
// for io.EOF or a stop).
func each(ctx context.Context, f magi.Follower, id string, after int64, fn func(magi.Encoded) bool) error {
	s := f.Follow(id, after)
	defer s.Close()
	for {
		x, ok, err := s.Next(ctx)
		switch {
		case err == io.EOF:
			return nil
		case err != nil:
			return err
		case ok:
			if !fn(x) {
				return nil
			}
			continue
		}
		select {
		case <-s.Ready():
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// seqRange returns from..to.
func seqRange(from, to int64) []int64 {
	var s []int64
	for i := from; i <= to; i++ {
		s = append(s, i)
	}
	return s
}

// recorder keeps what a Journal's observer saw.
type recorder struct {
	mu     sync.Mutex
	events []magi.Event
}

func (r *recorder) observe(e magi.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

func (r *recorder) seqs() []int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	var s []int64
	for _, e := range r.events {
		s = append(s, e.Seq)
	}
	return s
}

// sub subscribes to id from now on (see Hub.subscribe).
func (h *Hub) sub(id string) *subscription {
	s, _ := h.subscribe(id, 0)
	return s
}
