package magi

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"
)

const (
	// maxVerdictKeys bounds how many "decision" keys an answer may hold: a
	// sage writes one verdict, a judge may quote a few more.
	maxVerdictKeys = 32
	// maxObjectBytes bounds a verdict object's size, so the work per key
	// is bounded and a pathological answer is parsed in linear time.
	maxObjectBytes = 64 << 10
)

// candidate is a JSON object of an answer that has a "decision" key.
type candidate struct {
	start, end int            // its span in the answer; end is start+1 when it is not valid JSON
	obj        map[string]any // nil when it is not valid JSON
	decisions  []any          // the value of each of its "decision" keys, in order
	quoted     string         // why it is not the answer's own verdict; "" when it is
}

// verdictObjects finds every object of text that holds a "decision" key,
// in the order they start, each with its decision values and whether it is
// quoted. A "decision" followed by a colon but not inside an object is a
// fragment of prose, not a verdict, and is passed over.
func verdictObjects(text string) ([]*candidate, string) {
	keys := decisionKeys(text)
	if len(keys) > maxVerdictKeys {
		return nil, fmt.Sprintf("the answer holds more than %d \"decision\" keys; a verdict is one JSON object", maxVerdictKeys)
	}
	var out []*candidate
	for _, k := range keys {
		s := openingBrace(text, k.at)
		if s < 0 {
			continue
		}
		c := startingAt(out, s)
		if c == nil {
			c = &candidate{start: s, end: s + 1}
			if obj, n, ok := decodeObject(text[s:min(len(text), s+maxObjectBytes)]); ok {
				c.obj, c.end = obj, s+n
			}
			out = append(out, c)
		}
		c.decisions = append(c.decisions, valueAt(text, k.colon+1))
	}
	sortByStart(out)
	for _, c := range out {
		c.quoted = quotedWhy(text, c, out)
	}
	return out, ""
}

// startingAt is the candidate that starts at offset s, or nil.
func startingAt(cs []*candidate, s int) *candidate {
	for _, c := range cs {
		if c.start == s {
			return c
		}
	}
	return nil
}

// sortByStart orders candidates by where they start (insertion sort: there
// are at most maxVerdictKeys).
func sortByStart(cs []*candidate) {
	for i := 1; i < len(cs); i++ {
		for j := i; j > 0 && cs[j].start < cs[j-1].start; j-- {
			cs[j], cs[j-1] = cs[j-1], cs[j]
		}
	}
}

// key is a "decision" key: where its quote starts and where its colon is.
type key struct{ at, colon int }

// decisionKeys returns every `"decision"` of text (in any ASCII case) that
// is followed by a colon, in order.
func decisionKeys(text string) []key {
	const word = `"decision"`
	var out []key
	for i := 0; ; i++ {
		j := strings.IndexByte(text[i:], '"')
		if j < 0 {
			return out
		}
		i += j
		if i+len(word) > len(text) {
			return out
		}
		if !strings.EqualFold(text[i:i+len(word)], word) {
			continue
		}
		c := i + len(word)
		for c < len(text) && (text[c] == ' ' || text[c] == '\t' || text[c] == '\r' || text[c] == '\n') {
			c++
		}
		if c < len(text) && text[c] == ':' {
			out = append(out, key{at: i, colon: c})
			i = c
		}
	}
}

// openingBrace returns the offset of the "{" of the object whose key starts
// at offset k, scanning back over strings and nested values; -1 when there
// is none within maxObjectBytes. Within valid JSON the scan is exact; in
// prose it may land anywhere, and decoding from there then fails.
func openingBrace(text string, k int) int {
	depth, inStr := 0, false
	for i := k - 1; i >= 0 && k-i <= maxObjectBytes; i-- {
		c := text[i]
		switch {
		case c == '"' && !escaped(text, i):
			inStr = !inStr
		case inStr:
		case c == '}' || c == ']':
			depth++
		case c == '[' && depth == 0:
			return -1
		case c == '{' && depth == 0:
			return i
		case c == '{' || c == '[':
			depth--
		}
	}
	return -1
}

// escaped reports whether the byte at i is preceded by an odd number of
// backslashes.
func escaped(text string, i int) bool {
	n := 0
	for j := i - 1; j >= 0 && text[j] == '\\'; j-- {
		n++
	}
	return n%2 == 1
}

// valueAt decodes the JSON value starting at offset i (after a key's
// colon); nil when there is none.
func valueAt(text string, i int) any {
	if s, ok := plainString(text, i); ok {
		return s
	}
	dec := json.NewDecoder(strings.NewReader(text[i:min(len(text), i+maxObjectBytes)]))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return nil
	}
	return v
}

// plainString reads, without allocating, a JSON string with no escapes
// that starts after spaces at offset i.
func plainString(text string, i int) (string, bool) {
	for i < len(text) && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n') {
		i++
	}
	if i >= len(text) || text[i] != '"' {
		return "", false
	}
	for j := i + 1; j < len(text) && j-i <= maxObjectBytes; j++ {
		switch c := text[j]; {
		case c == '"':
			return text[i+1 : j], utf8.ValidString(text[i+1 : j])
		case c == '\\' || c < 0x20:
			return "", false
		}
	}
	return "", false
}

// decodeObject decodes the JSON object at the start of s and returns it and
// the offset just past it. It forgives trailing commas, which models write.
func decodeObject(s string) (map[string]any, int, bool) {
	if obj, end, ok := decodeStrict(s); ok {
		return obj, end, true
	}
	span, ok := braceSpan(s)
	if !ok {
		return nil, 0, false
	}
	obj, _, ok := decodeStrict(dropTrailingCommas(s[:span]))
	return obj, span, ok
}

func decodeStrict(s string) (map[string]any, int, bool) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil || obj == nil {
		return nil, 0, false
	}
	return obj, int(dec.InputOffset()), true
}

// braceSpan returns the length of the balanced {...} at the start of s,
// skipping braces inside JSON strings.
func braceSpan(s string) (int, bool) {
	depth, inStr, esc := 0, false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case esc:
			esc = false
		case inStr && c == '\\':
			esc = true
		case c == '"':
			inStr = !inStr
		case inStr:
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			depth--
			if depth == 0 {
				return i + 1, true
			}
		}
	}
	return 0, false
}

// dropTrailingCommas removes commas that directly precede a closing brace or
// bracket outside strings.
func dropTrailingCommas(s string) string {
	var b strings.Builder
	inStr, esc := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case esc:
			esc = false
		case inStr && c == '\\':
			esc = true
		case c == '"':
			inStr = !inStr
		case !inStr && c == ',':
			rest := strings.TrimLeft(s[i+1:], " \t\r\n")
			if strings.HasPrefix(rest, "}") || strings.HasPrefix(rest, "]") {
				continue
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}
