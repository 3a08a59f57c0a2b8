package magi

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var ts = time.Date(2026, 11, 25, 12, 0, 0, 123_000_000, time.UTC)

func cost(f float64) *float64 { return &f }

func TestEvent_RoundTrip(t *testing.T) {
	tests := []struct {
		name string
		in   Event
	}{
		{"start", Event{Type: EventStart, DeliberationID: "d1", Seq: 1, Timestamp: ts, Question: "Should we?",
			Rule: Unanimous, Simulated: true, Agents: []AgentInfo{{ID: Melchior, Name: "MELCHIOR-1", Provider: "sim", Model: "sim-1"}}}},
		{"chunk", Event{Type: EventChunk, DeliberationID: "d1", Seq: 2, Timestamp: ts, Agent: Casper, Content: "Cost is "}},
		{"trace", Event{Type: EventTrace, DeliberationID: "d1", Seq: 3, Timestamp: ts, Agent: Balthasar, Stage: StageAgentDone,
			Trace: &Trace{Provider: "openai", Model: "m", Attempt: 2, DurationMS: 900, Tokens: &Usage{InputTokens: 10, OutputTokens: 20, CostUSD: cost(0.01)}}}},
		{"trace without agent", Event{Type: EventTrace, DeliberationID: "d1", Seq: 4, Timestamp: ts, Stage: StageRetry,
			Trace: &Trace{Attempt: 1, DelayMS: 500, Error: "busy", ErrorKind: KindUnavailable}}},
		{"verdict", Event{Type: EventVerdict, DeliberationID: "d1", Seq: 5, Timestamp: ts, Agent: Melchior,
			Verdict: &Verdict{Decision: Conditional, Confidence: 0.7, Summary: "If piloted.", Conditions: []string{"pilot"}}}},
		{"verdict abstained", Event{Type: EventVerdict, DeliberationID: "d1", Seq: 6, Timestamp: ts, Agent: Casper,
			Verdict: &Verdict{Decision: Abstained, Conditions: []string{}, Reason: "timeout"}}},
		{"verdict of SOLOMON", Event{Type: EventVerdict, DeliberationID: "d1", Seq: 7, Timestamp: ts, Agent: Solomon,
			Verdict: &Verdict{Decision: Approved, Confidence: 0.6, Summary: "Yes.", Conditions: []string{},
				Scores: map[AgentID]int{Melchior: 80, Balthasar: 65, Casper: 0}}}},
		{"complete", Event{Type: EventComplete, DeliberationID: "d1", Seq: 8, Timestamp: ts, Rule: Majority,
			Outcome: &Outcome{Decision: Rejected, Rule: Majority, Votes: Votes{Approved: 1, Rejected: 1, Abstained: 1},
				Confidence: 0.6, Summary: "No.", Conditions: []string{}, TieBreak: true, Note: "tie 1–1, broken by SOLOMON"},
			Scores: map[AgentID]int{Melchior: 80}, Usage: &Usage{InputTokens: 100, OutputTokens: 200}, DurationMS: 4200}},
		{"error non-fatal", Event{Type: EventError, DeliberationID: "d1", Seq: 9, Timestamp: ts, Agent: Casper,
			Code: "timeout", Message: "casper timed out"}},
		{"error fatal", Event{Type: EventError, DeliberationID: "d1", Seq: 10, Timestamp: ts, Code: ECANCELLED,
			Message: "cancelled", Fatal: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.Marshal(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			var got Event
			if err := json.Unmarshal(b, &got); err != nil {
				t.Fatalf("unmarshal %s: %v", b, err)
			}
			if diff := cmp.Diff(tt.in, got); diff != "" {
				t.Errorf("round trip of %s (-want +got):\n%s", b, diff)
			}
		})
	}
}

// wire marshals e and decodes it as a generic JSON object.
func wire(t *testing.T, e Event) map[string]any {
	t.Helper()
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func hasKeys(t *testing.T, m map[string]any, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			t.Errorf("key %q missing from %v", k, m)
		}
	}
}

