package faults_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/internal/await"
	"github.com/magi-system/magi/internal/fakellm"
	"github.com/magi-system/magi/internal/faultproxy"
	"github.com/magi-system/magi/internal/faulttest"
	"github.com/magi-system/magi/internal/magitest"
)

// pauseFor is how long the PostgreSQL server is stopped (SIGSTOP) in the
// pause fault.
const pauseFor = 10 * time.Second

// TestFaults_Postgres: faults between MAGI and PostgreSQL — every fault of
// the proxy, a restart of the server (fast, and immediate as after a
// crash) and a 10-second pause of every PostgreSQL process — each in a run
// of its own, in a seeded order, mid-deliberation, sometimes with a model
// fault at the same time. While the store cannot be reached, /healthz
// answers 503; once it can, 200 again within 15 s; then the invariants of
// TestFaults_Model hold, and PostgreSQL holds no more sessions than the
// server's pool.
func TestFaults_Postgres(t *testing.T) {
	t.Parallel()
	r := faulttest.NewRand(t)
	v := faulttest.NewViolations(t)
	var tally faulttest.Tally
	pg := faulttest.StartPostgres(t, r.Child())
	model := faulttest.StartModel(t, fakellm.Config{Words: 120, Gap: 5 * time.Millisecond, Script: slowScript}, r.Child())
	env := serveEnv(t, model.URL, pg.URL)
	srv := magitest.StartServe(t, env)
	st := openStore(t, pg.Direct)
	defer func() {
		faulttest.CheckStore(context.Background(), v, st) // the whole store, once more
		tally.Log(t, v)
	}()
	cs := faulttest.NewClients()
	base := warmUp(t, srv, cs, model)

	kinds := storeFaults(t, srv.URL, pg, v)
	order := r.Perm(len(kinds))
	for run := range faulttest.Count(len(kinds), 4*len(kinds)) {
		k := kinds[order[run%len(kinds)]]
		step := k(r)
		steps := []faulttest.Step{step}
		if r.IntN(3) == 0 {
			steps = append(steps, modelStep(r, model, randomKind(r)))
		}
		tally.Runs++
		tally.Faults += len(steps)
		t.Logf("run %d: %v", run, steps)
		ctx := within(t, 2*time.Minute)
		wait := faulttest.Schedule(ctx, steps)
		clients := faulttest.Drive(ctx, cs, srv.URL, r, faulttest.Load{Deliberations: 5, Watchers: 2,
			Join: time.Second, Question: fmt.Sprintf("run %d", run)})
		if err := wait(); err != nil {
			t.Fatal(err)
		}
		took := faulttest.WaitHealthy(ctx, v, srv.URL, http.StatusOK, 15*time.Second)
		t.Logf("run %d: healthy %v after the store came back", run, took.Round(time.Millisecond))
		faulttest.WaitSettled(ctx, v, st, 45*time.Second)
		faulttest.CheckClients(ctx, v, st, clients)
		faulttest.CheckRun(ctx, v, st, clients)
		outcomes(ctx, t, st, &tally, clients)
		faulttest.WaitNoLeak(ctx, v, srv.PID(), srv.URL, base, 10*time.Second, func() { cs.CloseIdle(); model.DropIdle() })
		checkSessions(ctx, v, pg, 1)
		checkAlive(ctx, t, v, srv.URL, st)
		if t.Failed() {
			for _, c := range clients {
				t.Logf("client %s", c.Describe())
			}
			return
		}
	}
}

// maxSessions is the most PostgreSQL sessions one magi process holds: its
// pool (pgxpool's default, 4 on this machine at most), the instance lock's
// and the LISTEN of Watch.
const maxSessions = 6

// checkSessions reports PostgreSQL holding more sessions than procs
// processes may.
func checkSessions(ctx context.Context, v *faulttest.Violations, pg *faulttest.Postgres, procs int) {
	n, err := pg.Backends(ctx)
	if err != nil {
		v.Errorf("pg_stat_activity: %v", err)
	} else if n > procs*maxSessions {
		v.Errorf("leak: PostgreSQL holds %d sessions of %d magi process(es), at most %d expected", n, procs, procs*maxSessions)
	}
}

