package postgres_test

import (
	"testing"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/internal/pgtest"
	"github.com/magi-system/magi/store/storetest"
)

func TestPostgres_Sessions(t *testing.T) {
	storetest.RunSessions(t, storetest.PerTest(
		func(t *testing.T) string { return pgtest.URL(t) },
		func(t *testing.T, addr string) magi.Store { return openAt(t, addr) },
	))
}
