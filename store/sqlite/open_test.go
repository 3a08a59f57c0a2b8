package sqlite_test

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/magi-system/magi"
	"github.com/magi-system/magi/store/sqlite"
	"github.com/magi-system/magi/store/storetest"
)

func TestSQLite_DefaultPath(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"XDG_DATA_HOME": "/data", "HOME": "/home/u"}, "/data/magi/magi.db"},
		{map[string]string{"HOME": "/home/u"}, "/home/u/.local/share/magi/magi.db"},
	} {
		if got := sqlite.DefaultPath(func(k string) string { return tc.env[k] }); got != tc.want {
			t.Errorf("DefaultPath(%v) = %q, want %q", tc.env, got, tc.want)
		}
	}
}

func TestSQLite_Memory(t *testing.T) {
	db := openAt(t, sqlite.Memory)
	id := magi.NewID()
	if err := storetest.Create(t.Context(), db, magi.NewDeliberation{ID: id, Question: "q", Rule: magi.Majority}); err != nil {
		t.Fatal(err)
	}
	e := magi.Event{Type: magi.EventChunk, DeliberationID: id, Seq: 1, Content: "x"}
	if err := storetest.Append(t.Context(), db, e); err != nil {
		t.Fatal(err)
	}
	evs, err := db.Events(t.Context(), id, 0, 0)
	if err != nil || len(evs) != 1 || evs[0].Content != "x" {
		t.Fatalf("Events: %v %v", evs, err)
	}
	// In memory no other process can run it: Recover leaves our own.
	if ids, err := db.Recover(t.Context()); err != nil || len(ids) != 0 {
		t.Errorf("Recover: %v %v", ids, err)
	}
}

// TestSQLite_MissingDirectory: a database in a directory that does not
// exist is refused, naming the path, and nothing is created; CreateDir
// (the default data directory) creates it.
func TestSQLite_MissingDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	path := filepath.Join(dir, "magi.db")
	_, err := sqlite.Open(t.Context(), path, sqlite.Options{})
	want := "the directory of the database at " + path + " does not exist: create " + dir + ", or choose another --db or MAGI_DB"
	if magi.ErrorCode(err) != magi.ECONFIG || magi.ErrorMessage(err) != want {
		t.Errorf("Open in a missing directory: %v\nwant ECONFIG: %s", err, want)
	}
	if _, err := os.Stat(filepath.Dir(dir)); !os.IsNotExist(err) {
		t.Errorf("the refused open created a directory: %v", err)
	}
	db, err := sqlite.Open(t.Context(), path, sqlite.Options{CreateDir: true})
	if err != nil {
		t.Fatalf("Open with CreateDir: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestSQLite_CreatesFileAndLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "magi.db")
	db := openAt(t, path)
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database file: %v", err)
	}
	lock := filepath.Join(path+".instances", db.Instance()+".lock")
	if _, err := os.Stat(lock); err != nil {
		t.Fatalf("instance lock: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(lock); !os.IsNotExist(err) {
		t.Errorf("lock file left after Close: %v", err)
	}
	if err := storetest.Append(t.Context(), db, magi.Event{DeliberationID: "x", Seq: 1}); magi.ErrorCode(err) != magi.EUNAVAILABLE {
		t.Errorf("Append after Close: %v, want EUNAVAILABLE", err)
	}
}

func TestSQLite_RefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "magi.db")
	if err := openAt(t, path).Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`INSERT INTO schema_migrations (version, applied_at) VALUES (999, 0)`); err != nil {
		t.Fatal(err)
	}
	_ = raw.Close()
	_, err = sqlite.Open(t.Context(), path, sqlite.Options{})
	if magi.ErrorCode(err) != magi.ECONFIG {
		t.Fatalf("Open of a newer database: %v, want ECONFIG", err)
	}
	want := fmt.Sprintf("the database at %s was written by a newer MAGI (schema 999, this binary knows %d); upgrade magi or use another --db", path, migrations(t))
	if diff := cmp.Diff(want, magi.ErrorMessage(err)); diff != "" {
		t.Errorf("message (-want +got):\n%s", diff)
	}
}

func TestSQLite_ReopenKeepsData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "magi.db")
	db := openAt(t, path)
	id := magi.NewID()
	if err := storetest.Create(t.Context(), db, magi.NewDeliberation{ID: id, Question: "kept?", Rule: magi.Judge}); err != nil {
		t.Fatal(err)
	}
	_ = db.Close()
	r, err := openAt(t, path).Deliberation(t.Context(), id, "")
	if err != nil || r.Question != "kept?" || r.Rule != magi.Judge {
		t.Fatalf("after reopen: %+v, %v", r, err)
	}
}

func TestSQLite_UnopenablePath(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, []byte("not a directory"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := sqlite.Open(t.Context(), filepath.Join(file, "magi.db"), sqlite.Options{})
	if magi.ErrorCode(err) != magi.EUNAVAILABLE || !strings.Contains(magi.ErrorMessage(err), file) {
		t.Errorf("Open under a file: %v, want EUNAVAILABLE naming the path", err)
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