// storeFaults are the faults of a PostgreSQL run, each drawing its
// parameters and timing: every proxy fault, restarts and the pause. The
// faults that make the store unreachable check that /healthz says so.
func storeFaults(t *testing.T, url string, pg *faulttest.Postgres, v *faulttest.Violations) []func(*faulttest.Rand) faulttest.Step {
	unhealthy := func(ctx context.Context) {
		faulttest.WaitHealthy(ctx, v, url, http.StatusServiceUnavailable, 5*time.Second)
	}
	var out []func(*faulttest.Rand) faulttest.Step
	for _, kind := range faultproxy.Kinds {
		out = append(out, func(r *faulttest.Rand) faulttest.Step {
			s := faulttest.ProxyStep("store", pg.Proxy, faulttest.RandomFault(r, kind),
				r.Duration(100*time.Millisecond, 800*time.Millisecond), r.Duration(300*time.Millisecond, 2500*time.Millisecond))
			if kind == faultproxy.Refuse || kind == faultproxy.HalfOpen {
				s.During = unhealthy
			}
			return s
		})
	}
	for _, crash := range []bool{false, true} {
		name := "store: restart"
		if crash {
			name = "store: crash and restart"
		}
		out = append(out, func(r *faulttest.Rand) faulttest.Step {
			return faulttest.Step{At: r.Duration(100*time.Millisecond, 800*time.Millisecond), Name: name,
				Apply: func() (func(), error) { return func() {}, pg.Server.Restart(crash) }}
		})
	}
	out = append(out, func(r *faulttest.Rand) faulttest.Step {
		return faulttest.Step{At: r.Duration(100*time.Millisecond, 800*time.Millisecond), For: pauseFor,
			Name: fmt.Sprintf("store: pause %v", pauseFor), During: unhealthy,
			Apply: func() (func(), error) {
				return func() { _ = pg.Server.Resume() }, pg.Server.Pause()
			}}
	})
	return out
}

// slowScript makes the model answer a question marked [slow] slowly
// enough to be caught running.
func slowScript(req fakellm.Request) fakellm.Reply {
	if strings.Contains(req.User, "[slow]") {
		return fakellm.Reply{Gap: 300 * time.Millisecond}
	}
	return fakellm.Reply{}
}

// checkAlive starts a slow deliberation on the server at base and checks
// that the store does not take it for orphaned (its process is alive, and
// says so again within aliveWithin of its store coming back, faults or
// not), then cancels it.
func checkAlive(ctx context.Context, t *testing.T, v *faulttest.Violations, base string, st faulttest.Store) {
	t.Helper()
	id := magitest.StartDeliberation(t, base, "[slow] Is the server alive?")
	var s magi.Summary
	var err error
	if !await.Until(30*time.Second, func() bool { // the store is polled
		s, err = st.Summary(ctx, id, "")
		return err == nil && s.LastSeq >= 2
	}) {
		t.Fatalf("%s did not begin within 30 s: %+v, %v", id, s, err)
	}
	if !await.Until(aliveWithin, func() bool {
		var orphans []string
		orphans, err = st.Orphans(ctx)
		return err == nil && !slices.Contains(orphans, id)
	}) {
		v.Errorf("%s runs in a live server, but %v after its store came back the store still takes it for orphaned (%v): another process would interrupt it", id, aliveWithin, err)
	}
	magitest.DoJSON(t, http.MethodPost, base+"/api/deliberations/"+id+"/cancel", "", http.StatusAccepted, nil)
	faulttest.WaitSettled(ctx, v, st, 10*time.Second)
}

// aliveWithin bounds how long a live server may look dead to others after
// its database comes back: the time to take its instance lock again.
const aliveWithin = 5 * time.Second
