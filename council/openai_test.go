package council

import (
	"context"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/internal/fakellm"
	"github.com/magi-system/magi/provider"
	"github.com/magi-system/magi/provider/openai"
)

// openaiCouncil is a council of real openai providers against a fake
// OpenAI-compatible server that answers each agent by script.
func openaiCouncil(t *testing.T, script func(req fakellm.Request, n int) fakellm.Reply) (*Council, *fakellm.Server) {
	t.Helper()
	var mu sync.Mutex
	calls := map[magi.AgentID]int{}
	fake := fakellm.New(fakellm.Config{Script: func(req fakellm.Request) fakellm.Reply {
		mu.Lock()
		calls[req.Agent]++
		n := calls[req.Agent]
		mu.Unlock()
		return script(req, n)
	}})
	ts := httptest.NewServer(fake)
	t.Cleanup(ts.Close)
	c := &Council{Agents: map[magi.AgentID]magi.Agent{},
		Providers: map[string]magi.Provider{"openai": openai.New(openai.Config{BaseURL: ts.URL + "/v1"})},
		Retry:     provider.Policy{Attempts: 3, Base: time.Millisecond, MaxDelay: 10 * time.Millisecond}, Rounds: 1}
	for _, a := range magi.DefaultAgents() {
		a.Provider, a.Model = "openai", "fake-model"
		a.Timeout = 5 * time.Second
		c.Agents[a.ID] = a
	}
	return c, fake
}

func answer(d magi.Decision) fakellm.Reply {
	return fakellm.Reply{Text: verdictText("Having weighed the evidence and the people affected,", d, 0.75)}
}

func TestCouncil_OpenAIEveryFailureMode(t *testing.T) {
	checkNoLeak(t)
	c, fake := openaiCouncil(t, func(req fakellm.Request, n int) fakellm.Reply {
		switch req.Agent {
		case magi.Melchior: // 429, then success
			if n == 1 {
				return fakellm.Reply{Status: 429, Message: "slow down"}
			}
			return answer(magi.Approved)
		case magi.Balthasar: // 500 on every attempt
			return fakellm.Reply{Status: 500, Message: "boom"}
		case magi.Casper: // cut mid-answer
			r := answer(magi.Rejected)
			r.Cut, r.CutAfter = true, 4
			return r
		}
		return fakellm.Reply{Text: judgeText}
	})
	var rec recorder
	o, err := c.Deliberate(context.Background(), magi.Question{ID: "d", Text: "q", Rule: magi.Majority}, &rec)
	if err != nil {
		t.Fatal(err)
	}
	if o.Decision != magi.Approved || o.Votes != (magi.Votes{Approved: 1, Abstained: 2}) {
		t.Errorf("outcome = %+v, want APPROVED by melchior alone", o)
	}
	r := magi.Project(rec.all())
	if m := r.Agents[0]; m.Attempts != 2 || m.Verdict.Decision != magi.Approved || m.Usage.OutputTokens == 0 {
		t.Errorf("melchior = %+v, want approved on the 2nd attempt with usage", m)
	}
	if b := r.Agents[1]; b.Attempts != 3 || b.Verdict.Decision != magi.Abstained || !strings.Contains(b.Error, "unavailable") {
		t.Errorf("balthasar = %+v, want abstained after 3 attempts, unavailable", b)
	}
	if cs := r.Agents[2]; cs.Attempts != 1 || cs.Verdict.Decision != magi.Abstained || cs.Text == "" {
		t.Errorf("casper = %+v, want abstained after its stream was cut, with its partial text kept", cs)
	}
	if n := len(rec.of(magi.EventTrace, magi.Balthasar)); n != 4 {
		t.Errorf("balthasar has %d trace events, want start, 2 retries, done", n)
	}
	var attempts []int
	for _, e := range rec.of(magi.EventTrace, magi.Balthasar) {
		if e.Stage == magi.StageRetry {
			attempts = append(attempts, e.Trace.Attempt)
		}
	}
	if !slices.Equal(attempts, []int{2, 3}) {
		t.Errorf("balthasar's retry traces name attempts %v, want [2 3]: the first retry is the 2nd call", attempts)
	}
	waitIdle(t, fake)
}

