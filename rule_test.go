package magi

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func vote(d Decision, conf float64, conds ...string) Verdict {
	if conds == nil {
		conds = []string{}
	}
	if d == Abstained {
		return Abstain("no verdict")
	}
	return Verdict{Decision: d, Confidence: conf, Summary: string(d), Conditions: conds}
}

func judgeVote(d Decision, conds ...string) *Verdict {
	v := vote(d, 0.66, conds...)
	v.Summary = "SOLOMON: " + string(d)
	return &v
}

func TestDecide(t *testing.T) {
	var (
		app  = vote(Approved, 0.8)
		rej  = vote(Rejected, 0.6)
		abs  = vote(Abstained, 0)
		conA = vote(Conditional, 0.7, "budget", "pilot")
		conB = vote(Conditional, 0.5, "pilot", "review")
	)
	tests := []struct {
		name  string
		rule  Rule
		sages []Verdict
		judge *Verdict
		want  Outcome
		// noteHas is a substring the note must contain; empty: no note.
		noteHas string
	}{
		{name: "majority: 3 for", rule: Majority, sages: []Verdict{app, app, app}, judge: judgeVote(Rejected),
			want:    Outcome{Decision: Approved, Votes: Votes{Approved: 3}, Conditions: []string{}},
			noteHas: "3 for, 0 against: majority APPROVED; SOLOMON alone would have rejected"},
		{name: "majority: 2 for 1 against", rule: Majority, sages: []Verdict{app, rej, app}, judge: judgeVote(Approved),
			want: Outcome{Decision: Approved, Votes: Votes{Approved: 2, Rejected: 1}, Conditions: []string{}}},
		{name: "majority: 2 against", rule: Majority, sages: []Verdict{rej, app, rej}, judge: judgeVote(Approved),
			want:    Outcome{Decision: Rejected, Votes: Votes{Approved: 1, Rejected: 2}, Conditions: []string{}},
			noteHas: "1 for, 2 against: majority REJECTED; SOLOMON alone would have approved"},
		{name: "majority: conditional for, union of conditions", rule: Majority, sages: []Verdict{conA, conB, rej}, judge: judgeVote(Rejected),
			want:    Outcome{Decision: Conditional, Votes: Votes{Conditional: 2, Rejected: 1}, Conditions: []string{"budget", "pilot", "review"}},
			noteHas: "2 for (2 conditional), 1 against: majority CONDITIONAL; SOLOMON alone would have rejected"},
		{name: "majority: one conditional makes it conditional", rule: Majority, sages: []Verdict{app, conA, rej}, judge: judgeVote(Approved),
			want:    Outcome{Decision: Conditional, Votes: Votes{Approved: 1, Conditional: 1, Rejected: 1}, Conditions: []string{"budget", "pilot"}},
			noteHas: "2 for (1 conditional), 1 against: majority CONDITIONAL; SOLOMON alone would have approved"},
		{name: "majority: SOLOMON agrees, no note", rule: Majority, sages: []Verdict{app, conA, rej}, judge: judgeVote(Conditional),
			want: Outcome{Decision: Conditional, Votes: Votes{Approved: 1, Conditional: 1, Rejected: 1}, Conditions: []string{"budget", "pilot"}}},
		{name: "majority: abstentions not counted", rule: Majority, sages: []Verdict{app, abs, abs}, judge: judgeVote(Rejected),
			want:    Outcome{Decision: Approved, Votes: Votes{Approved: 1, Abstained: 2}, Conditions: []string{}},
			noteHas: "1 for, 0 against, 2 abstained: majority APPROVED; SOLOMON alone would have rejected"},
		{name: "majority: SOLOMON failed", rule: Majority, sages: []Verdict{app, rej, app}, judge: nil,
			want:    Outcome{Decision: Approved, Votes: Votes{Approved: 2, Rejected: 1}, Conditions: []string{}},
			noteHas: "2 for, 1 against: majority APPROVED; SOLOMON gave no verdict"},
		{name: "majority: tie broken by SOLOMON", rule: Majority, sages: []Verdict{app, rej, abs}, judge: judgeVote(Rejected),
			want:    Outcome{Decision: Rejected, Votes: Votes{Approved: 1, Rejected: 1, Abstained: 1}, Conditions: []string{}, TieBreak: true},
			noteHas: "1 for, 1 against, 1 abstained: a tie, broken by SOLOMON's REJECTED"},
		{name: "majority: tie broken by SOLOMON conditional", rule: Majority, sages: []Verdict{conA, rej, abs}, judge: judgeVote(Conditional, "review", "budget"),
			want:    Outcome{Decision: Conditional, Votes: Votes{Conditional: 1, Rejected: 1, Abstained: 1}, Conditions: []string{"budget", "pilot", "review"}, TieBreak: true},
			noteHas: "1 for (1 conditional), 1 against, 1 abstained: a tie, broken by SOLOMON's CONDITIONAL"},
		{name: "majority: tie without SOLOMON", rule: Majority, sages: []Verdict{app, rej, abs}, judge: nil,
			want:    Outcome{Decision: Rejected, Votes: Votes{Approved: 1, Rejected: 1, Abstained: 1}, Conditions: []string{}},
			noteHas: "1 for, 1 against, 1 abstained: a tie, not carried; SOLOMON gave no verdict"},
		{name: "majority: tie with SOLOMON abstained", rule: Majority, sages: []Verdict{app, rej, abs}, judge: &Verdict{Decision: Abstained},
			want:    Outcome{Decision: Rejected, Votes: Votes{Approved: 1, Rejected: 1, Abstained: 1}, Conditions: []string{}},
			noteHas: "1 for, 1 against, 1 abstained: a tie, not carried; SOLOMON gave no verdict"},
		{name: "majority: all abstained, SOLOMON breaks 0–0", rule: Majority, sages: []Verdict{abs, abs, abs}, judge: judgeVote(Approved),
			want:    Outcome{Decision: Approved, Votes: Votes{Abstained: 3}, Conditions: []string{}, TieBreak: true},
			noteHas: "0 for, 0 against, 3 abstained: a tie, broken by SOLOMON's APPROVED"},
		{name: "unanimous: all approve", rule: Unanimous, sages: []Verdict{app, app, app}, judge: judgeVote(Rejected),
			want:    Outcome{Decision: Approved, Votes: Votes{Approved: 3}, Conditions: []string{}},
			noteHas: "3 for, 0 against: unanimous APPROVED; SOLOMON alone would have rejected"},
		{name: "unanimous: all for, some conditional", rule: Unanimous, sages: []Verdict{app, conB, conA}, judge: judgeVote(Approved),
			want:    Outcome{Decision: Conditional, Votes: Votes{Approved: 1, Conditional: 2}, Conditions: []string{"pilot", "review", "budget"}},
			noteHas: "3 for (2 conditional), 0 against: unanimous CONDITIONAL; SOLOMON alone would have approved"},
		{name: "unanimous: one against", rule: Unanimous, sages: []Verdict{app, app, rej}, judge: judgeVote(Approved),
			want:    Outcome{Decision: Rejected, Votes: Votes{Approved: 2, Rejected: 1}, Conditions: []string{}},
			noteHas: "2 for, 1 against: not unanimous, so REJECTED; SOLOMON alone would have approved"},
		{name: "unanimous: one abstained", rule: Unanimous, sages: []Verdict{app, app, abs}, judge: judgeVote(Approved),
			want:    Outcome{Decision: Rejected, Votes: Votes{Approved: 2, Abstained: 1}, Conditions: []string{}},
			noteHas: "2 for, 0 against, 1 abstained: not unanimous, so REJECTED; SOLOMON alone would have approved"},
		{name: "unanimous: no sages", rule: Unanimous, sages: nil, judge: nil,
			want:    Outcome{Decision: Rejected, Conditions: []string{}},
			noteHas: "0 for, 0 against: not unanimous, so REJECTED; SOLOMON gave no verdict"},
		{name: "judge: SOLOMON stands against the majority", rule: Judge, sages: []Verdict{app, app, app}, judge: judgeVote(Rejected),
			want: Outcome{Decision: Rejected, Votes: Votes{Approved: 3}, Conditions: []string{}}},
		{name: "judge: SOLOMON conditional keeps its conditions", rule: Judge, sages: []Verdict{rej, rej, conA}, judge: judgeVote(Conditional, "oversight"),
			want: Outcome{Decision: Conditional, Votes: Votes{Rejected: 2, Conditional: 1}, Conditions: []string{"oversight"}}},
		{name: "judge: SOLOMON failed, majority decides", rule: Judge, sages: []Verdict{app, conA, rej}, judge: nil,
			want:    Outcome{Decision: Conditional, Votes: Votes{Approved: 1, Conditional: 1, Rejected: 1}, Conditions: []string{"budget", "pilot"}},
			noteHas: "SOLOMON gave no verdict, so the majority rule decided; 2 for (1 conditional), 1 against: majority CONDITIONAL"},
		{name: "judge: SOLOMON abstained, majority tie rejected", rule: Judge, sages: []Verdict{app, rej, abs}, judge: &Verdict{Decision: Abstained},
			want:    Outcome{Decision: Rejected, Votes: Votes{Approved: 1, Rejected: 1, Abstained: 1}, Conditions: []string{}},
			noteHas: "SOLOMON gave no verdict, so the majority rule decided; 1 for, 1 against, 1 abstained: a tie, not carried"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Decide(tt.rule, tt.sages, tt.judge)
			tt.want.Rule = tt.rule
			opts := cmpopts.IgnoreFields(Outcome{}, "Confidence", "Summary", "Note")
			if diff := cmp.Diff(tt.want, got, opts); diff != "" {
				t.Errorf("Decide mismatch (-want +got):\n%s", diff)
			}
			switch {
			case tt.noteHas == "" && got.Note != "":
				t.Errorf("note = %q, want none", got.Note)
			case got.Note != tt.noteHas:
				t.Errorf("note = %q, want %q", got.Note, tt.noteHas)
			}
		})
	}
}

