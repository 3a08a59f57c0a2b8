package feed

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/magi-system/magi"
)

// TestFeed_SubscribeAtEveryPosition starts, for every k in 0..n, one
// subscriber for every after in 0..n once k events have been emitted, while
// the rest are being produced, and checks each gets exactly after+1..n.
func TestFeed_SubscribeAtEveryPosition(t *testing.T) {
	const n = 50
	for _, buffer := range []int{DefaultBuffer, 2} {
		t.Run(fmt.Sprintf("buffer=%d", buffer), func(t *testing.T) {
			checkLeaks(t)
			store, hub := newFakeStore(), NewHub(HubOptions{Buffer: buffer})
			journal, feed := NewJournal(store, hub), NewFeed(store, hub)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
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
	}
}

func TestFeed_SlowSubscriberCatchesUp(t *testing.T) {
	checkLeaks(t)
	store, hub := newFakeStore(), NewHub(HubOptions{Buffer: 8})
	feed := NewFeed(store, hub)
	w := openWriter(t, store, hub, "d")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	const n = 300
	var wg sync.WaitGroup
	var fastDone time.Time
	subscriber := func(delay time.Duration) {
		defer func() {
			if delay == 0 {
				fastDone = time.Now()
			}
		}()
		var got []int64
		for e, err := range feed.Subscribe(ctx, "d", 0) {
			if err != nil {
				t.Error(err)
				return
			}
			got = append(got, e.Seq)
			time.Sleep(delay)
		}
		if diff := cmp.Diff(seqRange(1, n), got); diff != "" {
			t.Errorf("subscriber with delay %v (-want +got):\n%s", delay, diff)
		}
	}
	wg.Go(func() { subscriber(2 * time.Millisecond) })
	wg.Go(func() { subscriber(0) })
	for hub.Subscriptions() < 2 {
		runtime.Gosched()
	}
	start := time.Now()
	for i := 1; i <= n; i++ {
		w.Emit(event(i, n))
		if i%10 == 0 {
			time.Sleep(100 * time.Microsecond)
		}
	}
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	wg.Wait()
	if hub.Dropped() == 0 {
		t.Error("the slow subscriber was never dropped")
	}
	slowMin := n * 2 * time.Millisecond
	if took >= slowMin {
		t.Errorf("producer took %v: held back by the slow subscriber (>= %v)", took, slowMin)
	}
	if fast := fastDone.Sub(start); fast >= slowMin {
		t.Errorf("fast subscriber took %v: held back by the slow one (>= %v)", fast, slowMin)
	}
}

func TestFeed_ManySubscribers(t *testing.T) {
	checkLeaks(t)
	store, hub := newFakeStore(), NewHub(HubOptions{})
	feed := NewFeed(store, hub)
	w := openWriter(t, store, hub, "d")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
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
}

func TestFeed_UnknownID(t *testing.T) {
	checkLeaks(t)
	store, hub := newFakeStore(), NewHub(HubOptions{})
	var errs []error
	for e, err := range NewFeed(store, hub).Subscribe(context.Background(), "nope", 0) {
		if err == nil {
			t.Fatalf("yielded an event: %+v", e)
		}
		errs = append(errs, err)
	}
	if len(errs) != 1 || magi.ErrorCode(errs[0]) != magi.ENOTFOUND {
		t.Errorf("errors %v, want one not_found", errs)
	}
	if hub.Subscriptions() != 0 {
		t.Errorf("%d subscriptions left open", hub.Subscriptions())
	}
}

func TestFeed_FinishedReplays(t *testing.T) {
	checkLeaks(t)
	store, hub := newFakeStore(), NewHub(HubOptions{})
	feed := NewFeed(store, hub)
	const n = 1200 // more than two pages
	w := openWriter(t, store, hub, "d")
	for i := 1; i <= n; i++ {
		w.Emit(event(i, n))
	}
	if err := w.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, after := range []int64{0, 1, pageSize, n - 1, n, n + 5} {
		got, err := collect(context.Background(), feed, "d", after)
		if err != nil {
			t.Fatalf("after %d: %v", after, err)
		}
		if diff := cmp.Diff(seqRange(after+1, n), got); diff != "" {
			t.Errorf("after %d (-want +got):\n%s", after, diff)
		}
	}
}

func TestFeed_StopReleasesSubscription(t *testing.T) {
	checkLeaks(t)
	store, hub := newFakeStore(), NewHub(HubOptions{})
	w := openWriter(t, store, hub, "d")
	defer w.Close(context.Background())
	w.Emit(event(1, 10))
	w.Emit(event(2, 10))
	for e, err := range NewFeed(store, hub).Subscribe(context.Background(), "d", 0) {
		if err != nil || e.Seq != 1 {
			t.Fatalf("first: %+v, %v", e, err)
		}
		if hub.Subscriptions() != 1 {
			t.Errorf("Subscriptions() = %d while iterating, want 1", hub.Subscriptions())
		}
		break
	}
	if hub.Subscriptions() != 0 {
		t.Errorf("Subscriptions() = %d after break, want 0", hub.Subscriptions())
	}
}

func TestFeed_ContextEnds(t *testing.T) {
	checkLeaks(t)
	store, hub := newFakeStore(), NewHub(HubOptions{})
	w := openWriter(t, store, hub, "d")
	defer w.Close(context.Background())
	w.Emit(event(1, 10))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var got []int64
	var errs []error
	for e, err := range NewFeed(store, hub).Subscribe(ctx, "d", 0) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		got = append(got, e.Seq)
		cancel()
	}
	if !cmp.Equal(got, []int64{1}) || len(errs) != 1 || !errors.Is(errs[0], context.Canceled) {
		t.Errorf("got %v, errors %v; want [1] then context.Canceled", got, errs)
	}
}

// TestFeed_CrossProcess runs a deliberation in process A and follows it
// from process B, which shares only the store and its notices.
func TestFeed_CrossProcess(t *testing.T) {
	checkLeaks(t)
	store, watcher := newFakeStore(), newFakeWatcher()
	store.OnAppend = watcher.Notify
	hubA, hubB := NewHub(HubOptions{}), NewHub(HubOptions{Buffer: 16})
	feedB := NewFeed(store, hubB)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	watchCtx, stopWatch := context.WithCancel(ctx)
	watchDone := make(chan error, 1)
	go func() { watchDone <- feedB.Watch(watchCtx, watcher) }()
	<-watcher.started

	w := openWriter(t, store, hubA, "d")
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
	for hubB.Subscriptions() < 3 {
		runtime.Gosched()
	}
	for i := n/2 + 1; i <= n; i++ {
		w.Emit(event(i, n))
		if i%7 == 0 {
			time.Sleep(50 * time.Microsecond)
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
}

// TestFeed_NoticeForLocalWriterIgnored checks that a process does not
// reread what its own writer publishes.
func TestFeed_NoticeForLocalWriterIgnored(t *testing.T) {
	store, hub := newFakeStore(), NewHub(HubOptions{})
	feed := NewFeed(store, hub)
	w := openWriter(t, store, hub, "d")
	defer w.Close(context.Background())
	sub := hub.subscribe("d")
	defer sub.Close()
	w.Emit(event(1, 3))
	<-sub.C
	before := store.eventsCalls.Load()
	feed.notice(context.Background(), "d", 1)
	feed.notice(context.Background(), "other", 1)
	if calls := store.eventsCalls.Load() - before; calls != 0 {
		t.Errorf("%d store reads for notices needing none", calls)
	}
}
