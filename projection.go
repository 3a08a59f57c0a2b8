package magi

import "strings"

// Projection folds a deliberation's events into its Record. The zero value
// is ready; Apply events in seq order.
type Projection struct {
	rec Record
	// order is the start event's agents; rounds the sages' part in each
	// round; judge SOLOMON's part.
	order  []AgentInfo
	rounds []*roundState
	judge  *agentState
}

// roundState is the sages' part in one round as it is folded.
type roundState struct {
	agents []*agentState
}

// agentState is one agent's part in one round as it is folded.
type agentState struct {
	rec  AgentRecord
	text strings.Builder
}

// Project folds events into a record.
func Project(events []Event) Record {
	var p Projection
	for _, e := range events {
		p.Apply(e)
	}
	return p.Record()
}

// Apply folds one event into the record.
func (p *Projection) Apply(e Event) {
	r := &p.rec
	r.LastSeq = e.Seq
	switch e.Type {
	case EventStart:
		r.ID, r.Question, r.Rule, r.Status = e.DeliberationID, e.Question, e.Rule, StatusRunning
		r.CreatedAt, r.Simulated, r.MaxRounds = e.Timestamp, e.Simulated, e.MaxRounds
		r.ConversationID, r.ParentID, r.Turn = e.ConversationID, e.ParentID, max(e.Turn, 1)
		if r.ConversationID == "" {
			r.ConversationID = e.DeliberationID
		}
		r.Council = e.Council
		p.order = e.Agents
		p.round(1)
	case EventRound:
		p.round(e.InRound())
	case EventChunk:
		if a := p.agent(e); a != nil {
			a.text.WriteString(e.Content)
		}
	case EventTrace:
		p.applyTrace(e)
	case EventVerdict:
		if a := p.agent(e); a != nil && e.Verdict != nil {
			v := *e.Verdict
			a.rec.Verdict = &v
		}
		if e.Agent == Solomon && e.Verdict != nil && len(e.Verdict.Scores) > 0 {
			r.Scores = e.Verdict.Scores
		}
	case EventComplete:
		p.applyComplete(e)
	case EventError:
		p.applyError(e)
	}
}

func (p *Projection) applyComplete(e Event) {
	r := &p.rec
	if o := e.Outcome; o != nil {
		r.Decision, r.Confidence, r.Summary = o.Decision, o.Confidence, o.Summary
		r.Conditions, r.Votes, r.TieBreak, r.Note = o.Conditions, o.Votes, o.TieBreak, o.Note
	}
	if len(e.Scores) > 0 {
		r.Scores = e.Scores
	}
	if e.Usage != nil {
		r.Usage = *e.Usage
	}
	r.DurationMS = e.DurationMS
	r.Status = StatusCompleted
}

func (p *Projection) applyError(e Event) {
	r := &p.rec
	info := ErrorInfo{Code: e.Code, Message: e.Message, Agent: e.Agent, Round: e.Round}
	if e.Fatal {
		r.Error = &info
		r.Status = StatusOf(e)
		r.DurationMS = e.Timestamp.Sub(r.CreatedAt).Milliseconds()
		return
	}
	r.Errors = append(r.Errors, info)
	if a := p.agent(e); a != nil {
		a.rec.Error = e.Message
	}
}

func (p *Projection) applyTrace(e Event) {
	a, t := p.agent(e), e.Trace
	if a == nil || t == nil {
		return
	}
	switch e.Stage {
	case StageAgentStart, StageFallback:
		a.rec.Attempts++
		if t.Provider != "" {
			a.rec.Provider, a.rec.Model = t.Provider, t.Model
		}
	case StageRetry:
		a.rec.Attempts++
	case StageFirstToken:
		a.rec.FirstTokenMS = t.LatencyMS
	case StageAgentDone:
		a.rec.DurationMS = t.DurationMS
		if t.Tokens != nil {
			a.rec.Usage = *t.Tokens
		}
	}
}

// round returns round n, adding it (and any before it) with the sages of
// the start event.
func (p *Projection) round(n int) *roundState {
	if p.order == nil {
		return nil
	}
	for len(p.rounds) < n {
		rs := &roundState{}
		for _, info := range p.order {
			if info.ID == Solomon {
				if p.judge == nil {
					p.judge = &agentState{rec: AgentRecord{AgentInfo: info}}
				}
				continue
			}
			rs.agents = append(rs.agents, &agentState{rec: AgentRecord{AgentInfo: info}})
		}
		p.rounds = append(p.rounds, rs)
	}
	return p.rounds[n-1]
}

// agent is the part of e's agent in e's round; nil for an agent the start
// event did not name.
func (p *Projection) agent(e Event) *agentState {
	if e.Agent == Solomon {
		return p.judge
	}
	rs := p.round(e.InRound())
	if rs == nil {
		return nil
	}
	for _, a := range rs.agents {
		if a.rec.ID == e.Agent {
			return a
		}
	}
	return nil
}

// Record returns the record as folded so far.
func (p *Projection) Record() Record {
	r := p.rec
	r.Rounds = make([]RoundRecord, len(p.rounds))
	for i, rs := range p.rounds {
		r.Rounds[i] = RoundRecord{Round: i + 1, Agents: make([]AgentRecord, len(rs.agents))}
		for j, a := range rs.agents {
			r.Rounds[i].Agents[j] = a.record()
		}
	}
	r.Agents = nil
	if p.order != nil {
		r.Agents = make([]AgentRecord, 0, len(p.order))
		final := r.Rounds[len(r.Rounds)-1].Agents
		for _, info := range p.order {
			if info.ID == Solomon {
				r.Agents = append(r.Agents, p.judge.record())
				continue
			}
			for _, a := range final {
				if a.ID == info.ID {
					r.Agents = append(r.Agents, a)
				}
			}
		}
	}
	if r.Status != StatusCompleted && r.Usage.InputTokens == 0 && r.Usage.OutputTokens == 0 {
		r.Usage = p.usage()
	}
	if r.Conditions == nil {
		r.Conditions = []string{}
	}
	if r.Scores == nil {
		r.Scores = map[AgentID]int{}
	}
	if r.Errors == nil {
		r.Errors = []ErrorInfo{}
	}
	if r.Rounds == nil || len(r.Rounds) == 0 {
		r.Rounds = []RoundRecord{}
	}
	return r
}

func (a *agentState) record() AgentRecord {
	r := a.rec
	r.Text = a.text.String()
	return r
}

// usage sums every call of every round, for a deliberation that ended
// before its complete event.
func (p *Projection) usage() Usage {
	zero := 0.0
	u := Usage{CostUSD: &zero}
	for _, rs := range p.rounds {
		for _, a := range rs.agents {
			u = u.Add(a.rec.Usage)
		}
	}
	if p.judge != nil {
		u = u.Add(p.judge.rec.Usage)
	}
	return u
}
