package council

import (
	"context"
	"iter"
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
	return NewRunner(c, open, max, nil), func(id string) *memWriter {
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
