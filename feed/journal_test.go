package feed

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/magi-system/magi"
)

// TestJournal_StoresBeforePublishing: every event a subscriber receives is
// stored already, and events queued while the store was busy are written
// together.
func TestJournal_StoresBeforePublishing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store, hub := newTestStore(), NewHub(HubOptions{})
		store.delay = time.Millisecond
		sub := hub.sub("d")
		defer sub.Close()
		w := openWriter(t, store, hub, "d")
		writes := store.writes.Load()
		const n = 40
		for i := 1; i <= n; i++ {
			w.Emit(event(i, n))
		}
		var got []int64
		for len(got) < n {
			<-sub.ready
			xs, _ := sub.take(nil)
			for _, x := range xs {
				e := x.Event
				if stored := store.stored(t, "d"); int64(len(stored)) < e.Seq {
					t.Fatalf("event %d published while only %d stored", e.Seq, len(stored))
				}
				if e.DeliberationID != "d" || e.Timestamp.IsZero() || e.Timestamp.Location() != time.UTC {
					t.Fatalf("event %d: id %q, timestamp %v", e.Seq, e.DeliberationID, e.Timestamp)
				}
				got = append(got, e.Seq)
			}
		}
		if err := w.Close(t.Context()); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(seqRange(1, n), got); diff != "" {
			t.Errorf("published (-want +got):\n%s", diff)
		}
		if k := store.writes.Load() - writes; k > 2 {
			t.Errorf("%d writes for %d events queued while the store was busy, want at most 2 (the first, then the rest)", k, n)
		}
	})
}

// TestJournal_OneWriteForManyOpens: deliberations opened at once are
// created by one write, not one transaction each, and their events are
// written together too.
func TestJournal_OneWriteForManyOpens(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store, hub := newTestStore(), NewHub(HubOptions{})
		store.delay = time.Millisecond
		j := newJournal(t, store, hub)
		const n = 200
		writers := make([]*Writer, n)
		var wg sync.WaitGroup
		for i := range writers {
			wg.Go(func() {
				w, err := j.Open(t.Context(), magi.NewDeliberation{ID: fmt.Sprint("d", i), Question: "q"})
				if err != nil {
					t.Error(err)
					return
				}
				w.Emit(event(1, 2))
				w.Emit(event(2, 2))
				writers[i] = w
			})
		}
		wg.Wait()
		for _, w := range writers {
			if err := w.Close(t.Context()); err != nil {
				t.Fatal(err)
			}
		}
		if k := store.writes.Load(); k > 4 {
			t.Errorf("%d writes for %d deliberations opened at once, each with 2 events; want at most 4", k, n)
		}
		for i := range n {
			if got := store.stored(t, fmt.Sprint("d", i)); !cmp.Equal(got, []int64{1, 2}) {
				t.Fatalf("d%d stored %v, want [1 2]", i, got)
			}
		}
	})
}

func TestJournal_ConcurrentEmitKeepsOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store, hub := newTestStore(), NewHub(HubOptions{Buffer: 1 << 14})
		sub := hub.sub("d")
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
		if err := w.Close(t.Context()); err != nil {
			t.Fatal(err)
		}
		stored, _ := store.Events(t.Context(), "d", 0, 0)
		if len(stored) != goroutines*each {
			t.Fatalf("stored %d events, want %d", len(stored), goroutines*each)
		}
		next := make([]int, goroutines)
		for i, e := range stored {
			var g, k int
			fmt.Sscanf(e.Stage, "%d:%d", &g, &k)
			if e.Seq != int64(i+1) || k != next[g] || (i > 0 && e.Timestamp.Before(stored[i-1].Timestamp)) {
				t.Fatalf("stored[%d] = seq %d %q at %v: out of order (want seq %d, %d:%d)", i, e.Seq, e.Stage, e.Timestamp, i+1, g, next[g])
			}
			next[g]++
		}
		published, _ := sub.take(nil)
		var want, got []string
		for i := range stored {
			b, _ := stored[i].AppendJSON(nil)
			want = append(want, string(b))
			got = append(got, string(published[i].JSON))
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("published differs from stored (-stored +published):\n%s", diff)
		}
	})
}

