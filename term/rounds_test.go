package term

import (
	"strings"
	"testing"
	"time"

	"github.com/magi-system/magi"
)

// roundTwo are the sages' answers of round 2: CASPER changes its vote.
var roundTwo = map[magi.AgentID]string{
	magi.Melchior:  "Round two: CASPER-3's point on support stands, yet the pilot answers it.\n" + `{"decision": "APPROVED", "confidence": 0.8}`,
	magi.Balthasar: "Round two: I keep my condition.\n" + `{"decision": "CONDITIONAL", "confidence": 0.7, "conditions": ["no loss of pay"]}`,
	magi.Casper:    "Round two: with a pilot, the rota is workable.\n" + `{"decision": "CONDITIONAL", "confidence": 0.65, "conditions": ["a pilot first"]}`,
}

// twoRounds is the fixture's deliberation debated over two rounds: CASPER
// moves from REJECTED to CONDITIONAL, the tally decides before SOLOMON.
func twoRounds() []magi.Event {
	f := newFixture()
	one := f.build()
	judge := 0
	for i, e := range one {
		if e.Agent == magi.Solomon {
			judge = i
			break
		}
	}
	events := append([]magi.Event(nil), one[:judge]...)
	events[0].MaxRounds = 2
	add := func(e magi.Event) {
		e.DeliberationID, e.Seq = "d1", int64(len(events)+1)
		e.Timestamp = events[len(events)-1].Timestamp.Add(10 * time.Millisecond)
		events = append(events, e)
	}
	add(magi.Event{Type: magi.EventRound, Round: 2, Reason: "round 1 split 1 approved, 1 conditional, 1 rejected: the sages read each other's answers and vote again"})
	final := map[magi.AgentID]magi.Verdict{}
	for _, id := range magi.Sages {
		add(magi.Event{Type: magi.EventTrace, Agent: id, Round: 2, Stage: magi.StageAgentStart, Trace: &magi.Trace{Attempt: 1}})
	}
	for _, id := range magi.Sages {
		for _, c := range chunks(roundTwo[id], 11) {
			add(magi.Event{Type: magi.EventChunk, Agent: id, Round: 2, Content: c})
		}
	}
	for _, id := range magi.Sages {
		v := magi.ParseVerdict(roundTwo[id])
		v.ChangedFrom = magi.Changed(verdicts[id].Decision, v.Decision)
		final[id] = v
		add(magi.Event{Type: magi.EventTrace, Agent: id, Round: 2, Stage: magi.StageAgentDone,
			Trace: &magi.Trace{DurationMS: 2000, Tokens: &magi.Usage{InputTokens: 2000, OutputTokens: 100}}})
		add(magi.Event{Type: magi.EventVerdict, Agent: id, Round: 2, Verdict: &v})
	}
	sages := []magi.Verdict{final[magi.Melchior], final[magi.Balthasar], final[magi.Casper]}
	t := magi.TallyVotes(magi.Majority, sages)
	add(magi.Event{Type: magi.EventTally, Round: 2, Tally: &t})
	for _, e := range one[judge : len(one)-1] {
		e.Round = 2
		add(e)
	}
	sol := verdicts[magi.Solomon]
	o := magi.Decide(magi.Majority, sages, &sol)
	o.AddNote(magi.ChangeNote([]magi.VoteChange{{Name: "CASPER-3", Round: 2, From: magi.Rejected, To: magi.Conditional}}))
	add(magi.Event{Type: magi.EventComplete, Outcome: &o, Scores: sol.Scores, DurationMS: 20000, Rounds: 2})
	return events
}

