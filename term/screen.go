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

// println prints permanent lines where the live area was, then the live
// area again under them. Each line overwrites what was there and clears
// the rest of its row, so nothing is erased first and nothing flickers.
func (s *screen) println(lines ...string) {
	switch {
	case len(lines) == 0:
		return
	case len(s.live) == 0:
		s.write(strings.Join(lines, "\n") + "\n")
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\x1b[%dA", len(s.live))
	for _, l := range append(lines, s.live...) {
		b.WriteString("\r" + l + "\x1b[K\n")
	}
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

// clear removes the live area.
func (s *screen) clear() {
	if len(s.live) > 0 {
		s.write(fmt.Sprintf("\x1b[%dA\r\x1b[J", len(s.live)))
	}
	s.live = nil
}
