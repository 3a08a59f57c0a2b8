package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/magi-system/magi/internal/magitest"
)

// TestCLI_DatabasePaths: magi agents shows the real SQLite path; a --db in
// a directory that does not exist is an error naming it, and nothing is
// created; the default data directory is created on first use.
func TestCLI_DatabasePaths(t *testing.T) {
	t.Parallel()
	env := simEnv(t)
	delete(env, "MAGI_DB")
	def := filepath.Join(env["XDG_DATA_HOME"], "magi", "magi.db")
	out := magitest.MustRun(t, env, "agents").Stdout
	if !strings.Contains(lineWith(out, "db "), def) {
		t.Errorf("magi agents does not show the default database %s:\n%s", def, out)
	}
	magitest.MustRun(t, env, "history")
	if _, err := os.Stat(def); err != nil {
		t.Errorf("the default database was not created: %v", err)
	}

	missing := filepath.Join(t.TempDir(), "typo", "dir")
	db := filepath.Join(missing, "magi.db")
	for _, args := range [][]string{{"history"}, {"ask", "Is it there?"}, {"keys", "list"}} {
		r := magitest.Run(t, env, append(args, "--db", db)...)
		want := "magi: the directory of the database at " + db + " does not exist: create " + missing
		if r.Code != 1 || strings.Count(r.Stderr, want) != 1 {
			t.Errorf("magi %s --db %s: exit %d, stderr %q; want 1 and, once, %q", args[0], db, r.Code, r.Stderr, want)
		}
	}
	if _, err := os.Stat(filepath.Dir(missing)); !os.IsNotExist(err) {
		t.Errorf("a --db in a missing directory created it: %v", err)
	}
	if out := magitest.MustRun(t, env, "agents", "--db", db).Stdout; !strings.Contains(lineWith(out, "db "), db) {
		t.Errorf("magi agents --db %s does not show it:\n%s", db, out)
	}
}
