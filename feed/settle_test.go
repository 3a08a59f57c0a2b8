package feed

import (
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/magi-system/magi"
)

// TestJournal_SettlesLostDeliberation: when the store fails a
// deliberation's events, its row still says running; once the store takes
// writes again, the Journal stores its end — a fatal store_failed after
// the last event stored — so that it is failed, not running, for as long
// as this process lives, and a later reader gets the whole stream from
// the store.
func TestJournal_SettlesLostDeliberation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store, hub := newTestStore(), NewHub(HubOptions{})
		var down atomic.Bool
		store.fail = func(magi.Batch) error {
			if down.Load() {
				return errInjected
			}
			return nil
		}
		feed := NewFeed(store, hub)
		w := openWriter(t, store, hub, "d")
		for i := 1; i <= 3; i++ {
			w.Emit(event(i, 100))
		}
		synctest.Wait()
		down.Store(true)
		w.Emit(event(4, 100))
		<-w.Failed()
		_ = w.Close(t.Context())

		time.Sleep(time.Minute) // the store stays down a minute: the Journal keeps trying
		if s, err := store.Summary(t.Context(), "d", ""); err != nil || s.Status != magi.StatusRunning || s.LastSeq != 3 {
			t.Fatalf("while the store is down: %+v, %v; want running at seq 3", s, err)
		}
		writes := store.writes.Load()
		down.Store(false)
		time.Sleep(6 * time.Second) // the longest wait between two tries
		s, err := store.Summary(t.Context(), "d", "")
		if err != nil || s.Status != magi.StatusFailed || s.LastSeq != 4 {
			t.Fatalf("once the store is back: %+v, %v; want failed at seq 4", s, err)
		}
		evs, _ := store.Events(t.Context(), "d", 3, 0)
		if len(evs) != 1 || evs[0].Code != magi.ESTORE || !evs[0].Fatal || evs[0].Message != settledMessage {
			t.Errorf("stored end: %+v, want a fatal %s error", evs, magi.ESTORE)
		}
		if n := store.writes.Load() - writes; n != 1 {
			t.Errorf("%d writes once the store was back, want 1", n)
		}
		late, err := collect(t.Context(), feed, "d", 0)
		if err != nil || !cmp.Equal(late, seqRange(1, 4)) {
			t.Errorf("a later reader: %v, %v; want 1..4 from the store", late, err)
		}
		if len(hub.failed) != 0 {
			t.Errorf("the hub still keeps the unstored failure: %v", hub.failed)
		}
		time.Sleep(time.Hour)
		if n := store.writes.Load() - writes; n != 1 {
			t.Errorf("%d writes an hour later, want still 1: nothing is left to settle", n)
		}
	})
}
