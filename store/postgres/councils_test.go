package postgres_test

import (
	"testing"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/internal/pgtest"
	"github.com/magi-system/magi/store/storetest"
)

func TestPostgres_Councils(t *testing.T) {
	storetest.RunCouncils(t, storetest.PerTest(
		func(t *testing.T) string { return pgtest.URL(t) },
		func(t *testing.T, url string) magi.Store { return openAt(t, url) },
	))
}
