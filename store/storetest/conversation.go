package storetest

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/magi-system/magi"
)

// followUp is a new deliberation that follows parent in conversation.
func followUp(id, parent, conversation string, at time.Time, owner string) magi.NewDeliberation {
	n := newDelib(id, at, owner)
	n.ConversationID, n.ParentID = conversation, parent
	return n
}

// startFollowUp is the start event of turn n of conversation, following
// parent.
func startFollowUp(id, parent, conversation string, n int, at time.Time) magi.Event {
	e := startEvent(id, at)
	e.ConversationID, e.ParentID, e.Turn = conversation, parent, n
	return e
}

// decided completes id (its start at seq 1) as CONDITIONAL with a summary
// and conditions.
func decided(t *testing.T, s magi.Store, id string) {
	t.Helper()
	e := completeEvent(id, 2, magi.Conditional)
	e.Outcome.Summary, e.Outcome.Conditions = "summary of "+id, []string{"condition of " + id}
	mustAppend(t, s, e)
}

func ids(ts []magi.Turn) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.ID
	}
	return out
}

// testFirstQuestionIsAConversation: a deliberation created without a
// conversation is a conversation of its own, of one turn.
func testFirstQuestionIsAConversation(t *testing.T, open func(*testing.T) magi.Store) {
	s := open(t)
	id := magi.NewID()
	begin(t, s, id, t0, "alice")
	sum, err := s.Summary(ctx(t), id, "")
	if err != nil || sum.ConversationID != id || sum.ParentID != "" || sum.Turns != 1 {
		t.Errorf("Summary = %+v, %v; want its own conversation of one turn", sum, err)
	}
	rec, err := s.Deliberation(ctx(t), id, "")
	if err != nil || rec.ConversationID != id || rec.ParentID != "" || rec.Turn != 1 {
		t.Errorf("record: conversation %q parent %q turn %d, %v; want %s, none, 1", rec.ConversationID, rec.ParentID, rec.Turn, err, id)
	}
	ts, err := s.Conversation(ctx(t), id, "alice")
	if err != nil || len(ts) != 1 || ts[0].ID != id || ts[0].Owner != "alice" || ts[0].Outcome != nil {
		t.Errorf("Conversation = %+v, %v; want the one running turn", ts, err)
	}
}

