package sqlite_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/magi-system/magi"
	"github.com/magi-system/magi/minutes"
	"github.com/magi-system/magi/store/storetest"
)

// testdata/v1.db was written by `magi ask` before rounds existed (the
// simulated council on the README's question); v1-record.json and
// v1-minutes.md are what that version's `magi show --json` and
// `magi export` printed of it.
const v1ID = "01a2314962766396706b34dcd8"

// A database of the version before rounds reads, replays and exports as it
// did, the record gaining only its one round.
func TestSQLite_ReadsADatabaseFromBeforeRounds(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v1.db")
	b, err := os.ReadFile("testdata/v1.db")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	db := openAt(t, path)
	rec, err := db.Deliberation(t.Context(), v1ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Rounds) != 1 || len(rec.Rounds[0].Agents) != 3 || rec.Rounds[0].Agents[0].Text != rec.Agents[0].Text {
		t.Fatalf("rounds = %+v, want the one round of three sages", rec.Rounds)
	}
	var now, then map[string]any
	if b, err = json.Marshal(rec); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &now); err != nil {
		t.Fatal(err)
	}
	old, err := os.ReadFile("testdata/v1-record.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(old, &then); err != nil {
		t.Fatal(err)
	}
	delete(now, "rounds")
	// Every deliberation stored before conversations is a first question.
	if now["conversation_id"] != v1ID || now["turn"] != 1.0 || now["parent_id"] != nil {
		t.Errorf("conversation_id %v, turn %v, parent_id %v; want its own id, 1, none", now["conversation_id"], now["turn"], now["parent_id"])
	}
	delete(now, "conversation_id")
	delete(now, "turn")
	if diff := cmp.Diff(then, now); diff != "" {
		t.Errorf("the record (-then +now):\n%s", diff)
	}
	evs, err := db.Events(t.Context(), v1ID, 0, 0)
	if err != nil || len(evs) == 0 || evs[len(evs)-1].Type != magi.EventComplete {
		t.Fatalf("replay: %d events, %v", len(evs), err)
	}
	for i, e := range evs {
		if e.Seq != int64(i+1) || e.Round != 0 {
			t.Errorf("event %d: seq %d round %d", i+1, e.Seq, e.Round)
		}
	}
	if diff := cmp.Diff(rec, magi.Project(evs), cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".Status" }, cmp.Ignore())); diff != "" {
		t.Errorf("replayed events fold to another record (-stored +replayed):\n%s", diff)
	}
	md, err := os.ReadFile("testdata/v1-minutes.md")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(md), minutes.Markdown(rec)); diff != "" {
		t.Errorf("the minutes (-then +now):\n%s", diff)
	}
}

// The database of before rounds (and before conversations) opens with
// migration 0004: its deliberation is a conversation of its own, of one
// turn, which can be followed up.
func TestSQLite_MigratesADatabaseFromBeforeConversations(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v1.db")
	b, err := os.ReadFile("testdata/v1.db")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	db := openAt(t, path)
	sum, err := db.Summary(t.Context(), v1ID, "")
	if err != nil || sum.ConversationID != v1ID || sum.ParentID != "" || sum.Turns != 1 {
		t.Errorf("Summary = %+v, %v; want a conversation of its own", sum, err)
	}
	ts, err := db.Conversation(t.Context(), v1ID, "")
	if err != nil || len(ts) != 1 || ts[0].Outcome == nil || ts[0].Outcome.Decision != magi.Conditional {
		t.Fatalf("Conversation = %+v, %v; want the one completed turn with its outcome", ts, err)
	}
	next := magi.NewID()
	if err := storetest.Create(t.Context(), db, magi.NewDeliberation{ID: next, Question: "Then how?", Rule: magi.Majority,
		ConversationID: v1ID, ParentID: v1ID}); err != nil {
		t.Fatalf("a follow-up of the old deliberation: %v", err)
	}
	if ts, err := db.Conversation(t.Context(), next, ""); err != nil || len(ts) != 2 || ts[1].ID != next {
		t.Errorf("after the follow-up: %+v, %v", ts, err)
	}
}
