//go:build unix

package main

import (
	"errors"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/magi-system/magi"
	"github.com/magi-system/magi/internal/magitest"
	"github.com/magi-system/magi/internal/vt"
)

// ptyTerm is a magi process on a pseudo-terminal of 140×40 and what it
// drew there, played back by internal/vt.
type ptyTerm struct {
	cmd  *exec.Cmd
	ptmx *os.File
	mu   sync.Mutex
	term *vt.Terminal
	read chan struct{} // closed when the output has been read to its end
	// spoke is closed once the output holds a sage's text.
	spoke chan struct{}
}

// startPTY starts `magi args…` with env on a new pseudo-terminal, as its
// controlling terminal: closing the terminal hangs it up.
func startPTY(t *testing.T, env map[string]string, args ...string) *ptyTerm {
	t.Helper()
	cmd := magitest.Command(t, magitest.With(env, "TERM", "xterm-256color"), args...)
	ptmx, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 140})
	if err != nil {
		t.Fatal(err)
	}
	p := &ptyTerm{cmd: cmd, ptmx: ptmx, term: vt.New(40, nil), read: make(chan struct{}), spoke: make(chan struct{})}
	go p.copy()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		_ = ptmx.Close()
	})
	return p
}

// copy plays the terminal's output until it ends (EIO once the process
// exited, or the terminal closed).
func (p *ptyTerm) copy() {
	defer close(p.read)
	buf := make([]byte, 32<<10)
	spoke := false
	for {
		n, err := p.ptmx.Read(buf)
		p.mu.Lock()
		_, _ = p.term.Write(buf[:n])
		if !spoke && strings.Contains(strings.Join(p.term.Lines(), "\n"), "[SIMULATED — sim provider") {
			spoke = true
			close(p.spoke)
		}
		p.mu.Unlock()
		if err != nil {
			return
		}
	}
}

// wait waits for the process to exit and its output to be read, and
// returns its exit code.
func (p *ptyTerm) wait(t *testing.T) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("magi did not end within 60 s")
	}
	select {
	case <-p.read:
	case <-time.After(10 * time.Second):
		t.Fatal("the terminal's output did not end")
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0
}

// lines are the scrollback and the screen; screen the screen alone.
func (p *ptyTerm) lines() (all, screen []string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.term.Err(); err != nil {
		panic(err)
	}
	return p.term.Lines(), p.term.Screen()
}

// frames counts the redraws of a live area.
func (p *ptyTerm) frames() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.term.Frames()
}

var deliberationID = regexp.MustCompile(`deliberation ([0-9a-f]{26})`)

// labelledText collects the text of name's labelled lines ("NAME  │ text"),
// without spaces: a wrap may break inside a word or at a space.
func labelledText(lines []string, name string) string {
	var b strings.Builder
	for _, l := range lines {
		label, text, ok := strings.Cut(l, "│")
		if ok && strings.TrimSpace(label) == name {
			b.WriteString(text)
		}
	}
	return strings.Join(strings.Fields(b.String()), "")
}

// spokenText is everything agent a wrote in the deliberation of rec: a
// sage's answers of every round, one after the other, SOLOMON's judgement.
func spokenText(rec magi.Record, a magi.AgentRecord) string {
	var b strings.Builder
	for _, r := range rec.Rounds {
		for _, x := range r.Agents {
			if x.ID == a.ID {
				b.WriteString(x.Text)
			}
		}
	}
	if b.Len() == 0 {
		return a.Text
	}
	return b.String()
}

// TestAsk_TerminalKeepsEveryAnswer: on a terminal, in panes and in plain
// mode, every answer — each sage's, SOLOMON's — is readable in full in
// the scrollback once `magi ask` ends, the decision is on the screen, and
// the last line says how to read the record again.
func TestAsk_TerminalKeepsEveryAnswer(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"panes", "plain"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			env := magitest.With(simEnv(t), "MAGI_SIM_PACE", "2ms")
			args := []string{"ask", "Should we adopt a four-day work week?"}
			if mode == "plain" {
				args = append(args, "--plain")
			}
			p := startPTY(t, env, args...)
			if code := p.wait(t); code != 0 {
				all, _ := p.lines()
				t.Fatalf("magi ask exited %d:\n%s", code, strings.Join(all, "\n"))
			}
			all, screen := p.lines()
			m := deliberationID.FindStringSubmatch(strings.Join(all, "\n"))
			if m == nil {
				t.Fatalf("no deliberation id on the terminal:\n%s", strings.Join(all, "\n"))
			}
			rec := storedStatus(t, env, m[1])
			if rec.Status != magi.StatusCompleted || len(rec.Agents) != 4 {
				t.Fatalf("record: status %s, %d agents", rec.Status, len(rec.Agents))
			}
			for _, a := range rec.Agents {
				want := strings.Join(strings.Fields(spokenText(rec, a)), "")
				got := labelledText(all, a.Name)
				if got != want {
					opening, _, _ := strings.Cut(a.Text, ". ")
					t.Errorf("%s's answer is not whole in the scrollback; its opening %q is there: %v\nwant %s\ngot  %s",
						a.Name, opening, strings.Contains(got, strings.Join(strings.Fields(opening), "")), want, got)
				}
			}
			end := strings.Join(screen, "\n")
			for _, want := range []string{"MAGI DECISION (SIMULATED)", "The whole record: magi show " + m[1]} {
				if !strings.Contains(end, want) {
					t.Errorf("the screen at the end lacks %q:\n%s", want, end)
				}
			}
			if frames := p.frames(); (mode == "panes") != (frames > 0) {
				t.Errorf("%d frames of a live area drawn in %s mode", frames, mode)
			}
			if mode == "panes" && strings.Contains(strings.Join(all, "\n"), "─────") {
				t.Errorf("the panes' last frame is left in the scrollback")
			}
		})
	}
}

// TestAsk_TerminalClosed: closing the terminal of a running `magi ask`
// hangs it up (SIGHUP): the deliberation is stored as cancelled.
func TestAsk_TerminalClosed(t *testing.T) {
	t.Parallel()
	env := slowSimEnv(t)
	p := startPTY(t, env, "ask", "Should we adopt a four-day work week?")
	select {
	case <-p.spoke:
	case <-p.read:
		all, _ := p.lines()
		t.Fatalf("magi ask ended before any sage spoke:\n%s", strings.Join(all, "\n"))
	case <-time.After(30 * time.Second):
		t.Fatal("no sage spoke within 30 s")
	}
	all, _ := p.lines()
	m := deliberationID.FindStringSubmatch(strings.Join(all, "\n"))
	if m == nil {
		t.Fatalf("no deliberation id on the terminal:\n%s", strings.Join(all, "\n"))
	}
	if err := p.ptmx.Close(); err != nil {
		t.Fatal(err)
	}
	if code := p.wait(t); code != 1 {
		t.Errorf("exit %d after the terminal closed, want 1", code)
	}
	if rec := storedStatus(t, env, m[1]); rec.Status != magi.StatusCancelled {
		t.Errorf("stored status %s after the terminal closed, want cancelled", rec.Status)
	}
}
