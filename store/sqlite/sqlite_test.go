package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/store/sqlite"
	"github.com/magi-system/magi/store/storetest"
)

func openAt(tb testing.TB, path string) *sqlite.DB {
	tb.Helper()
	db, err := sqlite.Open(tb.Context(), path, sqlite.Options{})
	if err != nil {
		tb.Fatalf("Open(%s): %v", path, err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return db
}

func TestSQLite_Suite(t *testing.T) {
	storetest.Run(t, storetest.PerTest(
		func(t *testing.T) string { return filepath.Join(t.TempDir(), "magi.db") },
		func(t *testing.T, path string) magi.Store { return openAt(t, path) },
	))
}

func BenchmarkSQLite_Append(b *testing.B) {
	storetest.Bench(b, func(b *testing.B) magi.Store { return openAt(b, filepath.Join(b.TempDir(), "magi.db")) })
}
