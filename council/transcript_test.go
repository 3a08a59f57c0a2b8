package council

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/magi-system/magi"
)

func TestTranscript_KeepsShortAnswersWhole(t *testing.T) {
	var tr transcript
	for _, w := range strings.SplitAfter(verdictText("a short answer", magi.Approved, 0.8), " ") {
		tr.WriteString(w)
	}
	if got, want := tr.String(), verdictText("a short answer", magi.Approved, 0.8); got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

// A 20 MB answer costs the council bounded memory, and its verdict at the
// end still parses.
func TestTranscript_BoundsLongAnswers(t *testing.T) {
	var tr transcript
	word := "長い答え "
	for tr.Len() < 20<<20 {
		tr.WriteString(word)
	}
	tr.WriteString(verdictText("in the end", magi.Rejected, 0.6))
	s := tr.String()
	if len(s) > keepHead+keepTail+200 || cap(tr.tail) > 4*keepTail {
		t.Fatalf("kept %d bytes (tail capacity %d) of a %d-byte answer", len(s), cap(tr.tail), tr.Len())
	}
	if !utf8.ValidString(s) || !strings.Contains(s, "bytes of this answer omitted") {
		t.Errorf("the shortened answer is not valid UTF-8 or does not say what it omitted")
	}
	if v := magi.ParseVerdict(s); v.Decision != magi.Rejected {
		t.Errorf("verdict of the shortened answer = %+v, want REJECTED", v)
	}
}