func TestEvent_VerdictAlwaysCarriesConfidenceAndConditions(t *testing.T) {
	m := wire(t, Event{Type: EventVerdict, DeliberationID: "d", Seq: 1, Timestamp: ts, Agent: Casper,
		Verdict: &Verdict{Decision: Abstained, Reason: "no JSON"}})
	hasKeys(t, m, "type", "deliberation_id", "seq", "timestamp", "agent", "decision", "confidence", "summary", "conditions", "reason")
	if m["confidence"] != 0.0 {
		t.Errorf("confidence = %v, want 0", m["confidence"])
	}
	if c, ok := m["conditions"].([]any); !ok || len(c) != 0 {
		t.Errorf("conditions = %#v, want []", m["conditions"])
	}
	if _, ok := m["scores"]; ok {
		t.Errorf("a sage's verdict carries scores: %v", m)
	}
}

func TestEvent_ErrorAlwaysCarriesFatal(t *testing.T) {
	for _, fatal := range []bool{false, true} {
		m := wire(t, Event{Type: EventError, DeliberationID: "d", Seq: 1, Timestamp: ts, Code: "x", Message: "y", Fatal: fatal})
		hasKeys(t, m, "code", "message", "fatal")
		if m["fatal"] != fatal {
			t.Errorf("fatal = %v, want %v", m["fatal"], fatal)
		}
	}
	if m := wire(t, Event{Type: EventChunk, Content: "x"}); m["fatal"] != nil {
		t.Errorf("a chunk carries fatal: %v", m)
	}
}

func TestEvent_CompleteCarriesEveryField(t *testing.T) {
	m := wire(t, Event{Type: EventComplete, DeliberationID: "d", Seq: 9, Timestamp: ts,
		Outcome: &Outcome{Decision: Rejected, Rule: Judge, Conditions: nil}})
	hasKeys(t, m, "decision", "rule", "votes", "confidence", "summary", "scores", "usage", "duration_ms", "conditions")
	if m["rule"] != "judge" || m["decision"] != "REJECTED" {
		t.Errorf("rule/decision = %v/%v", m["rule"], m["decision"])
	}
	votes, _ := m["votes"].(map[string]any)
	for _, k := range []string{"approved", "rejected", "conditional", "abstained"} {
		if votes[k] != 0.0 {
			t.Errorf("votes[%s] = %v, want 0", k, votes[k])
		}
	}
	if s, ok := m["scores"].(map[string]any); !ok || len(s) != 0 {
		t.Errorf("scores = %#v, want {}", m["scores"])
	}
	if u, ok := m["usage"].(map[string]any); !ok || u["input_tokens"] != 0.0 {
		t.Errorf("usage = %#v, want zero usage", m["usage"])
	}
}

func TestEvent_Wire(t *testing.T) {
	m := wire(t, Event{Type: EventChunk, DeliberationID: "d", Seq: 7, Timestamp: ts.In(time.FixedZone("JST", 9*3600)),
		Agent: Melchior, Content: "..."})
	want := map[string]any{"type": "chunk", "deliberation_id": "d", "seq": 7.0,
		"timestamp": "2026-11-25T12:00:00.123Z", "agent": "melchior", "content": "..."}
	if diff := cmp.Diff(want, m); diff != "" {
		t.Errorf("chunk on the wire (-want +got):\n%s", diff)
	}
}

func TestEvent_Terminal(t *testing.T) {
	tests := []struct {
		e    Event
		want bool
	}{
		{Event{Type: EventComplete}, true},
		{Event{Type: EventError, Fatal: true}, true},
		{Event{Type: EventError}, false},
		{Event{Type: EventVerdict}, false},
	}
	for _, tt := range tests {
		if got := tt.e.Terminal(); got != tt.want {
			t.Errorf("%+v.Terminal() = %v, want %v", tt.e, got, tt.want)
		}
	}
}
