package feed

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/magi-system/magi"
)

// fakeStore is an in-memory magi.Store. Append checks seqs like the real
// stores, can be slowed down (Delay), made to fail (Fail) and reports every
// append to OnAppend, after the events are stored.
type fakeStore struct {
	// Delay is waited in every Append (ctx ends it early).
	Delay time.Duration
	// Fail, when set, is asked before every Append; a non-nil error fails it.
	Fail func(events []magi.Event) error
	// OnAppend is told of every successful append, like a database notice.
	OnAppend func(id string, seq int64)
	// Discard keeps only the seq of each deliberation, not its events.
	Discard bool

	appends     atomic.Int64
	eventsCalls atomic.Int64

	mu     sync.Mutex
	delibs map[string]*fakeDelib
}

type fakeDelib struct {
	d      magi.NewDeliberation
	events []magi.Event
	head   int64
	status magi.Status
}

var _ magi.Store = (*fakeStore)(nil)

func newFakeStore() *fakeStore { return &fakeStore{delibs: map[string]*fakeDelib{}} }

func (s *fakeStore) Create(ctx context.Context, d magi.NewDeliberation) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.delibs[d.ID]; ok {
		return magi.Errorf(magi.ECONFLICT, "deliberation %s exists", d.ID)
	}
	s.delibs[d.ID] = &fakeDelib{d: d, status: magi.StatusRunning}
	return nil
}

func (s *fakeStore) Append(ctx context.Context, events ...magi.Event) error {
	if s.Delay > 0 {
		select {
		case <-time.After(s.Delay):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if s.Fail != nil {
		if err := s.Fail(events); err != nil {
			return err
		}
	}
	if len(events) == 0 {
		return nil
	}
	id, seq, err := s.append(events)
	if err != nil {
		return err
	}
	s.appends.Add(1)
	if s.OnAppend != nil {
		s.OnAppend(id, seq)
	}
	return nil
}

func (s *fakeStore) append(events []magi.Event) (string, int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := events[0].DeliberationID
	d, ok := s.delibs[id]
	if !ok {
		return "", 0, magi.Errorf(magi.ENOTFOUND, "no deliberation %s", id)
	}
	for i, e := range events {
		if e.DeliberationID != id || e.Seq != d.head+int64(i)+1 {
			return "", 0, magi.Errorf(magi.EINVALID, "event %s/%d does not follow %d", e.DeliberationID, e.Seq, d.head)
		}
	}
	for _, e := range events {
		d.head = e.Seq
		if !s.Discard {
			d.events = append(d.events, e)
		}
		if e.Terminal() {
			d.status = magi.StatusOf(e)
		}
	}
	return id, d.head, nil
}

func (s *fakeStore) Events(ctx context.Context, id string, after int64, limit int) ([]magi.Event, error) {
	s.eventsCalls.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.delibs[id]
	if !ok {
		return nil, magi.Errorf(magi.ENOTFOUND, "no deliberation %s", id)
	}
	i, _ := slices.BinarySearchFunc(d.events, after+1, func(e magi.Event, seq int64) int { return int(e.Seq - seq) })
	out := d.events[i:]
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return slices.Clone(out), nil
}

func (s *fakeStore) Deliberation(ctx context.Context, id, owner string) (magi.Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.delibs[id]
	if !ok || (owner != "" && owner != d.d.Owner) {
		return magi.Record{}, magi.Errorf(magi.ENOTFOUND, "no deliberation %s", id)
	}
	return magi.Record{ID: id, Question: d.d.Question, Rule: d.d.Rule, Status: d.status,
		CreatedAt: d.d.CreatedAt, LastSeq: d.head}, nil
}

func (s *fakeStore) Summary(ctx context.Context, id, owner string) (magi.Summary, error) {
	r, err := s.Deliberation(ctx, id, owner)
	return magi.Summary{ID: r.ID, Question: r.Question, Rule: r.Rule, Status: r.Status,
		CreatedAt: r.CreatedAt, LastSeq: r.LastSeq}, err
}

func (s *fakeStore) List(ctx context.Context, f magi.ListFilter) (magi.Page, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var p magi.Page
	for id, d := range s.delibs {
		if f.Owner == "" || f.Owner == d.d.Owner {
			p.Items = append(p.Items, magi.Summary{ID: id, Question: d.d.Question, Rule: d.d.Rule, Status: d.status, CreatedAt: d.d.CreatedAt})
		}
	}
	slices.SortFunc(p.Items, func(a, b magi.Summary) int { return strings.Compare(b.ID, a.ID) })
	return p, nil
}

func (s *fakeStore) Delete(ctx context.Context, id, owner string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.delibs[id]
	switch {
	case !ok || (owner != "" && owner != d.d.Owner):
		return magi.Errorf(magi.ENOTFOUND, "no deliberation %s", id)
	case d.status == magi.StatusRunning:
		return magi.Errorf(magi.ECONFLICT, "deliberation %s is running", id)
	}
	delete(s.delibs, id)
	return nil
}

// Recover finds nothing: every deliberation of the fake belongs to a live
// process.
func (s *fakeStore) Recover(ctx context.Context) ([]string, error) { return nil, nil }

// Ping always answers.
func (s *fakeStore) Ping(ctx context.Context) error { return nil }

func (s *fakeStore) Close() error { return nil }

// stored returns the seqs stored for id.
func (s *fakeStore) stored(id string) []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var seqs []int64
	for _, e := range s.delibs[id].events {
		seqs = append(seqs, e.Seq)
	}
	return seqs
}

// fakeWatcher is a magi.Watcher fed by Notify, delivering notices in order
// from the Watch goroutine, as a database listener would.
type fakeWatcher struct {
	c       chan [2]any
	started chan struct{}
	once    sync.Once
}

var _ magi.Watcher = (*fakeWatcher)(nil)

func newFakeWatcher() *fakeWatcher {
	return &fakeWatcher{c: make(chan [2]any, 4096), started: make(chan struct{})}
}

func (w *fakeWatcher) Watch(ctx context.Context, fn func(id string, seq int64)) error {
	w.once.Do(func() { close(w.started) })
	for {
		select {
		case n := <-w.c:
			fn(n[0].(string), n[1].(int64))
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Notify queues a notice.
func (w *fakeWatcher) Notify(id string, seq int64) { w.c <- [2]any{id, seq} }

var errInjected = errors.New("injected: disk on fire")

// checkLeaks fails t if goroutines started during the test outlive it.
// Register it first, so that it runs after the test's other cleanups.
func checkLeaks(t testing.TB) {
	t.Helper()
	base := runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(3 * time.Second)
		for runtime.NumGoroutine() > base && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		if n := runtime.NumGoroutine(); n > base {
			buf := make([]byte, 1<<16)
			t.Errorf("%d goroutines left behind:\n%s", n-base, buf[:runtime.Stack(buf, true)])
		}
	})
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

// collect runs a subscription to the end and returns the seqs it yielded
// and its error.
func collect(ctx context.Context, f *Feed, id string, after int64) ([]int64, error) {
	var seqs []int64
	for e, err := range f.Subscribe(ctx, id, after) {
		if err != nil {
			return seqs, err
		}
		seqs = append(seqs, e.Seq)
	}
	return seqs, nil
}

// seqRange returns from..to.
func seqRange(from, to int64) []int64 {
	var s []int64
	for i := from; i <= to; i++ {
		s = append(s, i)
	}
	return s
}
