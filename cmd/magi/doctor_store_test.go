package main

import (
	"database/sql"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/magi-system/magi/internal/magitest"
)

// TestDoctor_Store: `magi doctor --store` passes a healthy store, then
// names each broken deliberation by id, with what is wrong, and fails.
func TestDoctor_Store(t *testing.T) {
	t.Parallel()
	env := simEnv(t)
	var ids []string
	for i := range 3 {
		r := magitest.MustRun(t, env, "ask", "--json", fmt.Sprintf("Is store %d sound?", i))
		id := regexp.MustCompile(`"id": ?"([0-9a-f]+)"`).FindStringSubmatch(r.Stdout)
		if id == nil {
			t.Fatalf("no id in magi ask --json:\n%s", r.Stdout)
		}
		ids = append(ids, id[1])
	}
	r := magitest.Run(t, env, "doctor", "--store")
	if r.Code != 0 || !regexp.MustCompile(`(?m)^✓ store: 3 deliberations \(0 running\), \d+ events checked, no violation$`).MatchString(r.Stdout) {
		t.Fatalf("doctor --store on a healthy store: exit %d\n%s%s", r.Code, r.Stdout, r.Stderr)
	}
	if strings.Contains(r.Stdout, "MELCHIOR") {
		t.Errorf("doctor --store checked the providers too:\n%s", r.Stdout)
	}

	db, err := sql.Open("sqlite", env["MAGI_DB"])
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{
		`DELETE FROM events WHERE deliberation_id = '` + ids[0] + `' AND seq = 2`,
		`UPDATE deliberations SET status = 'running', instance = 'gone' WHERE id = '` + ids[1] + `'`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	r = magitest.Run(t, env, "doctor", "--store")
	for _, want := range []string{
		"✗ " + ids[0] + ": gap: seqs 2 to 2 are missing\n",
		"✗ " + ids[1] + ": mismatch: status running, but seq ",
		"✗ " + ids[1] + ": orphaned: running at seq ",
		"✗ store: 3 violation(s) in 3 deliberations (",
	} {
		if !strings.Contains(r.Stdout, want) {
			t.Errorf("doctor --store output lacks %q:\n%s", want, r.Stdout)
		}
	}
	if r.Code == 0 || strings.Contains(r.Stdout, ids[2]) {
		t.Errorf("doctor --store on a broken store: exit %d, want non-zero, and nothing about the sound %s:\n%s", r.Code, ids[2], r.Stdout)
	}
}
