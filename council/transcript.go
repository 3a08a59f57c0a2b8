package council

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Bounds of what the council keeps of one answer in memory. The whole
// answer is streamed and stored; the council needs only its end (the
// verdict) and enough of it for SOLOMON, whose context is finite anyway.
const (
	keepHead = 16 << 10
	keepTail = 48 << 10
)

// transcript keeps the head and the tail of an answer as it streams, so an
// answer of any length costs the council bounded memory.
type transcript struct {
	head     strings.Builder
	headFull bool
	tail     []byte // the last keepTail bytes, once the head is full
	total    int
}

// WriteString appends s.
func (t *transcript) WriteString(s string) {
	t.total += len(s)
	if !t.headFull {
		n := min(keepHead-t.head.Len(), len(s))
		for n < len(s) && n > 0 && !utf8.RuneStart(s[n]) {
			n-- // never cut a character in two
		}
		t.head.WriteString(s[:n])
		s = s[n:]
		t.headFull = s != ""
	}
	if s == "" {
		return
	}
	t.tail = append(t.tail, s...)
	if over := len(t.tail) - keepTail; over > keepTail {
		t.tail = append(t.tail[:0], t.tail[over:]...)
	}
}

// Len is the length of the whole answer so far.
func (t *transcript) Len() int { return t.total }

// String is the answer, with its middle left out when it was too long to
// keep.
func (t *transcript) String() string {
	tail := t.tail
	if len(tail) > keepTail {
		tail = tail[len(tail)-keepTail:]
	}
	omitted := t.total - t.head.Len() - len(tail)
	if omitted <= 0 {
		return t.head.String() + string(tail)
	}
	return fmt.Sprintf("%s\n[… %d bytes of this answer omitted here; the whole answer is in the record …]\n%s",
		t.head.String(), omitted, validStart(tail))
}

// validStart drops the bytes of a UTF-8 sequence cut at the start of b.
func validStart(b []byte) string {
	for i := 0; i < len(b) && i < 4; i++ {
		if b[i]&0xC0 != 0x80 {
			return string(b[i:])
		}
	}
	return string(b)
}
