package sqlite_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/internal/await"
	"github.com/magi-system/magi/store/storetest"
)

// TestSQLite_WALEmptied: under a steady stream of writes, as a busy server
// makes, the write-ahead log is emptied again and again, and once the
// writes stop it gives its space back — instead of growing for as long as
// the writes go on, until the disk is full.
func TestSQLite_WALEmptied(t *testing.T) {
	path := filepath.Join(t.TempDir(), "magi.db")
	db := openAt(t, path)
	id := magi.NewID()
	if err := storetest.Create(t.Context(), db, magi.NewDeliberation{ID: id, Question: "q", Rule: magi.Majority}); err != nil {
		t.Fatal(err)
	}
	text := strings.Repeat("a token of text ", 64) // 1 KB a chunk
	var most, last int64
	shrank := 0
	began := time.Now()
	for seq := int64(1); time.Since(began) < 3*time.Second; seq++ { // six checkpoints' time
		e := magi.Event{Type: magi.EventChunk, DeliberationID: id, Seq: seq, Agent: magi.Casper, Content: text, Timestamp: time.Now()}
		if err := storetest.Append(t.Context(), db, e); err != nil {
			t.Fatal(err)
		}
		size := walSize(path)
		if size < last {
			shrank++
		}
		last, most = size, max(most, size)
	}
	t.Logf("largest write-ahead log: %.1f MB, emptied %d times", float64(most)/(1<<20), shrank)
	if shrank == 0 {
		t.Errorf("the write-ahead log was never emptied during 3 s of writes; it grew to %.1f MB", float64(most)/(1<<20))
	}
	if !await.Until(2*time.Second, func() bool { return walSize(path) <= 4<<20 }) {
		t.Fatalf("2 s after the writes stopped the write-ahead log still holds %.1f MB", float64(walSize(path))/(1<<20))
	}
}

func walSize(db string) int64 {
	fi, err := os.Stat(db + "-wal")
	if err != nil {
		return 0
	}
	return fi.Size()
}
