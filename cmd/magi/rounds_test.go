package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/internal/magitest"
)

// The README's example on the simulated council: the sages split in round
// 1, debate in round 2, and the terminal shows the round, the changed
// votes, the decision and its note.
func TestAsk_RoundsOnTheSimulatedCouncil(t *testing.T) {
	env := magitest.With(magitest.Env(t), "MAGI_PROVIDER", "sim", "MAGI_SIM_PACE", "0")
	out := magitest.MustRun(t, env, "ask", "--plain", "Should we adopt a four-day work week?").Stdout
	for _, want := range []string{"ROUND 2", "round 1 split", "MAGI DECISION (SIMULATED)", "note", "changed"} {
		if !strings.Contains(out, want) {
			t.Errorf("magi ask --plain does not show %q:\n%s", want, out)
		}
	}
	var rec magi.Record
	if err := json.Unmarshal([]byte(magitest.MustRun(t, env, "ask", "--json", "--rounds", "1", "Should we adopt a four-day work week?").Stdout), &rec); err != nil {
		t.Fatal(err)
	}
	if len(rec.Rounds) != 1 || rec.MaxRounds != 1 {
		t.Errorf("--rounds 1: %d rounds of %d", len(rec.Rounds), rec.MaxRounds)
	}
	for _, bad := range []string{"0", "6", "two"} {
		r := magitest.Run(t, env, "ask", "--rounds", bad, "q")
		if r.Code == 0 || !strings.Contains(r.Stderr, "rounds") {
			t.Errorf("--rounds %s: exit %d, stderr %q; want a clear error", bad, r.Code, r.Stderr)
		}
	}
}
