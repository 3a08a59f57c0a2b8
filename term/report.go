package term

import (
	"fmt"
	"slices"
	"strings"

	"github.com/magi-system/magi"
)

// bannerWidth is the widest the decision banner gets.
const bannerWidth = 80

// keyWidth is the width of a banner row's key column.
const keyWidth = 14

// printHeader prints the question, the rule, the council and, when no
// model is called, the simulation banner.
func (r *Renderer) printHeader(e magi.Event) {
	meta := []string{}
	if e.Rule != "" {
		meta = append(meta, "rule "+string(e.Rule))
	}
	if c := e.Council; c != nil && c.Name != magi.DefaultCouncil {
		meta = append(meta, "council "+c.Name)
	}
	if e.MaxRounds > 1 {
		meta = append(meta, fmt.Sprintf("up to %d rounds", e.MaxRounds))
	}
	if e.DeliberationID != "" {
		meta = append(meta, "deliberation "+e.DeliberationID)
	}
	if e.Turn > 1 {
		meta = append(meta, fmt.Sprintf("turn %d of a conversation", e.Turn))
	}
	out := []string{r.sty.paint("MAGI", sgrBold) + "  " + r.sty.paint(strings.Join(meta, " · "), sgrDim)}
	if e.ParentID != "" {
		out = append(out, r.hang(r.sty.paint("↳ ", sgrDim), 2, r.followed(e.ParentID), 2, r.cols)...)
	}
	if q := strings.TrimSpace(sanitize(e.Question)); q != "" {
		out = append(out, r.hang(r.sty.paint("Q ", sgrBold), 2, q, 2, r.cols)...)
	}
	if r.simulated {
		for _, l := range wrap(simulatedBanner, r.cols) {
			out = append(out, r.sty.paint(l, sgrBold, sgrAmber))
		}
	}
	var council []string
	for _, a := range e.Agents {
		c := r.name(a.ID)
		if a.Provider != "" || a.Model != "" {
			c += " " + strings.Trim(a.Provider+"/"+a.Model, "/")
		}
		council = append(council, c)
	}
	if len(council) > 0 {
		for _, l := range wrap(strings.Join(council, " · "), r.cols) {
			out = append(out, r.sty.paint(l, sgrDim))
		}
	}
	r.scr.println(append(out, "")...)
}

// followed says what a follow-up follows: the earlier question and its
// decision when the renderer was told them, else the deliberation's id.
func (r *Renderer) followed(parent string) string {
	f := r.follows
	if f == nil || f.ID != parent {
		return "follows deliberation " + parent
	}
	s := "follows “" + strings.Join(strings.Fields(sanitize(f.Question)), " ") + "”"
	if f.Decision != "" {
		s += " — " + kanji(f.Decision) + " " + string(f.Decision)
	}
	return s
}

// printVerdict prints an agent's verdict in the MAGI style, e.g.
// "MELCHIOR-1  承認 APPROVED  (confidence 82%)", with its summary and
// conditions, and SOLOMON's scores.
func (r *Renderer) printVerdict(id magi.AgentID) {
	a := r.agent(id)
	v := a.verdict
	a.shown = true
	name := r.name(id)
	label := kanji(v.Decision) + " " + string(v.Decision)
	head := r.sty.paint(name, sgrBold, agentColor(id)) + "  " + r.sty.decisionLabel(v.Decision)
	if was := v.ChangedFrom; was != "" {
		// A changed vote is shown as the change: 否決 REJECTED → 条件付 CONDITIONAL.
		label = kanji(was) + " " + string(was) + " → " + label
		head = r.sty.paint(name, sgrBold, agentColor(id)) + "  " + r.sty.decisionLabel(was) + " → " + r.sty.decisionLabel(v.Decision)
	}
	headW := width(name) + 2 + width(label)
	var out []string
	failure := a.err
	a.err = nil
	if v.Decision == magi.Abstained {
		reason := strings.TrimSpace(sanitize(v.Reason))
		if failure != nil && reason == strings.TrimSpace(sanitize(failure.Message)) {
			if failure.Code != "" { // the error is its reason: said once
				code := " [" + failure.Code + "]"
				head += r.sty.paint(code, sgrAmber)
				headW += width(code)
			}
			failure = nil
		}
		if reason == "" {
			reason = "no reason given"
		}
		out = r.hang(head+" — ", headW+3, reason, 4, r.cols)
	} else {
		conf := "(confidence " + percent(v.Confidence) + ")"
		out = []string{head + "  " + r.sty.paint(conf, sgrDim)}
		if headW+2+width(conf) > r.cols {
			out = []string{head, "    " + r.sty.paint(conf, sgrDim)}
		}
	}
	if s := strings.TrimSpace(sanitize(v.Summary)); s != "" {
		out = append(out, r.hang("    ", 4, s, 4, r.cols)...)
	}
	for _, c := range v.Conditions {
		out = append(out, r.hang("    • ", 6, sanitize(c), 6, r.cols)...)
	}
	if len(v.Scores) > 0 {
		out = append(out, r.hang("    scores  ", 12, r.scoreText(v.Scores), 12, r.cols)...)
		r.scoresShown = true
	}
	r.scr.println(out...)
	if failure != nil {
		r.printError(*failure)
	}
}

