package magi

import (
	"bufio"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestEvent_RoundFieldsRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		in   Event
	}{
		{"start", Event{Type: EventStart, DeliberationID: "d1", Seq: 1, Timestamp: ts, Question: "q", Rule: Majority, MaxRounds: 3}},
		{"round", Event{Type: EventRound, DeliberationID: "d1", Seq: 2, Timestamp: ts, Round: 2, Reason: "round 1 split"}},
		{"chunk of round 2", Event{Type: EventChunk, DeliberationID: "d1", Seq: 3, Timestamp: ts, Agent: Casper, Round: 2, Content: "x"}},
		{"changed verdict", Event{Type: EventVerdict, DeliberationID: "d1", Seq: 4, Timestamp: ts, Agent: Casper, Round: 2,
			Verdict: &Verdict{Decision: Conditional, Confidence: 0.6, Summary: "s", Conditions: []string{"c"}, ChangedFrom: Rejected}}},
		{"tally decided", Event{Type: EventTally, DeliberationID: "d1", Seq: 5, Timestamp: ts, Round: 2,
			Tally: &Tally{Votes: Votes{Approved: 2, Rejected: 1}, Decision: Approved, Conditions: []string{}}}},
		{"tally awaiting", Event{Type: EventTally, DeliberationID: "d1", Seq: 6, Timestamp: ts,
			Tally: &Tally{Votes: Votes{Approved: 1, Rejected: 1, Abstained: 1}}}},
		{"complete", Event{Type: EventComplete, DeliberationID: "d1", Seq: 7, Timestamp: ts, Rounds: 2, Rule: Majority, Scores: map[AgentID]int{},
			Outcome: &Outcome{Decision: Approved, Rule: Majority, Conditions: []string{}, Note: "n"}, Usage: &Usage{}, DurationMS: 5}},
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

func TestEvent_RoundAndTallyOnTheWire(t *testing.T) {
	tests := []struct {
		name string
		in   Event
		want map[string]any
	}{
		{"round", Event{Type: EventRound, DeliberationID: "d", Seq: 9, Timestamp: ts, Round: 2, Reason: "split"},
			map[string]any{"type": "round", "round": 2.0, "reason": "split"}},
		{"tally decided", Event{Type: EventTally, DeliberationID: "d", Seq: 9, Timestamp: ts,
			Tally: &Tally{Votes: Votes{Approved: 2, Rejected: 1}, Decision: Approved}},
			map[string]any{"type": "tally", "decision": "APPROVED", "conditions": []any{},
				"votes": map[string]any{"approved": 2.0, "rejected": 1.0, "conditional": 0.0, "abstained": 0.0}}},
		{"tally awaiting", Event{Type: EventTally, DeliberationID: "d", Seq: 9, Timestamp: ts, Round: 2,
			Tally: &Tally{Votes: Votes{Approved: 1, Rejected: 1}}},
			map[string]any{"type": "tally", "round": 2.0, "awaiting": "solomon",
				"votes": map[string]any{"approved": 1.0, "rejected": 1.0, "conditional": 0.0, "abstained": 0.0}}},
		{"changed verdict", Event{Type: EventVerdict, DeliberationID: "d", Seq: 9, Timestamp: ts, Agent: Casper, Round: 2,
			Verdict: &Verdict{Decision: Conditional, Confidence: 0.5, Summary: "s", Conditions: []string{"c"}, ChangedFrom: Rejected}},
			map[string]any{"type": "verdict", "agent": "casper", "round": 2.0, "decision": "CONDITIONAL", "changed_from": "REJECTED",
				"confidence": 0.5, "summary": "s", "conditions": []any{"c"}, "reason": ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := wire(t, tt.in)
			tt.want["deliberation_id"], tt.want["seq"], tt.want["timestamp"] = "d", 9.0, "2026-11-25T12:00:00.123Z"
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("on the wire (-want +got):\n%s", diff)
			}
		})
	}
	// Round 1 is written as it always was: no round field.
	if m := wire(t, Event{Type: EventChunk, Agent: Melchior, Round: 0, Content: "x"}); m["round"] != nil {
		t.Errorf("a round 1 chunk carries round: %v", m)
	}
}

