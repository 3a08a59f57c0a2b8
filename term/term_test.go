package term

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/magi-system/magi"
	"github.com/magi-system/magi/internal/vt"
)

// agentText collects the text of name's labelled lines, without spaces (a
// wrap may break inside a word or at a space).
func agentText(lines []string, name string) string {
	var b strings.Builder
	for _, l := range lines {
		if rest, ok := strings.CutPrefix(l, name+" "); ok {
			if _, text, ok := strings.Cut(rest, "│"); ok && strings.TrimSpace(rest[:strings.Index(rest, "│")]) == "" {
				b.WriteString(text)
			}
		}
	}
	return noSpace(b.String())
}

func noSpace(s string) string { return strings.Join(strings.Fields(s), "") }

// checkWidth fails when a line is wider than cols.
func checkWidth(t *testing.T, lines []string, cols int) {
	t.Helper()
	for _, l := range lines {
		if w := width(l); w > cols {
			t.Errorf("line %d columns wide, want <= %d: %q", w, cols, l)
		}
	}
}

func mustContain(t *testing.T, out string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q\n%s", w, out)
		}
	}
}

var fixtureWants = []string{
	"MELCHIOR-1  承認 APPROVED  (confidence 82%)",
	"BALTHASAR-2  条件付 CONDITIONAL  (confidence 70%)",
	"    • no loss of pay",
	"CASPER-3  否決 REJECTED  (confidence 60%)",
	"SOLOMON  条件付 CONDITIONAL  (confidence 74%)",
	"scores  MELCHIOR-1 80 · BALTHASAR-2 72 · CASPER-3 65",
	"MAGI DECISION  条件付 CONDITIONAL",
	"rule        majority",
	"votes       1 approved · 1 conditional · 1 rejected · 0 abstained",
	"confidence  74%",
	"conditions  • no loss of pay",
	"MELCHIOR-1   1,200 in / 340 out  cost unknown  first token 0.4s",
	"duration    12.3s",
}

func TestRenderer_Plain(t *testing.T) {
	out := run(Options{Mode: Plain, Width: 80, Color: true}, newFixture().build())
	if strings.Contains(out, "\x1b") {
		t.Fatalf("plain output has an escape:\n%q", out)
	}
	lines := strings.Split(out, "\n")
	checkWidth(t, lines, 79)
	for _, id := range magi.Members {
		if diff := cmp.Diff(noSpace(texts[id]), agentText(lines, defaultNames[id])); diff != "" {
			t.Errorf("%s text (-want +got):\n%s", id, diff)
		}
	}
	mustContain(t, out, fixtureWants...)
	mustContain(t, out, "Q Should we adopt a four-day work week?", "total  4,800 in / 1,360 out  cost unknown")
	if strings.Contains(out, "SIMULATED") {
		t.Error("a real council is labelled simulated")
	}
}

func TestRenderer_LinesInterleave(t *testing.T) {
	out := run(Options{Mode: Lines, Width: 80, Height: 24, Color: true}, newFixture().build())
	screen := play(t, out).text()
	checkWidth(t, screen, 79)
	for _, id := range magi.Members {
		if diff := cmp.Diff(noSpace(texts[id]), agentText(screen, defaultNames[id])); diff != "" {
			t.Errorf("%s text (-want +got):\n%s", id, diff)
		}
	}
	mustContain(t, strings.Join(screen, "\n"), fixtureWants...)
	var labels []string
	for _, l := range screen {
		if name, _, ok := strings.Cut(l, " │ "); ok {
			labels = append(labels, strings.TrimSpace(name))
		}
	}
	first := strings.Join(labels[:6], ",")
	if strings.Count(first, "MELCHIOR-1") == 6 || !strings.Contains(first, "BALTHASAR-2") {
		t.Errorf("first labelled lines are not interleaved: %s", first)
	}
	mustContain(t, out, "⠋ MELCHIOR-1", "\r")
	for _, l := range screen {
		if strings.ContainsAny(l, strings.Join(spinner, "")) {
			t.Errorf("status line left on screen: %q", l)
		}
	}
}

// TestRenderer_Panes: the sages stream side by side in panes redrawn in
// place, every frame within the width; when the panes end they give way
// to each sage's whole text, one after the other, each with its verdict.
func TestRenderer_Panes(t *testing.T) {
	out := run(Options{Mode: Panes, Width: 120, Height: 30, Color: true}, newFixture().build())
	frames := 0
	for _, l := range strings.FieldsFunc(sgrRE.ReplaceAllString(out, ""), func(r rune) bool { return r == '\r' || r == '\n' }) {
		l = strings.TrimSuffix(l, "\x1b[K")
		if strings.Contains(l, "MELCHIOR-1") && strings.Contains(l, "BALTHASAR-2 · ") && strings.Contains(l, "CASPER-3") {
			frames++
		}
		if w := width(ctlRE.ReplaceAllString(l, "")); w > 119 {
			t.Errorf("a frame's line is %d columns wide, want <= 119: %q", w, l)
		}
	}
	v := play(t, out)
	if frames < 3 || v.frames() < 3 {
		t.Errorf("pane titles drawn %d times in %d frames, want redraws in place", frames, v.frames())
	}
	screen := v.text()
	checkWidth(t, screen, 119)
	text := strings.Join(screen, "\n")
	if strings.Contains(text, "─────") {
		t.Errorf("the panes' last frame is left on screen:\n%s", text)
	}
	mustContain(t, text, fixtureWants...)
	for _, id := range magi.Members {
		if diff := cmp.Diff(noSpace(texts[id]), agentText(screen, defaultNames[id])); diff != "" {
			t.Errorf("%s's text after the panes (-want +got):\n%s", id, diff)
		}
	}
	checkBlocks(t, screen)
}