// scoreText lists SOLOMON's marks, sages first in display order.
func (r *Renderer) scoreText(scores map[magi.AgentID]int) string {
	ids := r.sages()
	for id := range scores {
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	slices.SortStableFunc(ids[len(r.sages()):], func(a, b magi.AgentID) int { return strings.Compare(string(a), string(b)) })
	var parts []string
	for _, id := range ids {
		if s, ok := scores[id]; ok {
			parts = append(parts, fmt.Sprintf("%s %d", r.name(id), s))
		}
	}
	return strings.Join(parts, " · ")
}

// printBanner prints the council's decision, how it was reached, what it
// cost and how long it took.
func (r *Renderer) printBanner(e magi.Event) {
	o := e.Outcome
	if o == nil {
		o = &magi.Outcome{}
	}
	bw := min(r.cols, bannerWidth)
	rule := r.sty.paint(strings.Repeat("═", bw), sgrBold)
	title := "  MAGI DECISION  "
	if r.simulated {
		title = "  MAGI DECISION (SIMULATED)  "
	}
	out := []string{"", rule, r.sty.paint(title, sgrBold) + r.sty.decisionLabel(o.Decision), rule}
	row := func(key, val string) {
		out = append(out, r.hang("  "+pad(key, keyWidth-2), keyWidth, val, keyWidth, bw)...)
	}
	if o.Rule != "" {
		row("rule", string(o.Rule))
	}
	if e.Rounds > 1 || r.maxRounds > 1 {
		row("rounds", r.roundsText(e.Rounds))
	}
	v := o.Votes
	row("votes", fmt.Sprintf("%d approved · %d conditional · %d rejected · %d abstained",
		v.Approved, v.Conditional, v.Rejected, v.Abstained))
	row("confidence", percent(o.Confidence))
	if s := strings.TrimSpace(sanitize(o.Summary)); s != "" {
		row("summary", s)
	}
	for i, c := range o.Conditions {
		row(firstOnly(i, "conditions"), "• "+sanitize(c))
	}
	switch {
	case o.Note != "":
		row("note", o.Note) // it says so when SOLOMON broke a tie
	case o.TieBreak:
		row("tie-break", "SOLOMON's decision broke the tie")
	}
	if len(e.Scores) > 0 && !r.scoresShown {
		row("scores", r.scoreText(e.Scores))
	}
	if calls := r.calls(); e.Rounds > 1 {
		row("calls", fmt.Sprintf("%d: each round of debate asks the three sages again", calls))
	}
	for i, u := range r.usageLines(e.Usage) {
		row(firstOnly(i, "usage"), u)
	}
	ms := e.DurationMS
	if ms == 0 {
		ms = r.now().Sub(r.started).Milliseconds()
	}
	row("duration", seconds(ms))
	if r.simulated {
		row("simulated", "no model was called")
	}
	r.scr.println(append(out, rule)...)
}

// usageLines are the tokens and cost of each agent, then the total.
func (r *Renderer) usageLines(total *magi.Usage) []string {
	var out []string
	var sum *magi.Usage
	for _, id := range append(r.sages(), magi.Solomon) {
		u := r.agent(id).usage
		if u == nil {
			continue
		}
		line := fmt.Sprintf("%s  %s  %s", pad(r.name(id), r.labelW), tokens(*u), cost(u.CostUSD))
		if ms := r.agent(id).firstMS; ms > 0 {
			line += "  first token " + seconds(ms)
		}
		out = append(out, line)
		s := *u
		if sum != nil {
			s = sum.Add(*u)
		}
		sum = &s
	}
	if total != nil {
		sum = total
	}
	if sum == nil {
		return append(out, "unknown")
	}
	return append(out, fmt.Sprintf("total  %s  %s", tokens(*sum), cost(sum.CostUSD)))
}

// firstOnly is key for the first of a banner's rows, blank for the rest.
func firstOnly(i int, key string) string {
	if i == 0 {
		return key
	}
	return ""
}

// tokens shows a usage's token counts.
func tokens(u magi.Usage) string {
	return fmt.Sprintf("%s in / %s out", count(u.InputTokens), count(u.OutputTokens))
}

// printFatal prints the error that ended the deliberation, in red.
func (r *Renderer) printFatal(e magi.Event) {
	msg := "✖ MAGI ERROR"
	if e.Code != "" {
		msg += " [" + e.Code + "]"
	}
	if e.Agent != "" {
		msg += " " + r.name(e.Agent)
	}
	msg += ": " + sanitize(e.Message)
	out := []string{""}
	for _, l := range wrap(msg, r.cols) {
		out = append(out, r.sty.paint(l, sgrBold, sgrRed))
	}
	out = append(out, r.sty.paint("deliberation "+string(magi.StatusOf(e)), sgrRed))
	r.scr.println(out...)
}

// hang lays text out after a prefix of prefixW columns, its further lines
// indented by indent columns, all within cols.
func (r *Renderer) hang(prefix string, prefixW int, text string, indent, cols int) []string {
	ls := wrapText(text, max(cols-max(prefixW, indent), 10))
	out := []string{prefix + ls[0]}
	for _, l := range ls[1:] {
		out = append(out, strings.Repeat(" ", indent)+l)
	}
	return out
}
