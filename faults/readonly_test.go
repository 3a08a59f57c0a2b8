package faults_test

import (
	"context"
	"net/http"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/internal/await"
	"github.com/magi-system/magi/internal/fakellm"
	"github.com/magi-system/magi/internal/faulttest"
	"github.com/magi-system/magi/internal/magitest"
)

// TestDisk_ReadOnly runs `magi serve` (as an unprivileged user: root
// ignores file permissions) on a SQLite database file that is read-only.
// The history still reads; a new deliberation is refused with a 503 in
// SPEC's JSON naming no internal detail; nothing is stored. Once the file
// is writable again, new deliberations complete without a restart.
func TestDisk_ReadOnly(t *testing.T) {
	t.Parallel()
	cred := unprivileged(t)
	r := faulttest.NewRand(t)
	v := faulttest.NewViolations(t)
	var tally faulttest.Tally
	model := faulttest.StartModel(t, fakellm.Config{Words: 20, Gap: time.Millisecond}, r.Child())
	dir := openDir(t, cred)
	db := filepath.Join(dir, "data", "magi.db")
	env := magitest.With(magitest.Env(t), "OPENAI_BASE_URL", model.URL, "MAGI_MODEL", "fake-model", "MAGI_DB", db,
		"MAGI_LOG_LEVEL", "warn", "HOME", dir, "XDG_DATA_HOME", dir)
	cs := faulttest.NewClients()
	ctx := within(t, time.Minute)

	first := magitest.StartServeAs(t, cred, env)
	c := cs.Start(first.URL, "Before the file turns read-only?")
	c.Run(ctx)
	if e, _ := c.End(); e.Type != magi.EventComplete {
		t.Fatalf("the first deliberation: %s", c.Describe())
	}
	first.Stop(t)
	if err := os.Chmod(db, 0o444); err != nil {
		t.Fatal(err)
	}

	srv := magitest.StartServeAs(t, cred, env)
	st := openStore(t, db) // root's, for the checks: it may write, it does not
	defer func() {
		faulttest.CheckStore(context.Background(), v, st)
		tally.Log(t, v)
	}()
	tally.Runs++
	tally.Faults++
	var page magi.Page
	magitest.DoJSON(t, http.MethodGet, srv.URL+"/api/deliberations", "", http.StatusOK, &page)
	if len(page.Items) != 1 {
		v.Errorf("the history of a read-only database lists %d deliberations, want the 1 stored", len(page.Items))
	}
	refused := cs.Start(srv.URL, "Can a read-only database keep this?")
	refused.Run(ctx)
	if refused.Refused == nil || refused.Refused.Status != http.StatusServiceUnavailable {
		v.Errorf("a deliberation on a read-only database: %s, refused %+v; want a 503", refused.Describe(), refused.Refused)
	}
	faulttest.CheckClients(ctx, v, st, []*faulttest.Client{c, refused})
	magitest.DoJSON(t, http.MethodGet, srv.URL+"/api/deliberations", "", http.StatusOK, &page)
	if len(page.Items) != 1 {
		v.Errorf("after the refusal the history lists %d deliberations, want still 1: nothing stored half-way", len(page.Items))
	}

	for _, f := range []string{db, db + "-wal", db + "-shm"} { // SQLite made its files as read-only as the database
		if err := os.Chmod(f, 0o644); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
	var after *faulttest.Client
	await.Until(10*time.Second, func() bool { // refused until the server's next write finds the file writable
		after = cs.Start(srv.URL, "Writable again?")
		after.Run(ctx)
		return after.Refused == nil
	})
	if e, _ := after.End(); e.Type != magi.EventComplete {
		v.Errorf("10 s after the file became writable again, a new deliberation: %s, refused %+v; want complete", after.Describe(), after.Refused)
	}
	faulttest.CheckClients(ctx, v, st, []*faulttest.Client{after})
	outcomes(ctx, t, st, &tally, []*faulttest.Client{c, refused, after})
}

// unprivileged returns the credential of the user nobody; the test is
// skipped without root (it could not become nobody), or fails when
// CI=true.
func unprivileged(t *testing.T) *syscall.Credential {
	t.Helper()
	u, err := user.Lookup("nobody")
	why := ""
	switch {
	case os.Geteuid() != 0:
		why = "running magi as another user (root ignores file permissions) needs root"
	case err != nil:
		why = "no user nobody: " + err.Error()
	}
	if why != "" {
		if os.Getenv("CI") == "true" {
			t.Fatal(why)
		}
		t.Skip(why)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
}

// openDir is a directory every user can reach, with a data directory in
// it owned by cred's user.
func openDir(t *testing.T, cred *syscall.Credential) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "magi-readonly-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	if err := os.Mkdir(data, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(data, int(cred.Uid), int(cred.Gid)); err != nil {
		t.Fatal(err)
	}
	return dir
}
