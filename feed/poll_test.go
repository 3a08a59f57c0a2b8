package feed

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/magi-system/magi"
	"github.com/magi-system/magi/store/inmem"
)

// pollStore is a store of a database shared with other processes that
// tells of nothing, as SQLite: a Poller whose Changed is always true and
// whose Heads reads the summaries. It counts the calls of both.
type pollStore struct {
	magi.Store
	changed, heads atomic.Int64
}

func (s *pollStore) Changed(context.Context) (bool, error) {
	s.changed.Add(1)
	return true, nil
}

func (s *pollStore) Heads(ctx context.Context, ids []string) (map[string]int64, error) {
	s.heads.Add(1)
	out := map[string]int64{}
	for _, id := range ids {
		if sum, err := s.Summary(ctx, id, ""); err == nil {
			out[id] = sum.LastSeq
		}
	}
	return out, nil
}

// TestFeed_PollCrossProcess runs a deliberation in process A and follows
// it from process B, which shares only the database and polls it.
func TestFeed_PollCrossProcess(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := inmem.NewDB()
		storeA, storeB := db.Open(), &pollStore{Store: db.Open()}
		hubA, hubB := NewHub(HubOptions{}), NewHub(HubOptions{Buffer: 16})
		feedB := NewFeed(storeB, hubB)
		ctx := t.Context()
		pollCtx, stopPoll := context.WithCancel(ctx)
		pollDone := make(chan error, 1)
		go func() { pollDone <- feedB.Poll(pollCtx, storeB, 50*time.Millisecond) }()

		w := openWriter(t, storeA, hubA, "d")
		const n = 200
		for i := 1; i <= n/2; i++ {
			w.Emit(event(i, n))
		}
		time.Sleep(time.Second) // nothing followed here: B asks the store nothing
		if c, h := storeB.changed.Load(), storeB.heads.Load(); c != 0 || h != 0 {
			t.Errorf("with nothing followed, B polled %d times and read heads %d times", c, h)
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
				time.Sleep(10 * time.Millisecond)
			}
		}
		if err := w.Close(ctx); err != nil {
			t.Fatal(err)
		}
		wg.Wait()
		stopPoll()
		if err := <-pollDone; !errors.Is(err, context.Canceled) {
			t.Errorf("Poll() = %v, want context.Canceled", err)
		}
	})
}
