// Package vt is a tiny terminal for tests. It plays a program's output
// back — CR, LF, cursor up, erase line, erase below; colours and cursor
// visibility are read and ignored — onto a screen of a given height whose
// lines scroll off its top into a scrollback, as a terminal does, so a test
// sees what a user sees at the end: on the screen, and by scrolling back.
// Lines have no width limit: a test can measure every one.
package vt

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Terminal is the emulated terminal. Write output to it.
type Terminal struct {
	height int
	width  func(rune) int
	// lines are the scrollback and the screen: the screen is the last
	// height lines from top.
	lines    [][]string // cells; a wide character's second cell is ""
	row, col int
	top      int
	pending  []byte // an escape or UTF-8 sequence cut between writes
	frames   int
	err      error
}

// New returns a terminal height lines high (0: unlimited, the cursor can
// go up to the first line written), measuring characters with width (nil:
// two columns for East Asian wide characters, one for the rest).
func New(height int, width func(rune) int) *Terminal {
	if width == nil {
		width = Width
	}
	return &Terminal{height: height, width: width, lines: [][]string{nil}}
}

// Write plays p. It never fails; Err reports what it could not read.
func (v *Terminal) Write(p []byte) (int, error) {
	b := append(v.pending, p...)
	v.pending = nil
	for i := 0; i < len(b); {
		switch c := b[i]; c {
		case '\r':
			v.col = 0
			i++
		case '\n':
			v.newline()
			i++
		case 0x1b:
			n, ok := v.escape(b[i:])
			if !ok {
				v.pending = append([]byte(nil), b[i:]...)
				return len(p), nil
			}
			i += n
		default:
			if !utf8.FullRune(b[i:]) {
				v.pending = append([]byte(nil), b[i:]...)
				return len(p), nil
			}
			r, n := utf8.DecodeRune(b[i:])
			v.char(r)
			i += n
		}
	}
	return len(p), nil
}

// newline moves to the start of the next line, scrolling the screen when
// the cursor is on its last line.
func (v *Terminal) newline() {
	v.row, v.col = v.row+1, 0
	for len(v.lines) <= v.row {
		v.lines = append(v.lines, nil)
	}
	if v.height > 0 && v.row-v.top >= v.height {
		v.top = v.row - v.height + 1
	}
}

// escape plays the CSI sequence at the start of b and returns its length;
// false when b ends before the sequence does.
func (v *Terminal) escape(b []byte) (int, bool) {
	if len(b) < 2 {
		return 0, false
	}
	if b[1] != '[' {
		v.fail(fmt.Errorf("bare ESC followed by %q", b[1]))
		return 1, true
	}
	j := 2
	for j < len(b) && (b[j] < 0x40 || b[j] > 0x7e) {
		j++
	}
	if j >= len(b) {
		return 0, false
	}
	param := string(b[2:j])
	switch b[j] {
	case 'A':
		n, _ := strconv.Atoi(param)
		v.row = max(v.row-max(n, 1), v.top)
	case 'K':
		if v.col < len(v.lines[v.row]) {
			v.lines[v.row] = v.lines[v.row][:v.col]
		}
	case 'J':
		if v.col < len(v.lines[v.row]) {
			v.lines[v.row] = v.lines[v.row][:v.col]
		}
		for i := v.row + 1; i < len(v.lines); i++ {
			v.lines[i] = nil
		}
	case 'l':
		if param == "?25" {
			v.frames++
		}
	case 'm', 'h':
	default:
		v.fail(fmt.Errorf("unexpected CSI %q", b[:j+1]))
	}
	return j + 1, true
}

func (v *Terminal) fail(err error) {
	if v.err == nil {
		v.err = err
	}
}

// char puts r at the cursor: a tab moves to the next multiple of 8, and
// a character of no width (a control, a combining mark) is dropped.
func (v *Terminal) char(r rune) {
	if r == '\t' {
		for v.put(" ", 1); v.col%8 != 0; {
			v.put(" ", 1)
		}
		return
	}
	if w := v.width(r); w > 0 {
		v.put(string(r), w)
	}
}

func (v *Terminal) put(s string, w int) {
	line := v.lines[v.row]
	for len(line) < v.col+w {
		line = append(line, " ")
	}
	line[v.col] = s
	if w == 2 {
		line[v.col+1] = ""
	}
	v.lines[v.row] = line
	v.col += w
}

// Lines returns every line, the scrollback then the screen, with trailing
// spaces and trailing blank lines trimmed.
func (v *Terminal) Lines() []string {
	return text(v.lines)
}

// Screen returns the lines on the screen (all of them when the height is
// unlimited), trimmed as Lines.
func (v *Terminal) Screen() []string {
	return text(v.lines[v.top:])
}

// Frames counts the hide-cursor sequences: one per redraw of a live area.
func (v *Terminal) Frames() int { return v.frames }

// Err is the first sequence the terminal could not play, if any.
func (v *Terminal) Err() error { return v.err }

func text(lines [][]string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = strings.TrimRight(strings.Join(l, ""), " ")
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return out
}

// Width is the columns r takes on most terminals: 0 for controls, 2 for
// the East Asian wide and fullwidth blocks, 1 for the rest.
func Width(r rune) int {
	switch {
	case r < 0x20 || (r >= 0x7f && r < 0xa0):
		return 0
	case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf):
		return 0
	case r >= 0x1100 && r <= 0x115f, r >= 0x2e80 && r <= 0x303e, r >= 0x3041 && r <= 0x33ff,
		r >= 0x3400 && r <= 0x4dbf, r >= 0x4e00 && r <= 0x9fff, r >= 0xa000 && r <= 0xa4cf,
		r >= 0xac00 && r <= 0xd7a3, r >= 0xf900 && r <= 0xfaff, r >= 0xfe30 && r <= 0xfe4f,
		r >= 0xff00 && r <= 0xff60, r >= 0xffe0 && r <= 0xffe6, r >= 0x1f300 && r <= 0x1f64f,
		r >= 0x20000 && r <= 0x3fffd:
		return 2
	}
	return 1
}
