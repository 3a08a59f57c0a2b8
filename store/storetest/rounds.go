package storetest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/magi-system/magi"
)

// twoRounds is a deliberation of two rounds: CASPER changes its vote in
// round 2, BALTHASAR fails in round 2, the tally decides, SOLOMON judges.
func twoRounds(id string) []magi.Event {
	at := func(i int) time.Time { return t0.Add(time.Duration(i) * time.Millisecond) }
	vote := func(d magi.Decision, was magi.Decision, conds ...string) *magi.Verdict {
		return &magi.Verdict{Decision: d, Confidence: 0.7, Summary: "because", Conditions: append([]string{}, conds...), ChangedFrom: was}
	}
	done := func(agent magi.AgentID, round int, out int64) magi.Event {
		return magi.Event{Type: magi.EventTrace, Agent: agent, Round: round, Stage: magi.StageAgentDone,
			Trace: &magi.Trace{Provider: "sim", Model: "m", DurationMS: 90, Tokens: &magi.Usage{InputTokens: 100, OutputTokens: out}}}
	}
	start := startEvent(id, t0)
	start.MaxRounds = 2
	evs := []magi.Event{start,
		{Type: magi.EventChunk, Agent: magi.Melchior, Content: "M1 yes."}, {Type: magi.EventChunk, Agent: magi.Balthasar, Content: "B1 careful."},
		{Type: magi.EventChunk, Agent: magi.Casper, Content: "C1 no."},
		done(magi.Melchior, 0, 10), {Type: magi.EventVerdict, Agent: magi.Melchior, Verdict: vote(magi.Approved, "")},
		done(magi.Balthasar, 0, 20), {Type: magi.EventVerdict, Agent: magi.Balthasar, Verdict: vote(magi.Conditional, "", "a pilot")},
		done(magi.Casper, 0, 30), {Type: magi.EventVerdict, Agent: magi.Casper, Verdict: vote(magi.Rejected, "")},
		{Type: magi.EventRound, Round: 2, Reason: "round 1 split 1 approved, 1 conditional, 1 rejected: the sages read each other's answers and vote again"},
		{Type: magi.EventChunk, Agent: magi.Melchior, Round: 2, Content: "M2 still yes."},
		{Type: magi.EventChunk, Agent: magi.Casper, Round: 2, Content: "C2 a pilot, then."},
		{Type: magi.EventError, Agent: magi.Balthasar, Round: 2, Code: "provider_timeout", Message: "balthasar timed out"},
		{Type: magi.EventVerdict, Agent: magi.Balthasar, Round: 2, Verdict: &magi.Verdict{Decision: magi.Abstained, Conditions: []string{}, Reason: "timed out"}},
		done(magi.Melchior, 2, 11), {Type: magi.EventVerdict, Agent: magi.Melchior, Round: 2, Verdict: vote(magi.Approved, "")},
		done(magi.Casper, 2, 31), {Type: magi.EventVerdict, Agent: magi.Casper, Round: 2, Verdict: vote(magi.Conditional, magi.Rejected, "a pilot")},
		{Type: magi.EventTally, Round: 2, Tally: &magi.Tally{Votes: magi.Votes{Approved: 1, Conditional: 1, Abstained: 1},
			Decision: magi.Conditional, Conditions: []string{"a pilot"}}},
		{Type: magi.EventChunk, Agent: magi.Solomon, Round: 2, Content: "S judged."},
		done(magi.Solomon, 2, 40),
		{Type: magi.EventVerdict, Agent: magi.Solomon, Round: 2, Verdict: &magi.Verdict{Decision: magi.Approved, Confidence: 0.6, Summary: "go",
			Conditions: []string{}, Scores: map[magi.AgentID]int{magi.Melchior: 80, magi.Balthasar: 10, magi.Casper: 70}}},
		{Type: magi.EventComplete, Rounds: 2, Rule: magi.Majority, Usage: &magi.Usage{InputTokens: 600, OutputTokens: 142},
			Scores: map[magi.AgentID]int{magi.Melchior: 80, magi.Balthasar: 10, magi.Casper: 70},
			Outcome: &magi.Outcome{Decision: magi.Conditional, Rule: magi.Majority, Votes: magi.Votes{Approved: 1, Conditional: 1, Abstained: 1},
				Confidence: 0.7, Summary: "1 approved, 1 conditional, 0 rejected, 1 abstained.", Conditions: []string{"a pilot"},
				Note: "2 for (1 conditional), 0 against, 1 abstained: majority CONDITIONAL; SOLOMON alone would have approved; " +
					"CASPER-3 changed REJECTED → CONDITIONAL in round 2"}},
	}
	for i := range evs {
		evs[i].DeliberationID, evs[i].Seq = id, int64(i+1)
		if i > 0 {
			evs[i].Timestamp = at(i)
		}
	}
	return evs
}

