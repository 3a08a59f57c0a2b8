package postgres_test

import (
	"testing"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/internal/pgtest"
	"github.com/magi-system/magi/store/postgres"
	"github.com/magi-system/magi/store/storetest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func openAt(tb testing.TB, url string) *postgres.DB {
	tb.Helper()
	db, err := postgres.Open(tb.Context(), url, postgres.Options{})
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return db
}

func TestPostgres_Suite(t *testing.T) {
	storetest.Run(t, storetest.PerTest(
		func(t *testing.T) string { return pgtest.URL(t) },
		func(t *testing.T, url string) magi.Store { return openAt(t, url) },
	))
}

func BenchmarkPostgres_Append(b *testing.B) {
	storetest.Bench(b, func(b *testing.B) magi.Store { return openAt(b, pgtest.URL(b)) })
}
