// Package council is the deliberation engine: it runs the three sages
// concurrently, streams every delta as a chunk event the moment it arrives,
// parses their verdicts, has SOLOMON judge their answers, and applies the
// rule. It emits events; it does not know who consumes them.
package council

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"time"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/provider"
)

// Emitter receives the events of one deliberation in the order they
// happen. Seq and timestamp are assigned by the emitter. Emit may be called
// from several goroutines.
type Emitter interface {
	Emit(magi.Event)
}

// Council is a configured council. It is safe for concurrent use: one
// Council runs any number of deliberations.
type Council struct {
	// Name is the council's name in the start event, the record and the
	// history: "" means magi.DefaultCouncil, the server's own.
	Name string
	// Agents are the three sages and SOLOMON, by id.
	Agents map[magi.AgentID]magi.Agent
	// Providers are the model providers by name ("openai", "sim", …).
	Providers map[string]magi.Provider
	// Retry is the policy for calls that fail before their first token.
	Retry provider.Policy
	// Cost prices a model's usage; nil, or a nil result, means unknown.
	Cost func(model string, u magi.Usage) *float64
	// Rule is the decision rule of a question that names none (the
	// configuration's default); "" means magi.Majority.
	Rule magi.Rule
	// Rounds is the most rounds of debate of a question that names none
	// (the configuration's default); 0 means magi.DefaultRounds.
	Rounds int
	// ContextBytes is the budget of a follow-up's context (see
	// magi.ConversationContext); 0 means magi.DefaultContextBytes.
	ContextBytes int
}

// Settle returns q with its rule and its most rounds of debate set: its
// own, else the council's defaults.
func (c *Council) Settle(q magi.Question) magi.Question {
	q.Rounds = c.MaxRounds(q)
	switch {
	case q.Rule != "":
	case c.Rule != "":
		q.Rule = c.Rule
	default:
		q.Rule = magi.Majority
	}
	return q
}

// MaxRounds is the most rounds of debate q may run: its own, else the
// council's default.
func (c *Council) MaxRounds(q magi.Question) int {
	switch {
	case q.Rounds > 0:
		return q.Rounds
	case c.Rounds > 0:
		return c.Rounds
	}
	return magi.DefaultRounds
}

// For returns the council q is put to: c itself, or, for a saved council
// (q.Preset), a council of the preset's agents, rule and rounds on c's
// providers, retries and prices. A preset that names a provider c lacks
// is an EINVALID error.
func (c *Council) For(q magi.Question) (*Council, error) {
	p := q.Preset
	if p == nil {
		return c, nil
	}
	k := *c
	k.Name, k.Rule, k.Rounds = p.Name, p.Rule, p.Rounds
	k.Agents = make(map[magi.AgentID]magi.Agent, len(p.Agents))
	for _, a := range p.Agents {
		k.Agents[a.ID] = a
	}
	if err := k.Validate(); err != nil {
		return nil, magi.Errorf(magi.EINVALID, "council %q cannot deliberate here: %s", p.Name, magi.ErrorMessage(err))
	}
	return &k, nil
}

// name is the council's name in records.
func (c *Council) name() string {
	if c.Name == "" {
		return magi.DefaultCouncil
	}
	return c.Name
}

// Snapshot is what the start event and the record keep of the council.
func (c *Council) Snapshot() *magi.CouncilSnapshot {
	agents := make([]magi.Agent, 0, len(magi.Members))
	for _, id := range magi.Members {
		agents = append(agents, c.Agents[id])
	}
	return magi.Snapshot(c.name(), agents)
}

// Simulated reports whether any agent of the council is simulated.
func (c *Council) Simulated() bool {
	for _, a := range c.Agents {
		if a.Provider == "sim" {
			return true
		}
	}
	return false
}

// Infos lists the agents as the start event names them, SOLOMON last.
func (c *Council) Infos() []magi.AgentInfo {
	infos := make([]magi.AgentInfo, 0, len(magi.Members))
	for _, id := range magi.Members {
		infos = append(infos, c.Agents[id].Info())
	}
	return infos
}

// Validate checks that every agent is configured and has its provider.
func (c *Council) Validate() error {
	for _, id := range magi.Members {
		a, ok := c.Agents[id]
		if !ok {
			return magi.Errorf(magi.ECONFIG, "agent %q is not configured", id)
		}
		for _, ref := range a.Models() {
			if c.Providers[ref.Provider] == nil {
				return magi.Errorf(magi.ECONFIG, "agent %q: provider %q is not available", id, ref.Provider)
			}
		}
	}
	return nil
}

