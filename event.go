package magi

import "time"

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
// journaled. Which fields are set depends on Type; AppendJSON writes the
// fields of SPEC for each type. An Event holds no encoding of its own: the
// feed keeps the JSON beside it (see Encoded).
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
	// ConversationID, ParentID and Turn place a follow-up in its
	// conversation, on start (see Record); all absent for a first
	// question.
	ConversationID string `json:"conversation_id,omitempty"`
	ParentID       string `json:"parent_id,omitempty"`
	Turn           int    `json:"turn,omitempty"`
	// Council is the council that deliberates, on start.
	Council *CouncilSnapshot `json:"council,omitempty"`

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
