package postgres_test

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/magi-system/magi"
	"github.com/magi-system/magi/internal/pgtest"
	"github.com/magi-system/magi/store/postgres"
	"github.com/magi-system/magi/store/storetest"
)

type note struct {
	id  string
	seq int64
}

// watch runs w.Watch until the test ends, sending what it hears on the
// returned channel.
func watch(t *testing.T, w magi.Watcher) <-chan note {
	ctx, cancel := context.WithCancel(context.Background())
	notes := make(chan note, 100)
	done := make(chan error, 1)
	go func() { done <- w.Watch(ctx, func(id string, seq int64) { notes <- note{id, seq} }) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != context.Canceled {
			t.Errorf("Watch returned %v, want context.Canceled", err)
		}
	})
	return notes
}

func chunk(id string, seq int64) magi.Event {
	return magi.Event{Type: magi.EventChunk, DeliberationID: id, Seq: seq, Content: "x"}
}

// appendUntilHeard appends to id (from seq) until the watcher hears it,
// since LISTEN may start after the first append; it returns what it heard.
func appendUntilHeard(t *testing.T, s magi.Store, notes <-chan note, id string, seq int64) note {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); seq++ {
		if err := storetest.Append(t.Context(), s, chunk(id, seq), chunk(id, seq+1)); err != nil {
			t.Fatal(err)
		}
		seq++
		select {
		case n := <-notes:
			return n
		case <-time.After(200 * time.Millisecond):
		}
	}
	t.Fatal("the watcher heard nothing")
	return note{}
}

func TestPostgres_WatchHearsOtherProcesses(t *testing.T) {
	url := pgtest.URL(t)
	watcher, writer := openAt(t, url), openAt(t, url)
	notes := watch(t, watcher)
	id := magi.NewID()
	if err := storetest.Create(t.Context(), writer, magi.NewDeliberation{ID: id, Question: "q", Rule: magi.Majority}); err != nil {
		t.Fatal(err)
	}
	first := appendUntilHeard(t, writer, notes, id, 1)
	if first.id != id || first.seq%2 != 0 {
		t.Fatalf("heard %+v: want %s with the highest seq of an append of two", first, id)
	}
	if err := storetest.Append(t.Context(), writer, chunk(id, first.seq+1)); err != nil {
		t.Fatal(err)
	}
	select {
	case n := <-notes:
		if diff := cmp.Diff(note{id, first.seq + 1}, n, cmp.AllowUnexported(note{})); diff != "" {
			t.Errorf("notification (-want +got):\n%s", diff)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no notification for the append")
	}
}

func TestPostgres_WatchReconnects(t *testing.T) {
	url := pgtest.URL(t)
	db := openAt(t, url)
	notes := watch(t, db)
	id := magi.NewID()
	if err := storetest.Create(t.Context(), db, magi.NewDeliberation{ID: id, Question: "q", Rule: magi.Majority}); err != nil {
		t.Fatal(err)
	}
	heard := appendUntilHeard(t, db, notes, id, 1)
	// Cut the listening session, as a database restart would.
	admin, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = admin.Close(context.Background()) }()
	var killed int
	err = admin.QueryRow(t.Context(), `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE query LIKE 'LISTEN%' AND datname = current_database()`).Scan(&killed)
	if err != nil || killed != 1 {
		t.Fatalf("terminated %d listeners, %v; want 1", killed, err)
	}
	again := appendUntilHeard(t, db, notes, id, heard.seq+1)
	if again.id != id || again.seq <= heard.seq {
		t.Errorf("after reconnecting heard %+v", again)
	}
}

func TestPostgres_RefusesNewerSchema(t *testing.T) {
	url := pgtest.URL(t)
	_ = openAt(t, url)
	admin, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = admin.Close(context.Background()) }()
	if _, err := admin.Exec(t.Context(), `INSERT INTO schema_migrations (version) VALUES (7)`); err != nil {
		t.Fatal(err)
	}
	_, err = postgres.Open(t.Context(), url, postgres.Options{})
	if magi.ErrorCode(err) != magi.ECONFIG ||
		!strings.Contains(magi.ErrorMessage(err), fmt.Sprintf("written by a newer MAGI (schema 7, this binary knows %d); upgrade magi or use another --db", migrations(t))) {
		t.Errorf("Open of a newer database: %v", err)
	}
}

func TestPostgres_OpenErrors(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	_ = l.Close() // nothing listens there now
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	_, err = postgres.Open(ctx, "postgres://magi:s3cret@127.0.0.1:"+port+"/magi?connect_timeout=2", postgres.Options{})
	if magi.ErrorCode(err) != magi.EUNAVAILABLE {
		t.Errorf("Open of a closed port: %v, want EUNAVAILABLE", err)
	}
	if msg := magi.ErrorMessage(err); strings.Contains(msg, "s3cret") || !strings.Contains(msg, "127.0.0.1:"+port) {
		t.Errorf("message %q: want the address without the password", msg)
	}
	_, err = postgres.Open(ctx, "postgres://bad url::", postgres.Options{})
	if magi.ErrorCode(err) != magi.ECONFIG {
		t.Errorf("Open of a bad URL: %v, want ECONFIG", err)
	}
}

// migrations counts the embedded migrations: the schema version this
// binary knows.
func migrations(t *testing.T) int {
	t.Helper()
	files, err := filepath.Glob("migrations/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no migrations: %v", err)
	}
	slices.Sort(files)
	num, _, _ := strings.Cut(filepath.Base(files[len(files)-1]), "_")
	v, err := strconv.Atoi(num)
	if err != nil {
		t.Fatalf("migration %s: %v", files[len(files)-1], err)
	}
	return v // the latest version, which a gap in the numbers does not change
}