func TestTallyVotes(t *testing.T) {
	app, rej, abs := vote(Approved, 0.8), vote(Rejected, 0.6), vote(Abstained, 0)
	con := vote(Conditional, 0.7, "pilot")
	tests := []struct {
		name  string
		rule  Rule
		sages []Verdict
		want  Tally
	}{
		{"majority decides", Majority, []Verdict{app, con, rej}, Tally{Votes: Votes{Approved: 1, Conditional: 1, Rejected: 1},
			Decision: Conditional, Conditions: []string{"pilot"}}},
		{"majority tie awaits SOLOMON", Majority, []Verdict{app, rej, abs}, Tally{Votes: Votes{Approved: 1, Rejected: 1, Abstained: 1}}},
		{"unanimous decides against", Unanimous, []Verdict{app, app, rej}, Tally{Votes: Votes{Approved: 2, Rejected: 1},
			Decision: Rejected, Conditions: []string{}}},
		{"unanimous decides for", Unanimous, []Verdict{app, app, app}, Tally{Votes: Votes{Approved: 3}, Decision: Approved, Conditions: []string{}}},
		{"judge awaits SOLOMON", Judge, []Verdict{app, app, app}, Tally{Votes: Votes{Approved: 3}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := TallyVotes(tt.rule, tt.sages)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("TallyVotes (-want +got):\n%s", diff)
			}
			// Whatever SOLOMON says, a decided tally is the outcome.
			for _, j := range []*Verdict{nil, judgeVote(Approved), judgeVote(Rejected), judgeVote(Conditional, "x")} {
				o := Decide(tt.rule, tt.sages, j)
				if got.Decision != "" && (o.Decision != got.Decision || !cmp.Equal(o.Conditions, got.Conditions)) {
					t.Errorf("Decide with SOLOMON %v = %s %v, but the tally said %s %v", j, o.Decision, o.Conditions, got.Decision, got.Conditions)
				}
			}
		})
	}
}

func TestSplitAndChanges(t *testing.T) {
	app, rej, abs := vote(Approved, 0.8), vote(Rejected, 0.6), vote(Abstained, 0)
	if Split([]Verdict{app, app, app}) || !Split([]Verdict{app, app, rej}) || !Split([]Verdict{app, abs, app}) {
		t.Error("Split: all the same is not a split; any difference, an abstention included, is")
	}
	if got, want := SplitReason(1, []Verdict{app, rej, abs}),
		"round 1 split 1 approved, 1 rejected, 1 abstained: the sages read each other's answers and vote again"; got != want {
		t.Errorf("SplitReason = %q, want %q", got, want)
	}
	for _, c := range []struct{ before, after, want Decision }{
		{Rejected, Conditional, Rejected}, {Approved, Approved, ""}, {Abstained, Approved, ""}, {Approved, Abstained, ""},
	} {
		if got := Changed(c.before, c.after); got != c.want {
			t.Errorf("Changed(%s, %s) = %q, want %q", c.before, c.after, got, c.want)
		}
	}
	note := ChangeNote([]VoteChange{{Name: "CASPER-3", Round: 2, From: Rejected, To: Conditional},
		{Name: "MELCHIOR-1", Round: 3, From: Approved, To: Rejected}})
	if want := "CASPER-3 changed REJECTED → CONDITIONAL in round 2; MELCHIOR-1 changed APPROVED → REJECTED in round 3"; note != want {
		t.Errorf("ChangeNote = %q, want %q", note, want)
	}
	for n, ok := range map[int]bool{0: false, 1: true, 2: true, 5: true, 6: false, -1: false} {
		if err := CheckRounds(n); (err == nil) != ok || (err != nil && ErrorCode(err) != EINVALID) {
			t.Errorf("CheckRounds(%d) = %v", n, err)
		}
	}
}

