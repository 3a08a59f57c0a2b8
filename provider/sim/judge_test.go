package sim

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/magi-system/magi"
)

// answer is a sage's answer ending with a verdict.
func answer(d magi.Decision, conf float64, conds ...string) string {
	if d == magi.Abstained {
		return "I cannot decide."
	}
	q := make([]string, len(conds))
	for i, c := range conds {
		q[i] = fmt.Sprintf("%q", c)
	}
	return fmt.Sprintf("Reasoning.\n```json\n{\"decision\": %q, \"confidence\": %v, \"summary\": \"s\", \"conditions\": [%s]}\n```",
		d, conf, strings.Join(q, ", "))
}

func judgeReq(q string, texts ...string) magi.Request {
	var answers []magi.SageAnswer
	for i, a := range magi.DefaultAgents()[:3] {
		answers = append(answers, magi.SageAnswer{Agent: a.Info(), Text: texts[i], Verdict: magi.ParseVerdict(texts[i])})
	}
	return magi.Request{Agent: magi.Solomon, Prompt: magi.JudgePrompt(q, [][]magi.SageAnswer{answers}, "n0nce")}
}

func TestSolomon_FollowsTheMajority(t *testing.T) {
	tests := []struct {
		name     string
		a, b, c  string
		want     magi.Decision
		wantCond []string
	}{
		{"two for", answer(magi.Approved, 0.8), answer(magi.Rejected, 0.9), answer(magi.Approved, 0.6), magi.Approved, []string{}},
		{"two against", answer(magi.Rejected, 0.8), answer(magi.Rejected, 0.9), answer(magi.Approved, 0.6), magi.Rejected, []string{}},
		{"conditional majority", answer(magi.Conditional, 0.7, "pilot"), answer(magi.Rejected, 0.9), answer(magi.Conditional, 0.6, "budget", "pilot"),
			magi.Conditional, []string{"pilot", "budget"}},
		{"tie goes to the firmer side", answer(magi.Approved, 0.55), answer(magi.Rejected, 0.9), answer(magi.Abstained, 0), magi.Rejected, []string{}},
		{"tie, firmer for", answer(magi.Approved, 0.95), answer(magi.Abstained, 0), answer(magi.Rejected, 0.6), magi.Approved, []string{}},
		{"all abstained", answer(magi.Abstained, 0), answer(magi.Abstained, 0), answer(magi.Abstained, 0), magi.Rejected, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text, _, err := collect(t, context.Background(), New(Options{}), judgeReq(qEN, tt.a, tt.b, tt.c))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(text, labelEN) {
				t.Errorf("SOLOMON's answer is not labelled:\n%s", text)
			}
			v := magi.ParseVerdict(text)
			if v.Decision != tt.want {
				t.Fatalf("decision = %s, want %s\n%s", v.Decision, tt.want, text)
			}
			if diff := cmp.Diff(tt.wantCond, v.Conditions); diff != "" {
				t.Errorf("conditions (-want +got):\n%s", diff)
			}
			if len(v.Scores) != 3 {
				t.Fatalf("scores = %v, want all three sages", v.Scores)
			}
			for _, id := range magi.Sages {
				if s := v.Scores[id]; s < 0 || s > 100 {
					t.Errorf("score of %s = %d", id, s)
				}
			}
		})
	}
}

func TestSolomon_ScoresAbstentionLow(t *testing.T) {
	req := judgeReq(qEN, answer(magi.Approved, 0.8), answer(magi.Abstained, 0), answer(magi.Rejected, 0.7))
	v := magi.ParseVerdict(Answer(5, req))
	if v.Scores[magi.Balthasar] > 30 || v.Scores[magi.Melchior] < 55 || v.Scores[magi.Casper] < 55 {
		t.Errorf("scores = %v, want the abstaining sage marked low", v.Scores)
	}
	if v.Scores[magi.Melchior] != magi.ParseVerdict(Answer(5, req)).Scores[magi.Melchior] {
		t.Error("scores are not deterministic")
	}
}

func TestSolomon_WholeCouncilInJapanese(t *testing.T) {
	var texts []string
	votes := map[magi.Decision]int{}
	for _, id := range magi.Sages {
		text := Answer(11, sageReq(id, qJA))
		texts = append(texts, text)
		votes[magi.ParseVerdict(text).Decision]++
	}
	text := Answer(11, judgeReq(qJA, texts...))
	if !strings.HasPrefix(text, labelJA) || !strings.Contains(text, "評価") {
		t.Errorf("SOLOMON did not answer in Japanese:\n%s", text)
	}
	v := magi.ParseVerdict(text)
	pro, con := votes[magi.Approved]+votes[magi.Conditional], votes[magi.Rejected]
	if (pro > con) != v.Decision.For() {
		t.Errorf("SOLOMON decided %s against the votes %v", v.Decision, votes)
	}
	if len(v.Scores) != 3 {
		t.Errorf("scores = %v", v.Scores)
	}
}
