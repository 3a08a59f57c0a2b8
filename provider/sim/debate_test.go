package sim

import (
	"strings"
	"testing"

	"github.com/magi-system/magi"
)

// readme is the question of the README's example.
const readme = "Should we adopt a four-day work week?"

// roundOne answers q as the three sages do in round 1.
func roundOne(seed int64, q string) []magi.SageAnswer {
	var out []magi.SageAnswer
	for _, a := range magi.DefaultAgents()[:3] {
		text := Answer(seed, sageReq(a.ID, q))
		out = append(out, magi.SageAnswer{Agent: a.Info(), Round: 1, Text: text, Verdict: magi.ParseVerdict(text)})
	}
	return out
}

func debateReq(id magi.AgentID, q string, before []magi.SageAnswer, nonce string) magi.Request {
	var self magi.AgentInfo
	for _, a := range before {
		if a.Agent.ID == id {
			self = a.Agent
		}
	}
	return magi.Request{Agent: id, Model: Model, Prompt: magi.DebatePrompt(q, self, 2, before, nonce)}
}

func TestDebate_TheReadmeQuestionSplits(t *testing.T) {
	votes := map[magi.Decision]bool{}
	for _, a := range roundOne(0, readme) {
		votes[a.Verdict.Decision] = true
	}
	if len(votes) < 2 {
		t.Errorf("the README's question gets %v in round 1: it must split, to show a debate", votes)
	}
}

func TestDebate_SagesReactToEachOther(t *testing.T) {
	before := roundOne(0, readme)
	for i, a := range before {
		text := Answer(0, debateReq(a.Agent.ID, readme, before, "Q0123456789abcdef"))
		if !strings.HasPrefix(text, labelEN) || !strings.Contains(text, "Round 2 of the debate") {
			t.Errorf("%s: not a labelled answer of round 2:\n%s", a.Agent.ID, text)
		}
		for j, o := range before {
			if j != i && !strings.Contains(text, o.Agent.Name+" votes "+string(o.Verdict.Decision)+": \""+o.Verdict.Summary+"\"") {
				t.Errorf("%s does not say what %s voted and why:\n%s", a.Agent.ID, o.Agent.Name, text)
			}
		}
		if !strings.Contains(text, "The strongest argument against my vote is ") && !strings.Contains(text, "No sage argues against") {
			t.Errorf("%s answers no counter-argument:\n%s", a.Agent.ID, text)
		}
		v := magi.ParseVerdict(text)
		if v.Decision == magi.Abstained {
			t.Fatalf("%s: no verdict at the end: %s", a.Agent.ID, v.Reason)
		}
		word := "I keep my vote: " + string(v.Decision)
		if v.Decision != a.Verdict.Decision {
			word = "I change my vote from " + string(a.Verdict.Decision) + " to " + string(v.Decision)
		}
		if !strings.Contains(text, word) {
			t.Errorf("%s does not say %q:\n%s", a.Agent.ID, word, text)
		}
	}
}

// The marker is random per prompt; the answer depends only on the question
// and what the prompt quotes.
func TestDebate_DeterministicWhateverTheNonce(t *testing.T) {
	before := roundOne(3, qEN)
	for _, id := range magi.Sages {
		a := Answer(3, debateReq(id, qEN, before, "Qaaaaaaaaaaaaaaaa"))
		b := Answer(3, debateReq(id, qEN, before, "Qbbbbbbbbbbbbbbbb"))
		if a != b {
			t.Errorf("%s answered differently under another nonce", id)
		}
	}
	judge := func(nonce string) string {
		return Answer(3, magi.Request{Agent: magi.Solomon, Prompt: magi.JudgePrompt(qEN, [][]magi.SageAnswer{before}, nonce)})
	}
	if judge("Qaaaaaaaaaaaaaaaa") != judge("Qbbbbbbbbbbbbbbbb") {
		t.Error("SOLOMON answered differently under another nonce")
	}
}

func TestDebate_VotesSometimesChange(t *testing.T) {
	changed, kept := 0, 0
	for _, q := range []string{readme, qEN, "Open a second office in Osaka?", "Raise prices by ten percent?", "Replace the CRM with a spreadsheet?",
		"Sponsor the local marathon?", "Ship the beta to all customers?", "Hire a chief AI officer?", "Move support to a chatbot?",
		"Ban meetings on Fridays?", "Rewrite the backend in Rust?", "Publish our salaries?"} {
		before := roundOne(0, q)
		for _, a := range before {
			v := magi.ParseVerdict(Answer(0, debateReq(a.Agent.ID, q, before, "Q0")))
			if v.Decision == a.Verdict.Decision {
				kept++
			} else {
				changed++
			}
		}
	}
	if changed == 0 || kept == 0 {
		t.Errorf("over 36 answers of round 2, %d changed and %d kept their vote: want both", changed, kept)
	}
}

func TestDebate_InJapanese(t *testing.T) {
	before := roundOne(0, qJA)
	text := Answer(0, debateReq(magi.Casper, qJA, before, "Q0"))
	if !strings.HasPrefix(text, labelJA) || !strings.Contains(text, "討論、第2回") || !strings.Contains(text, "MELCHIOR-1は") {
		t.Errorf("a Japanese debate answer:\n%s", text)
	}
	if magi.ParseVerdict(text).Decision == magi.Abstained {
		t.Error("no verdict")
	}
}

// After a debate SOLOMON says how the votes moved.
func TestSolomon_SaysHowTheVotesMoved(t *testing.T) {
	before := roundOne(0, readme)
	var after []magi.SageAnswer
	for _, a := range before {
		text := Answer(0, debateReq(a.Agent.ID, readme, before, "Q0"))
		v := magi.ParseVerdict(text)
		v.ChangedFrom = magi.Changed(a.Verdict.Decision, v.Decision)
		after = append(after, magi.SageAnswer{Agent: a.Agent, Round: 2, Text: text, Verdict: v})
	}
	text := Answer(0, magi.Request{Agent: magi.Solomon, Prompt: magi.JudgePrompt(readme, [][]magi.SageAnswer{before, after}, "Q1")})
	if !strings.Contains(text, "They debated over 2 rounds") {
		t.Errorf("SOLOMON does not mention the debate:\n%s", text)
	}
	for _, a := range after {
		if from := a.Verdict.ChangedFrom; from != "" && !strings.Contains(text, a.Agent.Name+" "+string(from)+" → "+string(a.Verdict.Decision)) {
			t.Errorf("SOLOMON does not say %s moved from %s:\n%s", a.Agent.Name, from, text)
		}
	}
}
