package sim

import (
	"fmt"

	"github.com/magi-system/magi"
)

// lean is how a persona tends to vote: its chances of approving and of
// approving with conditions; the rest is rejection.
type lean struct{ approve, conditional float64 }

var leans = map[magi.AgentID]lean{
	magi.Melchior:  {0.40, 0.35},
	magi.Balthasar: {0.25, 0.40},
	magi.Casper:    {0.35, 0.30},
}

// sage writes a sage's answer: the label, three paragraphs in its
// persona's voice and the verdict.
func (w *writer) sage(id magi.AgentID) string {
	v := lines(id)
	l, ok := leans[id]
	if !ok {
		l = leans[magi.Melchior]
	}
	d := magi.Rejected
	switch x := w.rng.Float64(); {
	case x < l.approve:
		d = magi.Approved
	case x < l.approve+l.conditional:
		d = magi.Conditional
	}
	w.label()
	w.brief(false)
	if w.prior != nil {
		w.paragraph(w.following())
	}
	w.paragraph(append([]string{fmt.Sprintf(inLang(w.ja, v.intro), w.quote())}, w.pick(inLang(w.ja, v.lens), 2, 0)...)...)
	w.paragraph(w.pick(inLang(w.ja, v.analysis), 3, 1)...)
	verdict := verdictJSON{Decision: d, Confidence: w.confidence(0.55, 0.95), Conditions: []string{}}
	closing := inLang(w.ja, closings[d])
	w.paragraph(fmt.Sprintf(closing[0], w.key(0)), closing[1])
	if d == magi.Conditional {
		verdict.Conditions = w.pick(inLang(w.ja, v.conditions), 1+w.rng.IntN(2), 0)
	}
	verdict.Summary = fmt.Sprintf(inLang(w.ja, summaries[d]), w.key(0))
	return w.fence(verdict)
}

// inLang chooses the Japanese or the English half of a pair.
func inLang[T any](ja bool, p [2]T) T {
	if ja {
		return p[1]
	}
	return p[0]
}

// voice is a persona's phrases, each as [English, Japanese].
type voice struct {
	intro                      [2]string
	lens, analysis, conditions [2][]string
}

// lines returns the voice of a sage; an unknown agent speaks as MELCHIOR.
func lines(id magi.AgentID) voice {
	switch id {
	case magi.Balthasar:
		return balthasar
	case magi.Casper:
		return casper
	}
	return melchior
}

var closings = map[magi.Decision][2][]string{
	magi.Approved: {
		{"On balance the case holds: the benefits of %s outweigh the risks I can see.", "Nothing I found is a reason to wait, so I vote to approve."},
		{"総合すると、%sについての利点は、私に見えるリスクを上回っています。", "待つべき理由は見当たらないため、承認に投票します。"},
	},
	magi.Rejected: {
		{"On balance the case does not hold: the risks of %s are larger than the benefits that can be shown today.", "I vote to reject, and would look again with better grounds."},
		{"総合すると、%sについてのリスクは、現時点で示せる利点よりも大きいと判断します。", "否決に投票しますが、より確かな根拠があれば再検討します。"},
	},
	magi.Conditional: {
		{"The idea behind %s is sound, but I can support it only with safeguards in place.", "I vote to approve on the conditions below."},
		{"%sの考え方自体は妥当ですが、歯止めがある場合に限って支持できます。", "以下の条件付きで承認に投票します。"},
	},
}

var summaries = map[magi.Decision][2]string{
	magi.Approved:    {"The case for %s holds; go ahead.", "%sについては根拠が十分であり、進めるべきです。"},
	magi.Rejected:    {"The risks of %s outweigh what can be shown today; do not proceed.", "%sのリスクが現時点の利点を上回るため、進めるべきではありません。"},
	magi.Conditional: {"Proceed with %s only if the conditions hold.", "条件が満たされる場合に限り、%sを進めるべきです。"},
}
