// Package term renders the event stream of one deliberation to a terminal:
// the three sages side by side as they think, or as labelled lines on a
// narrow terminal or a pipe, then SOLOMON's judgement and the decision.
//
// It is a subscriber like any other: it consumes magi.Events and never
// talks to a provider, so `magi ask` and `magi replay` look the same.
package term

import (
	"io"
	"slices"
	"sync"
	"time"

	"github.com/magi-system/magi"
)

// Mode is how the renderer lays out a deliberation.
type Mode int

// The modes. Auto picks Panes on a wide terminal, Lines on a narrow one and
// Plain when the width is unknown (not a terminal).
const (
	Auto Mode = iota
	// Panes shows the sages in three columns redrawn in place.
	Panes
	// Lines prints labelled lines with a live status line under them.
	Lines
	// Plain prints labelled lines and no ANSI escape at all, for pipes.
	Plain
)

// String names the mode.
func (m Mode) String() string {
	switch m {
	case Panes:
		return "panes"
	case Lines:
		return "lines"
	case Plain:
		return "plain"
	}
	return "auto"
}

// PanesMinWidth is the narrowest terminal, in columns, that Auto gives
// panes.
const PanesMinWidth = 100

// Display defaults and limits.
const (
	defaultWidth  = 100
	defaultHeight = 24
	maxPaneRows   = 20
	minPaneRows   = 4
	// frameInterval keeps redraws under about ten a second.
	frameInterval = 80 * time.Millisecond
)

// Options configure a Renderer. The zero value prints plain lines.
type Options struct {
	Mode Mode
	// Width and Height are the terminal's size in cells; 0 is unknown.
	Width, Height int
	// Color enables ANSI colours (never in Plain mode).
	Color bool
	// Now is the clock, for tests; nil means time.Now.
	Now func() time.Time
	// Follows is the deliberation a follow-up follows, when the caller
	// knows it: the header then shows its question and decision (the
	// start event names only its id).
	Follows *magi.Turn
}

// Renderer draws one deliberation's events. Its methods may be called from
// different goroutines (Event from the stream, Tick from a ticker).
type Renderer struct {
	mu   sync.Mutex
	scr  *screen
	mode Mode
	sty  style
	now  func() time.Time
	// cols is the usable width (one less than the terminal's, so a full
	// line never makes the terminal wrap); rows the height of a pane.
	cols, rows int

	begun, ended, closed bool
	started              time.Time
	infos                []magi.AgentInfo
	names                map[magi.AgentID]string
	labelW               int
	simulated            bool
	agents               map[magi.AgentID]*agentState
	scoresShown          bool
	// round is the round in progress, maxRounds the most the deliberation
	// may run (0 when the stream does not say); tally is the final round's
	// count once it is in.
	round, maxRounds int
	tally            *magi.Tally

	follows  *magi.Turn
	lines    *lineView
	panes    *paneView
	frame    int
	lastDraw time.Time
}

// agentState is what the renderer knows of one agent.
type agentState struct {
	verdict *magi.Verdict
	// shown is set once the verdict is printed in full.
	shown bool
	// active is set once the agent was heard from; failed on its error.
	active, failed bool
	// err is the agent's error not yet printed: it is said once, with the
	// verdict it leads to (an ABSTAINED whose reason it is).
	err     *magi.Event
	firstMS int64
	// usage sums the agent's calls of every round; calls counts them.
	usage *magi.Usage
	calls int
}

// New returns a Renderer writing to w.
func New(w io.Writer, opts Options) *Renderer {
	mode := opts.Mode
	if mode == Auto {
		mode = autoMode(opts.Width, opts.Height)
	}
	width, height := opts.Width, opts.Height
	if width <= 0 {
		width = defaultWidth
	}
	if height <= 0 {
		height = defaultHeight
	}
	r := &Renderer{
		scr:    &screen{w: w, ansi: mode != Plain},
		mode:   mode,
		sty:    style{color: opts.Color && mode != Plain},
		now:    opts.Now,
		cols:   max(width-1, 20),
		rows:   max(min(height-8, maxPaneRows), minPaneRows),
		names:  map[magi.AgentID]string{},
		agents: map[magi.AgentID]*agentState{},
	}
	r.follows = opts.Follows
	if r.now == nil {
		r.now = time.Now
	}
	return r
}

// autoMode picks panes when they fit, lines on a known narrow terminal,
// plain otherwise.
func autoMode(width, height int) Mode {
	switch {
	case width >= PanesMinWidth && (height == 0 || height >= 8+minPaneRows):
		return Panes
	case width > 0:
		return Lines
	}
	return Plain
}

// Mode reports the mode the renderer resolved to.
func (r *Renderer) Mode() Mode { return r.mode }

// Event renders one event. Events must come in stream order; those after
// Close are ignored.
func (r *Renderer) Event(e magi.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return
	}
	if !r.begun {
		r.begin(e)
		if e.Type == magi.EventStart {
			return
		}
	}
	switch e.Type {
	case magi.EventChunk:
		r.onChunk(e)
	case magi.EventTrace:
		r.onTrace(e)
	case magi.EventVerdict:
		r.onVerdict(e)
	case magi.EventRound:
		r.onRound(e)
	case magi.EventTally:
		r.onTally(e)
	case magi.EventComplete:
		r.onComplete(e)
	case magi.EventError:
		r.onError(e)
	}
}

// Tick refreshes the spinner and the elapsed time; call it about every
// 100ms while the deliberation runs. Redraws are limited to ~10 a second.
func (r *Renderer) Tick() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed || !r.begun || r.ended || r.now().Sub(r.lastDraw) < frameInterval {
		return
	}
	r.frame++
	r.refresh(true)
}

// Close finishes the display: what is still buffered is printed and the
// live status is removed. It returns the first error writing failed with.
func (r *Renderer) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.closed {
		r.freeze()
		r.flushAll()
		r.end()
		r.closed = true
	}
	return r.scr.err
}

// refresh redraws the live area: the panes and the status line. Unless
// forced it does nothing when the last frame is too recent.
func (r *Renderer) refresh(force bool) {
	if r.mode == Plain || !r.begun || r.ended {
		return
	}
	now := r.now()
	if !force && now.Sub(r.lastDraw) < frameInterval {
		return
	}
	r.lastDraw = now
	status := r.sty.render(r.statusSpans(), r.cols)
	if r.panes == nil {
		r.scr.draw([]string{status})
		return
	}
	r.scr.draw(append(r.paneLines(), status))
}

// end stops the live display for good.
func (r *Renderer) end() {
	r.ended = true
	r.scr.clear()
}

// agent returns the state of id, creating it.
func (r *Renderer) agent(id magi.AgentID) *agentState {
	a := r.agents[id]
	if a == nil {
		a = &agentState{}
		r.agents[id] = a
	}
	return a
}

// name is the display name of id.
func (r *Renderer) name(id magi.AgentID) string {
	if n := r.names[id]; n != "" {
		return n
	}
	if n := defaultNames[id]; n != "" {
		return n
	}
	if id == "" {
		return "MAGI"
	}
	return string(id)
}

// sages are the voting agents, in display order.
func (r *Renderer) sages() []magi.AgentID {
	var ids []magi.AgentID
	for _, a := range r.infos {
		if a.ID != magi.Solomon {
			ids = append(ids, a.ID)
		}
	}
	if len(ids) == 0 {
		return slices.Clone(magi.Sages)
	}
	return ids
}
