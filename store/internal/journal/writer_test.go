package journal

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/magi-system/magi"
)

func chunk(id string, seq int64) magi.Event {
	return magi.Event{Type: magi.EventChunk, DeliberationID: id, Seq: seq}
}

// TestWriter_GroupsWaitingAppends holds the first commit while 9 more
// appends arrive: they are committed together, not one by one.
func TestWriter_GroupsWaitingAppends(t *testing.T) {
	release := make(chan struct{})
	var mu sync.Mutex
	var sizes []int
	w := Start(func(_ context.Context, batch [][]magi.Event) ([]error, error) {
		mu.Lock()
		sizes = append(sizes, len(batch))
		first := len(sizes) == 1
		mu.Unlock()
		if first {
			<-release
		}
		return make([]error, len(batch)), nil
	}, 0)
	defer w.Close()

	var wg sync.WaitGroup
	wg.Go(func() { _ = w.Append(t.Context(), []magi.Event{chunk("first", 1)}) })
	for {
		mu.Lock()
		n := len(sizes)
		mu.Unlock()
		if n == 1 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	var started atomic.Int32
	for i := range 9 {
		wg.Go(func() {
			started.Add(1)
			if err := w.Append(t.Context(), []magi.Event{chunk(string(rune('a'+i)), 1)}); err != nil {
				t.Error(err)
			}
		})
	}
	for started.Load() < 9 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond) // let them reach the channel
	close(release)
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	total := 0
	for _, n := range sizes[1:] {
		total += n
	}
	if total != 9 || len(sizes) > 3 {
		t.Errorf("batch sizes %v: want the 9 waiting appends grouped", sizes)
	}
}

func TestWriter_BadItemFailsOnlyItsCaller(t *testing.T) {
	boom := errors.New("constraint failed")
	var calls atomic.Int32
	commit := func(_ context.Context, batch [][]magi.Event) ([]error, error) {
		calls.Add(1)
		items := make([]error, len(batch))
		for i, evs := range batch {
			switch evs[0].DeliberationID {
			case "bad":
				return nil, boom // the whole transaction fails
			case "refused":
				items[i] = magi.Errorf(magi.EINVALID, "refused")
			}
		}
		return items, nil
	}
	w := &Writer{}
	reqs := []*request{req("good"), req("bad"), req("refused"), req("good2")}
	w.commit(t.Context(), commit, reqs)
	want := []string{"", magi.EINTERNAL, magi.EINVALID, ""}
	for i, r := range reqs {
		if got := magi.ErrorCode(<-r.errc); got != want[i] {
			t.Errorf("%s: code %q, want %q", r.events[0].DeliberationID, got, want[i])
		}
	}
	if calls.Load() != 5 {
		t.Errorf("%d commits, want 1 batch + 4 single", calls.Load())
	}
}

func TestWriter_CloseRefusesLaterAppends(t *testing.T) {
	w := Start(func(_ context.Context, batch [][]magi.Event) ([]error, error) {
		return make([]error, len(batch)), nil
	}, 0)
	if err := w.Append(t.Context(), []magi.Event{chunk("a", 1)}); err != nil {
		t.Fatal(err)
	}
	w.Close()
	w.Close() // twice is fine
	if err := w.Append(t.Context(), []magi.Event{chunk("a", 2)}); magi.ErrorCode(err) != magi.EUNAVAILABLE {
		t.Errorf("Append after Close: %v, want EUNAVAILABLE", err)
	}
}

func TestWriter_ValidatesBeforeQueueing(t *testing.T) {
	w := Start(func(context.Context, [][]magi.Event) ([]error, error) {
		t.Error("an invalid append reached the commit")
		return nil, nil
	}, 0)
	defer w.Close()
	if err := w.Append(t.Context(), []magi.Event{chunk("a", 1), chunk("a", 3)}); magi.ErrorCode(err) != magi.EINVALID {
		t.Errorf("gap: %v", err)
	}
}

func req(id string) *request {
	return &request{events: []magi.Event{chunk(id, 1)}, errc: make(chan error, 1)}
}
