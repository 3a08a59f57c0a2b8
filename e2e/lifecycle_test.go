package e2e

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/magi-system/magi"
	"github.com/magi-system/magi/internal/fakellm"
)

// readUntil reads events until one satisfies ok, failing on the end of the
// stream.
func readUntil(t *testing.T, s *sseStream, ok func(magi.Event) bool) []sseEvent {
	t.Helper()
	var out []sseEvent
	for {
		ev, err := s.Next()
		if err != nil {
			t.Fatalf("after %d events: %v", len(out), err)
		}
		out = append(out, ev)
		if ok(ev.Event) {
			return out
		}
	}
}

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
	fake, url := startFake(t, fakellm.Config{Words: 200, Gap: 20 * time.Millisecond})
	p := startMagi(t, openaiEnv(url))
	s := ask(testCtx(t, 20*time.Second), t, p.URL, "Cancel me")
	head := readUntil(t, s, streaming())
	id := head[0].Event.DeliberationID
	if open := fake.Open(); open != 3 {
		t.Fatalf("the fake upstream has %d open calls while the sages stream, want 3", open)
	}
	began := time.Now()
	doJSON(t, http.MethodPost, p.URL+"/api/deliberations/"+id+"/cancel", "", http.StatusAccepted, nil)
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
	checkIDs(t, append(head, rest...))
	end := last(t, rest)
	if end.Type != magi.EventError || !end.Fatal || end.Code != magi.ECANCELLED {
		t.Errorf("the stream ended with %s, want a fatal error `cancelled`", rest[len(rest)-1].Data)
	}
	if rec := waitStatus(t, p.URL, id, 5*time.Second); rec.Status != magi.StatusCancelled {
		t.Errorf("status %s, want cancelled", rec.Status)
	}
	for _, c := range fake.Calls() {
		if c.Outcome != fakellm.ClientGone {
			t.Errorf("upstream call %d (%s) ended %s, want client_gone", c.Request.N, c.Request.Agent, c.Outcome)
		}
	}
	doJSON(t, http.MethodPost, p.URL+"/api/deliberations/"+id+"/cancel", "", http.StatusConflict, nil)
}

// TestServe_ManySubscribers: 50 clients of one deliberation get the same
// stream, and a client that reads nothing holds up neither them nor the
// deliberation.
func TestServe_ManySubscribers(t *testing.T) {
	_, url := startFake(t, fakellm.Config{Words: 20, Gap: 5 * time.Millisecond})
	p := startMagi(t, openaiEnv(url))
	ctx := testCtx(t, 30*time.Second)
	id := start(t, p.URL, "Many eyes")
	slow := events(ctx, t, p.URL, id, "")
	const n = 50
	streams := make([]*sseStream, n)
	for i := range streams {
		streams[i] = events(ctx, t, p.URL, id, "")
	}
	got := make([][]sseEvent, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i, s := range streams {
		wg.Go(func() { got[i], errs[i] = s.ReadAll() })
	}
	wg.Wait()
	rec := record(t, p.URL, id)
	if rec.Status != magi.StatusCompleted {
		t.Fatalf("the deliberation is %s once 50 clients had it all, want completed (the slow client must not hold it)", rec.Status)
	}
	full := events(ctx, t, p.URL, id, "").All(t)
	checkIDs(t, full)
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("subscriber %d: %v", i, errs[i])
		}
		if diff := cmp.Diff(datas(full), datas(got[i])); diff != "" {
			t.Fatalf("subscriber %d (-stored +got):\n%s", i, diff)
		}
	}
	if diff := cmp.Diff(datas(full), datas(slow.All(t))); diff != "" {
		t.Fatalf("the slow subscriber, reading at last (-stored +got):\n%s", diff)
	}
}

// TestServe_GracefulShutdown: SIGTERM with a deliberation running and
// streams open ends the streams with `shutdown`, keeps the record as
// interrupted, and exits in time.
func TestServe_GracefulShutdown(t *testing.T) {
	_, url := startFake(t, fakellm.Config{Words: 300, Gap: 30 * time.Millisecond})
	env := openaiEnv(url)
	env["MAGI_SHUTDOWN_GRACE"] = "200ms"
	env["MAGI_DB"] = t.TempDir() + "/shared.db"
	p := startMagi(t, env)
	ctx := testCtx(t, 30*time.Second)
	s := ask(ctx, t, p.URL, "Shut down now?")
	head := readUntil(t, s, streaming())
	id := head[0].Event.DeliberationID
	other := events(ctx, t, p.URL, id, "")
	idle := events(ctx, t, p.URL, id, "") // open, never read until the end
	p.terminate(t)
	began := time.Now()
	if !p.wait(10 * time.Second) {
		t.Fatalf("magi serve still running 10s after SIGTERM")
	}
	t.Logf("exited %v after SIGTERM", time.Since(began))
	if p.err != nil {
		t.Errorf("exit: %v, want status 0", p.err)
	}
	for name, evs := range map[string][]sseEvent{"POST": append(head, s.All(t)...), "GET": other.All(t), "idle GET": idle.All(t)} {
		end := last(t, evs)
		if end.Type != magi.EventError || !end.Fatal || end.Code != magi.ESHUTDOWN {
			t.Errorf("%s stream ended with %s, want a fatal error `shutdown`", name, evs[len(evs)-1].Data)
		}
	}
	q := startMagi(t, env) // the same database
	rec := record(t, q.URL, id)
	if rec.Status != magi.StatusInterrupted || rec.Error == nil || rec.Error.Code != magi.ESHUTDOWN {
		t.Errorf("record after the shutdown: status %s, error %+v; want interrupted by `shutdown`", rec.Status, rec.Error)
	}
}
