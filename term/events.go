package term

import (
	"fmt"

	"github.com/magi-system/magi"
)

// begin sets the display up from the start event, or from defaults when
// the stream is joined after its start.
func (r *Renderer) begin(e magi.Event) {
	r.begun = true
	r.started = r.now()
	r.round = e.InRound()
	if e.Type == magi.EventStart {
		r.infos = e.Agents
		r.simulated = e.Simulated
		r.maxRounds = e.MaxRounds
	}
	for _, a := range r.infos {
		if a.Name != "" {
			r.names[a.ID] = a.Name
		}
		r.simulated = r.simulated || a.Provider == "sim"
	}
	for _, id := range append(r.sages(), magi.Solomon) {
		r.labelW = max(r.labelW, width(r.name(id)))
	}
	r.lines = newLineView(r.cols - r.labelW - 3)
	if e.Type == magi.EventStart {
		r.printHeader(e)
	} else if r.simulated {
		r.scr.println(r.sty.paint(simulatedBanner, sgrBold, sgrAmber))
	}
	if r.mode == Panes {
		r.panes = newPaneView(r.sages(), r.cols, r.rows)
	}
	r.refresh(true)
}

func (r *Renderer) onChunk(e magi.Event) {
	r.agent(e.Agent).active = true
	if e.Agent == magi.Solomon {
		r.freeze()
	}
	if r.panes != nil && r.panes.add(e.Agent, e.Content) {
		r.refresh(false)
		return
	}
	r.printText(e.Agent, r.lines.add(e.Agent, e.Content))
}

func (r *Renderer) onTrace(e magi.Event) {
	if e.Agent == "" {
		return
	}
	a := r.agent(e.Agent)
	a.active = true
	if e.Agent == magi.Solomon {
		r.freeze()
	}
	t := e.Trace
	if t == nil {
		return
	}
	switch e.Stage {
	case magi.StageFirstToken:
		a.firstMS = t.LatencyMS
	case magi.StageAgentDone:
		if t.Tokens != nil {
			u := *t.Tokens
			if a.usage != nil {
				u = a.usage.Add(u)
			}
			a.usage = &u
			a.calls++
		}
	case magi.StageRetry:
		msg := fmt.Sprintf("↻ %s retrying (attempt %d) in %s", r.name(e.Agent), t.Attempt, seconds(t.DelayMS))
		if t.Error != "" {
			msg += ": " + sanitize(t.Error)
		}
		r.note(msg, sgrGrey)
	case magi.StageFallback:
		r.note(fmt.Sprintf("↪ %s falling back to %s/%s", r.name(e.Agent), t.Provider, t.Model), sgrGrey)
	}
}

func (r *Renderer) onVerdict(e magi.Event) {
	if e.Verdict == nil {
		return
	}
	a := r.agent(e.Agent)
	v := *e.Verdict
	a.verdict = &v
	if e.Agent == magi.Solomon || r.sagesDone() {
		r.freeze()
	}
	if r.panes != nil {
		r.refresh(true)
		return
	}
	r.printText(e.Agent, r.lines.flush(e.Agent))
	if !a.shown {
		r.printVerdict(e.Agent)
	}
	r.refresh(true)
}

func (r *Renderer) onComplete(e magi.Event) {
	r.freeze()
	r.flushAll()
	r.end()
	r.flushErrors()
	r.printBanner(e)
}

func (r *Renderer) onError(e magi.Event) {
	if e.Fatal {
		r.freeze()
		r.flushAll()
		r.end()
		r.flushErrors()
		r.printFatal(e)
		return
	}
	if e.Agent != "" {
		a := r.agent(e.Agent)
		a.failed = true
		if a.verdict == nil { // said with the verdict it leads to
			a.err = &e
			r.refresh(true)
			return
		}
		r.printText(e.Agent, r.lines.flush(e.Agent))
	}
	r.printError(e)
	r.refresh(true)
}

// printError prints an agent's non-fatal error as a note.
func (r *Renderer) printError(e magi.Event) {
	msg := "⚠ " + r.name(e.Agent) + " error"
	if e.Code != "" {
		msg += " [" + e.Code + "]"
	}
	r.note(msg+": "+sanitize(e.Message), sgrAmber)
}

// flushErrors prints the agents' errors that no verdict followed.
func (r *Renderer) flushErrors() {
	for _, id := range append(r.sages(), magi.Solomon) {
		if a := r.agent(id); a.err != nil {
			r.printError(*a.err)
			a.err = nil
		}
	}
}

// sagesDone reports whether every sage has its verdict.
func (r *Renderer) sagesDone() bool {
	for _, id := range r.sages() {
		if r.agent(id).verdict == nil {
			return false
		}
	}
	return true
}

// freeze ends the panes, which show only the tail of each text: they are
// cleared and each sage's whole text is printed in their place, one sage
// after the other, with its verdict, so that the terminal's scrollback
// keeps every answer in full. The sages are done by then (SOLOMON speaks,
// or the deliberation ended); what follows is lines.
func (r *Renderer) freeze() {
	if r.panes == nil {
		return
	}
	p := r.panes
	r.panes = nil
	r.scr.clear()
	for _, id := range p.ids {
		r.printText(id, r.lines.add(id, p.text[id].String()))
		r.printText(id, r.lines.flush(id))
		if a := r.agent(id); a.verdict != nil && !a.shown {
			r.printVerdict(id)
		}
	}
	r.refresh(true)
}

// flushAll prints every agent's unfinished line.
func (r *Renderer) flushAll() {
	if r.lines == nil {
		return
	}
	for _, id := range append(r.sages(), magi.Solomon) {
		r.printText(id, r.lines.flush(id))
	}
	for id := range r.lines.bufs {
		r.printText(id, r.lines.flush(id))
	}
}

// note prints a one-line remark in a colour, wrapped to the width.
func (r *Renderer) note(msg, color string) {
	lines := wrap(msg, r.cols)
	for i, l := range lines {
		lines[i] = r.sty.paint(l, color)
	}
	r.scr.println(lines...)
}
