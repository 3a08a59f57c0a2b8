package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/store/storetest"
)

func TestSqlite_Sessions(t *testing.T) {
	storetest.RunSessions(t, storetest.PerTest(
		func(t *testing.T) string { return filepath.Join(t.TempDir(), "magi.db") },
		func(t *testing.T, addr string) magi.Store { return openAt(t, addr) },
	))
}
