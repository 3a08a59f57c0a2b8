package term

import (
	"strings"
	"testing"

	"github.com/magi-system/magi"
)

// A follow-up's header says it continues a conversation: its turn, and
// the question and decision it follows when the renderer knows them (its
// id otherwise); a first question's header says neither.
func TestRenderer_FollowUpHeader(t *testing.T) {
	events := newFixture().build()
	events[0].ConversationID, events[0].ParentID, events[0].Turn = "c1", "p1", 3
	prev := &magi.Turn{Summary: magi.Summary{ID: "p1", Question: "What if only\nfor the support team?", Decision: magi.Conditional}}
	for _, mode := range []Mode{Plain, Lines, Panes} {
		out := run(Options{Mode: mode, Width: 120, Height: 30, Follows: prev}, events)
		text := strings.Join(play(t, out).text(), "\n")
		if mode == Plain {
			text = out
		}
		mustContain(t, text, "turn 3 of a conversation", "↳ follows “What if only for the support team?” — 条件付 CONDITIONAL",
			"Q Should we adopt a four-day work week?")
		if strings.Index(text, "↳ follows") > strings.Index(text, "Q Should we") {
			t.Errorf("%s: the question it follows comes after the new question", mode)
		}
	}
	out := run(Options{Mode: Plain, Width: 100}, events)
	mustContain(t, out, "↳ follows deliberation p1")
	first := run(Options{Mode: Plain, Width: 100}, newFixture().build())
	if strings.Contains(first, "follows") || strings.Contains(first, "conversation") {
		t.Errorf("a first question's header names a conversation:\n%s", first[:300])
	}
}
