package sim

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/magi-system/magi"
)

// withFormat is a persona as the configuration sends it: the council's
// text, then the built-in closing instruction for the verdict.
func withFormat(persona string, id magi.AgentID) string {
	def := magi.DefaultAgents()[0].Persona
	if id == magi.Solomon {
		def = magi.DefaultAgents()[3].Persona
	}
	return persona + def[strings.LastIndex(def, "\n\n"):]
}

func TestFocus(t *testing.T) {
	long := strings.Repeat("word ", 60)
	tests := []struct {
		name, system, want string
	}{
		{"none", "", ""},
		{"a built-in persona", magi.DefaultAgents()[2].Persona, ""},
		{"a council's persona, without the verdict instruction",
			withFormat("You are the accountant.\nYou weigh every proposal by its cost.", magi.Melchior),
			"You are the accountant. You weigh every proposal by its cost."},
		{"a long persona, cut at a sentence", "You count the cost of every proposal, and its payback period, before anything else. " + long,
			"You count the cost of every proposal, and its payback period, before anything else."},
		{"a long persona without a sentence, cut at a word", long, strings.TrimSpace(strings.Repeat("word ", 40)) + "…"},
		{"Japanese", "あなたは会計係です。費用と回収期間ですべてを判断します。", "あなたは会計係です。費用と回収期間ですべてを判断します。"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := focus(tt.system)
			if got != tt.want {
				t.Errorf("focus = %q, want %q", got, tt.want)
			}
			if utf8.RuneCountInString(got) > maxFocus+1 {
				t.Errorf("focus of %d runes", utf8.RuneCountInString(got))
			}
		})
	}
}

// TestAnswer_Persona: a saved council's persona changes what every sim
// agent writes — it quotes what the persona asks, in round 1, in a
// debate and as the judge — deterministically; the built-in personas
// write as they always did.
func TestAnswer_Persona(t *testing.T) {
	persona := "You are the accountant of the council. You weigh every proposal by its cost and its payback period."
	req := sageReq(magi.Melchior, qEN)
	plain := Answer(3, req)
	req.System = magi.DefaultAgents()[0].Persona
	if got := Answer(3, req); strings.Contains(got, "My brief") {
		t.Errorf("the built-in persona is quoted:\n%s", got)
	}
	req.System = withFormat(persona, magi.Melchior)
	got := Answer(3, req)
	if !strings.Contains(got, "My brief in this council: “"+persona+"” I look at") || got == plain {
		t.Errorf("the council's persona is not brought to bear:\n%s", got)
	}
	if again := Answer(3, req); again != got {
		t.Error("the same persona and question gave another answer")
	}
	if v := magi.ParseVerdict(got); v.Decision == magi.Abstained {
		t.Errorf("no verdict: %s", v.Reason)
	}

	ja := sageReq(magi.Casper, qJA)
	ja.System = withFormat("あなたは会計係です。", magi.Casper)
	if got := Answer(3, ja); !strings.Contains(got, "この評議会での私の務め：「あなたは会計係です。」") {
		t.Errorf("Japanese:\n%s", got)
	}

	before := []magi.SageAnswer{
		{Agent: magi.AgentInfo{ID: magi.Melchior, Name: "MELCHIOR-1"}, Round: 1, Text: Answer(3, sageReq(magi.Melchior, qEN)), Verdict: magi.Verdict{Decision: magi.Approved}},
		{Agent: magi.AgentInfo{ID: magi.Balthasar, Name: "BALTHASAR-2"}, Round: 1, Text: Answer(3, sageReq(magi.Balthasar, qEN)), Verdict: magi.Verdict{Decision: magi.Rejected}},
		{Agent: magi.AgentInfo{ID: magi.Casper, Name: "CASPER-3"}, Round: 1, Text: Answer(3, sageReq(magi.Casper, qEN)), Verdict: magi.Verdict{Decision: magi.Conditional}},
	}
	debate := magi.Request{Agent: magi.Melchior, Model: Model, System: withFormat(persona, magi.Melchior),
		Prompt: magi.DebatePrompt(qEN, before[0].Agent, 2, before, "Qnonce")}
	if got := Answer(3, debate); !strings.Contains(got, "My brief in this council: “"+persona+"”") || !strings.Contains(got, "Round 2") {
		t.Errorf("a debate answer:\n%s", got)
	}
	judge := magi.Request{Agent: magi.Solomon, Model: Model, System: withFormat("You judge by value for money.", magi.Solomon),
		Prompt: magi.JudgePrompt(qEN, [][]magi.SageAnswer{before}, "Qnonce")}
	if got := Answer(3, judge); !strings.Contains(got, "My brief as this council's judge: “You judge by value for money.”") {
		t.Errorf("SOLOMON's answer:\n%s", got)
	}
}
