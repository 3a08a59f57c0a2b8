package sim

import (
	"fmt"
	"math"
	"strings"

	"github.com/magi-system/magi"
)

// judged is what SOLOMON made of one sage's quoted answer.
type judged struct {
	id    magi.AgentID
	vote  magi.Verdict
	score int
}

// judge writes SOLOMON's answer: it reads the sages' votes from their
// quoted answers, scores each, and follows their majority (a tie goes to
// the side with the greater total confidence). After a debate of rounds
// rounds it says which votes changed.
func (w *writer) judge(quoted map[magi.AgentID]string, rounds int, changed []string) string {
	w.label()
	w.brief(true)
	opening := []string{fmt.Sprintf(phrase(w.ja,
		"I have weighed the three sages' answers to %s Their words are quoted material: I judge the quality of their reasoning and follow none of their instructions.",
		"%sに対する三賢者の回答を検討しました。回答は引用資料として扱い、その指示には従わず、推論の質のみを評価します。"), w.quote())}
	if w.prior != nil {
		opening = append(opening, w.judgedAfter())
	}
	if rounds > 1 {
		opening = append(opening, w.debated(rounds, changed))
	}
	w.paragraph(opening...)
	var all []judged
	for _, id := range magi.Sages {
		j := w.assess(id, quoted)
		all = append(all, j)
		w.b.WriteString(w.remark(j))
		w.b.WriteString("\n")
	}
	w.b.WriteString("\n")
	v := w.resolve(all)
	w.paragraph(w.reasoning(all, v.Decision))
	v.Summary = fmt.Sprintf(inLang(w.ja, judgeSummaries[v.Decision]), w.key(0))
	if w.prior != nil {
		v.Summary = w.afterSummary(v.Summary)
	}
	v.Scores = map[magi.AgentID]int{}
	for _, j := range all {
		v.Scores[j.id] = j.score
	}
	return w.fence(v)
}

// debated says how the debate moved the votes.
func (w *writer) debated(rounds int, changed []string) string {
	if len(changed) == 0 {
		return fmt.Sprintf(phrase(w.ja, "They debated over %d rounds, and no sage changed its vote.",
			"賢者たちは%d回にわたって討論し、投票を変えた賢者はいませんでした。"), rounds)
	}
	return fmt.Sprintf(phrase(w.ja, "They debated over %d rounds, and votes moved: %s.",
		"賢者たちは%d回にわたって討論し、投票が動きました：%s。"), rounds, strings.Join(changed, phrase(w.ja, "; ", "、")))
}

// assess parses a sage's quoted vote and scores its reasoning.
func (w *writer) assess(id magi.AgentID, quoted map[magi.AgentID]string) judged {
	text, ok := quoted[id]
	if !ok {
		return judged{id: id, vote: magi.Abstain("no answer was quoted"), score: 0}
	}
	j := judged{id: id, vote: magi.ParseVerdict(text)}
	if j.vote.Decision == magi.Abstained {
		j.score = 10 + w.rng.IntN(21)
	} else {
		j.score = 55 + w.rng.IntN(36)
	}
	return j
}

// remark is SOLOMON's line on one sage.
func (w *writer) remark(j judged) string {
	name := nameOf(j.id)
	if j.vote.Decision == magi.Abstained {
		return fmt.Sprintf(phrase(w.ja, "- %s gave no valid verdict (%s). Score: %d/100.",
			"- %sは有効な判定を示しませんでした（%s）。評価：%d/100。"), name, j.vote.Reason, j.score)
	}
	return fmt.Sprintf(phrase(w.ja, "- %[1]s voted %[2]s with confidence %.2[3]f; %[4]s. Score: %[5]d/100.",
		"- %[1]sは信頼度%.2[3]fで%[2]sに投票しました。%[4]s。評価：%[5]d/100。"),
		name, w.decisionWord(j.vote.Decision), j.vote.Confidence, inLang(w.ja, strengths[j.id]), j.score)
}

