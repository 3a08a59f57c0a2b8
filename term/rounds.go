package term

import (
	"fmt"

	"github.com/magi-system/magi"
)

// onRound ends the round before — its panes stay on screen with the
// verdicts under them — prints the boundary and the reason, and starts the
// sages afresh.
func (r *Renderer) onRound(e magi.Event) {
	r.freeze()
	r.flushAll()
	r.round = e.InRound()
	for _, id := range r.sages() {
		a := r.agent(id)
		a.verdict, a.shown, a.active, a.failed = nil, false, false, false
	}
	title := fmt.Sprintf("── ROUND %d ", r.round)
	if r.maxRounds > 0 {
		title = fmt.Sprintf("── ROUND %d of %d ", r.round, r.maxRounds)
	}
	out := []string{""}
	for i, l := range wrap(title+"── "+sanitize(e.Reason), r.cols) {
		if i == 0 {
			out = append(out, r.sty.paint(l, sgrBold, sgrAmber))
			continue
		}
		out = append(out, r.sty.paint(l, sgrAmber))
	}
	r.scr.println(append(out, "")...)
	if r.mode == Panes {
		r.panes = newPaneView(r.sages(), r.cols, r.rows)
	}
	r.refresh(true)
}

// onTally shows the final round's count the moment it is in and, when the
// rule decides without SOLOMON, the decision, marked as awaiting SOLOMON's
// judgement; the status line keeps it until the banner.
func (r *Renderer) onTally(e magi.Event) {
	if e.Tally == nil {
		return
	}
	t := *e.Tally
	r.tally = &t
	r.freeze()
	v := t.Votes
	count := fmt.Sprintf("%d approved · %d conditional · %d rejected · %d abstained", v.Approved, v.Conditional, v.Rejected, v.Abstained)
	head := r.sty.paint("TALLY", sgrBold) + "  "
	var text string
	if t.Decision != "" {
		text = count + " → " + kanji(t.Decision) + " " + string(t.Decision) + ", awaiting SOLOMON's judgement"
	} else {
		text = count + " → the rule awaits SOLOMON's decision"
	}
	r.scr.println(r.hang(head, 7, text, 7, r.cols)...)
	r.refresh(true)
}

// roundsText says how many rounds ran, of how many the deliberation could.
func (r *Renderer) roundsText(ran int) string {
	ran = max(ran, r.round)
	switch {
	case r.maxRounds > ran:
		return fmt.Sprintf("%d of up to %d (the sages agreed)", ran, r.maxRounds)
	case r.maxRounds > 0:
		return fmt.Sprintf("%d of %d", ran, r.maxRounds)
	}
	return fmt.Sprint(ran)
}

// calls counts the model calls that finished, every round's.
func (r *Renderer) calls() int {
	n := 0
	for _, a := range r.agents {
		n += a.calls
	}
	return n
}

// tallySpans are the status line's account of the tally: the decision,
// marked as awaiting SOLOMON's judgement, or that the rule awaits SOLOMON.
func (r *Renderer) tallySpans(t magi.Tally) []span {
	v := t.Votes
	count := span{fmt.Sprintf("%d for · %d against  ", v.Approved+v.Conditional, v.Rejected), []string{sgrDim}}
	if t.Decision == "" {
		return []span{{"決議 ", []string{sgrBold}}, {"awaiting SOLOMON  ", []string{sgrBold}}, count}
	}
	return []span{{"決議 ", []string{sgrBold}}, {kanji(t.Decision) + " " + string(t.Decision), []string{sgrBold, decisionColor(t.Decision)}},
		{" (awaiting SOLOMON's judgement)  ", []string{sgrDim}}, count}
}
