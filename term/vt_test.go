package term

import (
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// vt is a tiny terminal for tests: it plays the output back (CR, LF as
// CR LF, cursor up, erase line and below, SGR ignored) onto lines of
// unlimited width, so the test sees what a user would see at the end and
// can measure every line.
type vt struct {
	lines    [][]string // cells; a wide character's second cell is ""
	row, col int
	// frames counts hide-cursor sequences, one per redraw of the live area.
	frames int
}

func play(t *testing.T, out string) *vt {
	t.Helper()
	v := &vt{lines: [][]string{nil}}
	for i := 0; i < len(out); {
		switch c := out[i]; c {
		case '\r':
			v.col = 0
			i++
		case '\n':
			v.row, v.col = v.row+1, 0
			for len(v.lines) <= v.row {
				v.lines = append(v.lines, nil)
			}
			i++
		case 0x1b:
			i = v.escape(t, out, i)
		default:
			r, n := utf8.DecodeRuneInString(out[i:])
			v.put(string(r), runeWidth(r))
			i += n
		}
	}
	return v
}

// escape handles the CSI sequence at out[i] and returns the index after it.
func (v *vt) escape(t *testing.T, out string, i int) int {
	t.Helper()
	if i+1 >= len(out) || out[i+1] != '[' {
		t.Fatalf("bare ESC at %d: %q", i, out[i:min(i+10, len(out))])
	}
	j := i + 2
	for j < len(out) && (out[j] < 0x40 || out[j] > 0x7e) {
		j++
	}
	if j >= len(out) {
		t.Fatalf("unterminated CSI at %d", i)
	}
	param := out[i+2 : j]
	switch out[j] {
	case 'A':
		n, _ := strconv.Atoi(param)
		v.row = max(v.row-max(n, 1), 0)
	case 'K':
		if v.col < len(v.lines[v.row]) {
			v.lines[v.row] = v.lines[v.row][:v.col]
		}
	case 'J':
		if v.col < len(v.lines[v.row]) {
			v.lines[v.row] = v.lines[v.row][:v.col]
		}
		v.lines = v.lines[:v.row+1]
	case 'l':
		v.frames++
	case 'm', 'h':
	default:
		t.Fatalf("unexpected CSI %q", out[i:j+1])
	}
	return j + 1
}

func (v *vt) put(s string, w int) {
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

// text returns the screen's lines, trailing spaces trimmed.
func (v *vt) text() []string {
	out := make([]string, len(v.lines))
	for i, l := range v.lines {
		out[i] = strings.TrimRight(strings.Join(l, ""), " ")
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return out
}
