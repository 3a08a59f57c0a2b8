package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/store/storetest"
)

func TestSQLite_Councils(t *testing.T) {
	storetest.RunCouncils(t, storetest.PerTest(
		func(t *testing.T) string { return filepath.Join(t.TempDir(), "magi.db") },
		func(t *testing.T, path string) magi.Store { return openAt(t, path) },
	))
}
