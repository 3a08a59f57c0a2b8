package term

import (
	"strconv"
	"strings"

	"github.com/magi-system/magi"
)

// paneSep is what stands between two panes.
const paneSep = " │ "

// paneView holds the sages' texts for the side-by-side panes. Each pane
// shows the tail of its sage's text that fits its height, word-wrapped to
// its width.
type paneView struct {
	ids  []magi.AgentID
	cols int // of one pane
	rows int
	// used is the height the panes have grown to: that of the longest
	// text so far, up to rows. They never shrink.
	used int
	text map[magi.AgentID]*strings.Builder
	// wrapped caches each pane's lines; nil when its text changed.
	wrapped map[magi.AgentID][]string
}

// newPaneView lays ids out side by side in total columns.
func newPaneView(ids []magi.AgentID, total, rows int) *paneView {
	n := max(len(ids), 1)
	cols := (total - (n-1)*width(paneSep)) / n
	p := &paneView{ids: ids, cols: max(cols, 4), rows: rows,
		text: map[magi.AgentID]*strings.Builder{}, wrapped: map[magi.AgentID][]string{}}
	for _, id := range ids {
		p.text[id] = &strings.Builder{}
	}
	return p
}

// add appends a chunk to id's pane; false when id has no pane.
func (p *paneView) add(id magi.AgentID, chunk string) bool {
	b := p.text[id]
	if b == nil {
		return false
	}
	b.WriteString(chunk)
	delete(p.wrapped, id)
	return true
}

// tail returns the last rows lines of id's wrapped text.
func (p *paneView) tail(id magi.AgentID) []string {
	lines, ok := p.wrapped[id]
	if !ok {
		done, _ := cutIncomplete(p.text[id].String())
		lines = wrapText(strings.TrimLeft(sanitize(done), "\n"), p.cols)
		p.wrapped[id] = lines
	}
	p.used = min(max(p.used, len(lines)), p.rows)
	if len(lines) > p.rows {
		lines = lines[len(lines)-p.rows:]
	}
	return lines
}

// paneLines draws the panes: a title row, a rule, and the text rows.
func (r *Renderer) paneLines() []string {
	p := r.panes
	sep := r.sty.paint(paneSep, sgrDim)
	titles := make([]string, len(p.ids))
	rules := make([]string, len(p.ids))
	cells := make([][]string, len(p.ids))
	for i, id := range p.ids {
		titles[i] = r.sty.paint(fit(r.paneTitle(id), p.cols), sgrBold, agentColor(id))
		rules[i] = r.sty.paint(strings.Repeat("─", p.cols), agentColor(id))
		cells[i] = p.tail(id)
	}
	out := []string{strings.Join(titles, sep), strings.Join(rules, sep)}
	for row := range max(p.used, 1) {
		line := make([]string, len(p.ids))
		for i := range p.ids {
			line[i] = pad("", p.cols)
			if row < len(cells[i]) {
				line[i] = fit(cells[i][row], p.cols)
			}
		}
		out = append(out, strings.TrimRight(strings.Join(line, sep), " "))
	}
	return out
}

// paneTitle is a pane's heading: the sage's name, its model, and its
// verdict once it has one.
func (r *Renderer) paneTitle(id magi.AgentID) string {
	t := r.name(id)
	if r.round > 1 {
		t += " · R" + strconv.Itoa(r.round)
	}
	if a := r.agent(id); a.verdict != nil {
		t += " · "
		if was := a.verdict.ChangedFrom; was != "" {
			t += kanji(was) + " → "
		}
		t += kanji(a.verdict.Decision) + " " + string(a.verdict.Decision)
	}
	for _, a := range r.infos {
		if a.ID == id && a.Model != "" {
			t += " · " + a.Model
		}
	}
	return t
}