func TestJournal_OpenConflict(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store, hub := newTestStore(), NewHub(HubOptions{})
		w := openWriter(t, store, hub, "d")
		defer w.Close(t.Context())
		_, err := newJournal(t, store, hub).Open(t.Context(), magi.NewDeliberation{ID: "d"})
		if magi.ErrorCode(err) != magi.ECONFLICT {
			t.Fatalf("second Open: %v, want a conflict", err)
		}
	})
}

// TestJournal_Observe: the hook sees each event once it is stored, in
// order, and the unstored failure event that ends a deliberation whose
// store failed.
func TestJournal_Observe(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store, hub := newTestStore(), NewHub(HubOptions{})
		var fail atomic.Bool
		store.fail = func(magi.Batch) error {
			if fail.Load() {
				return errInjected
			}
			return nil
		}
		j := newJournal(t, store, hub)
		var rec recorder
		j.Observe(func(e magi.Event) {
			if e.Code != magi.ESTORE && int64(len(store.stored(t, "d"))) < e.Seq {
				t.Errorf("event %d observed before it was stored", e.Seq)
			}
			rec.observe(e)
		})
		w, err := j.Open(t.Context(), magi.NewDeliberation{ID: "d"})
		if err != nil {
			t.Fatal(err)
		}
		for i := 1; i <= 3; i++ {
			w.Emit(event(i, 10))
		}
		synctest.Wait()
		fail.Store(true)
		w.Emit(event(4, 10))
		_ = w.Close(t.Context())
		if diff := cmp.Diff([]int64{1, 2, 3, 4}, rec.seqs()); diff != "" {
			t.Errorf("observed (-want +got):\n%s", diff)
		}
		if last := rec.events[3]; last.Code != magi.ESTORE || !last.Fatal {
			t.Errorf("last observed event %+v, want the fatal store failure", last)
		}
	})
}

func TestWriter_StoreFailure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store, hub := newTestStore(), NewHub(HubOptions{})
		var fail atomic.Bool
		store.fail = func(magi.Batch) error {
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
		ctx := t.Context()
		var live []magi.Encoded
		liveErr := make(chan error, 1)
		go func() {
			liveErr <- each(ctx, feed, "d", 0, func(x magi.Encoded) bool {
				live = append(live, x)
				if x.Event.Seq == 5 {
					fail.Store(true)
					w.Emit(event(6, 100))
					w.Emit(event(7, 100))
				}
				return true
			})
		}()
		<-w.Failed()
		if err := <-liveErr; err != nil {
			t.Fatalf("live subscriber: %v", err)
		}
		last := live[len(live)-1].Event
		if len(live) != 6 || last.Seq != 6 || last.Code != magi.ESTORE || !last.Fatal || last.Message != storeFailedMessage {
			t.Fatalf("live subscriber got %d events, last %+v; want 5 then a fatal %s error with seq 6", len(live), last, magi.ESTORE)
		}
		w.Emit(event(8, 100)) // dropped: the writer no longer accepts
		if err := w.Close(ctx); !errors.Is(err, errInjected) || !errors.Is(w.Err(), errInjected) {
			t.Errorf("Close() = %v, Err() = %v; want the injected error", err, w.Err())
		}
		if diff := cmp.Diff(seqRange(1, 5), store.stored(t, "d")); diff != "" {
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
	})
}

// TestWriter_CloseGivesUpOnAStuckStore: Close whose ctx ends before the
// store answers stops the writer at once, and says why.
func TestWriter_CloseGivesUpOnAStuckStore(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store, hub := newTestStore(), NewHub(HubOptions{})
		w := openWriter(t, store, hub, "d")
		store.delay = time.Hour
		w.Emit(event(1, 2))
		ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
		defer cancel()
		start := time.Now()
		if err := w.Close(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Close() = %v, want the deadline's error", err)
		}
		if took := time.Since(start); took != 50*time.Millisecond {
			t.Errorf("Close took %v, want its 50ms", took)
		}
		select {
		case <-w.Failed():
		default:
			t.Error("Failed() open after Close gave up")
		}
	})
}

