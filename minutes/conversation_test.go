package minutes

import (
	"strings"
	"testing"
	"time"

	"github.com/magi-system/magi"
)

// The minutes of a conversation: the list of its turns, then every turn
// in order, each with its decision, conditions and note, one heading
// level down; a follow-up says which deliberation it follows, and an
// agent's text is quoted unchanged, headings and all.
func TestConversation_EveryTurnInOrder(t *testing.T) {
	ts := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	solomon := magi.AgentRecord{AgentInfo: magi.AgentInfo{ID: magi.Solomon, Name: "SOLOMON", Provider: "sim", Model: "m"},
		Text: "# My judgement\n\n```sh\n# a comment in code\n```"}
	first := magi.Record{ID: "a", ConversationID: "a", Turn: 1, Question: "Adopt a four-day week?", Rule: magi.Majority,
		Status: magi.StatusCompleted, Decision: magi.Conditional, Summary: "Pilot it first.", Conditions: []string{"a pilot"},
		Note: "CASPER-3 changed REJECTED → CONDITIONAL in round 2", CreatedAt: ts, Agents: []magi.AgentRecord{solomon}}
	second := magi.Record{ID: "b", ConversationID: "a", ParentID: "a", Turn: 2, Question: "Only for support?", Rule: magi.Unanimous,
		Status: magi.StatusCompleted, Decision: magi.Approved, Summary: "Yes, for support.", Conditions: []string{},
		CreatedAt: ts.Add(time.Minute), Agents: []magi.AgentRecord{solomon}}
	got := Conversation([]magi.Record{first, second})
	rest := got
	for _, want := range []string{
		"# MAGI conversation a\n", "2 turns", "1. Adopt a four-day week? — 条件付 CONDITIONAL\n", "2. Only for support? — 承認 APPROVED\n",
		"## Turn 1: deliberation a\n", "- **Question:** Adopt a four-day week?", "### Decision: 条件付 CONDITIONAL", "Pilot it first.",
		"- a pilot", "Note: CASPER-3 changed REJECTED → CONDITIONAL in round 2", "### SOLOMON (sim/m)", "# My judgement\n\n```sh\n# a comment in code\n```",
		"## Turn 2: deliberation b\n", "- **Follows:** deliberation a (turn 2 of conversation a)", "### Decision: 承認 APPROVED", "Yes, for support.",
	} {
		i := strings.Index(rest, want)
		if i < 0 {
			t.Fatalf("missing, or out of order: %q in\n%s", want, got)
		}
		rest = rest[i+len(want):]
	}
	if strings.Contains(got, "\n# MAGI deliberation") {
		t.Errorf("a turn's minutes kept their top-level heading:\n%s", got)
	}
	if strings.Contains(Markdown(first), "Follows") {
		t.Errorf("a first question's minutes say it follows something")
	}
}