var (
	sgrRE = regexp.MustCompile(`\x1b\[[0-9;]*m`)
	ctlRE = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]`)
)

// checkBlocks fails unless each sage's labelled text comes in one block,
// the sages in order, each block followed by the sage's verdict.
func checkBlocks(t *testing.T, screen []string) {
	t.Helper()
	var order []string
	for _, l := range screen {
		name, _, ok := strings.Cut(l, " │ ")
		if !ok {
			name, _, ok = strings.Cut(l, "  ") // a verdict: "MELCHIOR-1  承認 APPROVED"
			if !ok || strings.TrimSpace(name) == "" || !strings.ContainsAny(l, "承否条棄") {
				continue
			}
			name += " verdict"
		}
		name = strings.TrimSpace(name)
		if len(order) == 0 || order[len(order)-1] != name {
			order = append(order, name)
		}
	}
	want := []string{"MELCHIOR-1", "MELCHIOR-1 verdict", "BALTHASAR-2", "BALTHASAR-2 verdict",
		"CASPER-3", "CASPER-3 verdict", "SOLOMON", "SOLOMON verdict"}
	if diff := cmp.Diff(want, order); diff != "" {
		t.Errorf("order of the texts and verdicts (-want +got):\n%s", diff)
	}
}

// TestRenderer_PanesKeepWholeAnswers: answers far longer than a pane is
// high are readable in full, from their first sentence, in the scrollback
// of a 24-line terminal once the deliberation ends.
func TestRenderer_PanesKeepWholeAnswers(t *testing.T) {
	f := newFixture()
	f.texts = map[magi.AgentID]string{}
	for id, text := range texts {
		opening := fmt.Sprintf("%s opens with this sentence.", defaultNames[id])
		f.texts[id] = opening + strings.Repeat(" A long answer goes on and on.", 60) + "\n" + text
	}
	out := run(Options{Mode: Panes, Width: 120, Height: 24}, f.build())
	term := vt.New(24, runeWidth)
	_, _ = term.Write([]byte(out))
	all := term.Lines()
	checkWidth(t, all, 119)
	for _, id := range magi.Members {
		if diff := cmp.Diff(noSpace(f.texts[id]), agentText(all, defaultNames[id])); diff != "" {
			t.Errorf("%s's text in the scrollback (-want +got):\n%s", id, diff)
		}
	}
	checkBlocks(t, all)
	if screen := strings.Join(term.Screen(), "\n"); !strings.Contains(screen, "MAGI DECISION") {
		t.Errorf("the decision is not on the screen at the end:\n%s", screen)
	}
}

func TestRenderer_PanesThrottle(t *testing.T) {
	var b strings.Builder
	c := &clock{}
	r := New(&b, Options{Mode: Panes, Width: 120, Height: 30, Now: c.now})
	events := newFixture().build()
	for _, e := range events[:50] { // the start and chunks, no verdict
		r.Event(e)
		r.Tick()
	}
	if n := play(t, b.String()).frames(); n != 1 {
		t.Errorf("%d frames drawn without the clock moving, want 1", n)
	}
	c.t = c.t.Add(100 * time.Millisecond)
	r.Tick()
	if n := play(t, b.String()).frames(); n < 2 {
		t.Errorf("a tick after 100ms drew nothing (%d frames)", n)
	}
}

func TestRenderer_Simulated(t *testing.T) {
	f := newFixture()
	f.simulated = true
	events := f.build()
	for _, m := range []Mode{Plain, Lines, Panes} {
		out := run(Options{Mode: m, Width: 120, Height: 30}, events)
		text := strings.Join(play(t, out).text(), " ")
		mustContain(t, text, "SIMULATED COUNCIL — no model was called.",
			"OPENAI_BASE_URL / ANTHROPIC_API_KEY / AWS_REGION", "MAGI DECISION (SIMULATED)")
	}
}

func TestRenderer_AbstainedAndFatal(t *testing.T) {
	f := newFixture()
	f.verdicts = map[magi.AgentID]magi.Verdict{}
	for id, v := range verdicts {
		f.verdicts[id] = v
	}
	f.verdicts[magi.Casper] = magi.Abstain("the model gave no verdict")
	events := f.build()
	events = events[:len(events)-1] // drop complete
	failed := magi.Event{Type: magi.EventError, Agent: magi.Casper, Code: magi.EUNAVAILABLE, Message: "openai is overloaded"}
	fatal := magi.Event{Type: magi.EventError, Code: magi.ECANCELLED, Message: "stopped by a user", Fatal: true}
	events = append(events, failed, fatal)
	out := run(Options{Mode: Plain}, events)
	mustContain(t, out, "CASPER-3  棄権 ABSTAINED — the model gave no verdict",
		"⚠ CASPER-3 error [unavailable]: openai is overloaded",
		"✖ MAGI ERROR [cancelled]: stopped by a user", "deliberation cancelled")
	if strings.Contains(out, "MAGI DECISION") {
		t.Error("a failed deliberation shows a decision")
	}
	colored := run(Options{Mode: Lines, Width: 90, Color: true}, events)
	mustContain(t, colored, "\x1b[1;31m✖ MAGI ERROR [cancelled]")
}

func TestRenderer_Cost(t *testing.T) {
	known := 0.0123
	for _, tc := range []struct {
		usage *magi.Usage
		want  string
	}{
		{&magi.Usage{InputTokens: 5000, OutputTokens: 1500}, "total  5,000 in / 1,500 out  cost unknown"},
		{&magi.Usage{InputTokens: 5000, OutputTokens: 1500, CostUSD: &known}, "total  5,000 in / 1,500 out  $0.0123"},
	} {
		f := newFixture()
		f.usage = tc.usage
		mustContain(t, run(Options{Mode: Plain}, f.build()), tc.want)
	}
}

func TestRenderer_Color(t *testing.T) {
	sgr := regexp.MustCompile(`\x1b\[[0-9;]*m`)
	plain := run(Options{Mode: Lines, Width: 80}, newFixture().build())
	if sgr.MatchString(plain) {
		t.Error("colours written with Color off")
	}
	colored := run(Options{Mode: Lines, Width: 80, Color: true}, newFixture().build())
	mustContain(t, colored, "\x1b[36mMELCHIOR-1", "\x1b[1;32m承認 APPROVED", "\x1b[1;31m否決 REJECTED")
}

func TestRenderer_ModelTextCannotDriveTerminal(t *testing.T) {
	events := []magi.Event{
		{Type: magi.EventStart},
		{Type: magi.EventChunk, Agent: magi.Melchior, Content: "red\x1b[2J\x1b]0;pwned\x07 text\r\n"},
	}
	out := run(Options{Mode: Plain}, events)
	if strings.ContainsAny(out, "\x1b\x07\r") {
		t.Errorf("control characters passed through: %q", out)
	}
	mustContain(t, out, "MELCHIOR-1  │ red[2J]0;pwned text")
}

// TestRenderer_SageFailureSaidOnce: a sage's error and the ABSTAINED
// verdict it leads to are one report, in every mode; an error no verdict
// followed is still said before the end.
func TestRenderer_SageFailureSaidOnce(t *testing.T) {
	msg := "cannot reach openai model x at http://127.0.0.1:1/v1 (connection refused)"
	f := newFixture()
	f.verdicts = map[magi.AgentID]magi.Verdict{}
	for id, v := range verdicts {
		f.verdicts[id] = v
	}
	f.verdicts[magi.Casper] = magi.Abstain(msg)
	events := f.build()
	var withError []magi.Event
	for _, e := range events {
		if e.Type == magi.EventVerdict && e.Agent == magi.Casper {
			withError = append(withError, magi.Event{Type: magi.EventError, Agent: magi.Casper, Code: "provider_connection", Message: msg})
		}
		withError = append(withError, e)
	}
	for _, m := range []Mode{Plain, Lines, Panes} {
		text := strings.Join(play(t, run(Options{Mode: m, Width: 200, Height: 30}, withError)).text(), "\n")
		if n := strings.Count(text, msg); n != 1 {
			t.Errorf("%s: the failure is said %d times, want once:\n%s", m, n, text)
		}
		mustContain(t, text, "CASPER-3  棄権 ABSTAINED [provider_connection] — "+msg)
	}

	cut := []magi.Event{events[0], {Type: magi.EventError, Agent: magi.Melchior, Code: "provider_timeout", Message: "no answer in 2m0s"},
		{Type: magi.EventError, Code: magi.ECANCELLED, Message: "the deliberation was cancelled", Fatal: true}}
	for _, m := range []Mode{Plain, Panes} {
		mustContain(t, strings.Join(play(t, run(Options{Mode: m, Width: 120, Height: 30}, cut)).text(), "\n"),
			"⚠ MELCHIOR-1 error [provider_timeout]: no answer in 2m0s")
	}
}

// TestRenderer_Council: the header names a saved council; the default one
// goes unsaid.
func TestRenderer_Council(t *testing.T) {
	events := newFixture().build()
	events[0].Council = magi.Snapshot("frugal", nil)
	out := run(Options{Mode: Plain, Width: 100}, events)
	mustContain(t, out, "rule majority · council frugal")
	events[0].Council = magi.Snapshot(magi.DefaultCouncil, nil)
	if out := run(Options{Mode: Plain, Width: 100}, events); strings.Contains(out, "council ") {
		t.Errorf("the default council is named:\n%s", out)
	}
}
