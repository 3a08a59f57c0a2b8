package term

import (
	"strings"

	"github.com/magi-system/magi"
)

// lineView cuts each agent's streamed text into whole lines: a line is
// printed when its newline arrives, or as soon as it is longer than the
// space a line has, so agents interleave line by line.
type lineView struct {
	cols  int
	bufs  map[magi.AgentID]string
	blank map[magi.AgentID]bool
}

func newLineView(cols int) *lineView {
	return &lineView{cols: max(cols, 10), bufs: map[magi.AgentID]string{}, blank: map[magi.AgentID]bool{}}
}

// add appends a chunk of id's text and returns the lines it completed.
func (v *lineView) add(id magi.AgentID, chunk string) []string {
	buf := v.bufs[id] + chunk
	var out []string
	for {
		i := strings.IndexByte(buf, '\n')
		if i < 0 {
			break
		}
		out = append(out, v.emit(id, wrap(sanitize(buf[:i]), v.cols))...)
		buf = buf[i+1:]
	}
	done, rest := cutIncomplete(buf)
	if text := sanitize(done); width(text) > v.cols {
		ls := wrap(text, v.cols)
		out = append(out, v.emit(id, ls[:len(ls)-1])...)
		done = ls[len(ls)-1]
		if done != "" && strings.HasSuffix(text, " ") {
			done += " " // the space before the next chunk's word
		}
	}
	v.bufs[id] = done + rest
	return out
}

// flush returns what is left of id's text as lines and empties its buffer.
func (v *lineView) flush(id magi.AgentID) []string {
	buf := v.bufs[id]
	delete(v.bufs, id)
	if strings.TrimSpace(buf) == "" {
		return nil
	}
	return v.emit(id, wrap(sanitize(buf), v.cols))
}

// emit drops blank lines that follow another blank line of the same agent.
func (v *lineView) emit(id magi.AgentID, lines []string) []string {
	out := lines[:0:0]
	for _, l := range lines {
		isBlank := strings.TrimSpace(l) == ""
		if isBlank && v.blank[id] {
			continue
		}
		v.blank[id] = isBlank
		out = append(out, l)
	}
	return out
}

// span is a piece of a line with its colour.
type span struct {
	text  string
	codes []string
}

// render paints spans, cut to at most cols display columns.
func (st style) render(spans []span, cols int) string {
	var b strings.Builder
	used := 0
	for _, s := range spans {
		t := s.text
		if w := width(t); used+w > cols {
			t, _ = cutWidth(t, cols-used)
			if width(t) > cols-used {
				break
			}
		}
		b.WriteString(st.paint(t, s.codes...))
		used += width(t)
	}
	return b.String()
}

// statusSpans says who is still thinking, the verdicts that landed, and
// the elapsed time.
func (r *Renderer) statusSpans() []span {
	var out []span
	frame := spinner[r.frame%len(spinner)]
	for _, id := range r.sages() {
		a := r.agent(id)
		if r.tally != nil {
			break // the verdicts are on screen; the tally says the rest
		}
		switch {
		case a.verdict != nil:
			d := a.verdict.Decision
			out = append(out, span{r.name(id) + " ", []string{agentColor(id)}})
			if was := a.verdict.ChangedFrom; was != "" {
				out = append(out, span{kanji(was) + "→", []string{decisionColor(was)}})
			}
			out = append(out, span{kanji(d) + " " + string(d), []string{sgrBold, decisionColor(d)}})
		case a.failed:
			out = append(out, span{r.name(id) + " failed", []string{sgrGrey}})
		default:
			out = append(out, span{frame + " " + r.name(id), []string{agentColor(id)}})
		}
		out = append(out, span{"  ", nil})
	}
	if t := r.tally; t != nil {
		out = append(out, r.tallySpans(*t)...)
	}
	if r.judging() {
		out = append(out, span{frame + " " + r.name(magi.Solomon) + " judging…", []string{agentColor(magi.Solomon)}},
			span{"  ", nil})
	}
	elapsed := r.now().Sub(r.started).Milliseconds()
	return append(out, span{seconds(elapsed), []string{sgrDim}})
}

// judging reports whether SOLOMON is at work: the votes are tallied, or
// it has been heard from, and its verdict has not come.
func (r *Renderer) judging() bool {
	s := r.agent(magi.Solomon)
	return s.verdict == nil && (s.active || r.tally != nil)
}

// labelled prefixes a line of id's text with its name, e.g.
// "MELCHIOR-1  │ text".
func (r *Renderer) labelled(id magi.AgentID, text string) string {
	bar := r.sty.paint("│", sgrDim)
	return r.sty.paint(pad(r.name(id), r.labelW), agentColor(id)) + " " + bar + " " + text
}

// printText prints lines of id's text, labelled.
func (r *Renderer) printText(id magi.AgentID, lines []string) {
	if len(lines) == 0 {
		return
	}
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = r.labelled(id, l)
	}
	r.scr.println(out...)
}
