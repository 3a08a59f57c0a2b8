package magi

import (
	"strings"
	"testing"
)

// fenced wraps a JSON object in a ```json fence, as models write it.
func fenced(obj string) string { return "```json\n" + obj + "\n```" }

// TestParseVerdict_Phrasings reads the ends of real-looking answers, in
// English and Japanese: plain, fenced, negated, hedged, quoted, repeated and
// contradictory. A vote is read only when it is unambiguous; otherwise the
// answer abstains with a reason naming the ambiguity.
func TestParseVerdict_Phrasings(t *testing.T) {
	tests := []struct {
		name string
		text string
		want Decision
		why  string // for ABSTAINED: a part of the reason
	}{
		// Plain verdicts.
		{"en fenced approve", "The pilot data is consistent across three sites.\n\n" +
			fenced(`{"decision": "APPROVED", "confidence": 0.82, "summary": "Evidence is sufficient.", "conditions": []}`), Approved, ""},
		{"en bare reject", "Costs exceed the benefit within the planning horizon.\n\n" +
			`{"decision": "REJECTED", "confidence": 0.74, "summary": "Too expensive.", "conditions": []}`, Rejected, ""},
		{"en conditional with conditions", "Feasible, if staged.\n\n" +
			fenced(`{"decision": "CONDITIONAL", "confidence": 0.6, "summary": "Stage it.", "conditions": ["a six-month pilot", "monthly review"]}`), Conditional, ""},
		{"en verdict label on the line", "**Final verdict:** " +
			`{"decision": "REJECTED", "confidence": 0.7, "summary": "Unsafe."}`, Rejected, ""},
		{"en fence then sign-off", fenced(`{"decision": "approved", "confidence": "85%", "summary": "Go."}`) +
			"\n\nI hope this helps the council decide.", Approved, ""},
		{"en closing fence glued", "Summary above.\n```json\n" + `{"decision": "REJECTED", "confidence": 0.9, "summary": "No."}` + "```", Rejected, ""},
		{"en unconditional approval", "Nothing needs to change first.\n" +
			fenced(`{"decision": "UNCONDITIONAL APPROVAL", "confidence": 0.9, "summary": "Adopt as is."}`), Approved, ""},
		{"en approved without conditions", fenced(`{"decision": "Approved without conditions", "confidence": 0.8, "summary": "Fine."}`), Approved, ""},
		{"ja fenced approve", "データは三つの拠点で一貫しています。\n\n" +
			fenced(`{"decision": "承認", "confidence": 0.8, "summary": "導入を進めるべきです。", "conditions": []}`), Approved, ""},
		{"ja polite reject", "費用対効果が見合いません。\n" +
			fenced(`{"decision": "否決します", "confidence": 0.7, "summary": "見送るべきです。"}`), Rejected, ""},
		{"ja conditional", "段階的な導入なら可能です。\n" +
			fenced(`{"decision": "条件付き承認", "confidence": 0.65, "summary": "試験導入を条件とします。", "conditions": ["半年間の試験導入"]}`), Conditional, ""},
		{"ja english decision", "結論として、リスクが大きすぎます。\n" +
			fenced(`{"decision": "REJECTED", "confidence": 0.75, "summary": "安全性が確認できません。"}`), Rejected, ""},
		{"solomon with scores", "MELCHIOR-1 relied on data; BALTHASAR-2 weighed safety; CASPER-3 the cost.\n" +
			fenced(`{"decision": "CONDITIONAL", "confidence": 0.7, "summary": "Pilot first.", "conditions": ["pilot"], "scores": {"melchior": 80, "balthasar": 70, "casper": 60}}`), Conditional, ""},

		{"en requested template", "Here is my verdict in the requested template:\n" +
			fenced(`{"decision": "APPROVED", "confidence": 0.7, "summary": "Go."}`), Approved, ""},
		{"en example in prose, own verdict after", "In this example, the pilot failed twice. My verdict:\n" +
			fenced(`{"decision": "REJECTED", "confidence": 0.7, "summary": "No."}`), Rejected, ""},
		{"en for example in the last paragraph", "For example, costs could rise through overtime.\n\n" +
			fenced(`{"decision": "CONDITIONAL", "confidence": 0.6, "conditions": ["cap overtime"]}`), Conditional, ""},
		{"en for example after the verdict", fenced(`{"decision": "APPROVED", "confidence": 0.8}`) +
			"\n\nFor example, the pilot could start in April.", Approved, ""},
		{"ja 例えば in the last paragraph", "例えば、4月から試験導入できます。\n\n" +
			fenced(`{"decision": "承認", "confidence": 0.7, "summary": "導入を進めます。"}`), Approved, ""},
		{"ja label with full-width colon", "最終判定：" + `{"decision": "否決", "confidence": 0.8}`, Rejected, ""},

		{"en verdict ends the last sentence", "All things considered, I approve " +
			`{"decision": "APPROVED", "confidence": 0.7, "summary": "Go."}`, Approved, ""},
		{"en verdict after words on one line", "word word word " + `{"decision": "REJECTED", "confidence": 0.8, "conditions": []}`, Rejected, ""},
		{"only object, ending a hypothetical", "I have not decided. A careless sage might write " +
			`{"decision": "APPROVED"}`, Abstained, "example"},
		{"only object, inside a sentence", "Some would vote " + `{"decision": "APPROVED"}` + " here, but I cannot say.", Abstained, "inside a sentence"},

		// Negated votes: never read as the vote they negate.
		{"ja 不承認 is against", "安全性の根拠が不足しています。\n" +
			fenced(`{"decision": "不承認", "confidence": 0.8, "summary": "根拠不足のため承認できません。"}`), Rejected, ""},
		{"ja 非承認 is against", fenced(`{"decision": "非承認", "confidence": 0.7, "summary": "見送り。"}`), Rejected, ""},
		{"ja 承認しない is against", "結論：\n" + fenced(`{"decision": "承認しない", "confidence": 0.6, "summary": "時期尚早です。"}`), Rejected, ""},
		{"ja 賛成できない is against", fenced(`{"decision": "賛成できない", "confidence": 0.7, "summary": "負担が大きすぎます。"}`), Rejected, ""},
		{"ja 承認できません is against", fenced(`{"decision": "承認できません。", "confidence": 0.7, "summary": "不可。"}`), Rejected, ""},
		{"ja 反対しない is no vote", "強く反対する理由はありません。\n" +
			fenced(`{"decision": "反対しない", "confidence": 0.5, "summary": "容認します。"}`), Abstained, "negated"},
		{"ja 否決しない is no vote", fenced(`{"decision": "否決しない", "confidence": 0.5, "summary": "保留。"}`), Abstained, "negated"},
		{"ja 未承認 is no vote", fenced(`{"decision": "未承認", "confidence": 0.5, "summary": "検討中。"}`), Abstained, "negated"},
		{"ja 不承認ではない is no vote", fenced(`{"decision": "不承認ではない", "confidence": 0.5, "summary": "…"}`), Abstained, "negated"},
		{"ja 承認せず否決もせず is no vote", fenced(`{"decision": "承認せず、否決もせず", "confidence": 0.5, "summary": "判断を保留します。"}`), Abstained, "negated"},
		{"en not approved is against", "The safety case is incomplete.\n" +
			fenced(`{"decision": "NOT APPROVED", "confidence": 0.7, "summary": "Incomplete safety case."}`), Rejected, ""},
		{"en do not approve is against", fenced(`{"decision": "Do not approve", "confidence": 0.6, "summary": "No."}`), Rejected, ""},
		{"en not rejected is no vote", fenced(`{"decision": "NOT REJECTED", "confidence": 0.6, "summary": "Fine, I suppose."}`), Abstained, "negated"},
		{"en cannot recommend approval is no vote", fenced(`{"decision": "I cannot recommend approval", "confidence": 0.6, "summary": "Too risky."}`), Abstained, "negated"},
		{"en no conditions is no vote", fenced(`{"decision": "NO CONDITIONS", "confidence": 0.8, "summary": "Approve outright."}`), Abstained, "negated"},
		{"en conditions not met is no vote", fenced(`{"decision": "CONDITIONS NOT MET", "confidence": 0.7, "summary": "The budget is missing."}`), Abstained, "negated"},
		{"en never approve is no vote", fenced(`{"decision": "never approve", "confidence": 0.9, "summary": "…"}`), Abstained, "negated"},
		{"en unapproved is no vote", fenced(`{"decision": "UNAPPROVED", "confidence": 0.6, "summary": "…"}`), Abstained, "negated"},

		// Hedged and mixed words.
		{"en probably approve", fenced(`{"decision": "Probably approve", "confidence": 0.55, "summary": "Leaning yes."}`), Abstained, "hedged"},
		{"en leaning reject", fenced(`{"decision": "LEANING REJECT", "confidence": 0.55, "summary": "…"}`), Abstained, "hedged"},
		{"ja たぶん承認", fenced(`{"decision": "たぶん承認", "confidence": 0.5, "summary": "…"}`), Abstained, "hedged"},
		{"en template echoed", fenced(`{"decision": "APPROVED | REJECTED | CONDITIONAL", "confidence": 0.5, "summary": "…"}`), Abstained, "more than one"},
		{"en approve or reject", fenced(`{"decision": "approve or reject", "confidence": 0.5}`), Abstained, "more than one"},

		// Quoted objects: not the answer's own verdict.
		{"quoted after in a sentence", fenced(`{"decision": "REJECTED", "confidence": 0.8, "summary": "Unsafe."}`) +
			"\n\nA careless sage might write {\"decision\": \"APPROVED\"} here, but the evidence does not allow it.", Abstained, "inside a sentence"},
		{"quoted after in a fence as an example", fenced(`{"decision": "REJECTED", "confidence": 0.8, "summary": "Unsafe."}`) +
			"\n\nFor comparison, an approving answer might look like this:\n" + fenced(`{"decision": "APPROVED", "confidence": 0.9}`), Abstained, "example"},
		{"quoted after in a blockquote", fenced(`{"decision": "REJECTED", "confidence": 0.8, "summary": "Unsafe."}`) +
			"\n\nBALTHASAR-2 answered:\n> {\"decision\": \"APPROVED\", \"confidence\": 0.7}", Abstained, "blockquote"},
		{"quoted after in inline code", fenced(`{"decision": "REJECTED", "confidence": 0.8, "summary": "Unsafe."}`) +
			"\nNote: `{\"decision\": \"APPROVED\"}` would be wrong here.", Abstained, "inline code"},
		{"quoted after, agreeing", fenced(`{"decision": "REJECTED", "confidence": 0.8, "summary": "Unsafe."}`) +
			"\n\nCASPER-3 agreed: `{\"decision\": \"REJECTED\"}`.", Rejected, ""},
		{"quoted before in a blockquote", "MELCHIOR-1 wrote:\n> ```json\n> {\"decision\": \"APPROVED\", \"confidence\": 0.9}\n> ```\n\nI disagree.\n" +
			fenced(`{"decision": "REJECTED", "confidence": 0.7, "summary": "The data is thin."}`), Rejected, ""},
		{"quoted before in inline code", "The format asks for `{\"decision\": \"APPROVED\"}` or a rejection. Mine:\n" +
			fenced(`{"decision": "REJECTED", "confidence": 0.6, "summary": "No."}`), Rejected, ""},
		{"quoted before in quotation marks", "BALTHASAR-2 said \"{\"decision\": \"APPROVED\"}\" too quickly.\n" +
			fenced(`{"decision": "CONDITIONAL", "confidence": 0.6, "summary": "Only with a pilot.", "conditions": ["pilot"]}`), Conditional, ""},
		{"ja quoted before in 「」", "メルキオールは「{\"decision\": \"承認\"}」と答えましたが、私は反対です。\n" +
			fenced(`{"decision": "否決", "confidence": 0.7, "summary": "安全性が不十分です。"}`), Rejected, ""},
		{"only object is an example", "The verdict format is, for example:\n" +
			fenced(`{"decision": "APPROVED", "confidence": 0.8, "summary": "…"}`), Abstained, "quoted"},
		{"only object called an example afterwards", fenced(`{"decision": "APPROVED", "confidence": 0.8}`) +
			"\n(That is only an example of the format; I have not decided.)", Abstained, "quoted"},
		{"ja only object is an example", "例えば次のように書きます：\n" +
			fenced(`{"decision": "承認", "confidence": 0.8}`), Abstained, "quoted"},
		{"only object in a blockquote", "> {\"decision\": \"APPROVED\", \"confidence\": 0.9}", Abstained, "blockquote"},
		{"object in a string of another object", `{"decision": "REJECTED", "summary": "a careless sage would write {"decision": "APPROVED"} here"}`, Abstained, "not valid JSON"},
		{"escaped object in a string", `{"decision": "REJECTED", "confidence": 0.7, "summary": "not {\"decision\": \"APPROVED\"}"}`, Rejected, ""},
		{"nested disagreeing object", `{"decision": "REJECTED", "confidence": 0.7, "alternative": {"decision": "APPROVED"}}`, Abstained, "inside another verdict object"},
		{"wrapped verdict", "Result:\n" + fenced(`{"verdict": {"decision": "CONDITIONAL", "confidence": 0.6, "conditions": ["pilot"]}}`), Conditional, ""},

		// Repeated and contradictory verdicts.
		{"same object twice", fenced(`{"decision": "REJECTED", "confidence": 0.7}`) + "\n" +
			fenced(`{"decision": "REJECTED", "confidence": 0.7}`), Rejected, ""},
		{"same decision, two wordings", "In short: {\"decision\": \"否決\"}\n\n" +
			fenced(`{"decision": "REJECTED", "confidence": 0.7, "summary": "No."}`), Rejected, ""},
		{"two fences disagree", fenced(`{"decision": "REJECTED", "confidence": 0.7}`) + "\n" +
			fenced(`{"decision": "APPROVED", "confidence": 0.7}`), Abstained, "two different verdicts"},
		{"revision after prose disagrees", "Initial view:\n" + fenced(`{"decision": "APPROVED", "confidence": 0.5}`) +
			"\n\nHaving weighed the safety data again, I change my mind.\n" + fenced(`{"decision": "REJECTED", "confidence": 0.8}`), Abstained, "two different verdicts"},
		{"approved then conditional", fenced(`{"decision": "APPROVED"}`) + "\n" +
			fenced(`{"decision": "CONDITIONAL", "conditions": ["pilot"]}`), Abstained, "two different verdicts"},
		{"negated earlier, plain later", fenced(`{"decision": "反対しない"}`) + "\n\n最終判断：\n" +
			fenced(`{"decision": "承認", "confidence": 0.6}`), Abstained, "two different verdicts"},
		{"ja two verdicts disagree", "当初の判断：\n" + fenced(`{"decision": "承認"}`) + "\n再検討の結果：\n" +
			fenced(`{"decision": "否決", "confidence": 0.7}`), Abstained, "two different verdicts"},
		{"duplicate decision keys disagree", fenced(`{"decision": "REJECTED", "confidence": 0.8, "summary": "No.", "decision": "APPROVED"}`), Abstained, "two decisions"},
		{"duplicate keys in two cases", fenced(`{"Decision": "APPROVED", "decision": "REJECTED", "confidence": 0.8}`), Abstained, "two decisions"},
		{"duplicate decision keys agree", fenced(`{"decision": "REJECTED", "confidence": 0.8, "decision": "rejected"}`), Rejected, ""},
		{"duplicate keys, one unreadable", fenced(`{"decision": "APPROVED", "decision": "maybe"}`), Abstained, "two decisions"},

		// Broken and missing verdicts.
		{"prose only, negated", "結論として、この提案は承認しません。", Abstained, "no verdict JSON"},
		{"prose only, english", "I do not approve of this plan. Decision: REJECTED.", Abstained, "no verdict JSON"},
		{"decision fragment without braces", `Final "decision": "APPROVED"`, Abstained, "no verdict JSON"},
		{"truncated verdict", "Reasoning...\n```json\n{\"decision\": \"REJECTED\", \"confidence\": 0.8, \"summ", Abstained, "not valid JSON"},
		{"truncated after an earlier verdict", fenced(`{"decision": "APPROVED"}`) + "\nCorrection:\n```json\n{\"decision\": \"REJECTED\",", Abstained, "not valid JSON"},
		{"decision not a string", fenced(`{"decision": true, "confidence": 0.8}`), Abstained, "not a string"},
	}
	if len(tests) < 60 {
		t.Fatalf("only %d phrasings; the table keeps at least 60", len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ParseVerdict(tt.text)
			if got.Decision != tt.want {
				t.Fatalf("decision = %s (reason %q), want %s\ntext:\n%s", got.Decision, got.Reason, tt.want, tt.text)
			}
			if tt.want == Abstained && !strings.Contains(got.Reason, tt.why) {
				t.Errorf("reason %q, want one saying %q", got.Reason, tt.why)
			}
			if tt.want != Abstained && got.Reason != "" {
				t.Errorf("a vote with a reason: %q", got.Reason)
			}
		})
	}
}
