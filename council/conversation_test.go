package council

import (
	"context"
	"strings"
	"testing"

	"github.com/magi-system/magi"
)

// earlierTurn is a completed first question of a conversation.
var earlierTurn = magi.Turn{
	Summary: magi.Summary{ID: "t1", ConversationID: "t1", Question: "Adopt a four-day week?", Status: magi.StatusCompleted},
	Outcome: &magi.Outcome{Decision: magi.Conditional, Rule: magi.Majority, Confidence: 0.7,
		Summary: "Pilot it with one team.", Conditions: []string{"output is measured"}},
}

// A follow-up debates like any other deliberation, and every call of it —
// each sage in each round, and SOLOMON — receives the earlier turn as
// quoted context before its own prompt; a deliberation that follows
// nothing receives none of it.
func TestCouncil_FollowUpContextInEveryPrompt(t *testing.T) {
	checkNoLeak(t)
	var seen prompts
	c := scripted(map[magi.AgentID]streamFunc{
		magi.Melchior:  seen.wrap(magi.Melchior, votes(magi.Approved, magi.Approved)),
		magi.Balthasar: seen.wrap(magi.Balthasar, votes(magi.Conditional, magi.Conditional)),
		magi.Casper:    seen.wrap(magi.Casper, votes(magi.Rejected, magi.Conditional)),
		magi.Solomon:   seen.wrap(magi.Solomon, say(judgeText, 0)),
	})
	q := magi.Question{ID: "t2", Text: "What if only for the support team?", Rounds: 2,
		ConversationID: "t1", ParentID: "t1", Earlier: []magi.Turn{earlierTurn}}
	var rec recorder
	if _, err := c.Deliberate(context.Background(), q, &rec); err != nil {
		t.Fatal(err)
	}
	start := rec.all()[0]
	if start.ConversationID != "t1" || start.ParentID != "t1" || start.Turn != 2 {
		t.Errorf("start event: conversation %q parent %q turn %d, want t1 t1 2", start.ConversationID, start.ParentID, start.Turn)
	}
	if n := len(rec.of(magi.EventRound, "")); n != 1 {
		t.Fatalf("%d round events, want the follow-up to debate a second round", n)
	}
	calls := 0
	for _, id := range magi.Members {
		for i, p := range seen.of(id) {
			calls++
			for _, want := range []string{"Adopt a four-day week?", "Pilot it with one team.", "output is measured",
				"Decision: CONDITIONAL (rule majority", "What if only for the support team?"} {
				if !strings.Contains(p, want) {
					t.Errorf("%s call %d: the prompt lacks %q", id, i+1, want)
				}
			}
			if strings.Index(p, "Adopt a four-day week?") > strings.Index(p, "What if only for the support team?") {
				t.Errorf("%s call %d: the context does not come before the question", id, i+1)
			}
		}
	}
	if calls != 7 {
		t.Errorf("%d calls, want 3 sages × 2 rounds + SOLOMON", calls)
	}

	var other prompts
	c = scripted(map[magi.AgentID]streamFunc{
		magi.Melchior: other.wrap(magi.Melchior, say(verdictText("ok", magi.Approved, 0.8), 0)), magi.Balthasar: other.wrap(magi.Balthasar, say(verdictText("ok", magi.Approved, 0.8), 0)),
		magi.Casper: other.wrap(magi.Casper, say(verdictText("ok", magi.Approved, 0.8), 0)), magi.Solomon: other.wrap(magi.Solomon, say(judgeText, 0)),
	})
	if _, err := c.Deliberate(context.Background(), magi.Question{ID: "u", Text: "Buy a new printer?"}, &recorder{}); err != nil {
		t.Fatal(err)
	}
	for _, id := range magi.Members {
		for _, p := range other.of(id) {
			if strings.Contains(p, "four-day") || strings.Contains(p, "TURN") {
				t.Errorf("%s of an unrelated deliberation saw the conversation: %q", id, p)
			}
		}
	}
}
