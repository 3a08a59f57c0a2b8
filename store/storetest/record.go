package storetest

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/magi-system/magi"
)

func testDeliberationFolds(t *testing.T, open func(*testing.T) magi.Store) {
	s := open(t)
	id := magi.NewID()
	if err := Create(ctx(t), s, newDelib(id, t0, "")); err != nil {
		t.Fatal(err)
	}
	r, err := s.Deliberation(ctx(t), id, "")
	if err != nil {
		t.Fatalf("Deliberation before any event: %v", err)
	}
	if r.ID != id || r.Question != "question of "+id || r.Status != magi.StatusRunning || !r.CreatedAt.Equal(t0) {
		t.Errorf("record before any event: %+v", r)
	}

	mustAppend(t, s, startEvent(id, t0), chunkEvent(id, 2, magi.Melchior, "The answer"),
		chunkEvent(id, 3, magi.Balthasar, "Perhaps"), chunkEvent(id, 4, magi.Melchior, " is yes."))
	mustAppend(t, s, verdictEvent(id, 5, magi.Melchior, magi.Approved))
	r, err = s.Deliberation(ctx(t), id, "")
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != magi.StatusRunning || r.LastSeq != 5 || len(r.Agents) != 4 {
		t.Fatalf("running record: status %q last_seq %d agents %d", r.Status, r.LastSeq, len(r.Agents))
	}
	if r.Agents[0].Text != "The answer is yes." || r.Agents[1].Text != "Perhaps" {
		t.Errorf("texts %q, %q", r.Agents[0].Text, r.Agents[1].Text)
	}
	want := &magi.Verdict{Decision: magi.Approved, Confidence: 0.8, Summary: "because", Conditions: []string{}}
	if diff := cmp.Diff(want, r.Agents[0].Verdict); diff != "" {
		t.Errorf("melchior's verdict (-want +got):\n%s", diff)
	}

	mustAppend(t, s, completeEvent(id, 6, magi.Approved))
	r, err = s.Deliberation(ctx(t), id, "")
	if err != nil {
		t.Fatal(err)
	}
	folded := magi.Project([]magi.Event{startEvent(id, t0), chunkEvent(id, 2, magi.Melchior, "The answer"),
		chunkEvent(id, 3, magi.Balthasar, "Perhaps"), chunkEvent(id, 4, magi.Melchior, " is yes."),
		verdictEvent(id, 5, magi.Melchior, magi.Approved), completeEvent(id, 6, magi.Approved)})
	if diff := cmp.Diff(folded, r); diff != "" {
		t.Errorf("finished record (-want +got):\n%s", diff)
	}
	if r.Status != magi.StatusCompleted || r.Decision != magi.Approved || r.Votes.Approved != 2 {
		t.Errorf("finished record: status %q decision %q votes %+v", r.Status, r.Decision, r.Votes)
	}
}

func testDeliberationOwner(t *testing.T, open func(*testing.T) magi.Store) {
	s := open(t)
	id := magi.NewID()
	begin(t, s, id, t0, "key-a")
	for _, owner := range []string{"", "key-a"} {
		if r, err := s.Deliberation(ctx(t), id, owner); err != nil || r.ID != id {
			t.Errorf("Deliberation as %q: %v", owner, err)
		}
	}
	_, err := s.Deliberation(ctx(t), id, "key-b")
	wantCode(t, "Deliberation of another owner", err, magi.ENOTFOUND)
}

// history creates n deliberations, one second apart from t0, owners
// alternating key-a, key-b; it returns their ids, oldest first.
func history(t *testing.T, s magi.Store, n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = magi.NewID()
		owner := map[bool]string{true: "key-a", false: "key-b"}[i%2 == 0]
		begin(t, s, ids[i], t0.Add(time.Duration(i)*time.Second), owner)
	}
	return ids
}

// pages lists every page of f and returns the ids in order.
func pages(t *testing.T, s magi.Store, f magi.ListFilter) (ids []string, sizes []int) {
	t.Helper()
	for range 1000 {
		p, err := s.List(ctx(t), f)
		if err != nil {
			t.Fatalf("List(%+v): %v", f, err)
		}
		for _, it := range p.Items {
			ids = append(ids, it.ID)
		}
		sizes = append(sizes, len(p.Items))
		if p.NextCursor == "" {
			return ids, sizes
		}
		f.Cursor = p.NextCursor
	}
	t.Fatal("List: the cursor never ends")
	return nil, nil
}

func reversed(ids []string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[len(ids)-1-i] = id
	}
	return out
}

