package term

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// screen writes to the terminal: permanent lines, scrolling up as usual,
// and below them a live area of a few lines that is redrawn in place. Each
// live line ends with a newline, so the cursor rests at the start of the
// line after the area and moving up by its height returns to its top.
// Without ANSI (plain output) there is no live area.
type screen struct {
	w    io.Writer
	ansi bool
	err  error
	// live are the lines of the live area now on screen.
	live []string
}

// write sends b, remembering the first error; after one it writes nothing.
func (s *screen) write(b string) {
	if s.err != nil || b == "" {
		return
	}
	_, s.err = io.WriteString(s.w, b)
}

// up returns the cursor to the top of the live area and clears below it.
func (s *screen) up(b *strings.Builder) {
	if len(s.live) > 0 {
		fmt.Fprintf(b, "\x1b[%dA\r\x1b[J", len(s.live))
	}
}

// println prints permanent lines above the live area, then redraws it.
func (s *screen) println(lines ...string) {
	var b strings.Builder
	s.up(&b)
	for _, l := range lines {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	s.paint(&b, s.live)
	s.write(b.String())
}

// draw replaces the live area with lines, writing only when they changed.
func (s *screen) draw(lines []string) {
	if !s.ansi || slices.Equal(lines, s.live) {
		return
	}
	var b strings.Builder
	b.WriteString("\x1b[?25l")
	if len(s.live) > 0 {
		fmt.Fprintf(&b, "\x1b[%dA", len(s.live))
	}
	for _, l := range lines {
		b.WriteString("\r" + l + "\x1b[K\n")
	}
	if len(lines) < len(s.live) {
		b.WriteString("\x1b[J")
	}
	b.WriteString("\x1b[?25h")
	s.live = slices.Clone(lines)
	s.write(b.String())
}

// paint writes lines as the live area from the cursor, which is at its top.
func (s *screen) paint(b *strings.Builder, lines []string) {
	for _, l := range lines {
		b.WriteString(l + "\x1b[K\n")
	}
}

// clear removes the live area.
func (s *screen) clear() {
	var b strings.Builder
	s.up(&b)
	s.live = nil
	s.write(b.String())
}

// keep leaves the live area on screen as permanent lines.
func (s *screen) keep() {
	s.live = nil
}
