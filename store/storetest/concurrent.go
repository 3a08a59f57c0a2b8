package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/magi-system/magi"
)

// Concurrency is how many deliberations the concurrent test and the
// benchmark run at once.
const Concurrency = 100

func testConcurrentAppends(t *testing.T, open func(*testing.T) magi.Store) {
	s := open(t)
	const chunks = 20
	ids := make([]string, Concurrency)
	errs := make(chan error, Concurrency)
	var wg sync.WaitGroup
	for i := range ids {
		ids[i] = magi.NewID()
		wg.Go(func() { errs <- runOne(t, s, ids[i], chunks) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range ids {
		evs, err := s.Events(ctx(t), id, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		want := []magi.Event{startEvent(id, t0)}
		for seq := int64(2); seq < chunks+2; seq++ {
			want = append(want, chunkEvent(id, seq, magi.Casper, fmt.Sprint(seq)))
		}
		want = append(want, completeEvent(id, chunks+2, magi.Approved))
		if diff := cmp.Diff(wire(t, want), wire(t, evs)); diff != "" {
			t.Fatalf("events of %s (-want +got):\n%s", id, diff)
		}
	}
}

// runOne plays a deliberation of n chunks, one append per event.
func runOne(t *testing.T, s magi.Store, id string, n int64) error {
	if err := Create(ctx(t), s, newDelib(id, t0, "")); err != nil {
		return err
	}
	if err := Append(ctx(t), s, startEvent(id, t0)); err != nil {
		return err
	}
	for seq := int64(2); seq < n+2; seq++ {
		if err := Append(ctx(t), s, chunkEvent(id, seq, magi.Casper, fmt.Sprint(seq))); err != nil {
			return fmt.Errorf("append %s/%d: %w", id, seq, err)
		}
	}
	return Append(ctx(t), s, completeEvent(id, n+2, magi.Approved))
}

func testRecoverDeadInstance(t *testing.T, open func(*testing.T) magi.Store) {
	dying, live := open(t), open(t)
	lost, finished, kept := magi.NewID(), magi.NewID(), magi.NewID()
	begin(t, dying, lost, t0, "")
	mustAppend(t, dying, chunkEvent(lost, 2, magi.Melchior, "half an answer"))
	begin(t, dying, finished, t0, "")
	mustAppend(t, dying, completeEvent(finished, 2, magi.Approved))
	begin(t, live, kept, t0, "")

	// While both run, nothing is recovered.
	if ids, err := live.Recover(ctx(t)); err != nil || len(ids) != 0 {
		t.Fatalf("Recover with both alive: %v, %v; want none", ids, err)
	}
	if err := dying.Close(); err != nil {
		t.Fatal(err)
	}
	ids, err := live.Recover(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{lost}, ids); diff != "" {
		t.Fatalf("recovered ids (-want +got):\n%s", diff)
	}
	evs, err := live.Events(ctx(t), lost, 0, 0)
	if err != nil || len(evs) != 3 {
		t.Fatalf("events after recovery: %d, %v; want 3", len(evs), err)
	}
	last := evs[2]
	if last.Type != magi.EventError || last.Seq != 3 || !last.Fatal || last.Code != magi.EINTERRUPTED ||
		last.Message != "interrupted: the magi process running this deliberation stopped (crash or kill) before it finished" {
		t.Errorf("recovery event: %+v", last)
	}
	if time.Since(last.Timestamp) > time.Minute {
		t.Errorf("recovery event timestamp %v is not now", last.Timestamp)
	}
	r, err := live.Deliberation(ctx(t), lost, "")
	if err != nil || r.Status != magi.StatusInterrupted || r.Agents[0].Text != "half an answer" {
		t.Errorf("recovered record: status %q text %q, %v", r.Status, r.Agents[0].Text, err)
	}
	for id, want := range map[string]magi.Status{finished: magi.StatusCompleted, kept: magi.StatusRunning} {
		if r, err := live.Deliberation(ctx(t), id, ""); err != nil || r.Status != want {
			t.Errorf("%s: status %q, %v; want %q", id, r.Status, err, want)
		}
	}
	// A third process finds nothing more: the live one's row stays.
	third := open(t)
	if ids, err := third.Recover(ctx(t)); err != nil || len(ids) != 0 {
		t.Errorf("Recover again: %v, %v; want none", ids, err)
	}
	mustAppend(t, live, completeEvent(kept, 2, magi.Rejected))
}

// Bench measures Write as the journal uses it under load: each write
// stores, in one transaction, one event of each of Concurrency running
// deliberations. ns/op is the time per event stored.
func Bench(b *testing.B, open func(b *testing.B) magi.Store) {
	s := open(b)
	var setup magi.Batch
	ids := make([]string, Concurrency)
	for i := range ids {
		ids[i] = magi.NewID()
		setup.Create = append(setup.Create, newDelib(ids[i], t0, ""))
	}
	if r, err := s.Write(b.Context(), setup); err != nil || r.Err() != nil {
		b.Fatal(err, r.Err())
	}
	writes := 0
	b.ResetTimer()
	for n, seq := 0, int64(1); n < b.N; seq++ {
		var batch magi.Batch
		for _, id := range ids[:min(len(ids), b.N-n)] {
			batch.Append = append(batch.Append, Encode(chunkEvent(id, seq, magi.Casper, "token ")))
		}
		if r, err := s.Write(b.Context(), batch); err != nil || r.Err() != nil {
			b.Fatal(err, r.Err())
		}
		n += len(batch.Append)
		writes++
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/float64(writes), "events/write")
}
