package postgres_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/magi-system/magi"
	"github.com/magi-system/magi/internal/pgtest"
	"github.com/magi-system/magi/store/storetest"
)

// Events stored by MAGI before rounds existed — the very JSON that version
// wrote (testdata/v1-events.jsonl at the repository's root) — read back as
// the record that version served, with its one round.
func TestPostgres_ReadsEventsFromBeforeRounds(t *testing.T) {
	url := pgtest.URL(t)
	db := openAt(t, url)
	raw, err := os.ReadFile("../../testdata/v1-events.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	var first, last magi.Event
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &last); err != nil {
		t.Fatal(err)
	}
	if err := storetest.Create(t.Context(), db, magi.NewDeliberation{ID: first.DeliberationID, Question: first.Question, Rule: first.Rule,
		CreatedAt: first.Timestamp, Simulated: first.Simulated}); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(t.Context())
	for i, line := range lines {
		var e struct {
			Type string `json:"type"`
		}
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatal(err)
		}
		if _, err := conn.Exec(t.Context(), `INSERT INTO events (deliberation_id, seq, type, data) VALUES ($1, $2, $3, $4)`,
			first.DeliberationID, i+1, e.Type, line); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := conn.Exec(t.Context(), `UPDATE deliberations SET status = 'completed', decision = $2, last_seq = $3 WHERE id = $1`,
		first.DeliberationID, string(last.Outcome.Decision), len(lines)); err != nil {
		t.Fatal(err)
	}

	rec, err := db.Deliberation(t.Context(), first.DeliberationID, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Rounds) != 1 || len(rec.Rounds[0].Agents) != 3 {
		t.Fatalf("rounds = %+v, want one round of three sages", rec.Rounds)
	}
	b, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	var now, then map[string]any
	if err := json.Unmarshal(b, &now); err != nil {
		t.Fatal(err)
	}
	old, err := os.ReadFile("../../testdata/v1-record.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(old, &then); err != nil {
		t.Fatal(err)
	}
	delete(now, "rounds")
	// Every deliberation stored before conversations is a first question.
	if now["conversation_id"] != first.DeliberationID || now["turn"] != 1.0 || now["parent_id"] != nil {
		t.Errorf("conversation_id %v, turn %v, parent_id %v; want its own id, 1, none", now["conversation_id"], now["turn"], now["parent_id"])
	}
	delete(now, "conversation_id")
	delete(now, "turn")
	if diff := cmp.Diff(then, now); diff != "" {
		t.Errorf("the record (-then +now):\n%s", diff)
	}
	evs, err := db.Events(t.Context(), first.DeliberationID, 0, 0)
	if err != nil || len(evs) != len(lines) {
		t.Fatalf("replay: %d events of %d, %v", len(evs), len(lines), err)
	}
}