func TestCouncil_OpenAISlowHungAndNoVerdict(t *testing.T) {
	checkNoLeak(t)
	c, fake := openaiCouncil(t, func(req fakellm.Request, n int) fakellm.Reply {
		switch req.Agent {
		case magi.Melchior: // slow
			r := answer(magi.Approved)
			r.Gap = 5 * time.Millisecond
			return r
		case magi.Balthasar: // hung
			return fakellm.Reply{Hang: true, HangAfter: 2, Tokens: []string{"I ", "am ", "thinking"}}
		case magi.Casper: // no verdict
			return fakellm.Reply{Text: "I would rather not say."}
		}
		return fakellm.Reply{Text: judgeText}
	})
	a := c.Agents[magi.Balthasar]
	a.Timeout = 300 * time.Millisecond
	c.Agents[magi.Balthasar] = a
	var rec recorder
	o, err := c.Deliberate(context.Background(), magi.Question{ID: "d", Text: "q", Rule: magi.Majority}, &rec)
	if err != nil {
		t.Fatal(err)
	}
	if o.Decision != magi.Approved || o.Votes.Abstained != 2 {
		t.Errorf("outcome = %+v, want APPROVED with two abstentions", o)
	}
	r := magi.Project(rec.all())
	if b := r.Agents[1]; b.Verdict.Decision != magi.Abstained || !strings.Contains(b.Verdict.Reason, "no answer in time") {
		t.Errorf("hung balthasar = %+v, want abstained on timeout", b.Verdict)
	}
	if cs := r.Agents[2]; cs.Verdict.Decision != magi.Abstained || cs.Error != "" || cs.Verdict.Reason == "" {
		t.Errorf("casper = %+v, want abstained for no verdict, with a reason and no error", cs)
	}
	if got := len(rec.of(magi.EventChunk, magi.Melchior)); got < 10 {
		t.Errorf("slow melchior streamed %d chunks, want one per word", got)
	}
	waitIdle(t, fake)
}

func TestCouncil_OpenAIUnreachable(t *testing.T) {
	checkNoLeak(t)
	ts := httptest.NewServer(nil)
	url := ts.URL + "/v1"
	ts.Close()
	c := &Council{Agents: map[magi.AgentID]magi.Agent{},
		Providers: map[string]magi.Provider{"openai": openai.New(openai.Config{BaseURL: url})},
		Retry:     provider.Policy{Attempts: 2, Base: time.Millisecond, MaxDelay: 2 * time.Millisecond}}
	for _, a := range magi.DefaultAgents() {
		a.Provider, a.Model = "openai", "llama3"
		c.Agents[a.ID] = a
	}
	_, err := c.Deliberate(context.Background(), magi.Question{ID: "d", Text: "q"}, &recorder{})
	msg := Fatal(err).Message
	if !strings.Contains(msg, "cannot reach") || !strings.Contains(msg, url) || !strings.Contains(msg, "connection refused") {
		t.Errorf("fatal message = %q, want it to name %s and the refused connection", msg, url)
	}
}

func TestRunner_CancelClosesUpstreamConnections(t *testing.T) {
	checkNoLeak(t)
	c, fake := openaiCouncil(t, func(req fakellm.Request, n int) fakellm.Reply {
		r := answer(magi.Approved)
		r.Gap = time.Second
		return r
	})
	r, _ := newRunner(c, 0)
	if err := r.Start(context.Background(), magi.Question{ID: "x", Text: "q", Rule: magi.Majority}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := fake.WaitOpen(ctx, 3); err != nil {
		t.Fatalf("%d upstream streams open, want 3", fake.Open())
	}
	r.Cancel("x")
	waitIdle(t, fake) // a word a second: within waitIdle's 2 s only the cancel ends the calls

}

func waitIdle(t *testing.T, fake *fakellm.Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := fake.WaitIdle(ctx); err != nil {
		t.Errorf("upstream connections still open: %d", fake.Open())
	}
}