// testConversation: the turns of a conversation, oldest first, from the id
// of any of them, each with its outcome; hidden from another owner; a
// turn with follow-ups is not deleted alone, the conversation is deleted
// whole once no turn runs.
func testConversation(t *testing.T, open func(*testing.T) magi.Store) {
	s := open(t)
	a, b, c, other := magi.NewID(), magi.NewID(), magi.NewID(), magi.NewID()
	begin(t, s, a, t0, "alice")
	decided(t, s, a)
	begin(t, s, other, t0.Add(time.Second), "alice")
	decided(t, s, other)
	if err := Create(ctx(t), s, followUp(b, a, a, t0.Add(2*time.Second), "alice")); err != nil {
		t.Fatalf("create the follow-up: %v", err)
	}
	mustAppend(t, s, startFollowUp(b, a, a, 2, t0.Add(2*time.Second)))
	decided(t, s, b)
	if err := Create(ctx(t), s, followUp(c, b, a, t0.Add(3*time.Second), "alice")); err != nil {
		t.Fatalf("create the second follow-up: %v", err)
	}
	mustAppend(t, s, startFollowUp(c, b, a, 3, t0.Add(3*time.Second))) // left running

	for _, from := range []string{a, b, c} {
		ts, err := s.Conversation(ctx(t), from, "alice")
		if err != nil {
			t.Fatalf("Conversation(%s): %v", from, err)
		}
		if diff := cmp.Diff([]string{a, b, c}, ids(ts)); diff != "" {
			t.Fatalf("Conversation(%s) turns (-want +got):\n%s", from, diff)
		}
	}
	ts, _ := s.Conversation(ctx(t), a, "")
	for i, tr := range ts {
		if tr.ConversationID != a || tr.Turns != 3 || tr.Owner != "alice" {
			t.Errorf("turn %d: conversation %q turns %d owner %q", i+1, tr.ConversationID, tr.Turns, tr.Owner)
		}
	}
	if ts[0].ParentID != "" || ts[1].ParentID != a || ts[2].ParentID != b {
		t.Errorf("parents %q %q %q, want none, %s, %s", ts[0].ParentID, ts[1].ParentID, ts[2].ParentID, a, b)
	}
	want := &magi.Outcome{Decision: magi.Conditional, Rule: magi.Majority, Votes: magi.Votes{Approved: 2, Rejected: 1},
		Confidence: 0.7, Summary: "summary of " + b, Conditions: []string{"condition of " + b}}
	if diff := cmp.Diff(want, ts[1].Outcome); diff != "" {
		t.Errorf("the outcome of turn 2 (-want +got):\n%s", diff)
	}
	if ts[0].Outcome == nil || ts[0].Outcome.Summary != "summary of "+a || ts[2].Outcome != nil || ts[2].Status != magi.StatusRunning {
		t.Errorf("turn 1 outcome %+v, turn 3 outcome %+v status %s", ts[0].Outcome, ts[2].Outcome, ts[2].Status)
	}

	rec, err := s.Deliberation(ctx(t), b, "alice")
	if err != nil || rec.ConversationID != a || rec.ParentID != a || rec.Turn != 2 {
		t.Errorf("record of turn 2: conversation %q parent %q turn %d, %v", rec.ConversationID, rec.ParentID, rec.Turn, err)
	}
	page, err := s.List(ctx(t), magi.ListFilter{Owner: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range page.Items {
		wantConv, wantTurns := a, 3
		if it.ID == other {
			wantConv, wantTurns = other, 1
		}
		if it.ConversationID != wantConv || it.Turns != wantTurns {
			t.Errorf("history item %s: conversation %q turns %d, want %q %d", it.ID, it.ConversationID, it.Turns, wantConv, wantTurns)
		}
	}

	_, err = s.Conversation(ctx(t), b, "bob")
	wantCode(t, "Conversation of another owner", err, magi.ENOTFOUND)
	_, err = s.Conversation(ctx(t), "nope", "")
	wantCode(t, "Conversation of an unknown id", err, magi.ENOTFOUND)
	wantCode(t, "Delete of a turn with a follow-up", s.Delete(ctx(t), a, "alice"), magi.ECONFLICT)
	wantCode(t, "Delete of a turn with a follow-up", s.Delete(ctx(t), b, ""), magi.ECONFLICT)
	_, err = s.DeleteConversation(ctx(t), a, "alice")
	wantCode(t, "DeleteConversation while a turn runs", err, magi.ECONFLICT)
	if ts, err := s.Conversation(ctx(t), a, ""); err != nil || len(ts) != 3 {
		t.Fatalf("after the refused deletes: %d turns, %v; want all 3", len(ts), err)
	}

	mustAppend(t, s, errorEvent(c, 2, magi.ECANCELLED, true))
	_, err = s.DeleteConversation(ctx(t), b, "bob")
	wantCode(t, "DeleteConversation of another owner", err, magi.ENOTFOUND)
	gone, err := s.DeleteConversation(ctx(t), b, "alice")
	if err != nil {
		t.Fatalf("DeleteConversation: %v", err)
	}
	if diff := cmp.Diff([]string{a, b, c}, gone); diff != "" {
		t.Errorf("deleted (-want +got):\n%s", diff)
	}
	for _, id := range []string{a, b, c} {
		_, err := s.Summary(ctx(t), id, "")
		wantCode(t, "Summary of a deleted turn", err, magi.ENOTFOUND)
		_, err = s.Events(ctx(t), id, 0, 0)
		wantCode(t, "Events of a deleted turn", err, magi.ENOTFOUND)
	}
	if _, err := s.Summary(ctx(t), other, ""); err != nil {
		t.Errorf("another conversation was deleted too: %v", err)
	}
}

// testDeleteLastTurn: the newest turn, which has no follow-up, is deleted
// alone; its conversation counts one turn fewer.
func testDeleteLastTurn(t *testing.T, open func(*testing.T) magi.Store) {
	s := open(t)
	a, b := magi.NewID(), magi.NewID()
	begin(t, s, a, t0, "")
	decided(t, s, a)
	if err := Create(ctx(t), s, followUp(b, a, a, t0.Add(time.Second), "")); err != nil {
		t.Fatal(err)
	}
	mustAppend(t, s, startFollowUp(b, a, a, 2, t0.Add(time.Second)))
	decided(t, s, b)
	if err := s.Delete(ctx(t), b, ""); err != nil {
		t.Fatalf("Delete of the last turn: %v", err)
	}
	if sum, err := s.Summary(ctx(t), a, ""); err != nil || sum.Turns != 1 {
		t.Errorf("after deleting its follow-up: %+v, %v; want 1 turn", sum, err)
	}
	if err := s.Delete(ctx(t), a, ""); err != nil {
		t.Errorf("Delete of the first turn, now alone: %v", err)
	}
}

// testFollowUpRefused: a follow-up of an unknown, running, failed or
// cancelled deliberation, of another owner's or naming another
// conversation is refused, and nothing of it is stored; the other items
// of its batch are.
func testFollowUpRefused(t *testing.T, open func(*testing.T) magi.Store) {
	s := open(t)
	done, running, failed, cancelled := magi.NewID(), magi.NewID(), magi.NewID(), magi.NewID()
	for i, id := range []string{done, running, failed, cancelled} {
		begin(t, s, id, t0.Add(time.Duration(i)*time.Second), "alice")
	}
	decided(t, s, done)
	mustAppend(t, s, errorEvent(failed, 2, magi.ENOVERDICT, true))
	mustAppend(t, s, errorEvent(cancelled, 2, magi.ECANCELLED, true))
	at := t0.Add(time.Minute)
	for _, c := range []struct {
		name string
		n    magi.NewDeliberation
		code string
	}{
		{"unknown parent", followUp(magi.NewID(), "nope", "nope", at, "alice"), magi.ENOTFOUND},
		{"running parent", followUp(magi.NewID(), running, running, at, "alice"), magi.ECONFLICT},
		{"failed parent", followUp(magi.NewID(), failed, failed, at, "alice"), magi.ECONFLICT},
		{"cancelled parent", followUp(magi.NewID(), cancelled, cancelled, at, "alice"), magi.ECONFLICT},
		{"another owner's parent", followUp(magi.NewID(), done, done, at, "bob"), magi.ENOTFOUND},
		{"another conversation", followUp(magi.NewID(), done, running, at, "alice"), magi.ECONFLICT},
	} {
		ok := newDelib(magi.NewID(), at, "alice")
		r, err := s.Write(ctx(t), magi.Batch{Create: []magi.NewDeliberation{c.n, ok}})
		if err != nil {
			t.Fatalf("%s: Write: %v", c.name, err)
		}
		wantCode(t, c.name, r.Create[0], c.code)
		if r.Create[1] != nil {
			t.Errorf("%s: the batch's other create was refused too: %v", c.name, r.Create[1])
		}
		_, err = s.Summary(ctx(t), c.n.ID, "")
		wantCode(t, c.name+": the refused follow-up", err, magi.ENOTFOUND)
	}
	if ts, err := s.Conversation(ctx(t), done, ""); err != nil || len(ts) != 1 {
		t.Errorf("the completed deliberation's conversation: %d turns, %v; want 1", len(ts), err)
	}
}
