package magi

import (
	"fmt"
	"strings"
)

// Rule is how the votes become a decision. The rule is applied by code,
// never by a model.
type Rule string

// The decision rules of SPEC.
const (
	Majority  Rule = "majority"
	Unanimous Rule = "unanimous"
	Judge     Rule = "judge"
)

// Rules lists every valid rule.
var Rules = []Rule{Majority, Unanimous, Judge}

// ParseRule returns the rule named s; empty means Majority.
func ParseRule(s string) (Rule, error) {
	if s == "" {
		return Majority, nil
	}
	for _, r := range Rules {
		if string(r) == s {
			return r, nil
		}
	}
	return "", Errorf(EINVALID, "unknown rule %q: use majority, unanimous or judge", s)
}

// Votes is the tally of the sages' decisions.
type Votes struct {
	Approved    int `json:"approved"`
	Rejected    int `json:"rejected"`
	Conditional int `json:"conditional"`
	Abstained   int `json:"abstained"`
}

// Count tallies the sages' verdicts.
func Count(sages []Verdict) Votes {
	var v Votes
	for _, s := range sages {
		switch s.Decision {
		case Approved:
			v.Approved++
		case Rejected:
			v.Rejected++
		case Conditional:
			v.Conditional++
		default:
			v.Abstained++
		}
	}
	return v
}

// Outcome is the council's resolution.
type Outcome struct {
	Decision   Decision `json:"decision"`
	Rule       Rule     `json:"rule"`
	Votes      Votes    `json:"votes"`
	Confidence float64  `json:"confidence"`
	Summary    string   `json:"summary"`
	Conditions []string `json:"conditions"`
	// TieBreak is true when SOLOMON's decision broke a tie.
	TieBreak bool `json:"tie_break,omitempty"`
	// Note explains, in one sentence, a decision that is not simply
	// SOLOMON's own view: a tie broken, the rule overruling SOLOMON, a
	// SOLOMON that gave no verdict, votes changed between rounds.
	Note string `json:"note,omitempty"`
}

// AddNote appends a clause to the outcome's note.
func (o *Outcome) AddNote(clause string) {
	switch {
	case clause == "":
	case o.Note == "":
		o.Note = clause
	default:
		o.Note += "; " + clause
	}
}

// Decide applies rule to the sages' verdicts. judge is SOLOMON's verdict,
// or nil when SOLOMON failed; the rule decides without it then, and under
// Judge it falls back to Majority and says so.
func Decide(rule Rule, sages []Verdict, judge *Verdict) Outcome {
	if judge != nil && judge.Decision == Abstained {
		judge = nil
	}
	o := Outcome{Rule: rule, Votes: Count(sages), Conditions: []string{}}
	switch rule {
	case Judge:
		if judge == nil {
			o = decideMajority(sages, nil, o)
			break
		}
		o.Decision = judge.Decision
		if judge.Decision == Conditional {
			o.Conditions = union(judge.Conditions)
		}
	case Unanimous:
		forAll := len(sages) > 0
		for _, s := range sages {
			forAll = forAll && s.Decision.For()
		}
		if !forAll {
			o.Decision = Rejected
			break
		}
		o.Decision, o.Conditions = forDecision(sages)
	default:
		o = decideMajority(sages, judge, o)
	}
	o.Confidence, o.Summary = judgement(o, sages, judge)
	o.Note = explain(o, judge)
	return o
}

func decideMajority(sages []Verdict, judge *Verdict, o Outcome) Outcome {
	pro := o.Votes.Approved + o.Votes.Conditional
	con := o.Votes.Rejected
	switch {
	case pro > con:
		o.Decision, o.Conditions = forDecision(sages)
	case con > pro:
		o.Decision = Rejected
	case judge != nil:
		o.TieBreak = true
		o.Decision = judge.Decision
		if judge.Decision == Conditional {
			var conds [][]string
			for _, s := range sages {
				if s.Decision == Conditional {
					conds = append(conds, s.Conditions)
				}
			}
			o.Conditions = union(append(conds, judge.Conditions)...)
		}
	default:
		o.Decision = Rejected
	}
	return o
}