// twoRounds is a deliberation of two rounds: CASPER changes its vote in
// round 2, BALTHASAR fails in round 2 only.
func twoRounds() []Event {
	at := func(ms int) time.Time { return ts.Add(time.Duration(ms) * time.Millisecond) }
	info := func(id AgentID, name string) AgentInfo {
		return AgentInfo{ID: id, Name: name, Provider: "sim", Model: "sim-1"}
	}
	done := func(ms int, id AgentID, round int, out int64) Event {
		return Event{Type: EventTrace, Timestamp: at(ms), Agent: id, Round: round, Stage: StageAgentDone,
			Trace: &Trace{DurationMS: 100, Tokens: &Usage{InputTokens: 10, OutputTokens: out, CostUSD: cost(0)}}}
	}
	evs := []Event{
		{Type: EventStart, Timestamp: at(0), Question: "q", Rule: Majority, MaxRounds: 2, Simulated: true,
			Agents: []AgentInfo{info(Melchior, "MELCHIOR-1"), info(Balthasar, "BALTHASAR-2"), info(Casper, "CASPER-3"), info(Solomon, "SOLOMON")}},
		{Type: EventChunk, Timestamp: at(1), Agent: Melchior, Content: "M1"},
		{Type: EventChunk, Timestamp: at(1), Agent: Balthasar, Content: "B1"},
		{Type: EventChunk, Timestamp: at(1), Agent: Casper, Content: "C1"},
		{Type: EventVerdict, Timestamp: at(2), Agent: Melchior, Verdict: &Verdict{Decision: Approved, Conditions: []string{}}},
		done(2, Melchior, 0, 1),
		{Type: EventVerdict, Timestamp: at(2), Agent: Balthasar, Verdict: &Verdict{Decision: Approved, Conditions: []string{}}},
		done(2, Balthasar, 0, 2),
		{Type: EventVerdict, Timestamp: at(2), Agent: Casper, Verdict: &Verdict{Decision: Rejected, Conditions: []string{}}},
		done(2, Casper, 0, 3),
		{Type: EventRound, Timestamp: at(3), Round: 2, Reason: "split"},
		{Type: EventChunk, Timestamp: at(4), Agent: Melchior, Round: 2, Content: "M2"},
		{Type: EventChunk, Timestamp: at(4), Agent: Casper, Round: 2, Content: "C2"},
		{Type: EventError, Timestamp: at(5), Agent: Balthasar, Round: 2, Code: "provider_timeout", Message: "timed out"},
		{Type: EventVerdict, Timestamp: at(5), Agent: Balthasar, Round: 2, Verdict: &Verdict{Decision: Abstained, Conditions: []string{}, Reason: "timed out"}},
		{Type: EventVerdict, Timestamp: at(6), Agent: Melchior, Round: 2, Verdict: &Verdict{Decision: Approved, Conditions: []string{}}},
		done(6, Melchior, 2, 4),
		{Type: EventVerdict, Timestamp: at(6), Agent: Casper, Round: 2,
			Verdict: &Verdict{Decision: Conditional, Conditions: []string{"c"}, ChangedFrom: Rejected}},
		done(6, Casper, 2, 5),
		{Type: EventTally, Timestamp: at(7), Round: 2, Tally: &Tally{Votes: Votes{Approved: 1, Conditional: 1, Abstained: 1},
			Decision: Conditional, Conditions: []string{"c"}}},
		{Type: EventChunk, Timestamp: at(8), Agent: Solomon, Round: 2, Content: "S"},
		{Type: EventVerdict, Timestamp: at(9), Agent: Solomon, Round: 2, Verdict: &Verdict{Decision: Approved, Conditions: []string{}}},
		done(9, Solomon, 2, 6),
	}
	for i := range evs {
		evs[i].DeliberationID, evs[i].Seq = "d2", int64(i+1)
	}
	return evs
}