func TestRenderer_TwoRoundsPlain(t *testing.T) {
	out := run(Options{Mode: Plain, Width: 100}, twoRounds())
	mustContain(t, out,
		"MAGI  rule majority · up to 2 rounds",
		"CASPER-3  否決 REJECTED  (confidence 60%)",
		"── ROUND 2 of 2 ── round 1 split 1 approved, 1 conditional, 1 rejected",
		"CASPER-3  否決 REJECTED → 条件付 CONDITIONAL  (confidence 65%)",
		"TALLY  1 approved · 2 conditional · 0 rejected · 0 abstained → 条件付 CONDITIONAL, awaiting",
		"calls       7: each round of debate asks the three sages again",
		"rounds      2 of 2",
		"note        ",
		"CASPER-3 changed REJECTED → CONDITIONAL in round 2",
		"CASPER-3     3,200 in / 440 out  cost unknown  first token 0.4s",
	)
	lines := strings.Split(out, "\n")
	checkWidth(t, lines, 99)
	boundary, one, two := -1, -1, -1
	for i, l := range lines {
		switch {
		case strings.HasPrefix(l, "── ROUND 2"):
			boundary = i
		case strings.HasPrefix(l, "CASPER-3    │ Feasible") && one < 0:
			one = i
		case strings.HasPrefix(l, "CASPER-3    │ Round two") && two < 0:
			two = i
		}
	}
	if !(one >= 0 && one < boundary && boundary < two) {
		t.Errorf("CASPER's round 1 text at line %d, the boundary at %d, round 2 at %d: want them in that order\n%s", one, boundary, two, out)
	}
	if strings.Index(out, "TALLY") > strings.Index(out, "SOLOMON     │") {
		t.Error("the tally is shown after SOLOMON began")
	}
}

// In panes, each round's panes give way to that round's whole answers
// and verdicts when it ends (the scrollback keeps every answer), then the
// boundary, then the next round.
func TestRenderer_TwoRoundsPanes(t *testing.T) {
	out := run(Options{Mode: Panes, Width: 140, Height: 30, Color: true}, twoRounds())
	screen := play(t, out).text()
	checkWidth(t, screen, 139)
	text := strings.Join(screen, "\n")
	mustContain(t, text, "MELCHIOR-1  承認 APPROVED", "── ROUND 2 of 2 ──",
		"CASPER-3  否決 REJECTED → 条件付 CONDITIONAL", "rounds      2 of 2")
	first, last := strings.Index(text, "MELCHIOR-1  承認 APPROVED"), strings.LastIndex(text, "MELCHIOR-1  承認 APPROVED")
	if boundary := strings.Index(text, "── ROUND 2"); !(first < boundary && boundary < last) {
		t.Errorf("want round 1's answers and votes, the boundary, round 2's, in order:\n%s", text)
	}
}

// Once the votes are tallied the status line shows the decision, marked as
// awaiting SOLOMON, while SOLOMON writes.
func TestRenderer_TallyInTheStatusLine(t *testing.T) {
	events := twoRounds()
	upTo := 0
	for i, e := range events {
		if e.Type == magi.EventChunk && e.Agent == magi.Solomon {
			upTo = i + 1
			break
		}
	}
	for _, m := range []Mode{Lines, Panes} {
		t.Run(m.String(), func(t *testing.T) {
			screen := live(t, Options{Mode: m, Width: 140, Height: 30}, events[:upTo], time.Second)
			status := screen[len(screen)-1]
			for _, want := range []string{"決議 条件付 CONDITIONAL (awaiting SOLOMON's judgement)", "3 for · 0 against", "SOLOMON judging"} {
				if !strings.Contains(status, want) {
					t.Errorf("status %q lacks %q", status, want)
				}
			}
		})
	}
	// A changed vote shows as the change as soon as it is in.
	for i, e := range events {
		if e.Type == magi.EventVerdict && e.Agent == magi.Casper && e.Round == 2 {
			screen := live(t, Options{Mode: Lines, Width: 140, Height: 30}, events[:i+1], time.Second)
			if status := screen[len(screen)-1]; !strings.Contains(status, "CASPER-3 否決→条件付 CONDITIONAL") {
				t.Errorf("status %q does not show CASPER's change", status)
			}
		}
	}
	// Between the rounds nobody is judging yet.
	for i, e := range events {
		if e.Type == magi.EventRound {
			screen := live(t, Options{Mode: Lines, Width: 140, Height: 30}, events[:i], time.Second)
			if status := screen[len(screen)-1]; strings.Contains(status, "SOLOMON") {
				t.Errorf("status %q: SOLOMON judging before the last round", status)
			}
		}
	}
}