// explain is the note of a decision that is not simply SOLOMON's view, e.g.
// "2 for (1 conditional), 1 against: majority CONDITIONAL; SOLOMON alone
// would have approved"; empty when it is SOLOMON's view.
func explain(o Outcome, judge *Verdict) string {
	count := votesFor(o.Votes)
	pro, con := o.Votes.Approved+o.Votes.Conditional, o.Votes.Rejected
	var why string
	switch {
	case o.Rule == Judge && judge != nil:
		return ""
	case o.TieBreak:
		return fmt.Sprintf("%s: a tie, broken by SOLOMON's %s", count, o.Decision)
	case o.Rule != Unanimous && pro == con:
		why = count + ": a tie, not carried"
	case o.Rule == Unanimous && o.Decision == Rejected:
		why = count + ": not unanimous, so REJECTED"
	case o.Rule == Unanimous:
		why = fmt.Sprintf("%s: unanimous %s", count, o.Decision)
	default:
		why = fmt.Sprintf("%s: majority %s", count, o.Decision)
	}
	switch {
	case o.Rule == Judge:
		return "SOLOMON gave no verdict, so the majority rule decided; " + why
	case judge == nil:
		return why + "; SOLOMON gave no verdict"
	case judge.Decision != o.Decision:
		return why + "; SOLOMON alone would have " + verb(judge.Decision)
	}
	return ""
}

// votesFor counts votes for and against, e.g. "2 for (1 conditional), 1
// against, 1 abstained".
func votesFor(v Votes) string {
	s := fmt.Sprintf("%d for", v.Approved+v.Conditional)
	if v.Conditional > 0 {
		s += fmt.Sprintf(" (%d conditional)", v.Conditional)
	}
	s += fmt.Sprintf(", %d against", v.Rejected)
	if v.Abstained > 0 {
		s += fmt.Sprintf(", %d abstained", v.Abstained)
	}
	return s
}

// verb is what deciding d is, in a sentence: "approved", "rejected",
// "approved on conditions".
func verb(d Decision) string {
	switch d {
	case Approved:
		return "approved"
	case Conditional:
		return "approved on conditions"
	case Rejected:
		return "rejected"
	}
	return strings.ToLower(string(d))
}

// forDecision is APPROVED, or CONDITIONAL with the union of conditions when
// any vote for was conditional.
func forDecision(sages []Verdict) (Decision, []string) {
	var conds [][]string
	for _, s := range sages {
		if s.Decision == Conditional {
			conds = append(conds, s.Conditions)
		}
	}
	if len(conds) == 0 {
		return Approved, []string{}
	}
	return Conditional, union(conds...)
}

// union merges condition lists, keeping first-seen order and dropping
// duplicates.
func union(lists ...[]string) []string {
	out := []string{}
	seen := map[string]bool{}
	for _, l := range lists {
		for _, c := range l {
			if c == "" || seen[c] {
				continue
			}
			seen[c] = true
			out = append(out, c)
		}
	}
	return out
}

// judgement is the outcome's confidence and summary: SOLOMON's when it
// judged, otherwise the mean confidence of the sages that voted with the
// decision and a tally.
func judgement(o Outcome, sages []Verdict, judge *Verdict) (float64, string) {
	if judge != nil && judge.Decision.For() == o.Decision.For() {
		return judge.Confidence, judge.Summary
	}
	var sum float64
	var n int
	for _, s := range sages {
		if s.Decision.For() == o.Decision.For() && s.Decision != Abstained {
			sum += s.Confidence
			n++
		}
	}
	conf := 0.0
	if n > 0 {
		conf = sum / float64(n)
	}
	v := o.Votes
	return conf, fmt.Sprintf("%d approved, %d conditional, %d rejected, %d abstained.",
		v.Approved, v.Conditional, v.Rejected, v.Abstained)
}
