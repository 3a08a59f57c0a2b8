package server_test

import (
	"testing"

	"github.com/magi-system/magi/internal/pgtest"
	"github.com/magi-system/magi/store/postgres"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// eachStore runs test once on a new SQLite store and once on a new
// PostgreSQL database (skipped without PostgreSQL, failed when CI=true).
func eachStore(t *testing.T, test func(t *testing.T, st keyStore)) {
	t.Run("sqlite", func(t *testing.T) { test(t, openSQLite(t)) })
	t.Run("postgres", func(t *testing.T) { test(t, openPostgres(t)) })
}

// openPostgres opens a new, empty PostgreSQL database of the shared test
// server.
func openPostgres(t *testing.T) keyStore {
	t.Helper()
	st, err := postgres.Open(t.Context(), pgtest.URL(t), postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return st
}
