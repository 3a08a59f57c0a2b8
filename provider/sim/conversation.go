package sim

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/magi-system/magi"
)

// prior is the turn a follow-up follows, as its prompt quotes it: the
// latest turn of magi.ConversationContext.
type prior struct {
	n          int
	question   string
	decision   magi.Decision
	conditions []string
}

// readFollowUp reads a follow-up's prompt (magi.FollowUpPrompt) as a model
// would: the latest earlier turn it quotes, and the prompt after the
// context. For any other prompt it returns nil and the prompt unchanged.
// A plain prompt starts with its question, which may hold anything, so
// only a prompt that starts otherwise is searched for quoted turns.
func readFollowUp(prompt string) (*prior, string) {
	if strings.HasPrefix(prompt, "The question put to ") {
		return nil, prompt
	}
	var last *prior
	rest := prompt
	for {
		i := strings.Index(rest, "<<<TURN n=")
		if i < 0 || (last != nil && i != 0) {
			break
		}
		end := strings.Index(rest[i:], "\n<<<END ")
		if end < 0 {
			break
		}
		block := rest[i : i+end]
		close := strings.Index(rest[i+end+1:], ">>>\n")
		if close < 0 {
			break
		}
		last = readTurn(block)
		rest = rest[i+end+1+close+len(">>>\n"):]
	}
	if last == nil {
		return nil, prompt
	}
	return last, strings.TrimPrefix(rest, "\n")
}

// readTurn reads one quoted turn: its number, question, decision and
// conditions.
func readTurn(block string) *prior {
	p := &prior{}
	head, body, _ := strings.Cut(block, "\n")
	if f := strings.Fields(strings.TrimPrefix(head, "<<<TURN n=")); len(f) > 0 {
		p.n, _ = strconv.Atoi(f[0])
	}
	inConds := false
	for _, line := range strings.Split(body, "\n") {
		switch {
		case strings.HasPrefix(line, "Question: "):
			p.question = strings.TrimPrefix(line, "Question: ")
		case strings.HasPrefix(line, "Decision: "):
			word, _, _ := strings.Cut(strings.TrimPrefix(line, "Decision: "), " ")
			p.decision = magi.Decision(word)
		case line == "Conditions:":
			inConds = true
		case inConds && strings.HasPrefix(line, "- ") && !strings.HasSuffix(line, "more left out)"):
			p.conditions = append(p.conditions, strings.TrimPrefix(line, "- "))
		default:
			inConds = false
		}
	}
	return p
}

// following is the sentence of a sage's first answer to a follow-up that
// takes up the earlier decision.
func (w *writer) following() string {
	conds := ""
	if len(w.prior.conditions) > 0 {
		cs := w.prior.conditions[:min(2, len(w.prior.conditions))]
		conds = phrase(w.ja, ", on condition that ", "、条件：") + strings.Join(cs, phrase(w.ja, " and ", "、"))
	}
	return fmt.Sprintf(phrase(w.ja,
		"Following our earlier decision on %s (%s%s), I take up this follow-up question in its light.",
		"先の%sについての決議（%s%s）を踏まえて、この追加の質問を検討します。"),
		w.quoteOf(w.prior.question), w.decisionWord(w.prior.decision), conds)
}

// recall is the sentence of a sage's answer in a round of debate of a
// follow-up that keeps the earlier decision in view.
func (w *writer) recall() string {
	return fmt.Sprintf(phrase(w.ja, "Our earlier decision on %s (%s) still frames this question.",
		"先の%sについての決議（%s）は、この質問でも前提です。"), w.quoteOf(w.prior.question), w.decisionWord(w.prior.decision))
}

// judgedAfter is SOLOMON's sentence on the earlier decision a follow-up
// continues.
func (w *writer) judgedAfter() string {
	return fmt.Sprintf(phrase(w.ja,
		"This question follows the council's earlier decision on %s, which was %s; I judge the answers as its continuation.",
		"この質問は、%sについての評議会の先の決議（%s）に続くものです。その続きとして回答を評価します。"),
		w.quoteOf(w.prior.question), w.decisionWord(w.prior.decision))
}

// afterSummary prefixes SOLOMON's summary of a follow-up with the earlier
// decision it follows.
func (w *writer) afterSummary(summary string) string {
	if w.ja {
		return fmt.Sprintf("先の決議（%s）を踏まえ、%s", w.decisionWord(w.prior.decision), summary)
	}
	if summary != "" {
		summary = strings.ToLower(summary[:1]) + summary[1:]
	}
	return fmt.Sprintf("Following our earlier decision (%s), %s", w.prior.decision, summary)
}
