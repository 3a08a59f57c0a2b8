package faults_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/internal/fakellm"
	"github.com/magi-system/magi/internal/faulttest"
	"github.com/magi-system/magi/internal/magitest"
)

// takeover bounds how long a replica takes to end the streams of one that
// died: its look for dead processes' deliberations runs every 5 s
// (cmd/magi's recoverInterval), then the end reaches its readers (at once
// on PostgreSQL, by its next poll of the file on SQLite).
const takeover = 5*time.Second + 5*time.Second

// TestCrashLoop_Replicas: two `magi serve` replicas share one store — a
// PostgreSQL database, or a SQLite file on the same machine — behind a
// "load balancer" (clients go to the other when one does not answer).
// Deliberations run on one, read from both; it is killed with SIGKILL at a
// random moment; the survivor must end every stream of the dead one's
// deliberations with `interrupted` within 10 s, with nothing lost. Then
// the dead one comes back, and the next iteration kills the other (3
// iterations on each store; 20 long).
func TestCrashLoop_Replicas(t *testing.T) {
	t.Parallel()
	for _, store := range []string{"postgres", "sqlite"} {
		t.Run(store, func(t *testing.T) {
			t.Parallel()
			crashReplicas(t, store)
		})
	}
}

// crashReplicas is TestCrashLoop_Replicas on one store.
func crashReplicas(t *testing.T, store string) {
	r := faulttest.NewRand(t)
	v := faulttest.NewViolations(t)
	var tally faulttest.Tally
	model := faulttest.StartModel(t, fakellm.Config{Words: 150, Gap: 20 * time.Millisecond}, r.Child())
	var pg *faulttest.Postgres
	var env map[string]string
	var st faulttest.Store
	if store == "postgres" {
		pg = faulttest.StartPostgres(t, r.Child())
		env = serveEnv(t, model.URL, pg.URL)
		st = openStore(t, pg.Direct)
	} else {
		env = serveEnv(t, model.URL, "")
		st = openStore(t, env["MAGI_DB"])
	}
	defer func() {
		faulttest.CheckStore(context.Background(), v, st) // the whole store, once more
		tally.Log(t, v)
	}()
	cs := faulttest.NewClients()
	addrs := []string{freeAddr(t), freeAddr(t)}
	procs := []*magitest.Proc{magitest.StartServe(t, env, "--addr", addrs[0]), magitest.StartServe(t, env, "--addr", addrs[1])}
	for i := range faulttest.Count(3, 20) {
		victim, survivor := procs[i%2], procs[1-i%2]
		ctx := within(t, time.Minute)
		d := faulttest.Begin(ctx, cs, []string{victim.URL, survivor.URL}, r, faulttest.Load{Deliberations: 3, Watchers: 2,
			Join: 500 * time.Millisecond, Question: fmt.Sprintf("replica crash %d", i)})
		d.Started(ctx)
		time.Sleep(r.Duration(100*time.Millisecond, 1500*time.Millisecond)) // the random moment of the crash
		victim.Kill(t)
		killed := time.Now()
		tally.Runs++
		tally.Faults++
		clients := d.Wait()
		took := time.Since(killed)
		t.Logf("iteration %d: the survivor ended every stream %v after the kill", i, took.Round(time.Millisecond))
		if took > takeover {
			v.Errorf("the survivor took %v to end the dead replica's streams, want at most %v", took, takeover)
		}
		faulttest.WaitSettled(ctx, v, st, 5*time.Second)
		faulttest.CheckClients(ctx, v, st, clients)
		faulttest.CheckRun(ctx, v, st, clients)
		outcomes(ctx, t, st, &tally, clients)
		for _, c := range clients {
			if e, ok := c.End(); ok && (e.Type != magi.EventError || e.Code != magi.EINTERRUPTED) { // no end: CheckClients says so
				v.Errorf("%s ended %s %s, want interrupted: its replica died mid-deliberation", c.ID(), e.Type, e.Code)
			}
		}
		procs[i%2] = magitest.StartServe(t, env, "--addr", addrs[i%2])
		faulttest.WaitHealthy(ctx, v, procs[i%2].URL, http.StatusOK, 10*time.Second)
		if pg != nil {
			checkSessions(ctx, v, pg, 2)
		} else {
			checkLockFiles(v, env["MAGI_DB"], 3) // the two servers' and the checks' store
		}
		if t.Failed() {
			for _, c := range clients {
				t.Logf("client %s", c.Describe())
			}
			return
		}
	}
}
