package term

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// wide lists the East Asian Wide (W) and Fullwidth (F) ranges of Unicode,
// the characters a terminal draws two columns wide, sorted by start.
var wide = [][2]rune{
	{0x1100, 0x115F}, {0x231A, 0x231B}, {0x2329, 0x232A}, {0x23E9, 0x23EC},
	{0x23F0, 0x23F0}, {0x23F3, 0x23F3}, {0x25FD, 0x25FE}, {0x2614, 0x2615},
	{0x2648, 0x2653}, {0x267F, 0x267F}, {0x2693, 0x2693}, {0x26A1, 0x26A1},
	{0x26AA, 0x26AB}, {0x26BD, 0x26BE}, {0x26C4, 0x26C5}, {0x26CE, 0x26CE},
	{0x26D4, 0x26D4}, {0x26EA, 0x26EA}, {0x26F2, 0x26F3}, {0x26F5, 0x26F5},
	{0x26FA, 0x26FA}, {0x26FD, 0x26FD}, {0x2705, 0x2705}, {0x270A, 0x270B},
	{0x2728, 0x2728}, {0x274C, 0x274C}, {0x274E, 0x274E}, {0x2753, 0x2755},
	{0x2757, 0x2757}, {0x2795, 0x2797}, {0x27B0, 0x27B0}, {0x27BF, 0x27BF},
	{0x2B1B, 0x2B1C}, {0x2B50, 0x2B50}, {0x2B55, 0x2B55}, {0x2E80, 0x303E},
	{0x3041, 0x33FF}, {0x3400, 0x4DBF}, {0x4E00, 0x9FFF}, {0xA000, 0xA4CF},
	{0xA960, 0xA97F}, {0xAC00, 0xD7A3}, {0xF900, 0xFAFF}, {0xFE10, 0xFE19},
	{0xFE30, 0xFE6F}, {0xFF00, 0xFF60}, {0xFFE0, 0xFFE6}, {0x16FE0, 0x16FE4},
	{0x17000, 0x18AFF}, {0x1B000, 0x1B2FF}, {0x1F004, 0x1F004}, {0x1F0CF, 0x1F0CF},
	{0x1F18E, 0x1F18E}, {0x1F191, 0x1F19A}, {0x1F200, 0x1F202}, {0x1F210, 0x1F23B},
	{0x1F240, 0x1F248}, {0x1F250, 0x1F251}, {0x1F260, 0x1F265}, {0x1F300, 0x1F320},
	{0x1F32D, 0x1F335}, {0x1F337, 0x1F37C}, {0x1F37E, 0x1F393}, {0x1F3A0, 0x1F3CA},
	{0x1F3CF, 0x1F3D3}, {0x1F3E0, 0x1F3F0}, {0x1F3F4, 0x1F3F4}, {0x1F3F8, 0x1F43E},
	{0x1F440, 0x1F440}, {0x1F442, 0x1F4FC}, {0x1F4FF, 0x1F53D}, {0x1F54B, 0x1F54E},
	{0x1F550, 0x1F567}, {0x1F57A, 0x1F57A}, {0x1F595, 0x1F596}, {0x1F5A4, 0x1F5A4},
	{0x1F5FB, 0x1F64F}, {0x1F680, 0x1F6C5}, {0x1F6CC, 0x1F6CC}, {0x1F6D0, 0x1F6D2},
	{0x1F6D5, 0x1F6D7}, {0x1F6DC, 0x1F6DF}, {0x1F6EB, 0x1F6EC}, {0x1F6F4, 0x1F6FC},
	{0x1F7E0, 0x1F7EB}, {0x1F7F0, 0x1F7F0}, {0x1F90C, 0x1F93A}, {0x1F93C, 0x1F945},
	{0x1F947, 0x1F9FF}, {0x1FA70, 0x1FAFF}, {0x20000, 0x2FFFD}, {0x30000, 0x3FFFD},
}

// runeWidth is the number of terminal columns r takes: 0 for controls and
// combining or format characters, 2 for East Asian Wide and Fullwidth
// characters, 1 for the rest.
func runeWidth(r rune) int {
	switch {
	case r < 0x20 || (r >= 0x7F && r < 0xA0):
		return 0
	case r < 0x300:
		return 1
	case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf):
		return 0
	}
	i := sort.Search(len(wide), func(i int) bool { return wide[i][1] >= r })
	if i < len(wide) && wide[i][0] <= r {
		return 2
	}
	return 1
}

