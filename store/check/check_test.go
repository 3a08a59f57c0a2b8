package check_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/magi-system/magi"
	"github.com/magi-system/magi/internal/pgtest"
	"github.com/magi-system/magi/store/check"
	"github.com/magi-system/magi/store/inmem"
	"github.com/magi-system/magi/store/postgres"
	"github.com/magi-system/magi/store/sqlite"
	"github.com/magi-system/magi/store/storetest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var (
	_ check.Store = (*sqlite.DB)(nil)
	_ check.Store = (*postgres.DB)(nil)
	_ check.Store = (*inmem.Store)(nil)
)

// backend is a store under test: open opens a store on its database (as
// another process would), exec runs SQL on it behind the store's back.
type backend struct {
	open func(t *testing.T) check.Store
	exec func(t *testing.T, query string)
	// close closes a store as its process would end.
	close func(t *testing.T, s check.Store)
}

func sqliteBackend(t *testing.T) backend {
	path := filepath.Join(t.TempDir(), "magi.db")
	return backend{
		open: func(t *testing.T) check.Store {
			db, err := sqlite.Open(t.Context(), path, sqlite.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = db.Close() })
			return db
		},
		exec: func(t *testing.T, query string) {
			db, err := sql.Open("sqlite", path)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Exec(query); err != nil {
				t.Fatalf("%s: %v", query, err)
			}
		},
		close: func(t *testing.T, s check.Store) { _ = s.(*sqlite.DB).Close() },
	}
}

func postgresBackend(t *testing.T) backend {
	url := pgtest.URL(t)
	return backend{
		open: func(t *testing.T) check.Store {
			db, err := postgres.Open(t.Context(), url, postgres.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = db.Close() })
			return db
		},
		exec: func(t *testing.T, query string) {
			c, err := pgx.Connect(t.Context(), url)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close(context.Background())
			if _, err := c.Exec(t.Context(), query); err != nil {
				t.Fatalf("%s: %v", query, err)
			}
		},
		close: func(t *testing.T, s check.Store) { _ = s.(*postgres.DB).Close() },
	}
}

func TestCheck_SQLite(t *testing.T) {
	t.Parallel()
	testCorruptions(t, sqliteBackend(t))
}

func TestCheck_Postgres(t *testing.T) {
	t.Parallel()
	testCorruptions(t, postgresBackend(t))
}

// testCorruptions stores healthy deliberations, breaks some on purpose,
// and checks the checker names each broken one, with the right kind, and
// only those.
func testCorruptions(t *testing.T, b backend) {
	st, dying := b.open(t), b.open(t)
	ids := map[string]string{}
	for _, name := range []string{"healthy", "gap", "duplicate", "two terminals", "status", "decision", "no end", "running with end"} {
		ids[name] = magi.NewID()
		deliberate(t, st, ids[name], 6, name != "no end")
	}
	ids["live"] = magi.NewID()
	deliberate(t, st, ids["live"], 4, false) // runs on, in a live process
	ids["failed"] = magi.NewID()
	write(t, st, magi.Batch{Create: []magi.NewDeliberation{newDelib(ids["failed"])}})
	write(t, st, magi.Batch{Append: [][]magi.Encoded{storetest.Encode(
		magi.Event{Type: magi.EventError, DeliberationID: ids["failed"], Seq: 1, Timestamp: time.Now(), Code: magi.ESTORE, Message: "x", Fatal: true})}})
	ids["orphaned"] = magi.NewID()
	deliberate(t, dying, ids["orphaned"], 3, false)
	b.close(t, dying)

	if rep := run(t, st); len(rep.Violations) != 1 || rep.Violations[0] != (check.Violation{ID: ids["orphaned"], Kind: check.Orphaned,
		Detail: "running at seq 3, but the magi process running it is gone; the next magi serve marks it interrupted"}) {
		t.Fatalf("before the corruption: %+v; want only the orphan", rep.Violations)
	}
	q := func(format, name string, args ...any) {
		b.exec(t, fmt.Sprintf(format, append([]any{ids[name]}, args...)...))
	}
	q(`DELETE FROM events WHERE deliberation_id = '%s' AND seq = 3`, "gap")
	q(`DELETE FROM events WHERE deliberation_id = '%s' AND seq = 3`, "duplicate")
	q(`INSERT INTO events SELECT deliberation_id, 3, type, data FROM events WHERE deliberation_id = '%s' AND seq = 2`, "duplicate")
	q(`INSERT INTO events VALUES ('%[1]s', 7, 'error', '{"type":"error","deliberation_id":"%[1]s","seq":7,`+
		`"timestamp":"2026-11-25T12:00:00.000Z","code":"interrupted","message":"x","fatal":true}')`, "two terminals")
	q(`UPDATE deliberations SET last_seq = 7 WHERE id = '%s'`, "two terminals")
	q(`UPDATE deliberations SET status = 'failed' WHERE id = '%s'`, "status")
	q(`UPDATE deliberations SET decision = 'REJECTED' WHERE id = '%s'`, "decision")
	q(`UPDATE deliberations SET status = 'completed' WHERE id = '%s'`, "no end")
	q(`UPDATE deliberations SET status = 'running' WHERE id = '%s'`, "running with end")

	rep := run(t, st)
	got := map[string][]string{}
	for _, v := range rep.Violations {
		got[v.ID] = append(got[v.ID], string(v.Kind)+": "+v.Detail)
	}
	want := map[string][]string{
		"gap":              {"gap: seqs 3 to 3 are missing"},
		"duplicate":        {"duplicate: seq 2 comes again after seq 2"},
		"two terminals":    {"terminals: a second terminal event (error interrupted) at seq 7 after the one at seq 6"},
		"status":           {"mismatch: status failed, but its terminal complete at seq 6 means completed"},
		"decision":         {`mismatch: decision "REJECTED", but its events decided "APPROVED"`},
		"no end":           {"no_end: status completed, but no complete or fatal error event among its 6 events"},
		"running with end": {"mismatch: status running, but seq 6 is the terminal complete"},
		"orphaned":         {"orphaned: running at seq 3, but the magi process running it is gone; the next magi serve marks it interrupted"},
	}
	for name, id := range ids {
		if !slices.Equal(got[id], want[name]) {
			t.Errorf("%s (%s): violations %q, want %q", name, id, got[id], want[name])
		}
	}
	if rep.Deliberations != len(ids) || rep.Running != 2 {
		t.Errorf("checked %d deliberations, %d running; want %d and 2 (the live one and the one whose row says running)",
			rep.Deliberations, rep.Running, len(ids))
	}
}

