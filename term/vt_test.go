package term

import (
	"testing"

	"github.com/magi-system/magi/internal/vt"
)

// screenOf is what a user sees of out at the end: internal/vt plays it
// back on a terminal of unlimited height, with this package's widths.
type screenOf struct{ t *vt.Terminal }

func play(t *testing.T, out string) screenOf {
	t.Helper()
	v := vt.New(0, runeWidth)
	_, _ = v.Write([]byte(out))
	if err := v.Err(); err != nil {
		t.Fatal(err)
	}
	return screenOf{v}
}

// text returns the screen's lines, trailing spaces trimmed.
func (s screenOf) text() []string { return s.t.Lines() }

// frames counts the redraws of the live area.
func (s screenOf) frames() int { return s.t.Frames() }
