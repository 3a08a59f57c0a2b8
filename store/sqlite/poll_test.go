package sqlite_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/magi-system/magi"
	"github.com/magi-system/magi/store/sqlite"
	"github.com/magi-system/magi/store/storetest"
)

// changed calls Changed and fails t on an error.
func changed(t *testing.T, db *sqlite.DB) bool {
	t.Helper()
	ok, err := db.Changed(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

// TestSQLite_PollSeesOtherWriters: Changed tells of a commit by another
// store on the same file (another process) or by this store's own writes,
// and Heads then says how far each deliberation got.
func TestSQLite_PollSeesOtherWriters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "magi.db")
	a, b := openAt(t, path), openAt(t, path)
	if !changed(t, b) {
		t.Error("the first Changed is false")
	}
	if changed(t, b) {
		t.Error("Changed with no write in between")
	}

	now := time.Now().UTC()
	if err := storetest.Create(t.Context(), a, magi.NewDeliberation{ID: "d1", Question: "q", Rule: magi.Majority, CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	if err := storetest.Append(t.Context(), a,
		magi.Event{Type: magi.EventStart, DeliberationID: "d1", Seq: 1, Timestamp: now, Question: "q", Rule: magi.Majority},
		magi.Event{Type: magi.EventChunk, DeliberationID: "d1", Seq: 2, Timestamp: now, Agent: magi.Melchior, Content: "x"}); err != nil {
		t.Fatal(err)
	}
	if !changed(t, b) {
		t.Error("Changed is false after another store's write")
	}
	if changed(t, b) {
		t.Error("Changed twice for one write")
	}
	heads, err := b.Heads(t.Context(), []string{"d1", "unknown"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]int64{"d1": 2}, heads); diff != "" {
		t.Errorf("Heads (-want +got):\n%s", diff)
	}

	if err := storetest.Create(t.Context(), b, magi.NewDeliberation{ID: "d2", Question: "q", Rule: magi.Majority, CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	if !changed(t, b) {
		t.Error("Changed is false after the store's own write")
	}
}

// TestSQLite_PollInMemory: a database in memory has no other writer.
func TestSQLite_PollInMemory(t *testing.T) {
	db := openAt(t, sqlite.Memory)
	if changed(t, db) {
		t.Error("Changed of a database in memory is true")
	}
	if heads, err := db.Heads(t.Context(), []string{"nope"}); err != nil || len(heads) != 0 {
		t.Errorf("Heads = %v, %v; want none", heads, err)
	}
}

// BenchmarkSQLite_Changed is the cost of one poll that finds nothing new.
func BenchmarkSQLite_Changed(b *testing.B) {
	db := openAt(b, filepath.Join(b.TempDir(), "magi.db"))
	for b.Loop() {
		if _, err := db.Changed(b.Context()); err != nil {
			b.Fatal(err)
		}
	}
}