// TestCheck_Paging: more deliberations than a page of the history, and
// more events than a page of events, are all read.
func TestCheck_Paging(t *testing.T) {
	t.Parallel()
	st := inmem.New()
	for range 130 {
		deliberate(t, st, magi.NewID(), 2, true)
	}
	long := magi.NewID()
	deliberate(t, st, long, 2500, true)
	rep, err := check.Run(t.Context(), st)
	if err != nil || !rep.OK() || rep.Deliberations != 131 || rep.Events != 130*2+2500 {
		t.Errorf("Run: %+v, %v; want 131 deliberations, %d events, no violation", rep, err, 130*2+2500)
	}
}

// TestEvents_Foreign: an event of another deliberation is named.
func TestEvents_Foreign(t *testing.T) {
	s := magi.Summary{ID: "a", Status: magi.StatusRunning, LastSeq: 2}
	evs := []magi.Event{{DeliberationID: "a", Seq: 1, Type: magi.EventStart}, {DeliberationID: "b", Seq: 2, Type: magi.EventChunk}}
	v := check.Events(s, evs)
	if len(v) != 1 || v[0].Kind != check.Foreign || !strings.Contains(v[0].String(), `a: foreign: event 2 names deliberation "b"`) {
		t.Errorf("Events = %v, want one foreign", v)
	}
}

func run(t *testing.T, st check.Store) check.Report {
	t.Helper()
	rep, err := check.Run(t.Context(), st)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func newDelib(id string) magi.NewDeliberation {
	return magi.NewDeliberation{ID: id, Question: "question of " + id, Rule: magi.Majority, CreatedAt: time.Now()}
}

// deliberate stores a deliberation of id: start, chunks up to seq n
// (n ≥ 2), and when done a complete event APPROVED at seq n.
func deliberate(t *testing.T, st check.Store, id string, n int64, done bool) {
	t.Helper()
	w := st.(magi.Store)
	write(t, w, magi.Batch{Create: []magi.NewDeliberation{newDelib(id)}})
	evs := []magi.Event{{Type: magi.EventStart, Question: "question of " + id, Rule: magi.Majority}}
	for seq := int64(2); seq < n; seq++ {
		evs = append(evs, magi.Event{Type: magi.EventChunk, Agent: magi.Melchior, Content: fmt.Sprint(seq)})
	}
	if done {
		evs = append(evs, magi.Event{Type: magi.EventComplete, Outcome: &magi.Outcome{Decision: magi.Approved, Rule: magi.Majority}})
	} else {
		evs = append(evs, magi.Event{Type: magi.EventChunk, Agent: magi.Casper, Content: "more"})
	}
	for i := range evs {
		evs[i].DeliberationID, evs[i].Seq, evs[i].Timestamp = id, int64(i+1), time.Now()
	}
	write(t, w, magi.Batch{Append: [][]magi.Encoded{storetest.Encode(evs...)}})
}

func write(t *testing.T, st any, b magi.Batch) {
	t.Helper()
	r, err := st.(magi.Store).Write(t.Context(), b)
	if err == nil {
		err = r.Err()
	}
	if err != nil {
		t.Fatal(err)
	}
}
