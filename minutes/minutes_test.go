package minutes

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/magi-system/magi"
)

// The minutes of a deliberation stored before rounds existed are what
// that version exported (testdata/v1-minutes.md at the repository root).
func TestMarkdown_StoredBeforeRounds(t *testing.T) {
	raw, err := os.ReadFile("../testdata/v1-events.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	var evs []magi.Event
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		var e magi.Event
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatal(err)
		}
		evs = append(evs, e)
	}
	want, err := os.ReadFile("../testdata/v1-minutes.md")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), Markdown(magi.Project(evs))); diff != "" {
		t.Errorf("minutes (-then +now):\n%s", diff)
	}
}

func TestMarkdown_EachRoundAndEachChange(t *testing.T) {
	ts := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	info := func(id magi.AgentID, name string) magi.AgentInfo {
		return magi.AgentInfo{ID: id, Name: name, Provider: "openai", Model: "m"}
	}
	vote := func(d, was magi.Decision) *magi.Verdict {
		return &magi.Verdict{Decision: d, Confidence: 0.7, Conditions: []string{}, ChangedFrom: was}
	}
	usage := func(id magi.AgentID, round int, out int64) magi.Event {
		return magi.Event{Type: magi.EventTrace, Agent: id, Round: round, Stage: magi.StageAgentDone,
			Trace: &magi.Trace{Tokens: &magi.Usage{InputTokens: 10, OutputTokens: out}}}
	}
	evs := []magi.Event{
		{Type: magi.EventStart, DeliberationID: "d", Timestamp: ts, Question: "Adopt it?", Rule: magi.Majority, MaxRounds: 3,
			Agents: []magi.AgentInfo{info(magi.Melchior, "MELCHIOR-1"), info(magi.Balthasar, "BALTHASAR-2"), info(magi.Casper, "CASPER-3"), info(magi.Solomon, "SOLOMON")}},
		{Type: magi.EventChunk, Agent: magi.Casper, Content: "Round one: no."},
		usage(magi.Casper, 0, 5),
		{Type: magi.EventVerdict, Agent: magi.Melchior, Verdict: vote(magi.Approved, "")},
		{Type: magi.EventVerdict, Agent: magi.Balthasar, Verdict: vote(magi.Approved, "")},
		{Type: magi.EventVerdict, Agent: magi.Casper, Verdict: vote(magi.Rejected, "")},
		{Type: magi.EventRound, Round: 2, Reason: "split"},
		{Type: magi.EventChunk, Agent: magi.Casper, Round: 2, Content: "Round two: with a pilot."},
		usage(magi.Casper, 2, 7),
		{Type: magi.EventVerdict, Agent: magi.Melchior, Round: 2, Verdict: vote(magi.Approved, "")},
		{Type: magi.EventVerdict, Agent: magi.Balthasar, Round: 2, Verdict: vote(magi.Approved, "")},
		{Type: magi.EventVerdict, Agent: magi.Casper, Round: 2, Verdict: vote(magi.Conditional, magi.Rejected)},
		{Type: magi.EventChunk, Agent: magi.Solomon, Round: 2, Content: "Judged."},
		{Type: magi.EventComplete, Rounds: 2, Usage: &magi.Usage{InputTokens: 70, OutputTokens: 40},
			Outcome: &magi.Outcome{Decision: magi.Conditional, Rule: magi.Majority, Conditions: []string{},
				Note: "CASPER-3 changed REJECTED → CONDITIONAL in round 2"}},
	}
	md := Markdown(magi.Project(evs))
	for _, want := range []string{
		"- **Rounds:** 2 of up to 3 (the sages agreed)\n",
		"Note: CASPER-3 changed REJECTED → CONDITIONAL in round 2\n",
		"| sage | round 1 | round 2 |\n|---|---|---|\n",
		"| CASPER-3 | 否決 REJECTED | 否決 REJECTED → **条件付 CONDITIONAL** |\n",
		"| MELCHIOR-1 | 承認 APPROVED | 承認 APPROVED |\n",
		"## Round 1\n\n### MELCHIOR-1 (openai/m)",
		"### CASPER-3 (openai/m)\n\nRound one: no.\n\n**Verdict:** 否決 REJECTED, confidence 70%",
		"## Round 2\n",
		"### CASPER-3 (openai/m)\n\nRound two: with a pilot.\n\n**Verdict:** 否決 REJECTED → 条件付 CONDITIONAL (changed), confidence 70%",
		"## SOLOMON (openai/m)\n\nJudged.",
		"| CASPER-3 | 1 | openai | m | 10 | 5 | unknown |\n",
		"| CASPER-3 | 2 | openai | m | 10 | 7 | unknown |\n",
		"| **total** | | | | 70 | 40 | unknown |\n",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("the minutes lack %q:\n%s", want, md)
		}
	}
	if strings.Index(md, "## Round 1") > strings.Index(md, "## Round 2") || strings.Index(md, "## Round 2") > strings.Index(md, "## SOLOMON") {
		t.Error("want round 1, round 2, then SOLOMON")
	}
}

// TestMarkdown_Council: the minutes name the council and, for a saved
// one, what each agent was asked with then.
func TestMarkdown_Council(t *testing.T) {
	r := magi.Record{ID: "d", Question: "q", Rule: magi.Majority, Status: magi.StatusCompleted,
		Council: magi.Snapshot("frugal", []magi.Agent{{ID: magi.Melchior, Provider: "sim", Model: "sim-frugal", Persona: "Count."}})}
	md := Markdown(r)
	for _, want := range []string{"- **Council:** frugal\n", "  - melchior: sim/sim-frugal, persona sha256 " + magi.PersonaHash("Count.") + "\n"} {
		if !strings.Contains(md, want) {
			t.Errorf("minutes lack %q:\n%s", want, md)
		}
	}
	r.Council.Name = magi.DefaultCouncil
	if md := Markdown(r); !strings.Contains(md, "- **Council:** default\n") || strings.Contains(md, "persona sha256") {
		t.Errorf("minutes of the default council:\n%s", md)
	}
}
