package e2e

import (
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/magi-system/magi"
	"github.com/magi-system/magi/internal/fakellm"
	"github.com/magi-system/magi/internal/magitest"
)

// TestServe_EventSequence checks the whole stream of one deliberation, as
// `curl -N -H 'Accept: text/event-stream' -d '{"question":"..."}'` gets it.
func TestServe_EventSequence(t *testing.T) {
	_, url := magitest.StartFake(t, fakellm.Config{Words: 8, Gap: time.Millisecond})
	p := startMagi(t, openaiEnv(url))
	s := magitest.Ask(magitest.Context(t, 20*time.Second), t, p.URL, "Should we adopt a four-day week?")
	h := s.Resp.Header
	for k, want := range map[string]string{"Cache-Control": "no-cache", "X-Accel-Buffering": "no", "Content-Encoding": ""} {
		if got := h.Get(k); got != want {
			t.Errorf("header %s = %q, want %q", k, got, want)
		}
	}
	evs := s.All(t)
	magitest.CheckStream(t, evs)
	id := evs[0].Event.DeliberationID
	first := evs[0].Event
	if first.Type != magi.EventStart || first.Question != "Should we adopt a four-day week?" || first.Rule != magi.Majority || first.Simulated {
		t.Errorf("first event = %+v, want start of the question, rule majority, not simulated", first)
	}
	if len(first.Agents) != 4 || first.Agents[0].Provider != "openai" || first.Agents[0].Model != "fake-model" {
		t.Errorf("start agents = %+v, want 4 agents on openai fake-model", first.Agents)
	}
	checkOrder(t, evs)
	end := magitest.Last(t, evs)
	if end.Type != magi.EventComplete || end.Outcome.Decision != magi.Approved || end.Outcome.Votes.Approved != 3 {
		t.Errorf("last event = %s, want complete APPROVED with 3 approvals", evs[len(evs)-1].Data)
	}
	rec := magitest.Record(t, p.URL, id)
	if rec.Status != magi.StatusCompleted || rec.LastSeq != int64(len(evs)) || len(rec.Agents) != 4 {
		t.Fatalf("record status %s, last_seq %d, %d agents; want completed, %d, 4", rec.Status, rec.LastSeq, len(rec.Agents), len(evs))
	}
	texts := chunkTexts(evs)
	for _, a := range rec.Agents {
		if a.Text != texts[a.ID] || a.Verdict == nil {
			t.Errorf("record of %s: text %q (verdict %v), stream said %q", a.ID, a.Text, a.Verdict, texts[a.ID])
		}
	}
}

// checkOrder asserts the shape of a good deliberation: start, traces and
// chunks of all four agents, the sages' verdicts, then SOLOMON's, then
// complete.
func checkOrder(t *testing.T, evs []magitest.Event) {
	t.Helper()
	var verdicts []magi.AgentID
	stages := map[string]bool{}
	for _, e := range evs {
		switch e.Event.Type {
		case magi.EventVerdict:
			verdicts = append(verdicts, e.Event.Agent)
		case magi.EventTrace:
			stages[e.Event.Stage] = true
		case magi.EventError:
			t.Errorf("unexpected error event %s", e.Data)
		}
	}
	if len(verdicts) != 4 || verdicts[3] != magi.Solomon {
		t.Fatalf("verdicts of %v, want the three sages then solomon", verdicts)
	}
	sages := slices.Clone(verdicts[:3])
	slices.Sort(sages)
	if !slices.Equal(sages, []magi.AgentID{magi.Balthasar, magi.Casper, magi.Melchior}) {
		t.Errorf("sage verdicts %v", verdicts[:3])
	}
	for _, st := range []string{magi.StageAgentStart, magi.StageFirstToken, magi.StageAgentDone} {
		if !stages[st] {
			t.Errorf("no trace of stage %s", st)
		}
	}
	texts := chunkTexts(evs)
	for _, a := range magi.Members {
		if !strings.Contains(texts[a], "decision") {
			t.Errorf("chunks of %s = %q, want its answer with a verdict", a, texts[a])
		}
	}
}

// chunkTexts joins each agent's chunks.
func chunkTexts(evs []magitest.Event) map[magi.AgentID]string {
	out := map[magi.AgentID]string{}
	for _, e := range evs {
		if e.Event.Type == magi.EventChunk {
			out[e.Event.Agent] += e.Event.Content
		}
	}
	return out
}