// width is the display width of s in terminal columns.
func width(s string) int {
	n := 0
	for _, r := range s {
		n += runeWidth(r)
	}
	return n
}

// sanitize makes model text safe to print: valid UTF-8, no control
// characters (an escape sequence in a model's answer must not drive the
// terminal), tabs as spaces. Newlines stay.
func sanitize(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n':
			return r
		case r == '\t':
			return ' '
		case r < 0x20 || (r >= 0x7F && r < 0xA0):
			return -1
		}
		return r
	}, s)
}

// cutIncomplete splits s before a UTF-8 sequence that is cut short at its
// end, so a character split across two chunks is never printed in halves.
func cutIncomplete(s string) (complete, rest string) {
	for i := 1; i <= utf8.UTFMax-1 && i <= len(s); i++ {
		if utf8.RuneStart(s[len(s)-i]) {
			if !utf8.FullRuneInString(s[len(s)-i:]) {
				return s[:len(s)-i], s[len(s)-i:]
			}
			break
		}
	}
	return s, ""
}

// noLineStart are the characters a Japanese line must not begin with
// (kinsoku): closing punctuation and small kana.
const noLineStart = "、。，．・：；？！）」』】〕〉》ー…‥ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ"

// splitTokens splits a line into runs of spaces, words, and single wide
// characters (a line may break between any two of those). Zero-width
// characters, and closing punctuation after a character, stay with what
// precedes them.
func splitTokens(s string) []string {
	var out []string
	start, kind := 0, -1 // kind: 0 space, 1 word, 2 wide
	for i, r := range s {
		k := 1
		switch w := runeWidth(r); {
		case r == ' ':
			k = 0
		case i > 0 && (w == 0 || kind > 0 && strings.ContainsRune(noLineStart, r)):
			continue
		case w == 2:
			k = 2
		}
		if i > start && (k != kind || k == 2) {
			out = append(out, s[start:i])
			start = i
		}
		kind = k
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

// wrap breaks one line of text (no newline) into lines of at most cols
// display columns, at spaces where it can and between wide characters;
// a word longer than a line is cut between characters. Spaces at a break
// are dropped. It returns at least one line.
func wrap(s string, cols int) []string {
	cols = max(cols, 2)
	var lines []string
	var line strings.Builder
	lw := 0
	flush := func() {
		lines = append(lines, strings.TrimRight(line.String(), " "))
		line.Reset()
		lw = 0
	}
	for _, tok := range splitTokens(s) {
		tw := width(tok)
		if tok[0] == ' ' {
			if lw+tw > cols {
				flush()
			} else if lw > 0 || len(lines) == 0 {
				line.WriteString(tok)
				lw += tw
			}
			continue
		}
		if lw+tw > cols && lw > 0 {
			flush()
		}
		for tw > cols {
			head, tail := cutWidth(tok, cols)
			line.WriteString(head)
			flush()
			tok, tw = tail, width(tail)
		}
		line.WriteString(tok)
		lw += tw
	}
	flush()
	return lines
}

// wrapText wraps multi-line text: each of its lines is wrapped to cols.
func wrapText(s string, cols int) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		out = append(out, wrap(l, cols)...)
	}
	return out
}

// cutWidth splits s after as many whole characters as fit in cols columns
// (at least one, so cutting always progresses).
func cutWidth(s string, cols int) (head, tail string) {
	w := 0
	for i, r := range s {
		rw := runeWidth(r)
		if w+rw > cols && i > 0 {
			return s[:i], s[i:]
		}
		w += rw
	}
	return s, ""
}

// fit truncates s to cols columns, with an ellipsis when it had to cut,
// and pads it with spaces to exactly cols columns.
func fit(s string, cols int) string {
	if w := width(s); w <= cols {
		return s + strings.Repeat(" ", cols-w)
	}
	if cols < 1 {
		return ""
	}
	head, _ := cutWidth(s, cols-1)
	if width(head) > cols-1 {
		head = ""
	}
	return pad(head+"…", cols)
}

// pad adds spaces to s up to cols columns.
func pad(s string, cols int) string {
	return s + strings.Repeat(" ", max(cols-width(s), 0))
}
