package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/internal/magitest"
)

// TestCLI_FollowUp: `magi ask --follow last` continues the newest
// deliberation's conversation — its view says so, and the simulated
// council refers to the earlier decision —, `--follow ID` an older one;
// show and export --conversation give every turn; rm refuses a turn with
// follow-ups and rm --conversation deletes them all.
func TestCLI_FollowUp(t *testing.T) {
	t.Parallel()
	env := simEnv(t)
	r := magitest.Run(t, env, "ask", "--follow", "last", "And then?")
	if r.Code == 0 || !strings.Contains(r.Stderr, "no deliberation to follow up yet") {
		t.Errorf("--follow last with no deliberation: exit %d, %q", r.Code, r.Stderr)
	}
	var first magi.Record
	if err := json.Unmarshal([]byte(magitest.MustRun(t, env, "ask", "--json", "Should we adopt a four-day work week?").Stdout), &first); err != nil {
		t.Fatal(err)
	}
	out := magitest.MustRun(t, env, "ask", "--follow", "last", "What if only for the support team?").Stdout
	for _, want := range []string{"turn 2 of a conversation", "↳ follows “Should we adopt a four-day work week?” — " + map[magi.Decision]string{
		magi.Approved: "承認", magi.Rejected: "否決", magi.Conditional: "条件付"}[first.Decision] + " " + string(first.Decision),
		"Q What if only for the support team?", "Following our earlier decision on “Should we adopt a four-day work week?”"} {
		if !strings.Contains(out, want) {
			t.Errorf("magi ask --follow last lacks %q:\n%.2000s", want, out)
		}
	}
	var third magi.Record
	if err := json.Unmarshal([]byte(magitest.MustRun(t, env, "ask", "--json", "--follow", "last", "Then how do we measure it?").Stdout), &third); err != nil {
		t.Fatal(err)
	}
	if third.ConversationID != first.ID || third.Turn != 3 || third.ParentID == first.ID || third.ParentID == "" {
		t.Errorf("the third turn: conversation %q turn %d parent %q; want %s, 3, the second", third.ConversationID, third.Turn, third.ParentID, first.ID)
	}
	if !strings.HasPrefix(third.Summary, "Following our earlier decision (") {
		t.Errorf("SOLOMON's summary of a follow-up does not refer to the earlier decision: %q", third.Summary)
	}

	if out := magitest.MustRun(t, env, "replay", "--fast", third.ID).Stdout; !strings.Contains(out, "turn 3 of a conversation") ||
		!strings.Contains(out, "↳ follows “What if only for the support team?”") {
		t.Errorf("magi replay of a follow-up does not say what it follows:\n%.600s", out)
	}
	md := magitest.MustRun(t, env, "export", third.ID, "--conversation").Stdout
	for _, want := range []string{"# MAGI conversation " + first.ID, "1. Should we adopt a four-day work week?", "3. Then how do we measure it?",
		"## Turn 1: deliberation " + first.ID, "## Turn 2:", "## Turn 3: deliberation " + third.ID} {
		if !strings.Contains(md, want) {
			t.Errorf("magi export --conversation lacks %q", want)
		}
	}
	if show := magitest.MustRun(t, env, "show", first.ID, "--conversation").Stdout; show != md {
		t.Errorf("magi show --conversation differs from magi export --conversation")
	}
	var c magi.Conversation
	if err := json.Unmarshal([]byte(magitest.MustRun(t, env, "show", "--conversation", "--json", third.ID).Stdout), &c); err != nil ||
		c.ID != first.ID || len(c.Turns) != 3 || c.Turns[2].ID != third.ID {
		t.Errorf("magi show --conversation --json: %v, %+v", err, c.ID)
	}

	if r := magitest.Run(t, env, "rm", first.ID); r.Code == 0 || !strings.Contains(r.Stderr, "has follow-ups") {
		t.Errorf("magi rm of a turn with follow-ups: exit %d, %q", r.Code, r.Stderr)
	}
	if out := magitest.MustRun(t, env, "rm", "--conversation", third.ID).Stdout; strings.Count(out, "deleted ") != 3 {
		t.Errorf("magi rm --conversation: %q, want three deleted", out)
	}
	if r := magitest.Run(t, env, "ask", "--follow", first.ID, "Again?"); r.Code == 0 || !strings.Contains(r.Stderr, "not found") {
		t.Errorf("--follow of a deleted deliberation: exit %d, %q", r.Code, r.Stderr)
	}
}
