package magi

import (
	"encoding/json"
	"time"
)

// EventType names the kind of an event.
type EventType string

// The event types of SPEC.
const (
	EventStart    EventType = "start"
	EventChunk    EventType = "chunk"
	EventTrace    EventType = "trace"
	EventVerdict  EventType = "verdict"
	EventComplete EventType = "complete"
	EventError    EventType = "error"
	// EventRound opens each round of debate after the first.
	EventRound EventType = "round"
	// EventTally carries the final round's votes, and the decision when
	// the rule reaches it without SOLOMON, the moment the votes are in.
	EventTally EventType = "tally"
)

// Trace stages.
const (
	StageAgentStart = "agent_start"
	StageFirstToken = "first_token"
	StageRetry      = "retry"
	StageFallback   = "fallback"
	StageAgentDone  = "agent_done"
)

// Event is one item of a deliberation's stream. Seq is 1 for the first
// event of a deliberation, then +1 each; it is assigned when the event is
// journaled. Which fields are set depends on Type; MarshalJSON writes the
// fields of SPEC for each type.
type Event struct {
	Type           EventType `json:"type"`
	DeliberationID string    `json:"deliberation_id"`
	Seq            int64     `json:"seq"`
	Timestamp      time.Time `json:"timestamp"`
	Agent          AgentID   `json:"agent,omitempty"`

	// start
	Question  string      `json:"question,omitempty"`
	Rule      Rule        `json:"rule,omitempty"`
	Agents    []AgentInfo `json:"agents,omitempty"`
	Simulated bool        `json:"simulated,omitempty"`
	// MaxRounds is how many rounds the deliberation may run, on start.
	MaxRounds int `json:"max_rounds,omitempty"`

	// Round is the round an agent's chunk, trace, verdict or error, a
	// round event or the tally belongs to; 0 (absent) means round 1 (see
	// InRound).
	Round int `json:"round,omitempty"`
	// Reason says why a round began, on round.
	Reason string `json:"-"`
	// Tally is the final round's count, on tally.
	Tally *Tally `json:"-"`
	// Rounds is how many rounds ran, on complete.
	Rounds int `json:"rounds,omitempty"`

	// chunk
	Content string `json:"content,omitempty"`

	// trace
	Stage string `json:"stage,omitempty"`
	Trace *Trace `json:"trace,omitempty"`

	// verdict (of Agent), complete (of the council)
	Verdict *Verdict        `json:"-"`
	Outcome *Outcome        `json:"-"`
	Scores  map[AgentID]int `json:"scores,omitempty"`
	Usage   *Usage          `json:"usage,omitempty"`
	// DurationMS is the deliberation's wall time, on complete.
	DurationMS int64 `json:"duration_ms,omitempty"`

	// error
	Code    string `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
	Fatal   bool   `json:"fatal,omitempty"`

	// Encoded, when set, is the event's JSON as MarshalJSON writes it. The
	// journal encodes each event once, after it has its seq, so that the
	// store and every subscriber reuse the same bytes. An event must not
	// change once it is encoded.
	Encoded []byte `json:"-"`
}

// Trace is what a trace event measured.
type Trace struct {
	Provider string `json:"provider,omitempty"`
	Model    string `json:"model,omitempty"`
	Attempt  int    `json:"attempt,omitempty"`
	// LatencyMS is the time from the call to the first token.
	LatencyMS int64 `json:"latency_ms,omitempty"`
	// DurationMS is the agent's whole time.
	DurationMS int64 `json:"duration_ms,omitempty"`
	// DelayMS is the wait before a retry.
	DelayMS int64  `json:"delay_ms,omitempty"`
	Tokens  *Usage `json:"tokens,omitempty"`
	Error   string `json:"error,omitempty"`
	// ErrorKind classifies Error (see ErrorKind).
	ErrorKind ErrorKind `json:"error_kind,omitempty"`
}

// InRound is the round e belongs to: its Round, or 1 when that is absent.
func (e Event) InRound() int {
	return max(e.Round, 1)
}

// Terminal reports whether e ends its stream: a complete or a fatal error.
func (e Event) Terminal() bool {
	return e.Type == EventComplete || (e.Type == EventError && e.Fatal)
}

// TimestampFormat is how events write their timestamp: RFC 3339 in UTC
// with milliseconds, e.g. 2026-11-25T12:00:00.123Z.
const TimestampFormat = "2006-01-02T15:04:05.000Z07:00"

type eventAlias Event

// wireEvent adds the fields whose zero value must still be written, and the
// flattened verdict and outcome fields.
type wireEvent struct {
	eventAlias
	Decision   Decision  `json:"decision,omitempty"`
	Confidence *float64  `json:"confidence,omitempty"`
	Summary    *string   `json:"summary,omitempty"`
	Conditions *[]string `json:"conditions,omitempty"`
	Reason     *string   `json:"reason,omitempty"`
	// ChangedFrom is a verdict's vote of the round before, when it changed.
	ChangedFrom Decision `json:"changed_from,omitempty"`
	Votes       *Votes   `json:"votes,omitempty"`
	Awaiting    string   `json:"awaiting,omitempty"`
	TieBreak    bool     `json:"tie_break,omitempty"`
	Note        string   `json:"note,omitempty"`
	FatalField  *bool    `json:"fatal,omitempty"`
	// Shadow the alias's Fatal so it is written only through FatalField.
	Fatal bool `json:"-"`
	// Timestamp shadows the alias's: UTC, in milliseconds, as SPEC shows.
	Timestamp string `json:"timestamp"`
	// Shadow the alias's scores, usage and duration_ms so that complete
	// writes them even when empty or zero.
	ScoresField   *map[AgentID]int `json:"scores,omitempty"`
	UsageField    *Usage           `json:"usage,omitempty"`
	DurationField *int64           `json:"duration_ms,omitempty"`
}

// MarshalJSON writes the event in SPEC's shape: verdict and outcome fields
// flattened, confidence and conditions always present where they belong,
// fatal always present on errors.
func (e Event) MarshalJSON() ([]byte, error) {
	if len(e.Encoded) > 0 {
		return e.Encoded, nil
	}
	w := wireEvent{eventAlias: eventAlias(e)}
	w.Timestamp = e.Timestamp.UTC().Format(TimestampFormat)
	w.UsageField = e.Usage
	if len(e.Scores) > 0 {
		w.ScoresField = &e.Scores
	}
	if e.DurationMS != 0 {
		w.DurationField = &e.DurationMS
	}
	switch e.Type {
	case EventVerdict:
		if v := e.Verdict; v != nil {
			w.Decision, w.Confidence, w.Summary = v.Decision, &v.Confidence, &v.Summary
			w.Conditions = ptr(nonNil(v.Conditions))
			w.Reason, w.ChangedFrom = &v.Reason, v.ChangedFrom
			if len(v.Scores) > 0 {
				w.ScoresField = &v.Scores
			}
		}
	case EventComplete:
		if o := e.Outcome; o != nil {
			w.Decision, w.Confidence, w.Summary = o.Decision, &o.Confidence, &o.Summary
			w.Conditions = ptr(nonNil(o.Conditions))
			w.Rule, w.Votes, w.TieBreak, w.Note = o.Rule, &o.Votes, o.TieBreak, o.Note
		}
		if w.ScoresField == nil {
			w.ScoresField = &map[AgentID]int{}
		}
		if w.UsageField == nil {
			w.UsageField = &Usage{}
		}
		w.DurationField = &e.DurationMS
	case EventError:
		w.FatalField = &e.Fatal
	case EventRound:
		w.Reason = &e.Reason
	case EventTally:
		if t := e.Tally; t != nil {
			w.Votes = &t.Votes
			if t.Decision != "" {
				w.Decision, w.Conditions = t.Decision, ptr(nonNil(t.Conditions))
			} else {
				w.Awaiting = AwaitingSolomon
			}
		}
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads what MarshalJSON wrote.
func (e *Event) UnmarshalJSON(b []byte) error {
	var w struct {
		eventAlias
		Decision   Decision        `json:"decision"`
		Confidence float64         `json:"confidence"`
		Summary    string          `json:"summary"`
		Conditions []string        `json:"conditions"`
		Reason     string          `json:"reason"`
		Changed    Decision        `json:"changed_from"`
		Votes      Votes           `json:"votes"`
		TieBreak   bool            `json:"tie_break"`
		Note       string          `json:"note"`
		Fatal      bool            `json:"fatal"`
		Scores     map[AgentID]int `json:"scores"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*e = Event(w.eventAlias)
	e.Fatal, e.Encoded = w.Fatal, nil
	switch e.Type {
	case EventVerdict:
		e.Verdict = &Verdict{Decision: w.Decision, Confidence: w.Confidence, Summary: w.Summary,
			Conditions: nonNil(w.Conditions), Reason: w.Reason, Scores: w.Scores, ChangedFrom: w.Changed}
		e.Scores = nil
	case EventComplete:
		e.Outcome = &Outcome{Decision: w.Decision, Rule: w.Rule, Votes: w.Votes, Confidence: w.Confidence,
			Summary: w.Summary, Conditions: nonNil(w.Conditions), TieBreak: w.TieBreak, Note: w.Note}
		e.Scores = w.Scores
	case EventRound:
		e.Reason = w.Reason
	case EventTally:
		e.Tally = &Tally{Votes: w.Votes, Decision: w.Decision}
		if w.Decision != "" {
			e.Tally.Conditions = nonNil(w.Conditions)
		}
	}
	return nil
}

func ptr[T any](v T) *T { return &v }

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
