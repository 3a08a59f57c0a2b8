//go:build unix

package sqlite_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestSQLite_SweepsDeadLockFiles: a process killed while it ran nothing
// leaves its instance lock file, which no Recover looks at; the next
// store that opens removes it, and keeps a live store's.
func TestSQLite_SweepsDeadLockFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "magi.db")
	live := openAt(t, path)
	dir := path + ".instances"
	dead := filepath.Join(dir, "01deadbeef.lock")
	if err := os.WriteFile(dead, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	next := openAt(t, path)
	var names []string
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		names = append(names, e.Name())
	}
	want := []string{live.Instance() + ".lock", next.Instance() + ".lock"}
	slices.Sort(want)
	if !slices.Equal(names, want) {
		t.Errorf("lock files %v, want only the live stores' %v", names, want)
	}
}
