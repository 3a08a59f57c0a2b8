package sim

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/magi-system/magi"
)

// maxFocus bounds the part of a persona the simulated agent quotes.
const maxFocus = 200

// focus is what a persona of the agents file or of a saved council asks
// of its agent — its opening sentences, without the closing instruction
// for the verdict — so that the simulated agent can bring it to bear; ""
// for a built-in persona, or none.
func focus(system string) string {
	if strings.TrimSpace(system) == "" {
		return ""
	}
	for _, a := range magi.DefaultAgents() {
		if a.Persona == system {
			return ""
		}
	}
	var keep []string
	for _, p := range strings.Split(system, "\n\n") {
		if strings.Contains(p, `"decision"`) {
			break // the closing instruction for the verdict, and what follows
		}
		keep = append(keep, p)
	}
	text := strings.Join(strings.Fields(strings.Join(keep, " ")), " ")
	if utf8.RuneCountInString(text) <= maxFocus {
		return strings.TrimRight(text, " ")
	}
	r := []rune(text)[:maxFocus]
	cut := string(r)
	if i := lastSentenceEnd(cut); i > maxFocus/3 {
		return cut[:i]
	}
	if i := strings.LastIndex(cut, " "); i > maxFocus/3 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:、") + "…"
}

// lastSentenceEnd is the byte index just after the last full stop,
// question or exclamation mark of s that ends a sentence; 0 if none.
func lastSentenceEnd(s string) int {
	end := 0
	for i, r := range s {
		switch r {
		case '。', '！', '？':
			end = i + utf8.RuneLen(r)
		case '.', '!', '?':
			if j := i + 1; j == len(s) || s[j] == ' ' {
				end = j
			}
		}
	}
	return end
}

// brief opens an answer whose persona is not the built-in one with what
// that persona asks, quoted: a newcomer sees the council's preset take
// effect with no model.
func (w *writer) brief(judge bool) {
	if w.focus == "" {
		return
	}
	quoted := "“" + w.focus + "”"
	if w.ja {
		quoted = "「" + strings.NewReplacer("「", "『", "」", "』").Replace(w.focus) + "」"
	}
	switch {
	case judge:
		w.paragraph(fmt.Sprintf(phrase(w.ja, "My brief as this council's judge: %s I weigh the sages' answers with it in mind.",
			"この評議会での裁定者としての私の務め：%s。それを念頭に賢者たちの回答を検討します。"), quoted))
	default:
		w.paragraph(fmt.Sprintf(phrase(w.ja, "My brief in this council: %s I look at %s through that lens.",
			"この評議会での私の務め：%s。その観点から%sを検討します。"), quoted, w.key(0)))
	}
}
