package faults_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/magi-system/magi/internal/fakellm"
	"github.com/magi-system/magi/internal/faulttest"
	"github.com/magi-system/magi/internal/magitest"
)

// TestCrashLoop_SQLite kills `magi serve` with SIGKILL at a random moment
// while deliberations stream (50 times; 500 in the long mode), restarts it
// on the same address and store, and checks after each kill: every
// deliberation completed or interrupted, the store checker finds nothing,
// every client — reconnecting as EventSource does — read a prefix of the
// stored stream and then its end, the server is healthy, and the dead
// processes left no instance lock files behind.
func TestCrashLoop_SQLite(t *testing.T) {
	t.Parallel()
	r := faulttest.NewRand(t)
	v := faulttest.NewViolations(t)
	var tally faulttest.Tally
	model := faulttest.StartModel(t, fakellm.Config{Words: 60, Gap: 5 * time.Millisecond}, r.Child())
	env := serveEnv(t, model.URL, "")
	addr := freeAddr(t)
	st := openStore(t, env["MAGI_DB"])
	defer func() {
		faulttest.CheckStore(context.Background(), v, st) // the whole store, once more
		tally.Log(t, v)
	}()
	cs := faulttest.NewClients()
	srv := magitest.StartServe(t, env, "--addr", addr)
	for i := range faulttest.Count(50, 500) {
		ctx := within(t, time.Minute)
		d := faulttest.Begin(ctx, cs, []string{srv.URL}, r, faulttest.Load{Deliberations: 3, Watchers: 1,
			Join: 300 * time.Millisecond, Question: fmt.Sprintf("crash %d", i)})
		kill := r.Duration(0, 900*time.Millisecond)
		d.Started(ctx)
		time.Sleep(kill) // the random moment of the crash: the point of the test, not a synchronisation
		srv.Kill(t)
		tally.Runs++
		tally.Faults++
		srv = magitest.StartServe(t, env, "--addr", addr)
		clients := d.Wait()
		faulttest.WaitHealthy(ctx, v, srv.URL, http.StatusOK, 10*time.Second)
		faulttest.WaitSettled(ctx, v, st, 10*time.Second)
		faulttest.CheckClients(ctx, v, st, clients)
		faulttest.CheckRun(ctx, v, st, clients)
		outcomes(ctx, t, st, &tally, clients)
		checkLockFiles(v, env["MAGI_DB"], 2) // the live server's and the checks' store
		if t.Failed() {
			t.Logf("iteration %d: killed %v after the deliberations started", i, kill)
			for _, c := range clients {
				t.Logf("client %s", c.Describe())
			}
			return
		}
	}
}

// freeAddr is a free loopback address, for a server restarted in place.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// checkLockFiles reports more instance lock files next to the SQLite
// database db than live stores.
func checkLockFiles(v *faulttest.Violations, db string, live int) {
	ents, err := os.ReadDir(db + ".instances")
	if err != nil {
		v.Errorf("instance locks: %v", err)
		return
	}
	if len(ents) > live {
		v.Errorf("leak: %d instance lock files next to the database, %d stores alive", len(ents), live)
	}
}