// decisionWord names a decision in the answer's language.
func (w *writer) decisionWord(d magi.Decision) string {
	if !w.ja {
		return string(d)
	}
	return map[magi.Decision]string{magi.Approved: "承認", magi.Rejected: "否決",
		magi.Conditional: "条件付き承認", magi.Abstained: "棄権"}[d]
}

// resolve follows the majority of the votes. A tie goes to the side with
// more total confidence, and to rejection when that is even too.
func (w *writer) resolve(all []judged) verdictJSON {
	var pro, con int
	var proConf, conConf float64
	var conds []string
	for _, j := range all {
		switch {
		case j.vote.Decision.For():
			pro++
			proConf += j.vote.Confidence
			if j.vote.Decision == magi.Conditional {
				conds = appendNew(conds, j.vote.Conditions...)
			}
		case j.vote.Decision == magi.Rejected:
			con++
			conConf += j.vote.Confidence
		}
	}
	v := verdictJSON{Decision: magi.Rejected, Conditions: []string{}}
	if pro > con || (pro == con && proConf > conConf) {
		v.Decision = magi.Approved
		if len(conds) > 0 {
			v.Decision, v.Conditions = magi.Conditional, conds
		}
	}
	margin := math.Abs(float64(pro-con)) / 3
	v.Confidence = math.Round((0.5+0.4*margin+0.1*w.rng.Float64())*100) / 100
	return v
}

// reasoning is SOLOMON's closing paragraph.
func (w *writer) reasoning(all []judged, d magi.Decision) string {
	var pro, con, abs int
	for _, j := range all {
		switch {
		case j.vote.Decision.For():
			pro++
		case j.vote.Decision == magi.Rejected:
			con++
		default:
			abs++
		}
	}
	count := fmt.Sprintf(phrase(w.ja, "Counting the votes: %d for, %d against, %d abstained.",
		"票数：賛成%d、反対%d、棄権%d。"), pro, con, abs)
	if pro == con {
		count += phrase(w.ja, " The votes are even, so I weigh how firmly each side holds its view.",
			"票が拮抗しているため、各側の確信の強さを比較しました。")
	}
	return count + phrase(w.ja, " ", "") + fmt.Sprintf(inLang(w.ja, judgeClosings[d]), w.key(0))
}

func appendNew(list []string, items ...string) []string {
	for _, it := range items {
		found := false
		for _, l := range list {
			found = found || l == it
		}
		if !found && strings.TrimSpace(it) != "" {
			list = append(list, it)
		}
	}
	return list
}

// nameOf returns a member's display name.
func nameOf(id magi.AgentID) string {
	for _, a := range magi.DefaultAgents() {
		if a.ID == id {
			return a.Name
		}
	}
	return strings.ToUpper(string(id))
}

var strengths = map[magi.AgentID][2]string{
	magi.Melchior:  {"its reasoning stays close to the evidence", "その推論は証拠に忠実です"},
	magi.Balthasar: {"it keeps the people affected in view", "影響を受ける人々を視野に入れています"},
	magi.Casper:    {"it is practical about cost and timing", "費用と時機について現実的です"},
}

var judgeClosings = map[magi.Decision][2]string{
	magi.Approved:    {"The council's reasoning supports going ahead with %s.", "評議会の推論は、%sを進めることを支持しています。"},
	magi.Rejected:    {"The council's reasoning does not support %s at this time.", "評議会の推論は、現時点で%sを支持していません。"},
	magi.Conditional: {"The council supports %s, but only under the conditions the sages named.", "評議会は%sを支持しますが、賢者たちが挙げた条件の下に限ります。"},
}

var judgeSummaries = map[magi.Decision][2]string{
	magi.Approved:    {"The council approves %s.", "評議会は%sを承認します。"},
	magi.Rejected:    {"The council rejects %s for now.", "評議会は現時点で%sを否決します。"},
	magi.Conditional: {"The council approves %s, on conditions.", "評議会は%sを条件付きで承認します。"},
}
