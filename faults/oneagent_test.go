package faults_test

import (
	"context"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/internal/fakellm"
	"github.com/magi-system/magi/internal/faulttest"
	"github.com/magi-system/magi/internal/magitest"
)

// agentFault makes the model fail one agent's calls, one way.
type agentFault struct {
	agent magi.AgentID
	kind  string
}

// agentFaults are the ways a model fails one call: refused every time
// (503), cut mid-answer, silent mid-answer (until the agent's timeout),
// an error event mid-answer.
var agentFaults = []string{"refused", "cut", "silent", "stream error"}

// reply is the fake's answer to a call of f.agent.
func (f agentFault) reply() fakellm.Reply {
	switch f.kind {
	case "refused":
		return fakellm.Reply{Status: http.StatusServiceUnavailable, Message: "overloaded"}
	case "cut":
		return fakellm.Reply{Cut: true, CutAfter: 10}
	case "silent":
		return fakellm.Reply{Hang: true, HangAfter: 10}
	}
	return fakellm.Reply{StreamError: "the model broke down", ErrorAfter: 10}
}

// TestFaults_OneAgent: a model that fails one agent — each way of
// agentFaults, on a seeded agent — costs that agent's vote, never the
// deliberation: every deliberation completes, the failing sage votes
// ABSTAINED with its reason and the other two vote; a failing SOLOMON
// leaves the decision to the votes. The invariants of TestFaults_Model
// hold after each run.
func TestFaults_OneAgent(t *testing.T) {
	t.Parallel()
	r := faulttest.NewRand(t)
	v := faulttest.NewViolations(t)
	var tally faulttest.Tally
	var failing atomic.Pointer[agentFault]
	model := faulttest.StartModel(t, fakellm.Config{Words: 60, Gap: 3 * time.Millisecond, Script: func(req fakellm.Request) fakellm.Reply {
		if f := failing.Load(); f != nil && req.Agent == f.agent {
			return f.reply()
		}
		return fakellm.Reply{}
	}}, r.Child())
	env := serveEnv(t, model.URL, "")
	srv := magitest.StartServe(t, env)
	st := openStore(t, env["MAGI_DB"])
	defer func() {
		faulttest.CheckStore(context.Background(), v, st)
		tally.Log(t, v)
	}()
	cs := faulttest.NewClients()
	agents := []magi.AgentID{magi.Melchior, magi.Balthasar, magi.Casper, magi.Solomon}
	for run, kind := range agentFaults {
		f := &agentFault{agent: agents[r.IntN(len(agents))], kind: kind}
		failing.Store(f)
		tally.Runs++
		tally.Faults++
		t.Logf("run %d: %s %s", run, f.agent, f.kind)
		ctx := within(t, time.Minute)
		clients := faulttest.Drive(ctx, cs, srv.URL, r, faulttest.Load{Deliberations: 3, Watchers: 1, Join: 300 * time.Millisecond,
			Question: fmt.Sprintf("one agent %d", run)})
		faulttest.WaitSettled(ctx, v, st, 15*time.Second)
		faulttest.CheckClients(ctx, v, st, clients)
		faulttest.CheckRun(ctx, v, st, clients)
		outcomes(ctx, t, st, &tally, clients)
		for _, c := range clients {
			if c.After == 0 && c.ID() != "" {
				checkOneVoteLost(v, magitest.Record(t, srv.URL, c.ID()), *f)
			}
		}
	}
}

// checkOneVoteLost checks the record of a deliberation whose model failed
// f.agent: completed; a failing sage ABSTAINED with a reason, the others
// voting.
func checkOneVoteLost(v *faulttest.Violations, rec magi.Record, f agentFault) {
	if rec.Status != magi.StatusCompleted {
		v.Errorf("%s: %s failing (%s) ended the deliberation %s, want completed", rec.ID, f.agent, f.kind, rec.Status)
		return
	}
	for _, a := range rec.Agents {
		if a.ID == magi.Solomon || a.Verdict == nil {
			continue
		}
		abstained := a.Verdict.Decision == magi.Abstained
		switch {
		case a.ID == f.agent && (!abstained || a.Verdict.Reason == ""):
			v.Errorf("%s: %s failed (%s) but voted %s (reason %q), want ABSTAINED with a reason", rec.ID, a.ID, f.kind, a.Verdict.Decision, a.Verdict.Reason)
		case a.ID != f.agent && abstained:
			v.Errorf("%s: %s abstained (%s) though only %s failed", rec.ID, a.ID, a.Verdict.Reason, f.agent)
		}
	}
}
