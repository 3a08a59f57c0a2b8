package feed

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/magi-system/magi"
	"github.com/magi-system/magi/store/inmem"
)

// TestFeed_FollowAtEveryPosition starts, for every k in 0..n, one stream
// for every after in 0..n once k events have been emitted, while the rest
// are being produced, and checks each gets exactly after+1..n.
func TestFeed_FollowAtEveryPosition(t *testing.T) {
	const n = 50
	for _, buffer := range []int{DefaultBuffer, 2} {
		t.Run(fmt.Sprintf("buffer=%d", buffer), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				store, hub := newTestStore(), NewHub(HubOptions{Buffer: buffer})
				journal, feed := newJournal(t, store, hub), NewFeed(store, hub)
				ctx := t.Context()
				for k := 0; k <= n; k++ {
					id := fmt.Sprintf("d%d", k)
					w, err := journal.Open(ctx, magi.NewDeliberation{ID: id})
					if err != nil {
						t.Fatal(err)
					}
					reached := make(chan struct{})
					go func() {
						for i := 1; i <= n; i++ {
							if i == k+1 {
								close(reached)
							}
							w.Emit(event(i, n))
							if i%3 == 0 {
								runtime.Gosched()
							}
						}
						if k == n {
							close(reached)
						}
					}()
					<-reached
					var wg sync.WaitGroup
					for after := int64(0); after <= n; after++ {
						wg.Go(func() {
							got, err := collect(ctx, feed, id, after)
							if err != nil {
								t.Errorf("k=%d after=%d: %v", k, after, err)
							}
							if diff := cmp.Diff(seqRange(after+1, n), got); diff != "" {
								t.Errorf("k=%d after=%d (-want +got):\n%s", k, after, diff)
							}
						})
					}
					wg.Wait()
					if err := w.Close(ctx); err != nil {
						t.Fatal(err)
					}
				}
				if hub.Subscriptions() != 0 {
					t.Errorf("%d subscriptions left open", hub.Subscriptions())
				}
			})
		})
	}
}

// TestFeed_SlowSubscriberCatchesUp: a stream that takes 2 ms per event is
// dropped by the Hub and catches up from the store, and it holds back
// neither the deliberation nor a fast stream: in synctest's time, both
// finish at once while the slow one still reads.
func TestFeed_SlowSubscriberCatchesUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store, hub := newTestStore(), NewHub(HubOptions{Buffer: 8})
		feed := NewFeed(store, hub)
		w := openWriter(t, store, hub, "d")
		ctx := t.Context()
		const n = 300
		var wg sync.WaitGroup
		start := time.Now()
		var fastTook time.Duration
		subscriber := func(delay time.Duration) {
			var got []int64
			err := each(ctx, feed, "d", 0, func(x magi.Encoded) bool {
				got = append(got, x.Event.Seq)
				time.Sleep(delay)
				return true
			})
			if err != nil {
				t.Error(err)
			}
			if diff := cmp.Diff(seqRange(1, n), got); diff != "" {
				t.Errorf("subscriber with delay %v (-want +got):\n%s", delay, diff)
			}
			if delay == 0 {
				fastTook = time.Since(start)
			}
		}
		wg.Go(func() { subscriber(2 * time.Millisecond) })
		wg.Go(func() { subscriber(0) })
		synctest.Wait()
		for i := 1; i <= n; i++ {
			w.Emit(event(i, n))
			if i%10 == 0 {
				synctest.Wait() // let the journal and the streams take what is there
			}
		}
		if err := w.Close(ctx); err != nil {
			t.Fatal(err)
		}
		if took := time.Since(start); took != 0 {
			t.Errorf("the deliberation took %v: held back by the slow subscriber", took)
		}
		wg.Wait()
		if hub.Dropped() == 0 {
			t.Error("the slow subscriber was never dropped")
		}
		if fastTook != 0 {
			t.Errorf("the fast subscriber took %v: held back by the slow one", fastTook)
		}
	})
}

