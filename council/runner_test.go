package council

import (
	"bytes"
	"context"
	"fmt"
	"iter"
	"log/slog"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/magi-system/magi"
)

// memWriter is a Writer that records events in memory.
type memWriter struct {
	recorder
	closed chan struct{}
	failed chan struct{}
}

func (w *memWriter) Close(ctx context.Context) error { close(w.closed); return nil }
func (w *memWriter) Failed() <-chan struct{}         { return w.failed }

func newRunner(c *Council, max int) (*Runner, func(id string) *memWriter) {
	var mu sync.Mutex
	writers := map[string]*memWriter{}
	open := func(ctx context.Context, d magi.NewDeliberation) (Writer, error) {
		mu.Lock()
		defer mu.Unlock()
		w := &memWriter{closed: make(chan struct{}), failed: make(chan struct{})}
		writers[d.ID] = w
		return w, nil
	}
	return NewRunner(c, opened(open), max, nil), func(id string) *memWriter {
		mu.Lock()
		defer mu.Unlock()
		return writers[id]
	}
}

func slowCouncil(gap time.Duration) *Council {
	text := verdictText("a long answer with many words to stream slowly one by one", magi.Approved, 0.8)
	return scripted(map[magi.AgentID]func(context.Context, magi.Request) iter.Seq2[magi.Delta, error]{
		magi.Melchior: say(text, gap), magi.Balthasar: say(text, gap), magi.Casper: say(text, gap),
		magi.Solomon: say(judgeText, gap)})
}

func TestRunner_CancelStopsEveryCallAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, writer := newRunner(slowCouncil(20*time.Millisecond), 0)
		if err := r.Start(context.Background(), magi.Question{ID: "c1", Text: "q", Rule: magi.Majority}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(60 * time.Millisecond) // synctest's clock: the sages are three words in
		began := time.Now()
		if !r.Cancel("c1") {
			t.Fatal("Cancel found nothing running")
		}
		w := writer("c1")
		select {
		case <-w.closed:
		case <-time.After(time.Second):
			t.Fatal("the deliberation did not stop")
		}
		if took := time.Since(began); took != 0 {
			t.Errorf("cancel took %v of synctest's clock, want none: every call stops at once", took)
		}
		events := w.all()
		last := events[len(events)-1]
		if last.Type != magi.EventError || !last.Fatal || last.Code != magi.ECANCELLED {
			t.Errorf("last event = %+v, want fatal cancelled", last)
		}
		if len(w.of(magi.EventComplete, "")) != 0 {
			t.Error("a cancelled deliberation completed")
		}
		synctest.Wait() // the runner releases the deliberation after its writer closed
		if r.Running() != 0 {
			t.Errorf("Running = %d after cancel", r.Running())
		}
	})
}

func TestRunner_LimitsRunningDeliberations(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, _ := newRunner(slowCouncil(10*time.Millisecond), 1)
		if err := r.Start(context.Background(), magi.Question{ID: "a", Text: "q", Rule: magi.Majority}); err != nil {
			t.Fatal(err)
		}
		err := r.Start(context.Background(), magi.Question{ID: "b", Text: "q", Rule: magi.Majority})
		var me *magi.Error
		if magi.ErrorCode(err) != magi.ERATELIMIT || !asError(err, &me) || me.RetryAfter <= 0 {
			t.Errorf("second Start = %v, want rate_limited with RetryAfter", err)
		}
		r.Cancel("a")
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if err := r.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown = %v", err)
		}
	})
}

func TestRunner_ShutdownCancelsAfterGrace(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, writer := newRunner(slowCouncil(50*time.Millisecond), 0)
		for _, id := range []string{"s1", "s2"} {
			if err := r.Start(context.Background(), magi.Question{ID: id, Text: "q", Rule: magi.Majority}); err != nil {
				t.Fatal(err)
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		if err := r.Shutdown(ctx); err == nil {
			t.Error("Shutdown = nil, want the cancellation reported")
		}
		for _, id := range []string{"s1", "s2"} {
			ev := writer(id).all()
			if last := ev[len(ev)-1]; last.Code != magi.ESHUTDOWN || !last.Fatal {
				t.Errorf("%s ended with %+v, want fatal shutdown", id, last)
			}
		}
		if err := r.Start(context.Background(), magi.Question{ID: "late", Text: "q"}); magi.ErrorCode(err) != magi.EUNAVAILABLE {
			t.Errorf("Start after Shutdown = %v, want unavailable", err)
		}
	})
}

func asError(err error, target **magi.Error) bool {
	e, ok := err.(*magi.Error)
	if ok {
		*target = e
	}
	return ok
}

// opened makes a Begin of open, which returns once the deliberation is
// created (or refused, with a nil Writer).
func opened(open func(context.Context, magi.NewDeliberation) (Writer, error)) Begin {
	return func(ctx context.Context, d magi.NewDeliberation) (Writer, <-chan error) {
		w, err := open(ctx, d)
		created := make(chan error, 1)
		created <- err
		if w == nil {
			w = refusedWriter{}
		}
		return w, created
	}
}

// refusedWriter is the Writer of a deliberation whose creation was refused.
type refusedWriter struct{}

func (refusedWriter) Emit(magi.Event)             {}
func (refusedWriter) Close(context.Context) error { return nil }
func (refusedWriter) Failed() <-chan struct{}     { return nil }

// TestRunner_ModelCallsOverlapTheCreation: a deliberation starts while it
// is being created — its sages are called and its first events emitted
// before the store has answered — and Start returns once the creation is
// known. A refused creation is Start's error: the deliberation is
// cancelled, releases its place, and nothing is logged as a failure.
func TestRunner_ModelCallsOverlapTheCreation(t *testing.T) {
	for _, refuse := range []bool{false, true} {
		t.Run(fmt.Sprintf("refused=%v", refuse), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var logs bytes.Buffer
				w := &memWriter{closed: make(chan struct{}), failed: make(chan struct{})}
				created := make(chan error, 1)
				r := NewRunner(slowCouncil(time.Millisecond), func(context.Context, magi.NewDeliberation) (Writer, <-chan error) {
					return w, created
				}, 0, slog.New(slog.NewTextHandler(&logs, nil)))
				started := make(chan error)
				go func() {
					started <- r.Start(context.Background(), magi.Question{ID: "o1", Text: "q", Rule: magi.Majority})
				}()
				time.Sleep(5 * time.Millisecond) // synctest's clock: the sages stream while the creation is pending
				if chunks := len(w.of(magi.EventChunk, "")); chunks == 0 {
					t.Fatal("no chunk emitted while the creation was pending: the model calls wait for it")
				}
				select {
				case err := <-started:
					t.Fatalf("Start returned %v before the creation's outcome", err)
				default:
				}
				if refuse {
					created <- magi.Errorf(magi.ECONFLICT, "deliberation o1 exists already")
					close(w.failed) // as the journal fails a refused writer
				} else {
					created <- nil
				}
				err := <-started
				if refuse && magi.ErrorCode(err) != magi.ECONFLICT || !refuse && err != nil {
					t.Fatalf("Start = %v", err)
				}
				<-w.closed
				synctest.Wait()
				if r.Running() != 0 {
					t.Errorf("Running = %d after the deliberation ended", r.Running())
				}
				if refuse && logs.Len() > 0 {
					t.Errorf("a refused creation was logged as a failure:\n%s", logs.String())
				}
				if !refuse && len(w.of(magi.EventComplete, "")) != 1 {
					t.Error("the created deliberation did not complete")
				}
			})
		})
	}
}