// testTwoRounds stores a deliberation of two rounds: every round field
// comes back, the record holds both rounds, and the events read back are
// the ones appended.
func testTwoRounds(t *testing.T, open func(*testing.T) magi.Store) {
	s := open(t)
	id := magi.NewID()
	if err := Create(ctx(t), s, newDelib(id, t0, "")); err != nil {
		t.Fatal(err)
	}
	evs := twoRounds(id)
	mustAppend(t, s, evs[:12]...) // round 1 and the round event
	mustAppend(t, s, evs[12:]...)
	got, err := s.Events(ctx(t), id, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wire(t, evs), wire(t, got)); diff != "" {
		t.Errorf("events read back (-appended +read):\n%s", diff)
	}
	if diff := cmp.Diff(evs, got); diff != "" {
		t.Errorf("events decoded (-appended +read):\n%s", diff)
	}
	r, err := s.Deliberation(ctx(t), id, "")
	if err != nil {
		t.Fatal(err)
	}
	want := magi.Project(evs)
	if diff := cmp.Diff(want, r); diff != "" {
		t.Errorf("record (-folded +stored):\n%s", diff)
	}
	if len(r.Rounds) != 2 || r.MaxRounds != 2 || r.Status != magi.StatusCompleted || r.Decision != magi.Conditional {
		t.Fatalf("record: %d rounds of %d, %s %s", len(r.Rounds), r.MaxRounds, r.Status, r.Decision)
	}
	casper := r.Agents[2]
	if casper.Text != "C2 a pilot, then." || casper.Verdict.ChangedFrom != magi.Rejected || r.Rounds[0].Agents[2].Text != "C1 no." {
		t.Errorf("CASPER: final %q %+v; round 1 %q", casper.Text, casper.Verdict, r.Rounds[0].Agents[2].Text)
	}
	if len(r.Errors) != 1 || r.Errors[0].Round != 2 || r.Agents[1].Verdict.Decision != magi.Abstained {
		t.Errorf("BALTHASAR's round 2 failure: errors %+v, verdict %+v", r.Errors, r.Agents[1].Verdict)
	}
	sum, err := s.Summary(ctx(t), id, "")
	if err != nil || sum.Decision != magi.Conditional || sum.LastSeq != int64(len(evs)) {
		t.Errorf("summary = %+v, %v", sum, err)
	}
}

// testStoredBeforeRounds stores the events of a deliberation recorded by
// MAGI before rounds existed (testdata/v1-events.jsonl at the root of the
// repository) and reads back the record that version served, with its one
// round.
func testStoredBeforeRounds(t *testing.T, open func(*testing.T) magi.Store) {
	old := v1Events(t)
	s := open(t)
	id := old[0].DeliberationID
	if err := Create(ctx(t), s, magi.NewDeliberation{ID: id, Question: old[0].Question, Rule: old[0].Rule,
		CreatedAt: old[0].Timestamp, Simulated: old[0].Simulated}); err != nil {
		t.Fatal(err)
	}
	mustAppend(t, s, old...)
	r, err := s.Deliberation(ctx(t), id, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Rounds) != 1 || r.MaxRounds != 0 || len(r.Agents) != 4 {
		t.Fatalf("an old deliberation: %d rounds, max %d, %d agents; want one round", len(r.Rounds), r.MaxRounds, len(r.Agents))
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var now, then map[string]any
	if err := json.Unmarshal(b, &now); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(readRoot(t, "testdata/v1-record.json"), &then); err != nil {
		t.Fatal(err)
	}
	delete(now, "rounds")
	// Every deliberation stored before conversations is a first question.
	if now["conversation_id"] != id || now["turn"] != 1.0 || now["parent_id"] != nil {
		t.Errorf("conversation_id %v, turn %v, parent_id %v; want its own id, 1, none", now["conversation_id"], now["turn"], now["parent_id"])
	}
	delete(now, "conversation_id")
	delete(now, "turn")
	if diff := cmp.Diff(then, now); diff != "" {
		t.Errorf("the old deliberation reads differently (-then +now):\n%s", diff)
	}
}

// v1Events decodes testdata/v1-events.jsonl of the repository's root.
func v1Events(t *testing.T) []magi.Event {
	t.Helper()
	var evs []magi.Event
	sc := bufio.NewScanner(bytes.NewReader(readRoot(t, "testdata/v1-events.jsonl")))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var e magi.Event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatal(err)
		}
		evs = append(evs, e)
	}
	return evs
}

// readRoot reads a file of the repository, by its path from the root.
func readRoot(t *testing.T, path string) []byte {
	t.Helper()
	_, here, _, _ := runtime.Caller(0)
	b, err := os.ReadFile(filepath.Join(filepath.Dir(here), "..", "..", path))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