func TestDecide_ConfidenceAndSummary(t *testing.T) {
	sages := []Verdict{vote(Approved, 0.9), vote(Conditional, 0.5, "x"), vote(Rejected, 0.2)}

	judged := Decide(Majority, sages, judgeVote(Approved))
	against := Decide(Majority, sages, judgeVote(Rejected))
	if against.Summary == "SOLOMON: REJECTED" || against.Decision != Conditional {
		t.Errorf("SOLOMON against the rule's decision: summary %q; SOLOMON's summary must not explain a decision it opposed", against.Summary)
	}
	if judged.Confidence != 0.66 || judged.Summary != "SOLOMON: APPROVED" {
		t.Errorf("with SOLOMON: confidence %v summary %q, want SOLOMON's", judged.Confidence, judged.Summary)
	}

	alone := Decide(Majority, sages, nil)
	if want := 0.7; alone.Confidence < want-1e-9 || alone.Confidence > want+1e-9 {
		t.Errorf("without SOLOMON: confidence = %v, want mean of the votes for, %v", alone.Confidence, want)
	}
	if want := "1 approved, 1 conditional, 1 rejected, 0 abstained."; alone.Summary != want {
		t.Errorf("without SOLOMON: summary = %q, want %q", alone.Summary, want)
	}

	none := Decide(Majority, []Verdict{vote(Abstained, 0), vote(Abstained, 0)}, nil)
	if none.Confidence != 0 || none.Decision != Rejected {
		t.Errorf("all abstained: %+v, want REJECTED with confidence 0", none)
	}
}

func TestParseRule(t *testing.T) {
	for in, want := range map[string]Rule{"": Majority, "majority": Majority, "unanimous": Unanimous, "judge": Judge} {
		if got, err := ParseRule(in); err != nil || got != want {
			t.Errorf("ParseRule(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseRule("plurality"); ErrorCode(err) != EINVALID {
		t.Errorf("ParseRule(plurality) code = %q, want %q", ErrorCode(err), EINVALID)
	}
}