func TestFeed_ManySubscribers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store, hub := newTestStore(), NewHub(HubOptions{})
		feed := NewFeed(store, hub)
		w := openWriter(t, store, hub, "d")
		ctx := t.Context()
		const n, subs = 400, 100
		var wg sync.WaitGroup
		for range subs {
			wg.Go(func() {
				got, err := collect(ctx, feed, "d", 0)
				if err != nil || !cmp.Equal(got, seqRange(1, n)) {
					t.Errorf("got %d events (%v), want 1..%d", len(got), err, n)
				}
			})
		}
		for i := 1; i <= n; i++ {
			w.Emit(event(i, n))
		}
		if err := w.Close(ctx); err != nil {
			t.Fatal(err)
		}
		wg.Wait()
		if hub.Subscriptions() != 0 {
			t.Errorf("%d subscriptions left open", hub.Subscriptions())
		}
	})
}

func TestFeed_UnknownID(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store, hub := newTestStore(), NewHub(HubOptions{})
		got, err := collect(t.Context(), NewFeed(store, hub), "nope", 0)
		if len(got) != 0 || magi.ErrorCode(err) != magi.ENOTFOUND {
			t.Errorf("got %v, %v; want no events and not_found", got, err)
		}
		if hub.Subscriptions() != 0 {
			t.Errorf("%d subscriptions left open", hub.Subscriptions())
		}
	})
}

func TestFeed_FinishedReplays(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store, hub := newTestStore(), NewHub(HubOptions{})
		feed := NewFeed(store, hub)
		const n = 1200 // more than two pages
		w := openWriter(t, store, hub, "d")
		for i := 1; i <= n; i++ {
			w.Emit(event(i, n))
		}
		if err := w.Close(t.Context()); err != nil {
			t.Fatal(err)
		}
		for _, after := range []int64{0, 1, maxPage, n - 1, n, n + 5} {
			got, err := collect(t.Context(), feed, "d", after)
			if err != nil {
				t.Fatalf("after %d: %v", after, err)
			}
			if diff := cmp.Diff(seqRange(after+1, n), got); diff != "" {
				t.Errorf("after %d (-want +got):\n%s", after, diff)
			}
		}
	})
}

func TestFeed_CloseReleasesSubscription(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store, hub := newTestStore(), NewHub(HubOptions{})
		w := openWriter(t, store, hub, "d")
		defer w.Close(context.Background())
		w.Emit(event(1, 10))
		w.Emit(event(2, 10))
		synctest.Wait()
		err := each(t.Context(), NewFeed(store, hub), "d", 0, func(x magi.Encoded) bool {
			if x.Event.Seq != 1 {
				t.Errorf("first event: %d", x.Event.Seq)
			}
			if hub.Subscriptions() != 1 {
				t.Errorf("Subscriptions() = %d while following, want 1", hub.Subscriptions())
			}
			return false
		})
		if err != nil || hub.Subscriptions() != 0 {
			t.Errorf("after Close: %v, %d subscriptions; want none", err, hub.Subscriptions())
		}
	})
}

func TestFeed_ContextEnds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store, hub := newTestStore(), NewHub(HubOptions{})
		w := openWriter(t, store, hub, "d")
		defer w.Close(context.Background())
		w.Emit(event(1, 10))
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		var got []int64
		err := each(ctx, NewFeed(store, hub), "d", 0, func(x magi.Encoded) bool {
			got = append(got, x.Event.Seq)
			cancel()
			return true
		})
		if !cmp.Equal(got, []int64{1}) || !errors.Is(err, context.Canceled) {
			t.Errorf("got %v, %v; want [1] then context.Canceled", got, err)
		}
	})
}

