package e2e

import (
	"context"
	"net/http"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/magi-system/magi"
	"github.com/magi-system/magi/internal/fakellm"
	"github.com/magi-system/magi/internal/magitest"
)

// streaming reports a chunk of every sage having arrived.
func streaming() func(magi.Event) bool {
	seen := map[magi.AgentID]bool{}
	return func(e magi.Event) bool {
		if e.Type == magi.EventChunk {
			seen[e.Agent] = true
		}
		return seen[magi.Melchior] && seen[magi.Balthasar] && seen[magi.Casper]
	}
}

// TestServe_CancelPropagation: a cancel ends the stream with `cancelled`
// and closes every upstream model call at once.
func TestServe_CancelPropagation(t *testing.T) {
	fake, url := magitest.StartFake(t, fakellm.Config{Words: 200, Gap: 20 * time.Millisecond})
	p := startMagi(t, openaiEnv(url))
	s := magitest.Ask(magitest.Context(t, 20*time.Second), t, p.URL, "Cancel me")
	head := s.Until(t, streaming())
	id := head[0].Event.DeliberationID
	if open := fake.Open(); open != 3 {
		t.Fatalf("the fake upstream has %d open calls while the sages stream, want 3", open)
	}
	began := time.Now()
	magitest.DoJSON(t, http.MethodPost, p.URL+"/api/deliberations/"+id+"/cancel", "", http.StatusAccepted, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := fake.WaitIdle(ctx); err != nil {
		t.Fatalf("upstream calls still open 5s after the cancel: %d", fake.Open())
	}
	took := time.Since(began)
	if took > 100*time.Millisecond {
		t.Errorf("the upstream calls closed %v after the cancel, want < 100ms", took)
	}
	t.Logf("every upstream call closed %v after the cancel was sent", took)
	rest := s.All(t)
	magitest.CheckStream(t, append(head, rest...))
	end := magitest.Last(t, rest)
	if end.Type != magi.EventError || !end.Fatal || end.Code != magi.ECANCELLED {
		t.Errorf("the stream ended with %s, want a fatal error `cancelled`", rest[len(rest)-1].Data)
	}
	if rec := magitest.WaitStatus(t, p.URL, id, 5*time.Second); rec.Status != magi.StatusCancelled {
		t.Errorf("status %s, want cancelled", rec.Status)
	}
	for _, c := range fake.Calls() {
		if c.Outcome != fakellm.ClientGone {
			t.Errorf("upstream call %d (%s) ended %s, want client_gone", c.Request.N, c.Request.Agent, c.Outcome)
		}
	}
	magitest.DoJSON(t, http.MethodPost, p.URL+"/api/deliberations/"+id+"/cancel", "", http.StatusConflict, nil)
}

// TestServe_ManySubscribers: 50 clients of one deliberation get the same
// stream, and a client that reads nothing holds up neither them nor the
// deliberation.
func TestServe_ManySubscribers(t *testing.T) {
	_, url := magitest.StartFake(t, fakellm.Config{Words: 20, Gap: 5 * time.Millisecond})
	p := startMagi(t, openaiEnv(url))
	ctx := magitest.Context(t, 30*time.Second)
	id := magitest.StartDeliberation(t, p.URL, "Many eyes")
	slow := magitest.Events(ctx, t, p.URL, id, "")
	const n = 50
	streams := make([]*magitest.Stream, n)
	for i := range streams {
		streams[i] = magitest.Events(ctx, t, p.URL, id, "")
	}
	got := make([][]magitest.Event, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i, s := range streams {
		wg.Go(func() { got[i], errs[i] = s.ReadAll() })
	}
	wg.Wait()
	rec := magitest.Record(t, p.URL, id)
	if rec.Status != magi.StatusCompleted {
		t.Fatalf("the deliberation is %s once 50 clients had it all, want completed (the slow client must not hold it)", rec.Status)
	}
	full := magitest.Events(ctx, t, p.URL, id, "").All(t)
	magitest.CheckStream(t, full)
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("subscriber %d: %v", i, errs[i])
		}
		if diff := cmp.Diff(magitest.Datas(full), magitest.Datas(got[i])); diff != "" {
			t.Fatalf("subscriber %d (-stored +got):\n%s", i, diff)
		}
	}
	if diff := cmp.Diff(magitest.Datas(full), magitest.Datas(slow.All(t))); diff != "" {
		t.Fatalf("the slow subscriber, reading at last (-stored +got):\n%s", diff)
	}
}

// TestServe_GracefulShutdown: SIGTERM with a deliberation running and
// streams open ends the streams with `shutdown`, keeps the record as
// interrupted, and exits in time.
func TestServe_GracefulShutdown(t *testing.T) {
	_, url := magitest.StartFake(t, fakellm.Config{Words: 300, Gap: 30 * time.Millisecond})
	env := openaiEnv(url)
	env["MAGI_SHUTDOWN_GRACE"] = "200ms"
	env["MAGI_DB"] = t.TempDir() + "/shared.db"
	p := startMagi(t, env)
	ctx := magitest.Context(t, 30*time.Second)
	s := magitest.Ask(ctx, t, p.URL, "Shut down now?")
	head := s.Until(t, streaming())
	id := head[0].Event.DeliberationID
	other := magitest.Events(ctx, t, p.URL, id, "")
	idle := magitest.Events(ctx, t, p.URL, id, "") // open, never read until the end
	p.Signal(t, syscall.SIGTERM)
	began := time.Now()
	if !p.Wait(10 * time.Second) {
		t.Fatalf("magi serve still running 10s after SIGTERM")
	}
	t.Logf("exited %v after SIGTERM", time.Since(began))
	if p.Err() != nil {
		t.Errorf("exit: %v, want status 0", p.Err())
	}
	for name, evs := range map[string][]magitest.Event{"POST": append(head, s.All(t)...), "GET": other.All(t), "idle GET": idle.All(t)} {
		end := magitest.Last(t, evs)
		if end.Type != magi.EventError || !end.Fatal || end.Code != magi.ESHUTDOWN {
			t.Errorf("%s stream ended with %s, want a fatal error `shutdown`", name, evs[len(evs)-1].Data)
		}
	}
	q := startMagi(t, env) // the same database
	rec := magitest.Record(t, q.URL, id)
	if rec.Status != magi.StatusInterrupted || rec.Error == nil || rec.Error.Code != magi.ESHUTDOWN {
		t.Errorf("record after the shutdown: status %s, error %+v; want interrupted by `shutdown`", rec.Status, rec.Error)
	}
}
