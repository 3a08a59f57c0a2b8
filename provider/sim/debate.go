package sim

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/magi-system/magi"
)

// debate is what a sage's prompt in a round of debate holds.
type debate struct {
	round int
	own   magi.Verdict
	// others are the other sages' answers of the round before, in
	// council order.
	others []quoted
}

// quoted is another sage's answer as a debate prompt quotes it.
type quoted struct {
	id   magi.AgentID
	text string
	vote magi.Verdict
}

var roundRE = regexp.MustCompile(`this is round (\d+) of their debate`)

// readDebate reads a magi.DebatePrompt as a model would: the round, the
// sage's own answer of the round before and the others'. ok is false for
// any other prompt.
func readDebate(prompt string, self magi.AgentID) (debate, bool) {
	m := roundRE.FindStringSubmatch(prompt)
	answers := QuotedAnswers(prompt)
	own, ok := answers[self]
	if m == nil || !ok {
		return debate{}, false
	}
	d := debate{own: magi.ParseVerdict(own)}
	d.round, _ = strconv.Atoi(m[1])
	for _, id := range magi.Sages {
		if text, ok := answers[id]; ok && id != self {
			d.others = append(d.others, quoted{id: id, text: text, vote: magi.ParseVerdict(text)})
		}
	}
	return d, true
}

// rebut writes a sage's answer in a round of debate: what the others
// said, the strongest argument against its vote and its answer to it, and
// its vote again, kept or changed.
func (w *writer) rebut(id magi.AgentID, d debate) string {
	v := lines(id)
	was := d.own.Decision
	now := w.reconsider(was, d.others)
	w.label()
	w.brief(false)
	intro := fmt.Sprintf(phrase(w.ja, "Round %d of the debate on %s I have read the other sages' answers.",
		"%[2]sについての討論、第%[1]d回です。他の賢者の回答を読みました。"), d.round, w.quote())
	heard := []string{intro}
	if w.prior != nil {
		heard = append(heard, w.recall())
	}
	for _, o := range d.others {
		heard = append(heard, w.heard(o))
	}
	w.paragraph(heard...)
	w.paragraph(w.counter(id, d.others, was, now == was)...)
	closing := []string{w.pick(inLang(w.ja, v.lens), 1, 1)[0]}
	if now == was {
		closing = append(closing, fmt.Sprintf(phrase(w.ja, "I keep my vote: %s.", "私は投票を維持します：%s。"), w.decisionWord(now)))
	} else {
		closing = append(closing, fmt.Sprintf(phrase(w.ja, "I change my vote from %s to %s.", "投票を%sから%sに変更します。"),
			w.decisionWord(was), w.decisionWord(now)))
	}
	w.paragraph(closing...)
	verdict := verdictJSON{Decision: now, Confidence: w.confidence(0.6, 0.95), Conditions: []string{}}
	if now != was {
		verdict.Confidence = w.confidence(0.5, 0.75)
	}
	if now == magi.Conditional {
		verdict.Conditions = w.conditionsFor(id, d)
	}
	verdict.Summary = fmt.Sprintf(inLang(w.ja, summaries[now]), w.key(0))
	return w.fence(verdict)
}

// reconsider is the vote after reading the others: a sage facing two
// votes against its side may cross over, one facing a split may move to
// the middle ground of a conditional approval. The odds are drawn, so the
// same answers always give the same vote.
func (w *writer) reconsider(was magi.Decision, others []quoted) magi.Decision {
	pro, conditional := 0, false
	for _, o := range others {
		if o.vote.Decision.For() {
			pro++
		}
		conditional = conditional || o.vote.Decision == magi.Conditional
	}
	x := w.rng.Float64()
	switch {
	case was == magi.Abstained && pro*2 >= len(others):
		return magi.Conditional
	case was == magi.Abstained:
		return magi.Rejected
	case was == magi.Rejected && pro == len(others) && x < 0.6,
		was == magi.Rejected && pro > 0 && conditional && x < 0.35,
		was == magi.Approved && conditional && x < 0.5,
		was == magi.Approved && pro < len(others) && x < 0.3:
		return magi.Conditional
	case was.For() && pro == 0 && x < 0.5:
		return magi.Rejected
	}
	return was
}

// heard paraphrases another sage's vote by its own summary.
func (w *writer) heard(o quoted) string {
	s := strings.TrimSpace(o.vote.Summary)
	if s == "" {
		return fmt.Sprintf(phrase(w.ja, "%s gave no verdict.", "%sは判定を示しませんでした。"), nameOf(o.id))
	}
	return fmt.Sprintf(phrase(w.ja, "%s votes %s: \"%s\"", "%sは%sに投票しています：「%s」"), nameOf(o.id), w.decisionWord(o.vote.Decision), s)
}