// TestFeed_CrossProcess runs a deliberation in process A and follows it
// from process B, which shares only the database and its notices.
func TestFeed_CrossProcess(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := inmem.NewDB()
		storeA, storeB := db.Open(), db.Open()
		hubA, hubB := NewHub(HubOptions{}), NewHub(HubOptions{Buffer: 16})
		feedB := NewFeed(storeB, hubB)
		ctx := t.Context()
		watchCtx, stopWatch := context.WithCancel(ctx)
		watchDone := make(chan error, 1)
		go func() { watchDone <- feedB.Watch(watchCtx, storeB) }()

		w := openWriter(t, storeA, hubA, "d")
		const n = 200
		for i := 1; i <= n/2; i++ {
			w.Emit(event(i, n))
		}
		var wg sync.WaitGroup
		for _, after := range []int64{0, 10, n / 2} {
			wg.Go(func() {
				got, err := collect(ctx, feedB, "d", after)
				if err != nil {
					t.Errorf("after %d: %v", after, err)
				}
				if diff := cmp.Diff(seqRange(after+1, n), got); diff != "" {
					t.Errorf("after %d (-want +got):\n%s", after, diff)
				}
			})
		}
		synctest.Wait()
		for i := n/2 + 1; i <= n; i++ {
			w.Emit(event(i, n))
			if i%7 == 0 {
				synctest.Wait()
			}
		}
		if err := w.Close(ctx); err != nil {
			t.Fatal(err)
		}
		wg.Wait()
		stopWatch()
		if err := <-watchDone; !errors.Is(err, context.Canceled) {
			t.Errorf("Watch() = %v, want context.Canceled", err)
		}
	})
}

// TestFeed_NoticeForLocalWriterIgnored checks that a process does not
// reread what its own writer publishes.
func TestFeed_NoticeForLocalWriterIgnored(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store, hub := newTestStore(), NewHub(HubOptions{})
		feed := NewFeed(store, hub)
		w := openWriter(t, store, hub, "d")
		defer w.Close(context.Background())
		sub := hub.sub("d")
		defer sub.Close()
		w.Emit(event(1, 3))
		<-sub.ready
		before := store.reads.Load()
		feed.notice(t.Context(), "d", 1)
		feed.notice(t.Context(), "other", 1)
		if reads := store.reads.Load() - before; reads != 0 {
			t.Errorf("%d store reads for notices needing none", reads)
		}
	})
}

// TestFeed_FollowLiveReadsNoStore: the stream of a deliberation this
// process writes, opened with nothing published after its position (as a
// POST opens it), comes from the Hub alone, every event in order; once the
// deliberation has ended, or from a position behind what was published,
// the store is read.
func TestFeed_FollowLiveReadsNoStore(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const n = 20
		store, hub := newTestStore(), NewHub(HubOptions{})
		journal, feed := newJournal(t, store, hub), NewFeed(store, hub)
		ctx := t.Context()
		w, err := journal.Open(ctx, magi.NewDeliberation{ID: "d"})
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan []int64)
		go func() {
			got, err := collect(ctx, feed, "d", 0)
			if err != nil {
				t.Error(err)
			}
			done <- got
		}()
		synctest.Wait() // subscribed
		for i := 1; i <= n; i++ {
			w.Emit(event(i, n))
		}
		if diff := cmp.Diff(seqRange(1, n), <-done); diff != "" {
			t.Errorf("live stream (-want +got):\n%s", diff)
		}
		if r := store.reads.Load(); r != 0 {
			t.Errorf("the live stream read the store %d times, want 0", r)
		}
		// Ended: a stream from 0, or from its last event, reads the store
		// (the end is behind it) and still ends.
		for _, after := range []int64{0, n} {
			before := store.reads.Load()
			got, err := collect(ctx, feed, "d", after)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(seqRange(after+1, n), got); diff != "" {
				t.Errorf("after %d, ended (-want +got):\n%s", after, diff)
			}
			if store.reads.Load() == before {
				t.Errorf("after %d, ended: the store was not read", after)
			}
		}
		if err := w.Close(ctx); err != nil {
			t.Fatal(err)
		}
	})
}
