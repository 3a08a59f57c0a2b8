package magi

import (
	"encoding/json"
	"strings"
	"time"
)

// Status is where a deliberation is in its life.
type Status string

// The statuses of SPEC.
const (
	StatusRunning     Status = "running"
	StatusCompleted   Status = "completed"
	StatusFailed      Status = "failed"
	StatusCancelled   Status = "cancelled"
	StatusInterrupted Status = "interrupted"
)

// StatusOf returns the status a terminal event leaves a deliberation in.
func StatusOf(e Event) Status {
	switch {
	case e.Type == EventComplete:
		return StatusCompleted
	case e.Type != EventError || !e.Fatal:
		return StatusRunning
	case e.Code == ECANCELLED:
		return StatusCancelled
	case e.Code == EINTERRUPTED || e.Code == ESHUTDOWN:
		return StatusInterrupted
	default:
		return StatusFailed
	}
}

// Record is the whole account of a deliberation: SPEC's document of
// GET /api/deliberations/{id}.
type Record struct {
	ID         string          `json:"id"`
	Question   string          `json:"question"`
	Rule       Rule            `json:"rule"`
	Status     Status          `json:"status"`
	Decision   Decision        `json:"decision,omitempty"`
	Confidence float64         `json:"confidence"`
	Summary    string          `json:"summary"`
	Conditions []string        `json:"conditions"`
	Votes      Votes           `json:"votes"`
	Scores     map[AgentID]int `json:"scores"`
	TieBreak   bool            `json:"tie_break"`
	Note       string          `json:"note,omitempty"`
	Agents     []AgentRecord   `json:"agents"`
	Usage      Usage           `json:"usage"`
	CreatedAt  time.Time       `json:"created_at"`
	DurationMS int64           `json:"duration_ms"`
	Simulated  bool            `json:"simulated"`
	// Error is the fatal error that ended the deliberation, if any.
	Error *ErrorInfo `json:"error,omitempty"`
	// Errors are the non-fatal errors of agents, in order.
	Errors []ErrorInfo `json:"errors"`
	// LastSeq is the seq of the last event folded into the record.
	LastSeq int64 `json:"last_seq"`
}

// ErrorInfo is an error as stored and shown.
type ErrorInfo struct {
	Code    string  `json:"code"`
	Message string  `json:"message"`
	Agent   AgentID `json:"agent,omitempty"`
}

// AgentRecord is one agent's part in a deliberation.
type AgentRecord struct {
	AgentInfo
	Text    string   `json:"text"`
	Verdict *Verdict `json:"verdict"`
	Usage   Usage    `json:"usage"`
	// DurationMS is the agent's whole time; FirstTokenMS its latency.
	DurationMS   int64 `json:"duration_ms"`
	FirstTokenMS int64 `json:"first_token_ms"`
	// Attempts counts the calls made, retries and fallbacks included.
	Attempts int    `json:"attempts"`
	Error    string `json:"error,omitempty"`
}

// Summary is one line of the history.
type Summary struct {
	ID        string    `json:"id"`
	Question  string    `json:"question"`
	Rule      Rule      `json:"rule"`
	Status    Status    `json:"status"`
	Decision  Decision  `json:"decision,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	Simulated bool      `json:"simulated"`
	// LastSeq is the seq of the last stored event.
	LastSeq int64 `json:"last_seq"`
}

// MarshalJSON writes the summary with created_at in milliseconds, in the
// format of the record's and the events' times (TimestampFormat).
func (s Summary) MarshalJSON() ([]byte, error) {
	type plain Summary
	return json.Marshal(struct {
		plain
		CreatedAt string `json:"created_at"`
	}{plain(s), s.CreatedAt.UTC().Format(TimestampFormat)})
}

// MarshalJSON writes the record with created_at in milliseconds
// (TimestampFormat), as the history and the events write times.
func (r Record) MarshalJSON() ([]byte, error) {
	type plain Record
	return json.Marshal(struct {
		plain
		CreatedAt string `json:"created_at"`
	}{plain(r), r.CreatedAt.UTC().Format(TimestampFormat)})
}

// Projection folds a deliberation's events into its Record. The zero value
// is ready; Apply events in seq order.
type Projection struct {
	rec   Record
	texts map[AgentID]*strings.Builder
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
		r.CreatedAt, r.Simulated = e.Timestamp, e.Simulated
		r.Agents = make([]AgentRecord, len(e.Agents))
		for i, a := range e.Agents {
			r.Agents[i] = AgentRecord{AgentInfo: a}
		}
	case EventChunk:
		if p.texts == nil {
			p.texts = map[AgentID]*strings.Builder{}
		}
		b := p.texts[e.Agent]
		if b == nil {
			b = &strings.Builder{}
			p.texts[e.Agent] = b
		}
		b.WriteString(e.Content)
	case EventTrace:
		p.applyTrace(e)
	case EventVerdict:
		if a := p.agent(e.Agent); a != nil && e.Verdict != nil {
			v := *e.Verdict
			a.Verdict = &v
		}
		if e.Agent == Solomon && e.Verdict != nil && len(e.Verdict.Scores) > 0 {
			r.Scores = e.Verdict.Scores
		}
	case EventComplete:
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
	case EventError:
		info := ErrorInfo{Code: e.Code, Message: e.Message, Agent: e.Agent}
		if e.Fatal {
			r.Error = &info
			r.Status = StatusOf(e)
			r.DurationMS = e.Timestamp.Sub(r.CreatedAt).Milliseconds()
		} else {
			r.Errors = append(r.Errors, info)
			if a := p.agent(e.Agent); a != nil {
				a.Error = e.Message
			}
		}
	}
}

func (p *Projection) applyTrace(e Event) {
	a, t := p.agent(e.Agent), e.Trace
	if a == nil || t == nil {
		return
	}
	switch e.Stage {
	case StageAgentStart, StageFallback:
		a.Attempts++
		if t.Provider != "" {
			a.Provider, a.Model = t.Provider, t.Model
		}
	case StageRetry:
		a.Attempts++
	case StageFirstToken:
		a.FirstTokenMS = t.LatencyMS
	case StageAgentDone:
		a.DurationMS = t.DurationMS
		if t.Tokens != nil {
			a.Usage = *t.Tokens
		}
	}
}

func (p *Projection) agent(id AgentID) *AgentRecord {
	for i := range p.rec.Agents {
		if p.rec.Agents[i].ID == id {
			return &p.rec.Agents[i]
		}
	}
	return nil
}

// Record returns the record as folded so far.
func (p *Projection) Record() Record {
	r := p.rec
	r.Agents = append([]AgentRecord(nil), p.rec.Agents...)
	for i := range r.Agents {
		if b := p.texts[r.Agents[i].ID]; b != nil {
			r.Agents[i].Text = b.String()
		}
	}
	if r.Status != StatusCompleted && r.Usage.InputTokens == 0 && r.Usage.OutputTokens == 0 {
		r.Usage = agentsUsage(r.Agents)
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
	return r
}

// agentsUsage sums the agents' usage, for a deliberation that ended before
// its complete event.
func agentsUsage(agents []AgentRecord) Usage {
	zero := 0.0
	u := Usage{CostUSD: &zero}
	for _, a := range agents {
		u = u.Add(a.Usage)
	}
	return u
}