// Deliberate runs one deliberation of q (see Settle), emitting its events
// to out, from start to complete: round 1, then while the sages' votes are split and rounds
// remain a round of debate, then the tally of the final round, SOLOMON's
// judgement and the rule. It returns the outcome, or an error when the
// deliberation could not reach one: a *magi.Error ENOVERDICT when no sage
// of a round produced a verdict, or the cause of ctx's end. The caller
// emits the fatal error event for a returned error (see Fatal).
func (c *Council) Deliberate(ctx context.Context, q magi.Question, out Emitter) (magi.Outcome, error) {
	began := time.Now()
	q = c.Settle(q)
	start := magi.Event{Type: magi.EventStart, Question: q.Text, Rule: q.Rule,
		Agents: c.Infos(), Simulated: c.Simulated(), MaxRounds: c.MaxRounds(q), Council: c.Snapshot()}
	if q.ParentID != "" {
		start.ConversationID, start.ParentID, start.Turn = q.ConversationID, q.ParentID, q.Turn()
	}
	out.Emit(start)

	d, err := c.debate(ctx, q, out)
	if err != nil {
		return magi.Outcome{}, err
	}
	last := len(d.rounds)
	final := d.verdicts(last)
	in := inRound{out, last}
	in.Emit(magi.Event{Type: magi.EventTally, Tally: ptr(magi.TallyVotes(q.Rule, final))})

	n := nonce()
	judge := c.turn(ctx, c.Agents[magi.Solomon], c.prompt(q, n, magi.JudgePrompt(q.Text, d.rounds, n)), "", in)
	if err := ctx.Err(); err != nil {
		return magi.Outcome{}, context.Cause(ctx)
	}
	usage := d.usage.Add(judge.usage)
	var jv *magi.Verdict
	if judge.verdict.Decision != magi.Abstained {
		jv = &judge.verdict
	}
	o := magi.Decide(q.Rule, final, jv)
	o.AddNote(magi.ChangeNote(d.changes))
	var scores map[magi.AgentID]int
	if jv != nil {
		scores = jv.Scores
	}
	out.Emit(magi.Event{Type: magi.EventComplete, Outcome: &o, Scores: scores, Usage: &usage,
		DurationMS: time.Since(began).Milliseconds(), Rounds: last})
	return o, nil
}

// prompt is the message an agent of q receives: p, after the context of
// the conversation when q is a follow-up, quoted with the nonce of p.
func (c *Council) prompt(q magi.Question, nonce, p string) string {
	budget := c.ContextBytes
	if budget <= 0 {
		budget = magi.DefaultContextBytes
	}
	return magi.FollowUpPrompt(q.Earlier, budget, nonce, p)
}

// noVerdict is the fatal error when every sage abstained, naming the cause
// a user can fix.
func noVerdict(turns []turn) error {
	var cause error
	for _, t := range turns {
		if t.verdict.Decision != magi.Abstained {
			return nil
		}
		if cause == nil && t.err != nil {
			cause = t.err
		}
	}
	if cause != nil {
		return &magi.Error{Code: magi.ENOVERDICT, Message: "no sage produced a verdict: " + cause.Error(), Err: cause}
	}
	return magi.Errorf(magi.ENOVERDICT, "no sage produced a verdict: none of the answers ended with a verdict JSON (%s)", turns[0].verdict.Reason)
}

// Fatal is the fatal error event that ends a deliberation that failed with
// err: cancelled, shutdown and interrupted keep their codes; anything else
// keeps the code of its *magi.Error, or is an internal error that leaks no
// detail.
func Fatal(err error) magi.Event {
	code, msg := magi.ErrorCode(err), magi.ErrorMessage(err)
	if errors.Is(err, context.Canceled) && code == magi.EINTERNAL {
		code, msg = magi.ECANCELLED, "the deliberation was cancelled"
	}
	if errors.Is(err, context.DeadlineExceeded) && code == magi.EINTERNAL {
		code, msg = magi.EUNAVAILABLE, "the deliberation ran out of time"
	}
	return magi.Event{Type: magi.EventError, Code: code, Message: msg, Fatal: true}
}

func zeroUsage() magi.Usage {
	zero := 0.0
	return magi.Usage{CostUSD: &zero}
}

func nonce() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return "Q" + hex.EncodeToString(b[:])
}

func ms(d time.Duration) int64 { return d.Milliseconds() }

func ptr[T any](v T) *T { return &v }