// counter names the strongest argument against the sage's vote, quoting
// the sage that made it, and answers it: a rebuttal when the vote stands,
// a concession when it changes.
func (w *writer) counter(id magi.AgentID, others []quoted, was magi.Decision, keep bool) []string {
	var rival *quoted
	for i, o := range others {
		if o.vote.Decision == was || o.vote.Decision == magi.Abstained {
			continue
		}
		if rival == nil || o.vote.Decision.For() != was.For() {
			rival = &others[i]
		}
	}
	if rival == nil {
		return []string{phrase(w.ja, "No sage argues against my position; I have tested it against my own doubts instead.",
			"私の立場に反対する賢者はいません。代わりに自分自身の疑問に照らして検証しました。")}
	}
	out := []string{fmt.Sprintf(phrase(w.ja, "The strongest argument against my vote is %s's: \"%s\"",
		"私の投票に対する最も強い反論は%sのものです：「%s」"), nameOf(rival.id), w.sentenceOf(rival.text))}
	pool := inLang(w.ja, rebuttals)
	if !keep {
		pool = inLang(w.ja, concessions)
	}
	return append(out, w.pick(pool, 2, 0)...)
}

// sentenceOf is the argument of an answer: the first sentence of its
// closing paragraph, the one before its verdict.
func (w *writer) sentenceOf(text string) string {
	paras := strings.Split(strings.TrimSpace(text), "\n\n")
	para := ""
	for i, p := range paras {
		if strings.HasPrefix(strings.TrimSpace(p), "```") && i > 0 {
			para = paras[i-1]
			break
		}
	}
	sep := ". "
	if w.ja {
		sep = "。"
	}
	s, _, _ := strings.Cut(strings.TrimSpace(para), sep)
	if s = strings.TrimSpace(s); s == "" || strings.HasPrefix(s, "[") {
		return phrase(w.ja, "(no reasoning given)", "（理由の記載なし）")
	}
	r := []rune(strings.TrimSuffix(s, strings.TrimSpace(sep)) + strings.TrimSpace(sep))
	if len(r) > 220 {
		r = append(r[:220], '…')
	}
	return string(r)
}

// conditionsFor are the conditions of a conditional vote in a debate: the
// sage's own of the round before and those the others asked for, or new
// ones in its voice.
func (w *writer) conditionsFor(id magi.AgentID, d debate) []string {
	var conds []string
	if d.own.Decision == magi.Conditional {
		conds = appendNew(conds, d.own.Conditions...)
	}
	for _, o := range d.others {
		if o.vote.Decision == magi.Conditional {
			conds = appendNew(conds, o.vote.Conditions...)
		}
	}
	if len(conds) == 0 {
		conds = w.pick(inLang(w.ja, lines(id).conditions), 1, 0)
	}
	if len(conds) > 3 {
		conds = conds[:3]
	}
	return conds
}

// movesOf reads, from SOLOMON's prompt, how many rounds the sages debated
// and the votes that changed, e.g. "CASPER-3: REJECTED → CONDITIONAL".
func movesOf(prompt string) (rounds int, changed []string) {
	if m := regexp.MustCompile(`debated over (\d+) rounds`).FindStringSubmatch(prompt); m != nil {
		rounds, _ = strconv.Atoi(m[1])
	}
	for _, m := range changedRE.FindAllStringSubmatch(prompt, -1) {
		changed = append(changed, fmt.Sprintf("%s %s → %s", m[1], m[3], m[2]))
	}
	return rounds, changed
}

var changedRE = regexp.MustCompile(`(?m)^Parsed vote of (\S+): (\S+) \(confidence [0-9.]+\), changed from (\S+)$`)

var rebuttals = [2][]string{
	{
		"It is a fair point, but it does not answer the concern about %s that decided my vote.",
		"I have weighed it, and it leaves the central question about %s where it was.",
		"That argument assumes more about %s than anyone has shown.",
		"It would matter if %s were the whole question; it is not.",
	},
	{
		"もっともな指摘ですが、私の投票を決めた%sについての懸念には答えていません。",
		"検討しましたが、%sについての中心的な問いは変わっていません。",
		"その議論は、%sについて示されている以上のことを前提にしています。",
		"%sが問題のすべてであれば重要ですが、そうではありません。",
	},
}

var concessions = [2][]string{
	{
		"I cannot answer it fully: on %s it is stronger than my own reasoning.",
		"It names a risk around %s that I underrated in the round before.",
		"It shows a way to make %s work that I had not considered.",
		"On reflection, my answer on %s leaned on an assumption this argument undoes.",
	},
	{
		"十分には反論できません。%sについては私自身の推論よりも説得力があります。",
		"前の回で私が過小評価していた%sのリスクを指摘しています。",
		"%sを機能させる、私が考えていなかった方法を示しています。",
		"考え直すと、%sについての私の回答は、この議論が崩す前提に頼っていました。",
	},
}
