package faults_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/internal/fakellm"
	"github.com/magi-system/magi/internal/faulttest"
	"github.com/magi-system/magi/internal/magitest"
)

// TestDisk_Full runs SQLite on a 16 MB filesystem (a tmpfs), fills it while
// deliberations stream, then frees it. While it is full: the streams end
// with a clear store_failed error, a new deliberation is refused with a
// 503 in SPEC's JSON that names no internal detail, and nothing is stored
// half-way. Once space returns: /healthz answers 200, every deliberation
// the full disk stopped is marked failed (not left running), the store
// checker finds nothing, a new deliberation completes, and the server
// holds no more descriptors or goroutines than before.
func TestDisk_Full(t *testing.T) {
	t.Parallel()
	dir := smallFS(t, "16m")
	r := faulttest.NewRand(t)
	v := faulttest.NewViolations(t)
	var tally faulttest.Tally
	model := faulttest.StartModel(t, fakellm.Config{Words: 200, Gap: 5 * time.Millisecond}, r.Child())
	env := serveEnv(t, model.URL, filepath.Join(dir, "magi.db"))
	srv := magitest.StartServe(t, env)
	st := openStore(t, env["MAGI_DB"])
	defer func() {
		faulttest.CheckStore(context.Background(), v, st)
		tally.Log(t, v)
	}()
	cs := faulttest.NewClients()
	ctx := within(t, 2*time.Minute)
	base := warmUp(t, srv, cs, model)

	d := faulttest.Begin(ctx, cs, []string{srv.URL}, r, faulttest.Load{Deliberations: 4, Watchers: 1, Join: 200 * time.Millisecond, Question: "disk"})
	d.Started(ctx)
	filler := fill(t, dir)
	tally.Runs++
	tally.Faults++
	clients := d.Wait()
	failed := 0
	for _, c := range clients {
		if e, ok := c.End(); ok && e.Code == magi.ESTORE {
			failed++
		}
	}
	if failed == 0 {
		t.Fatalf("no stream ended with store_failed: the disk did not fill up mid-deliberation")
	}
	refused := cs.Start(srv.URL, "Is the disk full?")
	refused.Run(ctx)
	if refused.Refused == nil || refused.Refused.Status != http.StatusServiceUnavailable {
		v.Errorf("a deliberation started on a full disk: %s, refused %+v; want a 503", refused.Describe(), refused.Refused)
	}
	clients = append(clients, refused)

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	took := faulttest.WaitHealthy(ctx, v, srv.URL, http.StatusOK, 10*time.Second)
	faulttest.WaitSettled(ctx, v, st, 15*time.Second)
	t.Logf("space returned: healthy after %v; %d streams had ended store_failed", took.Round(time.Millisecond), failed)
	faulttest.CheckClients(ctx, v, st, clients)
	faulttest.CheckRun(ctx, v, st, clients)
	outcomes(ctx, t, st, &tally, clients)
	after := cs.Start(srv.URL, "Is there room again?")
	after.Run(ctx)
	if e, _ := after.End(); e.Type != magi.EventComplete {
		v.Errorf("once space returned, a new deliberation: %s; want complete", after.Describe())
	}
	faulttest.CheckClients(ctx, v, st, []*faulttest.Client{after})
	faulttest.WaitNoLeak(ctx, v, srv.PID(), srv.URL, base, 10*time.Second, func() { cs.CloseIdle(); model.DropIdle() })
}

// smallFS mounts a tmpfs of size in a temporary directory for the test.
// It needs root; without it the test is skipped saying so, or fails when
// CI=true.
func smallFS(t *testing.T, size string) string {
	t.Helper()
	dir := t.TempDir()
	var why string
	if os.Geteuid() != 0 {
		why = "mounting a small filesystem (tmpfs) needs root"
	} else if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		why = "mount -t tmpfs: " + strings.TrimSpace(string(out)) + ": " + err.Error()
	}
	if why != "" {
		if os.Getenv("CI") == "true" {
			t.Fatal(why)
		}
		t.Skip(why)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	return dir
}

// fill writes a file in dir until its filesystem is full, and returns its
// path.
func fill(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	block := make([]byte, 4096)
	for {
		if _, err := f.Write(block); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			return path
		}
	}
}