func testListPages(t *testing.T, open func(*testing.T) magi.Store) {
	s := open(t)
	ids := history(t, s, 5)
	// Two at the same instant: the id breaks the tie.
	same := []string{"zz-" + magi.NewID(), "zy-" + magi.NewID()}
	for _, id := range same {
		begin(t, s, id, t0.Add(10*time.Second), "key-a")
	}
	want := append(same, reversed(ids)...)
	got, sizes := pages(t, s, magi.ListFilter{Limit: 2})
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("pages of 2, newest first (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{2, 2, 2, 1}, sizes); diff != "" {
		t.Errorf("page sizes (-want +got):\n%s", diff)
	}
	p, err := s.List(ctx(t), magi.ListFilter{})
	if err != nil || len(p.Items) != 7 || p.NextCursor != "" {
		t.Fatalf("List all: %d items, cursor %q, %v", len(p.Items), p.NextCursor, err)
	}
	first := p.Items[0]
	if first.Question != "question of "+same[0] || first.Rule != magi.Majority || first.Status != magi.StatusRunning ||
		!first.CreatedAt.Equal(t0.Add(10*time.Second)) {
		t.Errorf("summary: %+v", first)
	}
	_, err = s.List(ctx(t), magi.ListFilter{Cursor: "not a cursor!"})
	wantCode(t, "List with a bad cursor", err, magi.EINVALID)
}

func testListOwnerAndLimits(t *testing.T, open func(*testing.T) magi.Store) {
	s := open(t)
	ids := history(t, s, 103)
	var mine []string
	for i, id := range ids {
		if i%2 == 0 {
			mine = append(mine, id)
		}
	}
	got, _ := pages(t, s, magi.ListFilter{Owner: "key-a", Limit: 7})
	if diff := cmp.Diff(reversed(mine), got); diff != "" {
		t.Errorf("key-a's history (-want +got):\n%s", diff)
	}
	for _, tc := range []struct{ limit, want int }{{0, 20}, {-1, 20}, {5, 5}, {100, 100}, {1000, 100}} {
		p, err := s.List(ctx(t), magi.ListFilter{Limit: tc.limit})
		if err != nil || len(p.Items) != tc.want || p.NextCursor == "" {
			t.Errorf("List(limit %d): %d items, cursor %q, %v; want %d and a cursor", tc.limit, len(p.Items), p.NextCursor, err, tc.want)
		}
	}
}

func testDelete(t *testing.T, open func(*testing.T) magi.Store) {
	s := open(t)
	id := magi.NewID()
	begin(t, s, id, t0, "key-a")
	wantCode(t, "Delete while running", s.Delete(ctx(t), id, "key-a"), magi.ECONFLICT)
	mustAppend(t, s, completeEvent(id, 2, magi.Rejected))
	wantCode(t, "Delete of another owner", s.Delete(ctx(t), id, "key-b"), magi.ENOTFOUND)
	wantCode(t, "Delete of an unknown id", s.Delete(ctx(t), magi.NewID(), ""), magi.ENOTFOUND)
	if err := s.Delete(ctx(t), id, "key-a"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	_, err := s.Deliberation(ctx(t), id, "")
	wantCode(t, "Deliberation after Delete", err, magi.ENOTFOUND)
	_, err = s.Events(ctx(t), id, 0, 0)
	wantCode(t, "Events after Delete", err, magi.ENOTFOUND)
	wantCode(t, "second Delete", s.Delete(ctx(t), id, ""), magi.ENOTFOUND)
	// The id is free again, with no old events.
	begin(t, s, id, t0, "")
	if evs, err := s.Events(ctx(t), id, 0, 0); err != nil || len(evs) != 1 {
		t.Errorf("recreated: %d events, %v; want 1", len(evs), err)
	}
}

func testUnknownID(t *testing.T, open func(*testing.T) magi.Store) {
	s := open(t)
	id := magi.NewID()
	_, err := s.Events(ctx(t), id, 0, 0)
	wantCode(t, "Events", err, magi.ENOTFOUND)
	_, err = s.Deliberation(ctx(t), id, "")
	wantCode(t, "Deliberation", err, magi.ENOTFOUND)
	if got := magi.ErrorMessage(err); got != "no such deliberation (see the history for the ids that exist)" {
		t.Errorf("message %q", got)
	}
	wantCode(t, "Delete", s.Delete(ctx(t), id, ""), magi.ENOTFOUND)
	// An id no store could hold is unknown too, never a failure.
	for _, bad := range []string{"a\x00b", "\xff\xfe", "\xed\xa0\x80"} {
		_, err = s.Events(ctx(t), bad, 0, 0)
		wantCode(t, "Events of an id that is not text", err, magi.ENOTFOUND)
		_, err = s.Deliberation(ctx(t), bad, "")
		wantCode(t, "Deliberation of an id that is not text", err, magi.ENOTFOUND)
		_, err = s.Summary(ctx(t), bad, "")
		wantCode(t, "Summary of an id that is not text", err, magi.ENOTFOUND)
		wantCode(t, "Delete of an id that is not text", s.Delete(ctx(t), bad, ""), magi.ENOTFOUND)
	}
	// A known id with no events yet is not unknown.
	if err := Create(ctx(t), s, newDelib(id, t0, "")); err != nil {
		t.Fatal(err)
	}
	if evs, err := s.Events(ctx(t), id, 0, 0); err != nil || len(evs) != 0 {
		t.Errorf("Events of a new deliberation: %v %v", evs, err)
	}
}