func TestWriter_CloseIdempotent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store, hub := newTestStore(), NewHub(HubOptions{})
		w := openWriter(t, store, hub, "d")
		w.Emit(event(1, 1))
		for range 2 {
			if err := w.Close(t.Context()); err != nil {
				t.Fatal(err)
			}
		}
		w.Emit(event(2, 2))
		synctest.Wait()
		if got := store.stored(t, "d"); !cmp.Equal(got, []int64{1}) {
			t.Errorf("stored %v, want [1]", got)
		}
		if len(hub.topics) != 0 {
			t.Errorf("topics left after Close: %v", hub.topics)
		}
	})
}

// TestWriter_EmitWaitsForRoom: a deliberation whose queued text reaches
// maxPendingBytes (a fast model, a slow store) waits in Emit until the
// store has taken it, so the server's memory stays bounded.
func TestWriter_EmitWaitsForRoom(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store, hub := newTestStore(), NewHub(HubOptions{})
		w := openWriter(t, store, hub, "d")
		store.delay = time.Second
		w.Emit(event(1, 10)) // the store is busy with it for a second
		synctest.Wait()
		big := strings.Repeat("x", maxPendingBytes/4)
		var emitted atomic.Int64
		go func() {
			for range 8 {
				w.Emit(magi.Event{Type: magi.EventChunk, Agent: magi.Melchior, Content: big})
				emitted.Add(1)
			}
		}()
		synctest.Wait()
		if n := emitted.Load(); n != 4 {
			t.Errorf("%d chunks of %d bytes queued while the store was busy, want 4 (then room: %d bytes)", n, len(big), maxPendingBytes)
		}
		time.Sleep(2 * time.Second) // synctest's clock: the store writes event 1, then the four
		synctest.Wait()
		if n := emitted.Load(); n < 8 {
			t.Errorf("%d chunks queued after the store caught up, want 8", n)
		}
		if err := w.Close(t.Context()); err != nil {
			t.Fatal(err)
		}
	})
}

// TestJournal_BeginEmitsBeforeTheCreation: a deliberation begun (not yet
// created) may emit at once; its events are stored after its row, in
// order, and published only then. A refused creation drops what was
// emitted: nothing is stored or published, the writer fails, and Close
// returns once the outcome is known.
func TestJournal_BeginEmitsBeforeTheCreation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store, hub := newTestStore(), NewHub(HubOptions{})
		store.delay = time.Millisecond // each write takes time: the creation is pending while events are emitted
		j := newJournal(t, store, hub)
		sub := hub.sub("d")
		defer sub.Close()
		w, created := j.Begin(t.Context(), magi.NewDeliberation{ID: "d"})
		const n = 5
		for i := 1; i <= n; i++ {
			w.Emit(event(i, n))
		}
		if err := <-created; err != nil {
			t.Fatal(err)
		}
		if err := w.Close(t.Context()); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(seqRange(1, n), store.stored(t, "d")); diff != "" {
			t.Errorf("stored (-want +got):\n%s", diff)
		}
		xs, _ := sub.take(nil)
		if len(xs) != n {
			t.Errorf("%d events published, want %d", len(xs), n)
		}

		// "d" exists: a second creation of it is refused.
		refusedSub := hub.sub("d")
		defer refusedSub.Close()
		w2, created2 := j.Begin(t.Context(), magi.NewDeliberation{ID: "d"})
		w2.Emit(magi.Event{Type: magi.EventTrace, Agent: magi.Melchior, Stage: "x"})
		closed := make(chan error)
		go func() { closed <- w2.Close(t.Context()) }()
		synctest.Wait()
		select {
		case err := <-closed:
			t.Fatalf("Close returned %v before the creation's outcome", err)
		default:
		}
		if err := <-created2; magi.ErrorCode(err) != magi.ECONFLICT {
			t.Errorf("second creation of d: %v, want a conflict", err)
		}
		if err := <-closed; err == nil {
			t.Error("Close of a refused deliberation's writer: nil error")
		}
		select {
		case <-w2.Failed():
		default:
			t.Error("the refused deliberation's writer did not fail")
		}
		if got, _ := refusedSub.take(nil); len(got) != 0 {
			t.Errorf("%d events published for a refused creation", len(got))
		}
		if diff := cmp.Diff(seqRange(1, n), store.stored(t, "d")); diff != "" {
			t.Errorf("after the refused creation, stored (-want +got):\n%s", diff)
		}
	})
}
