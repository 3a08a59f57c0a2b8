package magi

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// lineWindow bounds how far around an object its line is read, so quoting
// is judged in constant time per object.
const lineWindow = 512

// quotedWhy says why the verdict object c of text is quoted — someone
// else's verdict, or an illustration — rather than the answer's own, or ""
// when it is the answer's own. all holds every verdict object of text.
func quotedWhy(text string, c *candidate, all []*candidate) string {
	for _, o := range all {
		if o != c && o.obj != nil && o.start < c.start && c.start < o.end {
			return "inside another verdict object"
		}
	}
	lead := strings.TrimSpace(lineBefore(text, c.start))
	trail := "" // an object that is not valid JSON has no known end
	if c.obj != nil {
		trail = strings.TrimSpace(lineAfter(text, c.end))
	}
	switch {
	case strings.HasPrefix(lead, ">"):
		return "in a Markdown blockquote"
	case isFence(lead):
	case strings.HasSuffix(lead, "`") || (strings.HasPrefix(trail, "`") && !isFence(trail)):
		return "in inline code"
	case endsWithAny(lead, openQuotes) || startsWithAny(trail, closeQuotes):
		return "in quotation marks"
	case endsInWord(lead) && hasWord(trail):
		return "inside a sentence"
	}
	if containsAny(introOf(text, c.start, lead), exampleIntros) {
		return "introduced as an example"
	}
	if c.obj != nil && containsAny(outroOf(text, c.end, trail), exampleOutros) {
		return "called an example"
	}
	return ""
}

var (
	openQuotes  = []string{`"`, "'", "“", "‘", "「", "『", "«", "＂"}
	closeQuotes = []string{`"`, "'", "”", "’", "」", "』", "»", "＂"}
)

// exampleIntros, in the clause that introduces an object, present it as an
// example rather than a vote.
var exampleIntros = []string{"for example", "example:", "an example", "for instance", "placeholder",
	"hypothetical", "illustrat", "might write", "would write", "could write", "might look like", "might say",
	"例えば", "たとえば", "例：", "例:", "例として", "の例", "見本", "仮に"}

// exampleOutros, in the line right after an object, say it was an example.
var exampleOutros = []string{"is an example", "is just an example", "is only an example", "is merely an example",
	"was an example", "was just an example", "are examples", "example only", "for illustration",
	"illustrative only", "is hypothetical", "is a hypothetical", "is a template", "is a placeholder",
	"例です", "例であり", "例に過ぎ", "例として示", "あくまで例", "サンプルです", "見本です"}

// lineBefore is the text on the object's line before offset i (at most
// lineWindow bytes of it).
func lineBefore(text string, i int) string {
	lo := max(0, i-lineWindow)
	if j := strings.LastIndexByte(text[lo:i], '\n'); j >= 0 {
		return text[lo+j+1 : i]
	}
	return text[lo:i]
}

// lineAfter is the text on the object's line after offset i (at most
// lineWindow bytes of it).
func lineAfter(text string, i int) string {
	hi := min(len(text), i+lineWindow)
	if j := strings.IndexByte(text[i:hi], '\n'); j >= 0 {
		return text[i : i+j]
	}
	return text[i:hi]
}

// introOf is the clause that introduces the object at offset i: the text
// before it on its line, or else the last clause of the nearest line above
// (past blank and fence lines) when that line ends with a colon.
func introOf(text string, i int, lead string) string {
	if lead == "" || isFence(lead) {
		lead = strings.TrimSpace(nearLine(text, i, -1))
		if !strings.HasSuffix(strings.TrimRight(lead, "*_ "), ":") && !strings.HasSuffix(lead, "：") {
			return ""
		}
	}
	return lastClause(lead)
}

// outroOf is the text that follows the object ending at offset i: the rest
// of its line, or else the nearest line below past blank and fence lines.
func outroOf(text string, i int, trail string) string {
	if trail == "" || isFence(trail) {
		return nearLine(text, i, +1)
	}
	return trail
}

// nearLine is the nearest line before (dir -1) or after (dir +1) offset i
// that is neither blank nor a fence, within a few lines.
func nearLine(text string, i, dir int) string {
	for range 4 {
		var line string
		if dir < 0 {
			j := strings.LastIndexByte(text[max(0, i-lineWindow):i], '\n')
			if j < 0 {
				return ""
			}
			i = max(0, i-lineWindow) + j
			line = lineBefore(text, i)
			i -= len(line)
		} else {
			j := strings.IndexByte(text[i:min(len(text), i+lineWindow)], '\n')
			if j < 0 {
				return ""
			}
			i += j + 1
			line = lineAfter(text, i)
			i += len(line)
		}
		if t := strings.TrimSpace(line); t != "" && !isFence(t) {
			return t
		}
	}
	return ""
}

// lastClause is the part of s after its last sentence end.
func lastClause(s string) string {
	cut := 0
	for _, end := range []string{". ", "! ", "? ", "。", "！", "？"} {
		if j := strings.LastIndex(s, end); j >= 0 && j+len(end) > cut {
			cut = j + len(end)
		}
	}
	return s[cut:]
}

// isFence reports whether a trimmed line opens or closes a code fence.
func isFence(s string) bool {
	return strings.HasPrefix(s, "```") || strings.HasPrefix(s, "~~~")
}

// endsInWord reports whether s ends in a letter or digit: an object after
// it continues a sentence.
func endsInWord(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return s != "" && (unicode.IsLetter(r) || unicode.IsDigit(r))
}

// hasWord reports whether s has a letter or digit: the sentence an object
// sits in goes on after it.
func hasWord(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0
}

func endsWithAny(s string, suffixes []string) bool {
	for _, x := range suffixes {
		if strings.HasSuffix(s, x) {
			return true
		}
	}
	return false
}

func startsWithAny(s string, prefixes []string) bool {
	for _, x := range prefixes {
		if strings.HasPrefix(s, x) {
			return true
		}
	}
	return false
}

// containsAny reports whether s contains any of words, ignoring case.
func containsAny(s string, words []string) bool {
	s = strings.ToLower(s)
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}
