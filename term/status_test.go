package term

import (
	"strings"
	"testing"
	"time"

	"github.com/magi-system/magi"
)

// live renders events and returns what the screen shows, the renderer
// left open so its status line is still there.
func live(t *testing.T, opts Options, events []magi.Event, wait time.Duration) []string {
	t.Helper()
	var b strings.Builder
	c := &clock{t: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
	opts.Now = c.now
	r := New(&b, opts)
	for _, e := range events {
		r.Event(e)
	}
	c.t = c.t.Add(wait)
	r.Tick()
	return play(t, b.String()).text()
}

func TestRenderer_StatusLine(t *testing.T) {
	events := newFixture().build()
	melchiorDone := 0
	for i, e := range events {
		if e.Type == magi.EventVerdict && e.Agent == magi.Melchior {
			melchiorDone = i + 1
		}
	}
	for _, m := range []Mode{Lines, Panes} {
		t.Run(m.String(), func(t *testing.T) {
			opts := Options{Mode: m, Width: 120, Height: 30}
			screen := live(t, opts, events[:40], 1500*time.Millisecond)
			status := screen[len(screen)-1]
			for _, want := range []string{"⠙ MELCHIOR-1", "⠙ BALTHASAR-2", "⠙ CASPER-3", "1.5s"} {
				if !strings.Contains(status, want) {
					t.Errorf("status %q lacks %q", status, want)
				}
			}
			screen = live(t, opts, events[:melchiorDone], 2*time.Second)
			status = screen[len(screen)-1]
			for _, want := range []string{"MELCHIOR-1 承認 APPROVED", "⠙ CASPER-3", "2.0s"} {
				if !strings.Contains(status, want) {
					t.Errorf("status %q lacks %q", status, want)
				}
			}
			if strings.Contains(status, "SOLOMON") {
				t.Errorf("status %q has SOLOMON judging before the sages are done", status)
			}
		})
	}
}

func TestRenderer_PlainHasNoStatus(t *testing.T) {
	events := newFixture().build()
	screen := live(t, Options{Mode: Plain, Width: 120}, events[:40], time.Second)
	if last := screen[len(screen)-1]; strings.ContainsAny(last, strings.Join(spinner, "")) {
		t.Errorf("plain output shows a status: %q", last)
	}
}

func TestRenderer_RetryAndFallbackNotes(t *testing.T) {
	events := []magi.Event{
		{Type: magi.EventStart},
		{Type: magi.EventTrace, Agent: magi.Balthasar, Stage: magi.StageRetry,
			Trace: &magi.Trace{Attempt: 2, DelayMS: 1500, Error: "rate limited"}},
		{Type: magi.EventTrace, Agent: magi.Balthasar, Stage: magi.StageFallback,
			Trace: &magi.Trace{Provider: "anthropic", Model: "claude-x"}},
	}
	out := run(Options{Mode: Panes, Width: 120, Height: 30}, events)
	text := strings.Join(play(t, out).text(), "\n")
	mustContain(t, text, "↻ BALTHASAR-2 retrying (attempt 2) in 1.5s: rate limited",
		"↪ BALTHASAR-2 falling back to anthropic/claude-x")
}

func TestRenderer_JoinedWithoutStart(t *testing.T) {
	events := newFixture().build()[1:] // a replay that starts after the start event
	out := run(Options{Mode: Lines, Width: 100}, events)
	screen := play(t, out).text()
	if want := noSpace(texts[magi.Casper]); agentText(screen, "CASPER-3") != want {
		t.Errorf("CASPER-3 text = %q, want %q", agentText(screen, "CASPER-3"), want)
	}
	mustContain(t, strings.Join(screen, "\n"), "MAGI DECISION  条件付 CONDITIONAL")
}
