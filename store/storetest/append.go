package storetest

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/magi-system/magi"
)

func testCreateAppendEvents(t *testing.T, open func(*testing.T) magi.Store) {
	s := open(t)
	id := magi.NewID()
	begin(t, s, id, t0, "")
	mustAppend(t, s, chunkEvent(id, 2, magi.Melchior, "Hello"), chunkEvent(id, 3, magi.Melchior, ", world"))
	mustAppend(t, s, verdictEvent(id, 4, magi.Melchior, magi.Approved))
	all := []magi.Event{startEvent(id, t0), chunkEvent(id, 2, magi.Melchior, "Hello"),
		chunkEvent(id, 3, magi.Melchior, ", world"), verdictEvent(id, 4, magi.Melchior, magi.Approved)}

	for _, tc := range []struct {
		name         string
		after        int64
		limit        int
		first, count int
	}{
		{"all", 0, 0, 0, 4},
		{"after 2", 2, 0, 2, 2},
		{"limit 1", 0, 1, 0, 1},
		{"after 1 limit 2", 1, 2, 1, 2},
		{"after last", 4, 0, 4, 0},
		{"limit beyond", 3, 10, 3, 1},
	} {
		got, err := s.Events(ctx(t), id, tc.after, tc.limit)
		if err != nil {
			t.Fatalf("%s: Events: %v", tc.name, err)
		}
		want := all[tc.first : tc.first+tc.count]
		if diff := cmp.Diff(wire(t, want), wire(t, got)); diff != "" {
			t.Errorf("%s: Events (-want +got):\n%s", tc.name, diff)
		}
	}
}

func testCreateDuplicate(t *testing.T, open func(*testing.T) magi.Store) {
	s := open(t)
	id := magi.NewID()
	begin(t, s, id, t0, "")
	wantCode(t, "second Create", Create(ctx(t), s, newDelib(id, t0, "")), magi.ECONFLICT)
	wantCode(t, "Create without id", Create(ctx(t), s, newDelib("", t0, "")), magi.EINVALID)
}

func testAppendSeqRules(t *testing.T, open func(*testing.T) magi.Store) {
	s := open(t)
	id, done := magi.NewID(), magi.NewID()
	begin(t, s, id, t0, "")
	mustAppend(t, s, chunkEvent(id, 2, magi.Casper, "a"))
	begin(t, s, done, t0, "")
	mustAppend(t, s, completeEvent(done, 2, magi.Approved))

	other := chunkEvent(done, 4, magi.Casper, "x")
	for _, tc := range []struct {
		name string
		evs  []magi.Event
		code string
	}{
		{"gap", []magi.Event{chunkEvent(id, 4, magi.Casper, "x")}, magi.EINVALID},
		{"duplicate", []magi.Event{chunkEvent(id, 2, magi.Casper, "x")}, magi.EINVALID},
		{"restart", []magi.Event{startEvent(id, t0)}, magi.EINVALID},
		{"gap inside", []magi.Event{chunkEvent(id, 3, magi.Casper, "x"), chunkEvent(id, 5, magi.Casper, "y")}, magi.EINVALID},
		{"two deliberations", []magi.Event{chunkEvent(id, 3, magi.Casper, "x"), other}, magi.EINVALID},
		{"after terminal in batch", []magi.Event{completeEvent(id, 3, magi.Rejected), chunkEvent(id, 4, magi.Casper, "x")}, magi.EINVALID},
		{"none", nil, magi.EINVALID},
		{"unknown id", []magi.Event{chunkEvent(magi.NewID(), 1, magi.Casper, "x")}, magi.ENOTFOUND},
		{"after the end", []magi.Event{chunkEvent(done, 3, magi.Casper, "x")}, magi.ECONFLICT},
	} {
		wantCode(t, tc.name, Append(ctx(t), s, tc.evs...), tc.code)
	}
	got, err := s.Events(ctx(t), id, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []magi.Event{startEvent(id, t0), chunkEvent(id, 2, magi.Casper, "a")}
	if diff := cmp.Diff(wire(t, want), wire(t, got)); diff != "" {
		t.Errorf("refused appends changed the events (-want +got):\n%s", diff)
	}
	mustAppend(t, s, chunkEvent(id, 3, magi.Casper, "b"))
}

func testTerminalStatus(t *testing.T, open func(*testing.T) magi.Store) {
	s := open(t)
	for _, tc := range []struct {
		name     string
		last     magi.Event
		status   magi.Status
		decision magi.Decision
	}{
		{"complete", completeEvent("", 2, magi.Conditional), magi.StatusCompleted, magi.Conditional},
		{"cancelled", errorEvent("", 2, magi.ECANCELLED, true), magi.StatusCancelled, ""},
		{"shutdown", errorEvent("", 2, magi.ESHUTDOWN, true), magi.StatusInterrupted, ""},
		{"failed", errorEvent("", 2, magi.ENOVERDICT, true), magi.StatusFailed, ""},
		{"non-fatal error", errorEvent("", 2, magi.EUNAVAILABLE, false), magi.StatusRunning, ""},
	} {
		id := magi.NewID()
		begin(t, s, id, t0, "")
		e := tc.last
		e.DeliberationID = id
		mustAppend(t, s, e)
		r, err := s.Deliberation(ctx(t), id, "")
		if err != nil {
			t.Fatalf("%s: Deliberation: %v", tc.name, err)
		}
		if r.Status != tc.status || r.Decision != tc.decision || r.LastSeq != 2 {
			t.Errorf("%s: status %q decision %q last_seq %d, want %q %q 2", tc.name, r.Status, r.Decision, r.LastSeq, tc.status, tc.decision)
		}
		if sum := summaryOf(t, s, id); sum.Status != tc.status || sum.Decision != tc.decision {
			t.Errorf("%s: List says %q %q, want %q %q", tc.name, sum.Status, sum.Decision, tc.status, tc.decision)
		}
	}
}

// summaryOf finds id in the history.
func summaryOf(t *testing.T, s magi.Store, id string) magi.Summary {
	t.Helper()
	p, err := s.List(ctx(t), magi.ListFilter{Limit: 100})
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	for _, it := range p.Items {
		if it.ID == id {
			return it
		}
	}
	t.Fatalf("List: %s missing", id)
	return magi.Summary{}
}
