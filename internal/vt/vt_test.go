package vt

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestTerminal_ScrollbackIsOutOfReach: lines scrolled off the screen stay
// in the scrollback; the cursor cannot go up into it, as on a real
// terminal, so a redraw taller than the screen cannot hide what scrolled.
func TestTerminal_ScrollbackIsOutOfReach(t *testing.T) {
	v := New(3, nil)
	for _, chunk := range []string{"one\r\ntwo\r\n", "three\r\nfour\r\n", "\x1b[9A\rTOP\x1b[K\n\x1b[1;31m五\x1b[0m", "\x1b", "[J"} {
		_, _ = v.Write([]byte(chunk)) // escapes cut between writes too
	}
	if err := v.Err(); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"one", "two", "TOP", "五"}, v.Lines()); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"TOP", "五"}, v.Screen()); diff != "" {
		t.Errorf("screen (-want +got):\n%s", diff)
	}
	if v.Frames() != 0 {
		t.Errorf("frames = %d, want 0", v.Frames())
	}
	v.Write([]byte("\x1b[?25l\x1b[2Z"))
	if v.Frames() != 1 || v.Err() == nil || !strings.Contains(v.Err().Error(), "unexpected CSI") {
		t.Errorf("frames %d, err %v; want 1 and the unknown sequence reported", v.Frames(), v.Err())
	}
}