// TestServe_ParallelStreaming shows the three sages stream at the same
// time, and that the client gets their chunks as they are produced.
func TestServe_ParallelStreaming(t *testing.T) {
	_, url := magitest.StartFake(t, fakellm.Config{Words: 30, Gap: 20 * time.Millisecond})
	p := startMagi(t, openaiEnv(url))
	evs := magitest.Ask(magitest.Context(t, 30*time.Second), t, p.URL, "Is parallel better?").All(t)
	magitest.CheckStream(t, evs)
	var agents []magi.AgentID
	span := map[magi.AgentID][2]time.Time{}
	for _, e := range evs {
		if e.Event.Type == magi.EventVerdict {
			break
		}
		if e.Event.Type != magi.EventChunk {
			continue
		}
		a := e.Event.Agent
		if len(agents) == 0 || agents[len(agents)-1] != a {
			agents = append(agents, a)
		}
		s := span[a]
		if s[0].IsZero() {
			s[0] = e.At
		}
		s[1] = e.At
		span[a] = s
	}
	if len(agents) < 20 {
		t.Errorf("the agent of successive chunks changed %d times before the first verdict, want >= 20 (interleaved): %v", len(agents)-1, agents)
	}
	for _, a := range magi.Sages {
		s := span[a]
		if took := s[1].Sub(s[0]); took < 300*time.Millisecond {
			t.Errorf("%s's chunks arrived within %v, want spread over >= 300ms (30 words, 20ms apart)", a, took)
		}
		for _, b := range magi.Sages {
			if span[b][0].After(s[1]) {
				t.Errorf("%s's first chunk arrived after %s's last one: not in parallel", b, a)
			}
		}
	}
}

// TestServe_ResumeFinished replays a finished deliberation from every
// position: each is exactly the tail of the full stream.
func TestServe_ResumeFinished(t *testing.T) {
	_, url := magitest.StartFake(t, fakellm.Config{Words: 6})
	p := startMagi(t, openaiEnv(url))
	ctx := magitest.Context(t, 30*time.Second)
	full := magitest.Ask(ctx, t, p.URL, "Resume me").All(t)
	id := full[0].Event.DeliberationID
	if diff := cmp.Diff(magitest.Datas(full), magitest.Datas(magitest.Events(ctx, t, p.URL, id, "").All(t))); diff != "" {
		t.Fatalf("replay differs from the live stream (-live +replay):\n%s", diff)
	}
	for _, k := range []int{len(full), len(full) + 5} {
		// Nothing more will come: 204 makes an EventSource stop reconnecting.
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, p.URL+"/api/deliberations/"+id+"/events", nil)
		req.Header.Set("Last-Event-ID", strconv.Itoa(k))
		resp, err := magitest.Client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusNoContent || len(body) != 0 {
			t.Errorf("Last-Event-ID %d of a finished stream of %d: %d %q, want 204", k, len(full), resp.StatusCode, body)
		}
	}
	for k := range len(full) {
		got := magitest.Events(ctx, t, p.URL, id, strconv.Itoa(k)).All(t)
		if diff := cmp.Diff(magitest.Datas(full[k:]), magitest.Datas(got)); diff != "" {
			t.Fatalf("Last-Event-ID %d (-want +got):\n%s", k, diff)
		}
	}
}

// TestServe_ResumeLive disconnects and reconnects with Last-Event-ID many
// times during a deliberation: the pieces join into the full stream.
func TestServe_ResumeLive(t *testing.T) {
	_, url := magitest.StartFake(t, fakellm.Config{Words: 20, Gap: 10 * time.Millisecond})
	p := startMagi(t, openaiEnv(url))
	ctx := magitest.Context(t, 30*time.Second)
	id := magitest.StartDeliberation(t, p.URL, "Resume me live")
	var got []magitest.Event
	lastID, reconnects := "", 0
	for n := 1; ; n = n%7 + 1 {
		s := magitest.Events(ctx, t, p.URL, id, lastID)
		done := false
		for range n {
			ev, err := s.Next()
			if err != nil {
				t.Fatalf("after %d events: %v", len(got), err)
			}
			got, lastID = append(got, ev), ev.ID
			if done = ev.Event.Terminal(); done {
				break
			}
		}
		s.Close()
		if done {
			break
		}
		reconnects++
	}
	if rec := magitest.Record(t, p.URL, id); rec.Status != magi.StatusCompleted {
		t.Fatalf("status %s", rec.Status)
	}
	if reconnects < 10 {
		t.Errorf("only %d reconnections", reconnects)
	}
	full := magitest.Events(ctx, t, p.URL, id, "").All(t)
	magitest.CheckStream(t, full)
	if diff := cmp.Diff(magitest.Datas(full), magitest.Datas(got)); diff != "" {
		t.Fatalf("pieces joined differ from the full stream (-full +joined):\n%s", diff)
	}
}

// TestServe_ClientDisconnect: a client that leaves mid-stream does not stop
// the deliberation.
func TestServe_ClientDisconnect(t *testing.T) {
	_, url := magitest.StartFake(t, fakellm.Config{Words: 20, Gap: 5 * time.Millisecond})
	p := startMagi(t, openaiEnv(url))
	s := magitest.Ask(magitest.Context(t, 20*time.Second), t, p.URL, "Will you stay?")
	var id string
	for range 5 {
		ev, err := s.Next()
		if err != nil {
			t.Fatal(err)
		}
		id = ev.Event.DeliberationID
	}
	s.Close()
	rec := magitest.WaitStatus(t, p.URL, id, 10*time.Second)
	if rec.Status != magi.StatusCompleted || rec.Decision != magi.Approved || len(rec.Agents) != 4 {
		t.Fatalf("record after the client left: status %s, decision %s, %d agents; want completed APPROVED", rec.Status, rec.Decision, len(rec.Agents))
	}
	magitest.CheckStream(t, magitest.Events(magitest.Context(t, 10*time.Second), t, p.URL, id, "").All(t))
}