func TestProject_TwoRounds(t *testing.T) {
	evs := twoRounds()
	running := Project(evs)
	if len(running.Rounds) != 2 || running.MaxRounds != 2 {
		t.Fatalf("rounds = %d, max %d; want 2 of 2", len(running.Rounds), running.MaxRounds)
	}
	if u := running.Usage; u.OutputTokens != 1+2+3+4+5+6 {
		t.Errorf("usage of a running deliberation = %+v, want every call of every round", u)
	}
	evs = append(evs, Event{Type: EventComplete, DeliberationID: "d2", Seq: int64(len(evs) + 1), Timestamp: ts.Add(time.Second), Rounds: 2,
		Outcome: &Outcome{Decision: Conditional, Rule: Majority, Conditions: []string{"c"}, Note: "CASPER-3 changed REJECTED → CONDITIONAL in round 2"},
		Usage:   &Usage{InputTokens: 60, OutputTokens: 21}})
	r := Project(evs)
	texts := func(agents []AgentRecord) []string {
		var out []string
		for _, a := range agents {
			out = append(out, string(a.ID)+"="+a.Text+"/"+string(a.Verdict.Decision)+"<"+string(a.Verdict.ChangedFrom))
		}
		return out
	}
	if diff := cmp.Diff([]string{"melchior=M1/APPROVED<", "balthasar=B1/APPROVED<", "casper=C1/REJECTED<"}, texts(r.Rounds[0].Agents)); diff != "" {
		t.Errorf("round 1 (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"melchior=M2/APPROVED<", "balthasar=/ABSTAINED<", "casper=C2/CONDITIONAL<REJECTED"}, texts(r.Rounds[1].Agents)); diff != "" {
		t.Errorf("round 2 (-want +got):\n%s", diff)
	}
	// agents: the final round, and SOLOMON.
	if diff := cmp.Diff(append(texts(r.Rounds[1].Agents), "solomon=S/APPROVED<"), texts(r.Agents)); diff != "" {
		t.Errorf("agents (-want +got):\n%s", diff)
	}
	if r.Agents[1].Error != "timed out" || r.Rounds[0].Agents[1].Error != "" {
		t.Errorf("BALTHASAR's error belongs to round 2 only: %q, %q", r.Agents[1].Error, r.Rounds[0].Agents[1].Error)
	}
	if len(r.Errors) != 1 || r.Errors[0].Round != 2 {
		t.Errorf("errors = %+v, want one of round 2", r.Errors)
	}
	if r.Rounds[0].Agents[2].Usage.OutputTokens != 3 || r.Agents[2].Usage.OutputTokens != 5 {
		t.Errorf("CASPER's usage per round: %+v, %+v", r.Rounds[0].Agents[2].Usage, r.Agents[2].Usage)
	}
	if r.Usage.OutputTokens != 21 || r.Note == "" {
		t.Errorf("complete's usage and note: %+v %q", r.Usage, r.Note)
	}
}

// TestProject_StoredBeforeRounds reads the events of a deliberation stored
// by MAGI before rounds existed (testdata/v1-events.jsonl, as that version
// stored and sent them) and checks that its record is the one that version
// served (testdata/v1-record.json), plus its one round.
func TestProject_StoredBeforeRounds(t *testing.T) {
	evs := readV1Events(t, "testdata")
	got := Project(evs)
	if len(got.Rounds) != 1 || len(got.Rounds[0].Agents) != 3 || got.Rounds[0].Agents[2].Text != got.Agents[2].Text {
		t.Fatalf("rounds of an old record = %+v, want its one round of three sages", got.Rounds)
	}
	b, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	var now, then map[string]any
	if err := json.Unmarshal(b, &now); err != nil {
		t.Fatal(err)
	}
	old, err := os.ReadFile("testdata/v1-record.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(old, &then); err != nil {
		t.Fatal(err)
	}
	delete(now, "rounds")
	if now["conversation_id"] != got.ID || now["turn"] != 1.0 || now["parent_id"] != nil {
		t.Errorf("conversation_id %v, turn %v, parent_id %v; want its own id, 1, none", now["conversation_id"], now["turn"], now["parent_id"])
	}
	delete(now, "conversation_id")
	delete(now, "turn")
	if diff := cmp.Diff(then, now); diff != "" {
		t.Errorf("an old deliberation reads differently now (-then +now):\n%s", diff)
	}
}

// readV1Events reads testdata/v1-events.jsonl of dir.
func readV1Events(t *testing.T, dir string) []Event {
	t.Helper()
	f, err := os.Open(dir + "/v1-events.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var evs []Event
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var e Event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("%s: %v", sc.Text(), err)
		}
		evs = append(evs, e)
	}
	if len(evs) < 10 {
		t.Fatalf("fixture has %d events", len(evs))
	}
	return evs
}
