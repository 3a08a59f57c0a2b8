package magi

import (
	"encoding/json"
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
	// ConversationID is the conversation's first deliberation: ID itself
	// for a first question (and for every record stored before
	// conversations existed).
	ConversationID string `json:"conversation_id"`
	// ParentID is the deliberation a follow-up follows; empty otherwise.
	ParentID string `json:"parent_id,omitempty"`
	// Turn is the record's place in its thread: 1 for a first question.
	Turn int `json:"turn"`
	// Agents are the sages of the final round so far, and SOLOMON.
	Agents []AgentRecord `json:"agents"`
	// Rounds are the sages' parts in each round, the first first.
	Rounds []RoundRecord `json:"rounds"`
	// MaxRounds is how many rounds the deliberation could run; 0 in a
	// record stored before rounds existed.
	MaxRounds int `json:"max_rounds,omitempty"`
	// Council is the council that deliberated; nil in a record stored
	// before councils existed.
	Council    *CouncilSnapshot `json:"council,omitempty"`
	Usage      Usage            `json:"usage"`
	CreatedAt  time.Time        `json:"created_at"`
	DurationMS int64            `json:"duration_ms"`
	Simulated  bool             `json:"simulated"`
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
	// Round is the round of an agent's error; absent means round 1.
	Round int `json:"round,omitempty"`
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

// RoundRecord is the sages' part in one round of debate.
type RoundRecord struct {
	Round  int           `json:"round"`
	Agents []AgentRecord `json:"agents"`
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
	// Council names the council that deliberated; absent before councils.
	Council string `json:"council,omitempty"`
	// LastSeq is the seq of the last stored event.
	LastSeq int64 `json:"last_seq"`
	// ConversationID is the conversation's first deliberation (ID itself
	// for a first question); ParentID the deliberation a follow-up
	// follows.
	ConversationID string `json:"conversation_id"`
	ParentID       string `json:"parent_id,omitempty"`
	// Turns is how many deliberations the conversation holds, this one
	// included.
	Turns int `json:"turns"`
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
