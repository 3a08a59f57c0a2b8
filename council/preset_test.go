package council

import (
	"context"
	"iter"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/magi-system/magi"
)

// requests records every request a provider received, by agent.
type requests struct {
	mu  sync.Mutex
	got map[magi.AgentID][]magi.Request
}

// provider answers every request with a verdict (SOLOMON's with scores),
// recording it; hang makes the calls of agent wait for their end.
func (r *requests) provider(hang magi.AgentID) magi.Provider {
	return &fakeProvider{stream: func(ctx context.Context, req magi.Request) iter.Seq2[magi.Delta, error] {
		r.mu.Lock()
		if r.got == nil {
			r.got = map[magi.AgentID][]magi.Request{}
		}
		r.got[req.Agent] = append(r.got[req.Agent], req)
		r.mu.Unlock()
		if req.Agent == hang {
			return func(yield func(magi.Delta, error) bool) {
				<-ctx.Done()
				yield(magi.Delta{}, &magi.ProviderError{Kind: magi.KindTimeout, Provider: "fake", Model: req.Model, Err: ctx.Err()})
			}
		}
		if req.Agent == magi.Solomon {
			return words(ctx, judgeText, 0)
		}
		return words(ctx, verdictText("weighed", magi.Approved, 0.8), 0)
	}}
}

func (r *requests) of(id magi.AgentID) []magi.Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.got[id]
}

// presetCouncil is a server council on provider "server" and a saved
// council on provider "preset" with a persona, model and parameters of
// its own for each agent.
func presetCouncil(seen *requests, hang magi.AgentID) (*Council, *magi.Preset) {
	c := &Council{Agents: map[magi.AgentID]magi.Agent{},
		Providers: map[string]magi.Provider{"server": seen.provider(""), "preset": seen.provider(hang),
			"broken": &fakeProvider{stream: func(context.Context, magi.Request) iter.Seq2[magi.Delta, error] {
				return fail(&magi.ProviderError{Kind: magi.KindAuth, Provider: "broken", Model: "x"})
			}}},
		Rule: magi.Majority, Rounds: 2}
	p := &magi.Preset{Name: "frugal", Rule: magi.Unanimous, Rounds: 1}
	for i, a := range magi.DefaultAgents() {
		server := a
		server.Provider, server.Model = "server", "server-model"
		c.Agents[a.ID] = server
		temp := 0.1 * float64(i+1)
		a.Provider, a.Model, a.Persona = "preset", "model-"+string(a.ID), "You are the frugal "+string(a.ID)+"."
		a.Temperature, a.MaxTokens, a.Timeout = &temp, 100*(i+1), time.Duration(i+1)*time.Minute
		p.Agents = append(p.Agents, a)
	}
	// MELCHIOR's own model is broken: its fallback answers.
	p.Agents[0].Provider, p.Agents[0].Model = "broken", "x"
	p.Agents[0].Fallbacks = []magi.ModelRef{{Provider: "preset", Model: "model-melchior"}}
	return c, p
}

// TestRunner_Preset: a deliberation put to a saved council sends each
// agent its persona, model, temperature and max tokens (through its
// fallback when its model fails), takes the council's rule and rounds
// when the question names none, and keeps its snapshot.
func TestRunner_Preset(t *testing.T) {
	seen := &requests{}
	c, p := presetCouncil(seen, "")
	var created magi.NewDeliberation
	w := &memWriter{closed: make(chan struct{}), failed: make(chan struct{})}
	r := NewRunner(c, opened(func(ctx context.Context, d magi.NewDeliberation) (Writer, error) {
		created = d
		return w, nil
	}), 0, nil)
	if err := r.Start(t.Context(), magi.Question{ID: "p1", Text: "Buy the new printer?", Preset: p}); err != nil {
		t.Fatal(err)
	}
	<-w.closed
	for i, a := range p.Agents {
		reqs := seen.of(a.ID)
		if len(reqs) != 1 {
			t.Fatalf("%s: %d calls to the preset's provider, want 1", a.ID, len(reqs))
		}
		got := reqs[0]
		want := magi.Request{Agent: a.ID, Model: "model-" + string(a.ID), System: a.Persona, Prompt: got.Prompt,
			Temperature: p.Agents[i].Temperature, MaxTokens: a.MaxTokens}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s's request (-want +got):\n%s", a.ID, diff)
		}
	}
	if created.Council != "frugal" {
		t.Errorf("the deliberation was created with council %q, want frugal", created.Council)
	}
	start := w.of(magi.EventStart, "")[0]
	if start.Rule != magi.Unanimous || start.MaxRounds != 1 {
		t.Errorf("start: rule %s, max rounds %d; want the council's unanimous and 1", start.Rule, start.MaxRounds)
	}
	if diff := cmp.Diff(magi.Snapshot("frugal", p.Agents), start.Council); diff != "" {
		t.Errorf("start's council (-want +got):\n%s", diff)
	}
	// The question's own rule and rounds still win.
	w2 := &memWriter{closed: make(chan struct{}), failed: make(chan struct{})}
	r2 := NewRunner(c, opened(func(context.Context, magi.NewDeliberation) (Writer, error) { return w2, nil }), 0, nil)
	if err := r2.Start(t.Context(), magi.Question{ID: "p2", Text: "q", Rule: magi.Judge, Rounds: 3, Preset: p}); err != nil {
		t.Fatal(err)
	}
	<-w2.closed
	if s := w2.of(magi.EventStart, ""); s[0].Rule != magi.Judge || s[0].MaxRounds != 3 {
		t.Errorf("start with the question's rule and rounds: %s, %d", s[0].Rule, s[0].MaxRounds)
	}
}

