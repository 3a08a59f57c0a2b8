package magi

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// deliberation is a realistic event sequence: three sages stream, CASPER
// fails once and retries, BALTHASAR abstains, SOLOMON judges.
func deliberation() []Event {
	at := func(ms int) time.Time { return ts.Add(time.Duration(ms) * time.Millisecond) }
	info := func(id AgentID, name string) AgentInfo {
		return AgentInfo{ID: id, Name: name, Provider: "openai", Model: "gpt"}
	}
	evs := []Event{
		{Type: EventStart, Timestamp: at(0), Question: "Adopt a four-day week?", Rule: Majority,
			Agents: []AgentInfo{info(Melchior, "MELCHIOR-1"), info(Balthasar, "BALTHASAR-2"), info(Casper, "CASPER-3"), info(Solomon, "SOLOMON")}},
		{Type: EventTrace, Timestamp: at(1), Agent: Melchior, Stage: StageAgentStart, Trace: &Trace{Provider: "openai", Model: "gpt", Attempt: 1}},
		{Type: EventTrace, Timestamp: at(1), Agent: Casper, Stage: StageAgentStart, Trace: &Trace{Provider: "openai", Model: "gpt", Attempt: 1}},
		{Type: EventTrace, Timestamp: at(5), Agent: Casper, Stage: StageRetry, Trace: &Trace{Attempt: 2, DelayMS: 200, Error: "busy"}},
		{Type: EventTrace, Timestamp: at(6), Agent: Casper, Stage: StageFallback, Trace: &Trace{Provider: "anthropic", Model: "claude", Attempt: 3}},
		{Type: EventTrace, Timestamp: at(300), Agent: Melchior, Stage: StageFirstToken, Trace: &Trace{LatencyMS: 299}},
		{Type: EventChunk, Timestamp: at(301), Agent: Melchior, Content: "The data "},
		{Type: EventChunk, Timestamp: at(302), Agent: Casper, Content: "Cost "},
		{Type: EventChunk, Timestamp: at(303), Agent: Melchior, Content: "is thin."},
		{Type: EventChunk, Timestamp: at(304), Agent: Casper, Content: "is fine."},
		{Type: EventError, Timestamp: at(400), Agent: Balthasar, Code: "timeout", Message: "balthasar timed out"},
		{Type: EventVerdict, Timestamp: at(401), Agent: Balthasar, Verdict: &Verdict{Decision: Abstained, Conditions: []string{}, Reason: "timed out"}},
		{Type: EventVerdict, Timestamp: at(500), Agent: Melchior, Verdict: &Verdict{Decision: Conditional, Confidence: 0.7, Summary: "Pilot.", Conditions: []string{"pilot"}}},
		{Type: EventTrace, Timestamp: at(500), Agent: Melchior, Stage: StageAgentDone, Trace: &Trace{DurationMS: 499, Tokens: &Usage{InputTokens: 10, OutputTokens: 4}}},
		{Type: EventVerdict, Timestamp: at(600), Agent: Casper, Verdict: &Verdict{Decision: Rejected, Confidence: 0.6, Summary: "No.", Conditions: []string{}}},
		{Type: EventChunk, Timestamp: at(700), Agent: Solomon, Content: "Judged."},
		{Type: EventVerdict, Timestamp: at(800), Agent: Solomon, Verdict: &Verdict{Decision: Conditional, Confidence: 0.65, Summary: "Pilot it.",
			Conditions: []string{"review"}, Scores: map[AgentID]int{Melchior: 80, Balthasar: 10, Casper: 70}}},
	}
	for i := range evs {
		evs[i].DeliberationID, evs[i].Seq = "d1", int64(i+1)
	}
	return evs
}

func complete(seq int64) Event {
	return Event{Type: EventComplete, DeliberationID: "d1", Seq: seq, Timestamp: ts.Add(time.Second),
		Outcome: &Outcome{Decision: Conditional, Rule: Majority, Votes: Votes{Conditional: 1, Rejected: 1, Abstained: 1},
			Confidence: 0.65, Summary: "Pilot it.", Conditions: []string{"pilot", "review"}, TieBreak: true, Note: "tie 1–1, broken by SOLOMON"},
		Scores: map[AgentID]int{Melchior: 80, Balthasar: 10, Casper: 70},
		Usage:  &Usage{InputTokens: 40, OutputTokens: 30}, DurationMS: 1000}
}

func TestProject_Completed(t *testing.T) {
	evs := append(deliberation(), complete(18))
	got := Project(evs)

	want := Record{ID: "d1", ConversationID: "d1", Turn: 1, Question: "Adopt a four-day week?", Rule: Majority, Status: StatusCompleted,
		Decision: Conditional, Confidence: 0.65, Summary: "Pilot it.", Conditions: []string{"pilot", "review"},
		Votes: Votes{Conditional: 1, Rejected: 1, Abstained: 1}, Scores: map[AgentID]int{Melchior: 80, Balthasar: 10, Casper: 70},
		TieBreak: true, Note: "tie 1–1, broken by SOLOMON", Usage: Usage{InputTokens: 40, OutputTokens: 30},
		CreatedAt: ts, DurationMS: 1000, Errors: []ErrorInfo{{Code: "timeout", Message: "balthasar timed out", Agent: Balthasar}},
		LastSeq: 18,
		Agents: []AgentRecord{
			{AgentInfo: AgentInfo{ID: Melchior, Name: "MELCHIOR-1", Provider: "openai", Model: "gpt"}, Text: "The data is thin.",
				Verdict: evs[12].Verdict, Usage: Usage{InputTokens: 10, OutputTokens: 4}, DurationMS: 499, FirstTokenMS: 299, Attempts: 1},
			{AgentInfo: AgentInfo{ID: Balthasar, Name: "BALTHASAR-2", Provider: "openai", Model: "gpt"},
				Verdict: evs[11].Verdict, Error: "balthasar timed out"},
			{AgentInfo: AgentInfo{ID: Casper, Name: "CASPER-3", Provider: "anthropic", Model: "claude"}, Text: "Cost is fine.",
				Verdict: evs[14].Verdict, Attempts: 3},
			{AgentInfo: AgentInfo{ID: Solomon, Name: "SOLOMON", Provider: "openai", Model: "gpt"}, Text: "Judged.",
				Verdict: evs[16].Verdict},
		},
	}
	want.Rounds = []RoundRecord{{Round: 1, Agents: want.Agents[:3]}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Project mismatch (-want +got):\n%s", diff)
	}
}

