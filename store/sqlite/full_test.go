package sqlite

import (
	"strconv"
	"strings"
	"testing"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/store/storetest"
)

// TestSQLite_FullIsUnavailable fills the database to its page limit: the
// append fails with EUNAVAILABLE, and nothing of it is stored.
func TestSQLite_FullIsUnavailable(t *testing.T) {
	db, err := Open(t.Context(), Memory, Options{}) // one connection: the pragma sticks
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	id := magi.NewID()
	if err := storetest.Create(t.Context(), db, magi.NewDeliberation{ID: id, Question: "q", Rule: magi.Majority}); err != nil {
		t.Fatal(err)
	}
	var pages int
	if err := db.db.QueryRow(`PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := db.db.Exec(`PRAGMA max_page_count = ` + strconv.Itoa(pages+2)); err != nil {
		t.Fatal(err)
	}
	big := magi.Event{Type: magi.EventChunk, DeliberationID: id, Seq: 1, Content: strings.Repeat("x", 1<<20)}
	err = storetest.Append(t.Context(), db, big)
	if magi.ErrorCode(err) != magi.EUNAVAILABLE || !strings.Contains(magi.ErrorMessage(err), "unavailable or full") {
		t.Fatalf("Append to a full database: %v, want EUNAVAILABLE", err)
	}
	if evs, err := db.Events(t.Context(), id, 0, 0); err != nil || len(evs) != 0 {
		t.Errorf("after the failed append: %d events, %v", len(evs), err)
	}
	small := magi.Event{Type: magi.EventChunk, DeliberationID: id, Seq: 1, Content: "fits"}
	if err := storetest.Append(t.Context(), db, small); err != nil {
		t.Errorf("a small append still fits: %v", err)
	}
}
