package postgres_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/magi-system/magi"
	"github.com/magi-system/magi/internal/pgtest"
	"github.com/magi-system/magi/store/storetest"
)

// A database written before conversations (schema 3: migrations 0001 to
// 0003, as that version applied them) opens with migration 0004: each
// deliberation it holds is a conversation of its own, of one turn, which
// can be followed up.
func TestPostgres_MigratesADatabaseFromBeforeConversations(t *testing.T) {
	url := pgtest.URL(t)
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(t.Context())
	if _, err := conn.Exec(t.Context(), `CREATE TABLE schema_migrations (
		version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`); err != nil {
		t.Fatal(err)
	}
	for v, name := range []string{"0001_init.sql", "0002_keys.sql", "0003_sessions.sql"} {
		b, err := os.ReadFile(filepath.Join("migrations", name))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := conn.Exec(t.Context(), string(b)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := conn.Exec(t.Context(), `INSERT INTO schema_migrations (version) VALUES ($1)`, v+1); err != nil {
			t.Fatal(err)
		}
	}
	raw, err := os.ReadFile("../../testdata/v1-events.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	var first, last magi.Event
	if json.Unmarshal([]byte(lines[0]), &first) != nil || json.Unmarshal([]byte(lines[len(lines)-1]), &last) != nil {
		t.Fatal("bad fixture")
	}
	id := first.DeliberationID
	if _, err := conn.Exec(t.Context(), `INSERT INTO deliberations (id, question, rule, owner, status, decision, simulated,
		created_at, updated_at, last_seq) VALUES ($1, $2, $3, 'k1', 'completed', $4, true, $5, $5, $6)`,
		id, first.Question, string(first.Rule), string(last.Outcome.Decision), first.Timestamp.UnixNano(), len(lines)); err != nil {
		t.Fatal(err)
	}
	for i, line := range lines {
		var e struct{ Type string }
		_ = json.Unmarshal([]byte(line), &e)
		if _, err := conn.Exec(t.Context(), `INSERT INTO events (deliberation_id, seq, type, data) VALUES ($1, $2, $3, $4)`,
			id, i+1, e.Type, line); err != nil {
			t.Fatal(err)
		}
	}

	db := openAt(t, url)
	var version int
	if err := conn.QueryRow(t.Context(), `SELECT MAX(version) FROM schema_migrations`).Scan(&version); err != nil || version < 4 {
		t.Fatalf("schema version %d, %v; want 4 or more", version, err)
	}
	sum, err := db.Summary(t.Context(), id, "k1")
	if err != nil || sum.ConversationID != id || sum.ParentID != "" || sum.Turns != 1 {
		t.Errorf("Summary = %+v, %v; want a conversation of its own", sum, err)
	}
	rec, err := db.Deliberation(t.Context(), id, "k1")
	if err != nil || rec.ConversationID != id || rec.Turn != 1 {
		t.Errorf("record: conversation %q turn %d, %v", rec.ConversationID, rec.Turn, err)
	}
	ts, err := db.Conversation(t.Context(), id, "k1")
	if err != nil || len(ts) != 1 || ts[0].Outcome == nil || ts[0].Outcome.Decision != last.Outcome.Decision {
		t.Fatalf("Conversation = %+v, %v; want the one completed turn with its outcome", ts, err)
	}
	next := magi.NewID()
	if err := storetest.Create(t.Context(), db, magi.NewDeliberation{ID: next, Question: "Then how?", Rule: magi.Majority,
		Owner: "k1", ConversationID: id, ParentID: id}); err != nil {
		t.Fatalf("a follow-up of the old deliberation: %v", err)
	}
	if ts, err := db.Conversation(t.Context(), next, ""); err != nil || len(ts) != 2 || ts[1].ID != next {
		t.Errorf("after the follow-up: %+v, %v", ts, err)
	}
}
