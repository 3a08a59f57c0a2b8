package feed

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/magi-system/magi"
)

func openWriter(t testing.TB, store *fakeStore, hub *Hub, id string) *Writer {
	t.Helper()
	w, err := NewJournal(store, hub).Open(context.Background(), magi.NewDeliberation{ID: id, Question: "q"})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestJournal_StoresBeforePublishing(t *testing.T) {
	checkLeaks(t)
	store, hub := newFakeStore(), NewHub(HubOptions{})
	store.Delay = time.Millisecond
	sub := hub.subscribe("d")
	defer sub.Close()
	w := openWriter(t, store, hub, "d")
	const n = 40
	for i := 1; i <= n; i++ {
		w.Emit(event(i, n))
	}
	var got []int64
	for e := range sub.C {
		if stored := store.stored("d"); int64(len(stored)) < e.Seq {
			t.Fatalf("event %d published while only %d stored", e.Seq, len(stored))
		}
		if e.DeliberationID != "d" || e.Timestamp.IsZero() || e.Timestamp.Location() != time.UTC {
			t.Fatalf("event %d: id %q, timestamp %v", e.Seq, e.DeliberationID, e.Timestamp)
		}
		got = append(got, e.Seq)
		if e.Terminal() {
			break
		}
	}
	if err := w.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(seqRange(1, n), got); diff != "" {
		t.Errorf("published (-want +got):\n%s", diff)
	}
	if appends := store.appends.Load(); appends >= n {
		t.Errorf("%d appends for %d events queued at once: no batching", appends, n)
	}
}

func TestJournal_ConcurrentEmitKeepsOrder(t *testing.T) {
	checkLeaks(t)
	store, hub := newFakeStore(), NewHub(HubOptions{Buffer: 1 << 14})
	sub := hub.subscribe("d")
	defer sub.Close()
	w := openWriter(t, store, hub, "d")
	const goroutines, each = 8, 250
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range each {
				w.Emit(magi.Event{Type: magi.EventTrace, Stage: fmt.Sprintf("%d:%d", g, i)})
			}
		})
	}
	wg.Wait()
	if err := w.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	stored, _ := store.Events(context.Background(), "d", 0, 0)
	if len(stored) != goroutines*each {
		t.Fatalf("stored %d events, want %d", len(stored), goroutines*each)
	}
	next := make([]int, goroutines)
	var prev time.Time
	for i, e := range stored {
		var g, k int
		fmt.Sscanf(e.Stage, "%d:%d", &g, &k)
		if e.Seq != int64(i+1) || k != next[g] || e.Timestamp.Before(prev) {
			t.Fatalf("stored[%d] = seq %d %q at %v: out of order (want seq %d, %d:%d, not before %v)",
				i, e.Seq, e.Stage, e.Timestamp, i+1, g, next[g], prev)
		}
		next[g]++
		prev = e.Timestamp
	}
	var published []magi.Event
	for len(published) < len(stored) {
		published = append(published, *<-sub.C)
	}
	if diff := cmp.Diff(stored, published); diff != "" {
		t.Errorf("published differs from stored (-stored +published):\n%s", diff)
	}
}

func TestJournal_OpenConflict(t *testing.T) {
	store, hub := newFakeStore(), NewHub(HubOptions{})
	w := openWriter(t, store, hub, "d")
	defer w.Close(context.Background())
	_, err := NewJournal(store, hub).Open(context.Background(), magi.NewDeliberation{ID: "d"})
	if magi.ErrorCode(err) != magi.ECONFLICT {
		t.Fatalf("second Open: %v, want a conflict", err)
	}
}

func TestWriter_StoreFailure(t *testing.T) {
	checkLeaks(t)
	store, hub := newFakeStore(), NewHub(HubOptions{})
	var fail atomic.Bool
	store.Fail = func([]magi.Event) error {
		if fail.Load() {
			return errInjected
		}
		return nil
	}
	feed := NewFeed(store, hub)
	w := openWriter(t, store, hub, "d")
	for i := 1; i <= 5; i++ {
		w.Emit(event(i, 100))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var live []magi.Event
	var liveErr error
	liveDone := make(chan struct{})
	go func() {
		defer close(liveDone)
		for e, err := range feed.Subscribe(ctx, "d", 0) {
			if err != nil {
				liveErr = err
				return
			}
			live = append(live, e)
			if e.Seq == 5 {
				fail.Store(true)
				w.Emit(event(6, 100))
				w.Emit(event(7, 100))
			}
		}
	}()
	select {
	case <-w.Failed():
	case <-ctx.Done():
		t.Fatal("Failed() not closed")
	}
	<-liveDone
	if liveErr != nil {
		t.Fatalf("live subscriber: %v", liveErr)
	}
	last := live[len(live)-1]
	if len(live) != 6 || last.Seq != 6 || last.Code != magi.ESTORE || !last.Fatal || last.Message != storeFailedMessage {
		t.Fatalf("live subscriber got %d events, last %+v; want 5 then a fatal %s error with seq 6", len(live), last, magi.ESTORE)
	}
	w.Emit(event(8, 100)) // dropped: the writer no longer accepts
	if err := w.Close(ctx); !errors.Is(err, errInjected) || !errors.Is(w.Err(), errInjected) {
		t.Errorf("Close() = %v, Err() = %v; want the injected error", err, w.Err())
	}
	if diff := cmp.Diff(seqRange(1, 5), store.stored("d")); diff != "" {
		t.Errorf("stored (-want +got):\n%s", diff)
	}
	// A subscriber coming after the failure also ends, with the same event.
	late, err := collect(ctx, feed, "d", 0)
	if err != nil || !cmp.Equal(late, seqRange(1, 6)) {
		t.Errorf("late subscriber: %v, %v; want 1..6", late, err)
	}
	if hub.Subscriptions() != 0 {
		t.Errorf("%d subscriptions left open", hub.Subscriptions())
	}
}

func TestWriter_CloseCancelsStuckAppend(t *testing.T) {
	checkLeaks(t)
	store, hub := newFakeStore(), NewHub(HubOptions{})
	store.Delay = time.Hour
	w := openWriter(t, store, hub, "d")
	w.Emit(event(1, 2))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := w.Close(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Close() = %v, want the cancelled append's error", err)
	}
	select {
	case <-w.Failed():
	default:
		t.Error("Failed() open after the append was cut")
	}
}

func TestWriter_CloseIdempotent(t *testing.T) {
	checkLeaks(t)
	store, hub := newFakeStore(), NewHub(HubOptions{})
	w := openWriter(t, store, hub, "d")
	w.Emit(event(1, 1))
	for range 2 {
		if err := w.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	w.Emit(event(2, 2))
	if got := store.stored("d"); !cmp.Equal(got, []int64{1}) {
		t.Errorf("stored %v, want [1]", got)
	}
	if len(hub.topics) != 0 {
		t.Errorf("topics left after Close: %v", hub.topics)
	}
}
