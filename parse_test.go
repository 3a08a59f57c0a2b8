package magi

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseVerdict(t *testing.T) {
	tests := []struct {
		name string
		text string
		want Verdict
	}{
		{
			name: "bare JSON",
			text: `{"decision": "APPROVED", "confidence": 0.82, "summary": "Sound plan.", "conditions": []}`,
			want: Verdict{Decision: Approved, Confidence: 0.82, Summary: "Sound plan.", Conditions: []string{}},
		},
		{
			name: "prose then json fence",
			text: "The data supports it.\n\nOn balance I approve.\n\n```json\n{\n  \"decision\": \"REJECTED\",\n  \"confidence\": 0.7,\n  \"summary\": \"Too risky.\",\n  \"conditions\": []\n}\n```\n",
			want: Verdict{Decision: Rejected, Confidence: 0.7, Summary: "Too risky.", Conditions: []string{}},
		},
		{
			name: "plain fence",
			text: "Reasoning.\n```\n{\"decision\":\"CONDITIONAL\",\"confidence\":0.6,\"summary\":\"If funded.\",\"conditions\":[\"budget approved\",\"pilot first\"]}\n```",
			want: Verdict{Decision: Conditional, Confidence: 0.6, Summary: "If funded.", Conditions: []string{"budget approved", "pilot first"}},
		},
		{
			name: "trailing sentence after JSON",
			text: "Analysis...\n{\"decision\": \"APPROVED\", \"confidence\": 0.9, \"summary\": \"Go.\"}\nI hope this helps!",
			want: Verdict{Decision: Approved, Confidence: 0.9, Summary: "Go.", Conditions: []string{}},
		},
		{
			// Until issue 11 the last object won here; but the same shape is
			// "verdict, then a hypothetical other verdict", so two
			// verdicts that disagree are a contradiction, never a vote.
			name: "two objects that disagree: a contradiction, not the last",
			text: "First thought: {\"decision\": \"APPROVED\", \"confidence\": 0.4}\nOn reflection:\n{\"decision\": \"REJECTED\", \"confidence\": 0.8, \"summary\": \"No.\"}",
			want: Abstain(`the answer gives two different verdicts, "APPROVED" and then "REJECTED"; a verdict is one JSON object`),
		},
		{
			name: "two objects that agree: the last",
			text: "First thought: {\"decision\": \"REJECTED\", \"confidence\": 0.4}\nOn reflection, still:\n{\"decision\": \"rejected\", \"confidence\": 0.8, \"summary\": \"No.\"}",
			want: Verdict{Decision: Rejected, Confidence: 0.8, Summary: "No.", Conditions: []string{}},
		},
		{
			name: "nested scores and braces in strings",
			text: "Judgement.\n```json\n{\"decision\": \"APPROVED\", \"confidence\": 0.7, \"summary\": \"Use {curly} and \\\"quotes\\\" } freely\", \"conditions\": [], \"scores\": {\"melchior\": 80, \"balthasar\": 65, \"casper\": 72}}\n```",
			want: Verdict{Decision: Approved, Confidence: 0.7, Summary: "Use {curly} and \"quotes\" } freely", Conditions: []string{},
				Scores: map[AgentID]int{Melchior: 80, Balthasar: 65, Casper: 72}},
		},
		{
			name: "decision after a nested object",
			text: `{"scores": {"melchior": 50}, "decision": "rejected", "confidence": 0.3}`,
			want: Verdict{Decision: Rejected, Confidence: 0.3, Conditions: []string{}, Scores: map[AgentID]int{Melchior: 50}},
		},
		{
			name: "keys in any case",
			text: `{"Decision": "Approved", "CONFIDENCE": 0.75, "Summary": "ok", "Conditions": "one"}`,
			want: Verdict{Decision: Approved, Confidence: 0.75, Summary: "ok", Conditions: []string{"one"}},
		},
		{
			name: "upper-case key",
			text: `{"DECISION": " approve ", "confidence": "0.8"}`,
			want: Verdict{Decision: Approved, Confidence: 0.8, Conditions: []string{}},
		},
		{name: "yes", text: `{"decision": "yes"}`, want: Verdict{Decision: Approved, Confidence: 0.5, Conditions: []string{}}},
		{name: "no", text: `{"decision": "No"}`, want: Verdict{Decision: Rejected, Confidence: 0.5, Conditions: []string{}}},
		{name: "reject", text: `{"decision": "reject."}`, want: Verdict{Decision: Rejected, Confidence: 0.5, Conditions: []string{}}},
		{name: "conditionally approved", text: `{"decision": "conditionally approved", "conditions": ["a"]}`,
			want: Verdict{Decision: Conditional, Confidence: 0.5, Conditions: []string{"a"}}},
		{name: "approved with conditions", text: `{"decision": "Approved with conditions", "conditions": ["a", "", 3]}`,
			want: Verdict{Decision: Conditional, Confidence: 0.5, Conditions: []string{"a", "3"}}},
		{name: "conditional_approval", text: `{"decision": "CONDITIONAL_APPROVAL"}`,
			want: Verdict{Decision: Conditional, Confidence: 0.5, Conditions: []string{}}},
		{name: "Japanese approve", text: "データは十分です。\n```json\n{\"decision\": \"承認\", \"confidence\": 0.8, \"summary\": \"進めるべきです。\"}\n```",
			want: Verdict{Decision: Approved, Confidence: 0.8, Summary: "進めるべきです。", Conditions: []string{}}},
		{name: "Japanese reject", text: `{"decision": "否決", "confidence": 0.6}`,
			want: Verdict{Decision: Rejected, Confidence: 0.6, Conditions: []string{}}},
		{name: "Japanese conditional before approve", text: `{"decision": "条件付き承認", "conditions": ["予算の確保"]}`,
			want: Verdict{Decision: Conditional, Confidence: 0.5, Conditions: []string{"予算の確保"}}},
		{name: "Japanese conditional short form", text: `{"decision": "条件付承認"}`,
			want: Verdict{Decision: Conditional, Confidence: 0.5, Conditions: []string{}}},
		{name: "Japanese conditional bare", text: `{"decision": "条件付"}`,
			want: Verdict{Decision: Conditional, Confidence: 0.5, Conditions: []string{}}},
		{name: "confidence percent number", text: `{"decision": "APPROVED", "confidence": 80}`,
			want: Verdict{Decision: Approved, Confidence: 0.8, Conditions: []string{}}},
		{name: "confidence percent string", text: `{"decision": "APPROVED", "confidence": "80%"}`,
			want: Verdict{Decision: Approved, Confidence: 0.8, Conditions: []string{}}},
		{name: "confidence fractional percent", text: `{"decision": "APPROVED", "confidence": 80.5}`,
			want: Verdict{Decision: Approved, Confidence: 0.805, Conditions: []string{}}},
		{name: "confidence small percent string", text: `{"decision": "APPROVED", "confidence": "0.5%"}`,
			want: Verdict{Decision: Approved, Confidence: 0.005, Conditions: []string{}}},
		{name: "confidence clamped high", text: `{"decision": "APPROVED", "confidence": 250}`,
			want: Verdict{Decision: Approved, Confidence: 1, Conditions: []string{}}},
		{name: "confidence clamped low", text: `{"decision": "APPROVED", "confidence": -0.3}`,
			want: Verdict{Decision: Approved, Confidence: 0, Conditions: []string{}}},
		{name: "confidence zero stays zero", text: `{"decision": "APPROVED", "confidence": 0}`,
			want: Verdict{Decision: Approved, Confidence: 0, Conditions: []string{}}},
		{name: "confidence unreadable", text: `{"decision": "APPROVED", "confidence": "high"}`,
			want: Verdict{Decision: Approved, Confidence: 0.5, Conditions: []string{}}},
		{name: "conditions null", text: `{"decision": "CONDITIONAL", "conditions": null}`,
			want: Verdict{Decision: Conditional, Confidence: 0.5, Conditions: []string{}}},
		{name: "summary falls back to reason", text: `{"decision": "REJECTED", "reason": "unsafe"}`,
			want: Verdict{Decision: Rejected, Confidence: 0.5, Summary: "unsafe", Conditions: []string{}}},
		{name: "trailing comma forgiven", text: "```json\n{\"decision\": \"APPROVED\", \"confidence\": 0.9, \"conditions\": [\"x\",],}\n```",
			want: Verdict{Decision: Approved, Confidence: 0.9, Conditions: []string{"x"}}},
		{name: "mention of decision after the JSON", text: "{\"decision\": \"APPROVED\", \"confidence\": 0.9}\nThat is my \"decision\".",
			want: Verdict{Decision: Approved, Confidence: 0.9, Conditions: []string{}}},
		{name: "wrapped verdict", text: `{"verdict": {"decision": "REJECTED", "confidence": 0.6}}`,
			want: Verdict{Decision: Rejected, Confidence: 0.6, Conditions: []string{}}},
		{
			name: "scores by name, fractions and strings",
			text: `{"decision": "APPROVED", "confidence": 0.7, "scores": {"MELCHIOR-1": 0.85, "Balthasar-2": "65", "CASPER": 140, "nobody": 3}}`,
			want: Verdict{Decision: Approved, Confidence: 0.7, Conditions: []string{},
				Scores: map[AgentID]int{Melchior: 85, Balthasar: 65, Casper: 100}},
		},
		{name: "scores with Japanese names", text: `{"decision": "APPROVED", "scores": {"メルキオール": 1, "カスパー": 0.5}}`,
			want: Verdict{Decision: Approved, Confidence: 0.5, Conditions: []string{}, Scores: map[AgentID]int{Melchior: 1, Casper: 50}}},
		{name: "scores not an object", text: `{"decision": "APPROVED", "scores": [1, 2]}`,
			want: Verdict{Decision: Approved, Confidence: 0.5, Conditions: []string{}}},
		{name: "empty", text: "  \n", want: Abstain("the answer is empty")},
		{name: "no JSON", text: "I think we should approve it.", want: Abstain("no verdict JSON found at the end of the answer")},
		{name: "JSON without decision", text: `{"verdict": "APPROVED"}`, want: Abstain("no verdict JSON found at the end of the answer")},
		{name: "unknown decision", text: `{"decision": "MAYBE"}`, want: Abstain(`unknown decision "MAYBE"`)},
		{name: "decision not a string", text: `{"decision": 1}`, want: Abstain("the decision is not a string (1)")},
		{name: "abstain", text: `{"decision": "ABSTAIN"}`, want: Abstain("the sage abstained")},
		{name: "abstained", text: `{"decision": "abstained", "confidence": 0.9}`, want: Abstain("the sage abstained")},
		{name: "Japanese abstain", text: `{"decision": "棄権"}`, want: Abstain("the sage abstained")},
		{name: "invalid JSON", text: `{"decision": "APPROVED", "confidence": }`, want: Abstain("the verdict JSON at the end of the answer is not valid JSON")},
		{name: "unterminated", text: "```json\n{\"decision\": \"APPROVED\", \"confidence\": 0.8", want: Abstain("the verdict JSON at the end of the answer is not valid JSON")},
		{name: "last broken, earlier valid: not silently used", text: "{\"decision\": \"APPROVED\"}\n{\"decision\": \"REJECTED\", \"confidence\": 0.9", want: Abstain("the verdict JSON at the end of the answer is not valid JSON")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ParseVerdict(tt.text)
			if diff := cmp.Diff(tt.want, got, approx); diff != "" {
				t.Errorf("ParseVerdict mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// approx compares confidences to a few decimals.
var approx = cmp.Comparer(func(a, b float64) bool { return math.Abs(a-b) < 1e-9 })

func TestParseVerdict_RealisticAnswers(t *testing.T) {
	tests := []struct {
		name string
		text string
		want Decision
	}{
		{"English sage", `## Assessment

The evidence for adopting a four-day week is mixed: pilot studies report {productivity gains}, but samples are small.

**Risks**: coverage gaps for customer support.

` + "```json" + `
{
  "decision": "CONDITIONAL",
  "confidence": 0.68,
  "summary": "Adopt as a six-month pilot with measured outcomes.",
  "conditions": ["six-month pilot", "publish metrics monthly"]
}
` + "```" + `

Let me know if you need more detail.`, Conditional},
		{"Japanese sage", `【分析】
この提案には利点がありますが、データの信頼性に課題があります。

結論として、条件付きで賛成します。

` + "```json" + `
{"decision": "条件付き承認", "confidence": 0.7, "summary": "試験導入を条件に承認します。", "conditions": ["半年間の試験導入"]}
` + "```", Conditional},
		{"SOLOMON", `MELCHIOR-1 argued from data ("decision": it approved). BALTHASAR-2 raised safety.
{"decision": "REJECTED", "confidence": 0.66, "summary": "Safety first.", "conditions": [], "scores": {"melchior": 78, "balthasar": 84, "casper": 61}}`, Rejected},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ParseVerdict(tt.text)
			if got.Decision != tt.want {
				t.Fatalf("decision = %s (reason %q), want %s", got.Decision, got.Reason, tt.want)
			}
			if got.Confidence <= 0 || got.Summary == "" {
				t.Errorf("verdict lost fields: %+v", got)
			}
		})
	}
}

func TestParseVerdict_Pathological(t *testing.T) {
	// Many unclosed braces must not make parsing quadratic enough to hang.
	text := strings.Repeat(`{"a":`, 20000) + `{"decision": "APPROVED"`
	if got := ParseVerdict(text); got.Decision != Abstained {
		t.Errorf("decision = %s, want ABSTAINED", got.Decision)
	}
	for _, tt := range []struct {
		size int
		want Decision
	}{{60 << 10, Approved}, {70 << 10, Abstained}} {
		big := `{"summary": "` + strings.Repeat("x", tt.size) + `", "decision": "APPROVED"}`
		if got := ParseVerdict(big); got.Decision != tt.want {
			t.Errorf("a %d KB verdict: %s (%s), want %s", tt.size>>10, got.Decision, got.Reason, tt.want)
		}
	}
	many := strings.Repeat("```json\n{\"decision\": \"APPROVED\"}\n```\n", maxVerdictKeys+1)
	if got := ParseVerdict(many); got.Decision != Abstained || !strings.Contains(got.Reason, "more than 32") {
		t.Errorf("%d verdicts: %s (%s), want ABSTAINED for too many", maxVerdictKeys+1, got.Decision, got.Reason)
	}
	deep := strings.Repeat("[", 20000) + `{"decision": "APPROVED"}` + strings.Repeat("]", 20000)
	if got := ParseVerdict(deep); got.Decision != Approved {
		t.Errorf("deep: decision = %s (%s), want APPROVED", got.Decision, got.Reason)
	}
}

// FuzzParseVerdict checks what holds for every answer: no panic; one of the
// four decisions; an abstention has a reason and no confidence; confidence
// in [0,1]; the same answer reads the same; prose before an answer changes
// nothing; and a verdict quoted after an answer never becomes its vote.
func FuzzParseVerdict(f *testing.F) {
	seeds := []string{
		"",
		`{"decision": "APPROVED", "confidence": 0.82, "summary": "ok", "conditions": []}`,
		"prose\n```json\n{\"decision\": \"CONDITIONAL\", \"conditions\": \"x\"}\n```\nbye",
		`{"decision": "否決", "confidence": "80%"}`,
		`{"Decision": "条件付き承認", "scores": {"MELCHIOR-1": 0.5, "casper": "NaN"}}`,
		`{"decision": "APPROVED", "confidence": 1e400}`,
		`{"decision": "APPROVED", "confidence": "Inf"}`,
		`{"decision": "APPROVED", "confidence": "NaN", "scores": {"balthasar": -1e308}}`,
		`{"decision": "APPROVED",,}`,
		`{"decision"  :  ` + "\n" + `"x"`,
		`"decision": "APPROVED"}`,
		`{{{{"decision":"yes"}}}}`,
		"{\"decision\": \"\xff\xfe\"}",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		v := ParseVerdict(text)
		checkVerdict(t, v)
		if again := ParseVerdict(text); again.Decision != v.Decision || again.Reason != v.Reason {
			t.Fatalf("read twice: %+v, then %+v", v, again)
		}
		if p := ParseVerdict("Analysis of the question.\n\n" + text); p.Decision != v.Decision {
			t.Fatalf("prose before the answer changed %s to %s (%s)", v.Decision, p.Decision, p.Reason)
		}
		for _, q := range quotedAfter {
			for _, d := range []Decision{Approved, Rejected, Conditional} {
				got := ParseVerdict(text + fmt.Sprintf(q, d))
				checkVerdict(t, got)
				if got.Decision != Abstained && got.Decision != v.Decision {
					t.Fatalf("a %s quoted after the answer turned %s into %s", d, v.Decision, got.Decision)
				}
			}
		}
	})
}

// quotedAfter are ways to quote a verdict after an answer.
var quotedAfter = []string{
	"\n\n> {\"decision\": %q}\n",
	"\n\nA careless sage might write {\"decision\": %q} here.\n",
	"\n\nNot `{\"decision\": %q}`.\n",
}

// checkVerdict fails t unless v is a well-formed verdict.
func checkVerdict(t *testing.T, v Verdict) {
	t.Helper()
	switch v.Decision {
	case Approved, Rejected, Conditional, Abstained:
	default:
		t.Fatalf("decision %q is not one of the four", v.Decision)
	}
	if !(v.Confidence >= 0 && v.Confidence <= 1) {
		t.Fatalf("confidence %v outside [0,1]", v.Confidence)
	}
	if v.Conditions == nil {
		t.Fatal("conditions is nil")
	}
	if (v.Decision == Abstained) != (v.Reason != "") || v.Decision == Abstained && v.Confidence != 0 {
		t.Fatalf("an abstention needs a reason and no confidence, a vote no reason: %+v", v)
	}
	for id, s := range v.Scores {
		if s < 0 || s > 100 || id == "" {
			t.Fatalf("score %q=%d out of range", id, s)
		}
	}
}