// TestRunner_DefaultCouncilSnapshot: a question put to no saved council
// deliberates on the server's council, named default.
func TestRunner_DefaultCouncilSnapshot(t *testing.T) {
	seen := &requests{}
	c, _ := presetCouncil(seen, "")
	r, writer := newRunner(c, 0)
	if err := r.Start(t.Context(), magi.Question{ID: "d1", Text: "q"}); err != nil {
		t.Fatal(err)
	}
	w := writer("d1")
	<-w.closed
	start := w.of(magi.EventStart, "")[0]
	if start.Council == nil || start.Council.Name != magi.DefaultCouncil || start.Council.Agents[0].Model != "server-model" {
		t.Errorf("start's council = %+v, want default on server-model", start.Council)
	}
	if got := seen.of(magi.Casper); len(got) != 1 || got[0].Model != "server-model" || got[0].System != magi.DefaultAgents()[2].Persona {
		t.Errorf("CASPER's calls: %+v, want one on the server's model and persona", got)
	}
}

// TestRunner_PresetTimeout: a saved council's timeout is each agent's
// own: CASPER, whose model never answers, abstains after its 3 minutes.
func TestRunner_PresetTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		seen := &requests{}
		c, p := presetCouncil(seen, magi.Casper)
		w := &memWriter{closed: make(chan struct{}), failed: make(chan struct{})}
		r := NewRunner(c, opened(func(context.Context, magi.NewDeliberation) (Writer, error) { return w, nil }), 0, nil)
		began := time.Now()
		if err := r.Start(t.Context(), magi.Question{ID: "t1", Text: "q", Rule: magi.Majority, Preset: p}); err != nil {
			t.Fatal(err)
		}
		<-w.closed
		v := w.of(magi.EventVerdict, magi.Casper)
		if len(v) != 1 || v[0].Verdict.Decision != magi.Abstained {
			t.Fatalf("CASPER's verdicts: %+v", v)
		}
		if d := w.of(magi.EventTrace, magi.Casper); d[len(d)-1].Trace.DurationMS != (3 * time.Minute).Milliseconds() {
			t.Errorf("CASPER gave up after %d ms, want its council's 3 minutes", d[len(d)-1].Trace.DurationMS)
		}
		if took := time.Since(began); took != 3*time.Minute {
			t.Errorf("the deliberation took %v (virtual), want 3m", took)
		}
	})
}

// TestRunner_PresetUnknownProvider: a saved council naming a provider the
// server lacks is refused before anything is stored.
func TestRunner_PresetUnknownProvider(t *testing.T) {
	c, p := presetCouncil(&requests{}, "")
	p.Agents[2].Provider = "elsewhere"
	began := false
	r := NewRunner(c, func(context.Context, magi.NewDeliberation) (Writer, <-chan error) { began = true; return nil, nil }, 0, nil)
	err := r.Start(t.Context(), magi.Question{ID: "u1", Text: "q", Preset: p})
	if magi.ErrorCode(err) != magi.EINVALID || began {
		t.Errorf("Start = %v (began %v), want EINVALID and nothing begun", err, began)
	}
	if r.Running() != 0 {
		t.Errorf("%d running after a refused start", r.Running())
	}
}