func TestProject_TerminalStatus(t *testing.T) {
	tests := []struct {
		code       string
		wantStatus Status
	}{
		{ECANCELLED, StatusCancelled},
		{EINTERRUPTED, StatusInterrupted},
		{ESHUTDOWN, StatusInterrupted},
		{ENOVERDICT, StatusFailed},
		{ESTORE, StatusFailed},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			fatal := Event{Type: EventError, DeliberationID: "d1", Seq: 18, Timestamp: ts.Add(2500 * time.Millisecond),
				Code: tt.code, Message: "stopped", Fatal: true}
			got := Project(append(deliberation(), fatal))
			if got.Status != tt.wantStatus {
				t.Errorf("status = %s, want %s", got.Status, tt.wantStatus)
			}
			if diff := cmp.Diff(&ErrorInfo{Code: tt.code, Message: "stopped"}, got.Error); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			if got.DurationMS != 2500 || got.Decision != "" || got.LastSeq != 18 {
				t.Errorf("duration %d decision %q last seq %d; want 2500, none, 18", got.DurationMS, got.Decision, got.LastSeq)
			}
			if got.Scores[Melchior] != 80 {
				t.Errorf("SOLOMON's scores lost: %v", got.Scores)
			}
		})
	}
}

func TestProjection_Incremental(t *testing.T) {
	var p Projection
	evs := deliberation()
	for _, e := range evs[:8] {
		p.Apply(e)
	}
	mid := p.Record()
	if mid.Status != StatusRunning || mid.Agents[0].Text != "The data " || mid.Agents[2].Text != "Cost " {
		t.Fatalf("mid-way record: status %s, texts %q %q", mid.Status, mid.Agents[0].Text, mid.Agents[2].Text)
	}
	if mid.Conditions == nil || mid.Scores == nil || mid.Errors == nil {
		t.Errorf("running record has nil collections: %+v", mid)
	}
	for _, e := range evs[8:] {
		p.Apply(e)
	}
	if got := p.Record().Agents[0].Text; got != "The data is thin." {
		t.Errorf("text after the rest = %q", got)
	}
	if mid.Agents[0].Text != "The data " {
		t.Errorf("an earlier Record changed under its holder: %q", mid.Agents[0].Text)
	}
}

func TestStatusOf(t *testing.T) {
	tests := []struct {
		e    Event
		want Status
	}{
		{Event{Type: EventComplete}, StatusCompleted},
		{Event{Type: EventChunk}, StatusRunning},
		{Event{Type: EventError, Code: ECANCELLED}, StatusRunning},
		{Event{Type: EventError, Code: ECANCELLED, Fatal: true}, StatusCancelled},
		{Event{Type: EventError, Code: EINTERRUPTED, Fatal: true}, StatusInterrupted},
		{Event{Type: EventError, Code: EINTERNAL, Fatal: true}, StatusFailed},
	}
	for _, tt := range tests {
		if got := StatusOf(tt.e); got != tt.want {
			t.Errorf("StatusOf(%s %s fatal=%v) = %s, want %s", tt.e.Type, tt.e.Code, tt.e.Fatal, got, tt.want)
		}
	}
}

// TestCreatedAt_Milliseconds: the history's and the record's created_at
// are written alike, in milliseconds, whatever precision the store keeps.
func TestCreatedAt_Milliseconds(t *testing.T) {
	at := time.Date(2026, 11, 25, 12, 0, 0, 123456789, time.FixedZone("JST", 9*3600))
	for name, v := range map[string]any{"summary": Summary{ID: "x", CreatedAt: at}, "record": Record{ID: "x", CreatedAt: at}} {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var got struct {
			ID        string `json:"id"`
			CreatedAt string `json:"created_at"`
		}
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatal(err)
		}
		if got.CreatedAt != "2026-11-25T03:00:00.123Z" || got.ID != "x" {
			t.Errorf("%s: id %q, created_at %q; want x and 2026-11-25T03:00:00.123Z", name, got.ID, got.CreatedAt)
		}
		if n := strings.Count(string(b), `"created_at"`); n != 1 {
			t.Errorf("%s: created_at written %d times: %s", name, n, b)
		}
	}
	var back Summary
	if err := json.Unmarshal([]byte(`{"id":"x","created_at":"2026-11-25T03:00:00.123Z"}`), &back); err != nil || !back.CreatedAt.Equal(at.Truncate(time.Millisecond)) {
		t.Errorf("reading it back: %v, %v", back.CreatedAt, err)
	}
}
