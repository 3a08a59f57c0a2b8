package faults_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/magi-system/magi/internal/fakellm"
	"github.com/magi-system/magi/internal/faultproxy"
	"github.com/magi-system/magi/internal/faulttest"
	"github.com/magi-system/magi/internal/magitest"
)

// TestFaults_Model: faults between MAGI and its model — latency and
// jitter, a bandwidth limit, connections reset mid-stream, a model gone
// silent (half-open), a slow response header, refused connections, each
// kind in one of the first six runs — one or two at a time, at random
// moments of runs of concurrent deliberations with watchers joining and
// resuming. After each run: every
// deliberation finished, the store checker finds nothing, every client
// read a prefix of the stored stream and then its end, the server is
// healthy and holds no more descriptors or goroutines than before.
func TestFaults_Model(t *testing.T) {
	t.Parallel()
	r := faulttest.NewRand(t)
	v := faulttest.NewViolations(t)
	var tally faulttest.Tally
	model := faulttest.StartModel(t, fakellm.Config{Words: 150, Gap: 5 * time.Millisecond}, r.Child()) // ~0.75 s an answer
	env := serveEnv(t, model.URL, "")
	srv := magitest.StartServe(t, env)
	st := openStore(t, env["MAGI_DB"])
	defer func() {
		faulttest.CheckStore(context.Background(), v, st) // the whole store, once more
		tally.Log(t, v)
	}()
	cs := faulttest.NewClients()
	base := warmUp(t, srv, cs, model)

	order := r.Perm(len(faultproxy.Kinds)) // every kind in the first runs, in a seeded order
	for run := range faulttest.Count(10, 100) {
		steps := []faulttest.Step{modelStep(r, model, faultproxy.Kinds[order[run%len(order)]])}
		if r.IntN(2) == 0 {
			steps = append(steps, modelStep(r, model, randomKind(r)))
		}
		tally.Runs++
		tally.Faults += len(steps)
		t.Logf("run %d: %v", run, steps)
		ctx := within(t, 90*time.Second)
		wait := faulttest.Schedule(ctx, steps)
		clients := faulttest.Drive(ctx, cs, srv.URL, r, faulttest.Load{Deliberations: 6, Watchers: 2,
			Join: time.Second, Question: fmt.Sprintf("run %d", run)})
		if err := wait(); err != nil {
			t.Fatal(err)
		}
		faulttest.WaitHealthy(ctx, v, srv.URL, http.StatusOK, 10*time.Second)
		faulttest.WaitSettled(ctx, v, st, 15*time.Second)
		faulttest.CheckClients(ctx, v, st, clients)
		faulttest.CheckRun(ctx, v, st, clients)
		outcomes(ctx, t, st, &tally, clients)
		faulttest.WaitNoLeak(ctx, v, srv.PID(), srv.URL, base, 10*time.Second, func() { cs.CloseIdle(); model.DropIdle() })
		if t.Failed() {
			for _, c := range clients {
				t.Logf("client %s", c.Describe())
			}
			return
		}
	}
}

// modelStep draws a model fault of kind, at a random moment of the first
// 1.2 s of a run (the sages answer for about 0.75 s, then SOLOMON), for
// up to 2.5 s.
func modelStep(r *faulttest.Rand, m *faulttest.Model, kind faultproxy.Kind) faulttest.Step {
	return faulttest.ProxyStep("model", m.Proxy, faulttest.RandomFault(r, kind),
		r.Duration(0, 1200*time.Millisecond), r.Duration(300*time.Millisecond, 2500*time.Millisecond))
}

// randomKind draws a kind of network fault.
func randomKind(r *faulttest.Rand) faultproxy.Kind {
	return faultproxy.Kinds[r.IntN(len(faultproxy.Kinds))]
}

// warmUp runs one deliberation without faults, closes the idle
// connections, and returns the server's usage then: the baseline of the
// leak checks.
func warmUp(t *testing.T, srv *magitest.Proc, cs *faulttest.Clients, model *faulttest.Model) faulttest.Usage {
	t.Helper()
	ctx := within(t, 30*time.Second)
	c := cs.Start(srv.URL, "warm-up")
	c.Run(ctx)
	if !c.Ended() {
		t.Fatalf("the warm-up deliberation did not end: %s", c.Describe())
	}
	cs.CloseIdle()
	model.DropIdle()
	base, err := faulttest.Measure(ctx, srv.PID(), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("baseline: %v", base)
	return base
}
