// Package magi is the domain of MAGI: a council of three sages and a judge
// that deliberate on a question and reach a decision by a rule.
//
// It holds the types every other package speaks (agents, verdicts, rules,
// events, records, errors) and the interfaces MAGI needs from the outside
// world (Provider, Store). It imports nothing of the project's own.
package magi

import (
	"context"
	"iter"
	"time"
)

// AgentID names a member of the council.
type AgentID string

// The four members of the council.
const (
	Melchior  AgentID = "melchior"
	Balthasar AgentID = "balthasar"
	Casper    AgentID = "casper"
	Solomon   AgentID = "solomon"
)

// Sages are the three voting members, in display order.
var Sages = []AgentID{Melchior, Balthasar, Casper}

// Members are all four agents, the judge last.
var Members = []AgentID{Melchior, Balthasar, Casper, Solomon}

// Agent is the configuration of one member of the council.
type Agent struct {
	ID          AgentID       `json:"id"`
	Name        string        `json:"name"`
	Persona     string        `json:"persona"`
	Provider    string        `json:"provider"`
	Model       string        `json:"model"`
	Temperature *float64      `json:"temperature,omitempty"`
	MaxTokens   int           `json:"max_tokens,omitempty"`
	Timeout     time.Duration `json:"timeout"`
	// Fallbacks are tried in order when the primary model fails before its
	// first token, after its retries.
	Fallbacks []ModelRef `json:"fallbacks,omitempty"`
}

// ModelRef names a model at a provider.
type ModelRef struct {
	Provider string `json:"provider"`
	Model    string `json:"model"`
}

// Info is what events and records say of an agent.
func (a Agent) Info() AgentInfo {
	return AgentInfo{ID: a.ID, Name: a.Name, Provider: a.Provider, Model: a.Model}
}

// Models lists the agent's primary model, then its fallbacks.
func (a Agent) Models() []ModelRef {
	return append([]ModelRef{{Provider: a.Provider, Model: a.Model}}, a.Fallbacks...)
}

// AgentInfo identifies an agent and the model it runs on.
type AgentInfo struct {
	ID       AgentID `json:"id"`
	Name     string  `json:"name"`
	Provider string  `json:"provider"`
	Model    string  `json:"model"`
}

// Question is one request put to the council.
type Question struct {
	// ID is assigned by the caller (see NewID).
	ID   string `json:"id"`
	Text string `json:"question"`
	Rule Rule   `json:"rule"`
	// Rounds is the most rounds of debate the council may run (see
	// CheckRounds); 0 means the council's default.
	Rounds int `json:"rounds,omitempty"`
	// Owner is the API key id that asked; empty for local use.
	Owner string `json:"-"`
	// ConversationID and ParentID place a follow-up in its conversation:
	// the conversation's first deliberation and the deliberation it
	// follows. Both are empty for a first question.
	ConversationID string `json:"-"`
	ParentID       string `json:"-"`
	// Earlier are the turns a follow-up continues, oldest first, its
	// parent last (see Thread): the context every agent receives.
	Earlier []Turn `json:"-"`
	// Preset is the saved council the question is put to; nil: the
	// server's default council.
	Preset *Preset `json:"-"`
}

// Turn is the number of q in its conversation's thread: 1 for a first
// question, 2 for its follow-up, …
func (q Question) Turn() int { return len(q.Earlier) + 1 }

// Usage counts tokens, and their price when it is known.
type Usage struct {
	InputTokens  int64 `json:"input_tokens"`
	OutputTokens int64 `json:"output_tokens"`
	// CostUSD is nil when the price of a model is unknown: unknown is never 0.
	CostUSD *float64 `json:"cost_usd"`
}

// Add returns the sum of u and v. The cost stays known only if both are.
func (u Usage) Add(v Usage) Usage {
	s := Usage{InputTokens: u.InputTokens + v.InputTokens, OutputTokens: u.OutputTokens + v.OutputTokens}
	if u.CostUSD != nil && v.CostUSD != nil {
		c := *u.CostUSD + *v.CostUSD
		s.CostUSD = &c
	}
	return s
}

// Request is one call to a model.
type Request struct {
	Agent       AgentID
	Model       string
	System      string
	Prompt      string
	Temperature *float64
	MaxTokens   int
}

// Delta is a piece of a model's streamed answer. The final delta of a
// stream may carry only Usage.
type Delta struct {
	Text  string
	Usage *Usage
}

// Provider streams a model's answer. The sequence yields deltas as the model
// produces them and an error at most once, last. Stopping the iteration
// early, or cancelling ctx, closes the upstream call.
type Provider interface {
	Stream(ctx context.Context, req Request) iter.Seq2[Delta, error]
}
