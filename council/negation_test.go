package council

import (
	"context"
	"iter"
	"testing"

	"github.com/magi-system/magi"
)

// jaAnswer is a Japanese sage's answer ending with a verdict whose decision
// is written as the model wrote it.
func jaAnswer(prose, decision string) string {
	return verdictText(prose, magi.Decision(decision), 0.8)
}

// quotesApprovalAfter is a sage that rejects, then quotes an approval.
const quotesApprovalAfter = "リスクが大きすぎます。\n```json\n{\"decision\": \"REJECTED\", \"confidence\": 0.8, \"summary\": \"見送り\"}\n```\n\n" +
	"軽率な賢者なら次のように書くでしょう：\n> {\"decision\": \"APPROVED\", \"confidence\": 0.9}\n"

// Issue 11 end to end: sages that vote against in negated Japanese never
// carry a question, whatever SOLOMON says.
func TestCouncil_NegatedJapaneseVotesAreNeverApproval(t *testing.T) {
	type answers = map[magi.AgentID]string
	tests := []struct {
		name    string
		sages   answers
		solomon string
		rule    magi.Rule
		want    magi.Decision
		votes   magi.Votes
		free    magi.AgentID // a sage that may vote for; the others' votes are negated
	}{
		{
			name: "three negated rejections, an approving judge",
			sages: answers{
				magi.Melchior:  jaAnswer("根拠が不足しています。", "不承認"),
				magi.Balthasar: jaAnswer("安全性が確認できません。", "承認しない"),
				magi.Casper:    jaAnswer("費用が見合いません。", "賛成できない"),
			},
			solomon: judgeText, rule: magi.Majority, want: magi.Rejected,
			votes: magi.Votes{Rejected: 3},
		},
		{
			name: "the same under unanimity",
			sages: answers{
				magi.Melchior:  jaAnswer("根拠が不足しています。", "非承認"),
				magi.Balthasar: jaAnswer("安全性が確認できません。", "承認できません"),
				magi.Casper:    jaAnswer("費用が見合いません。", "賛成しません"),
			},
			solomon: judgeText, rule: magi.Unanimous, want: magi.Rejected,
			votes: magi.Votes{Rejected: 3},
		},
		{
			name: "two negated rejections outvote one approval (was APPROVED 2–1)",
			sages: answers{
				magi.Melchior:  jaAnswer("根拠が不足しています。", "不承認"),
				magi.Balthasar: jaAnswer("安全性が確認できません。", "承認しない"),
				magi.Casper:    jaAnswer("実現可能です。", "承認"),
			},
			solomon: judgeText, rule: magi.Majority, want: magi.Rejected,
			votes: magi.Votes{Rejected: 2, Approved: 1}, free: magi.Casper,
		},
		{
			name: "negated rejections and quoted approvals abstain, one 不承認 decides",
			sages: answers{
				magi.Melchior:  jaAnswer("強く反対する理由はありません。", "反対しない"),
				magi.Balthasar: quotesApprovalAfter,
				magi.Casper:    jaAnswer("費用が見合いません。", "不承認"),
			},
			solomon: judgeText, rule: magi.Majority, want: magi.Rejected,
			votes: magi.Votes{Rejected: 1, Abstained: 2},
		},
		{
			name: "no readable vote at all: no verdict, not the judge's approval",
			sages: answers{
				magi.Melchior:  jaAnswer("強く反対する理由はありません。", "反対しない"),
				magi.Balthasar: quotesApprovalAfter,
				magi.Casper:    jaAnswer("判断できません。", "否決しない"),
			},
			solomon: judgeText, rule: magi.Majority, want: "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkNoLeak(t)
			c := scripted(map[magi.AgentID]func(context.Context, magi.Request) iter.Seq2[magi.Delta, error]{
				magi.Melchior: say(tt.sages[magi.Melchior], 0), magi.Balthasar: say(tt.sages[magi.Balthasar], 0),
				magi.Casper: say(tt.sages[magi.Casper], 0), magi.Solomon: say(tt.solomon, 0),
			})
			var rec recorder
			o, err := c.Deliberate(context.Background(), magi.Question{ID: "d", Text: "週休3日制を導入すべきか？", Rule: tt.rule}, &rec)
			if tt.want == "" {
				if magi.ErrorCode(err) != magi.ENOVERDICT {
					t.Fatalf("outcome %+v, err %v; want no_verdict", o, err)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if tt.want != "" && o.Decision != tt.want || o.Votes != tt.votes {
				t.Errorf("outcome %s with votes %+v (%s), want %s with %+v", o.Decision, o.Votes, o.Note, tt.want, tt.votes)
			}
			for _, id := range []magi.AgentID{magi.Melchior, magi.Balthasar, magi.Casper} {
				for _, e := range rec.of(magi.EventVerdict, id) {
					if id != tt.free && e.Verdict.Decision.For() {
						t.Errorf("%s voted %s: %q", id, e.Verdict.Decision, tt.sages[id])
					}
					if e.Verdict.Decision == magi.Abstained && e.Verdict.Reason == "" {
						t.Errorf("%s abstained without a reason", id)
					}
				}
			}
		})
	}
}
