package magi

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestCheckCouncilName(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"frugal", true},
		{"a", true},
		{"board-2026", true},
		{strings.Repeat("x", 64), true},
		{"", false},
		{strings.Repeat("x", 65), false},
		{"Frugal", false},
		{"fru gal", false},
		{"fru_gal", false},
		{"frugal/../x", false},
		{"ｆｒｕｇａｌ", false},
	}
	for _, tt := range tests {
		err := CheckCouncilName(tt.name)
		if (err == nil) != tt.ok {
			t.Errorf("CheckCouncilName(%q) = %v, want ok=%v", tt.name, err, tt.ok)
		}
		if err != nil && ErrorCode(err) != EINVALID {
			t.Errorf("CheckCouncilName(%q): code %s, want %s", tt.name, ErrorCode(err), EINVALID)
		}
	}
}

func TestPersonaHash(t *testing.T) {
	a, b := PersonaHash("You are frugal."), PersonaHash("You are frugal!")
	if len(a) != 16 || a == b || a != PersonaHash("You are frugal.") {
		t.Errorf("PersonaHash: %q and %q; want 16 hex digits, stable, different for different personas", a, b)
	}
}

// TestStart_CouncilSnapshot: the start event carries the council's
// snapshot, it reads back, and the record keeps it; a record without one
// (stored before councils) has none.
func TestStart_CouncilSnapshot(t *testing.T) {
	temp := 0.3
	agents := []Agent{
		{ID: Melchior, Name: "MELCHIOR-1", Persona: "You are frugal.", Provider: "openai", Model: "m1",
			Temperature: &temp, MaxTokens: 1500, Timeout: 90 * time.Second, Fallbacks: []ModelRef{{Provider: "sim", Model: "sim-1"}}},
		{ID: Solomon, Name: "SOLOMON", Persona: "Judge.", Provider: "sim", Model: "sim-1", Timeout: time.Minute},
	}
	snap := Snapshot("frugal", agents)
	start := Event{Type: EventStart, DeliberationID: "d", Seq: 1, Timestamp: ts, Question: "q", Rule: Majority,
		Agents: []AgentInfo{agents[0].Info(), agents[1].Info()}, Council: snap}
	b, err := start.AppendJSON(nil)
	if err != nil {
		t.Fatal(err)
	}
	var raw struct {
		Council map[string]any `json:"council"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"name": "frugal", "agents": []any{
		map[string]any{"id": "melchior", "provider": "openai", "model": "m1", "persona_sha256": PersonaHash("You are frugal."),
			"temperature": 0.3, "max_tokens": 1500.0, "timeout_ms": 90000.0,
			"fallbacks": []any{map[string]any{"provider": "sim", "model": "sim-1"}}},
		map[string]any{"id": "solomon", "provider": "sim", "model": "sim-1", "persona_sha256": PersonaHash("Judge."), "timeout_ms": 60000.0},
	}}
	if diff := cmp.Diff(want, raw.Council); diff != "" {
		t.Errorf("start's council (-want +got):\n%s", diff)
	}
	var back Event
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(snap, back.Council); diff != "" {
		t.Errorf("decoded council (-want +got):\n%s", diff)
	}
	if rec := Project([]Event{back}); rec.Council == nil || rec.Council.Name != "frugal" || len(rec.Council.Agents) != 2 {
		t.Errorf("record's council = %+v, want the snapshot", rec.Council)
	}
	old := start
	old.Council = nil
	if b, _ := old.AppendJSON(nil); strings.Contains(string(b), "council") {
		t.Errorf("a start without a council writes one: %s", b)
	}
	if rec, _ := json.Marshal(Project([]Event{old})); strings.Contains(string(rec), `"council"`) {
		t.Errorf("a record without a council writes one: %s", rec)
	}
}
