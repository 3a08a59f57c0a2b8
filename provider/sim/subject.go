package sim

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The subject of a question is what the sages' sentences are about: a
// noun phrase that reads well wherever a sentence names the matter —
// "The council approves the proposal to adopt a four-day work week." —
// whatever the shape of the question. A question whose shape is not
// recognised is "this proposal", never a fragment of it.

// maxSubjectWords keeps the subject short enough to repeat.
const maxSubjectWords = 14

// fallbackEN and fallbackJA name a matter the question does not.
const (
	fallbackEN = "this proposal"
	fallbackJA = "この提案"
)

// verbs are base forms that start a proposal: "Rewrite the backend",
// "Should the city ban cars".
var verbs = toSet(`accept add adopt afford allow approve automate ban build buy cancel change close
consolidate continue cut delay deploy discontinue drop end enforce expand extend fire fund give
go grow hire host increase introduce invest join keep launch lease limit lower make merge migrate
move offer open outsource pause pay pilot postpone publish quit raise rebuild reduce refactor
release relocate remove rename replace require restructure retire rewrite run scrap sell send ship
shut sign split spend sponsor start stop switch take test trial try upgrade use`)

// determiners start a noun phrase put as a question: "A four-day week?"
var determiners = toSet(`a an the our my your their this that these those some more less no every`)

// firstPerson maps the asker's words to the sages', who answer them.
var firstPerson = map[string]string{"i": "you", "me": "you", "my": "your", "mine": "yours", "myself": "yourself"}

var (
	modalRE   = regexp.MustCompile(`(?i)^(should|shall|can|could|would|will|must|may|might)\s+(.+)$`)
	pronounRE = regexp.MustCompile(`(?i)^(we|i|you|they|us)\s+(.+)$`)
	doRE      = regexp.MustCompile(`(?i)^(do|does)\s+(we|i|you|they)\s+(.+)$`)
	needRE    = regexp.MustCompile(`(?i)^(need|want)\s+(to\s+)?(.+)$`)
	itToRE    = regexp.MustCompile(`(?i)^(?:is|would)\s+it\s+(?:be\s+)?(?:\S+\s+){0,3}?\S+\s+to\s+(.+)$`)
	worthRE   = regexp.MustCompile(`(?i)^is\s+it\s+worth\s+(\S+ing\b.*)$`)
	proposeRE = regexp.MustCompile(`(?i)^(?:let's|let\s+us|(?:we|i)\s+(?:should|must|could|propose\s+to|want\s+to|need\s+to|ought\s+to)|(?:we|i)\s+propose\s+(?:that\s+)?we|(?:proposal|motion)\s*:\s*)\s*(.+)$`)
)

// subjectEN is the subject of an English question.
func subjectEN(q string) string {
	q = strings.TrimRight(strings.Join(strings.Fields(q), " "), "?.!…;: ")
	if m := worthRE.FindStringSubmatch(q); m != nil {
		return bounded(m[1], "")
	}
	if m := itToRE.FindStringSubmatch(q); m != nil {
		return bounded(verbPhrase(m[1]), "the proposal to ")
	}
	if m := proposeRE.FindStringSubmatch(q); m != nil {
		return bounded(verbPhrase(m[1]), "the proposal to ")
	}
	if m := doRE.FindStringSubmatch(q); m != nil {
		vp := m[3]
		if n := needRE.FindStringSubmatch(vp); n != nil && n[2] == "" {
			vp = "get " + n[3] // "Do we need a new CRM?"
		} else if n != nil {
			vp = n[3]
		}
		return bounded(verbPhrase(vp), "the proposal to ")
	}
	if m := modalRE.FindStringSubmatch(q); m != nil {
		return modalSubject(strings.ToLower(m[1]), m[2])
	}
	words := strings.Fields(q)
	if len(words) == 0 {
		return fallbackEN
	}
	switch first := strings.ToLower(words[0]); {
	case isVerb(first):
		return bounded(verbPhrase(q), "the proposal to ")
	case determiners[first]:
		return bounded(lowerFirst(q), "the proposal of ")
	}
	return fallbackEN
}

// modalSubject is the subject of "Should we …" (the proposal to …) or
// "Should the city ban …" (the proposal that the city should ban …).
func modalSubject(modal, rest string) string {
	if m := pronounRE.FindStringSubmatch(rest); m != nil {
		return bounded(verbPhrase(m[2]), "the proposal to ")
	}
	words := strings.Fields(rest)
	for i := 1; i < len(words) && i <= 5; i++ {
		if isVerb(strings.ToLower(words[i])) {
			np := lowerFirst(strings.Join(words[:i], " "))
			return bounded(np+" "+modal+" "+verbPhrase(strings.Join(words[i:], " ")), "the proposal that ")
		}
	}
	return fallbackEN
}

// isVerb reports whether w is a verb that starts a proposal, a hyphenated
// one included (open-source).
func isVerb(w string) bool {
	head, _, _ := strings.Cut(w, "-")
	return verbs[w] || verbs[head]
}

// verbPhrase is vp as the sages say it: its first word in lower case
// (unless an acronym), the asker's first person as the second.
func verbPhrase(vp string) string {
	words := strings.Fields(lowerFirst(vp))
	for i, w := range words {
		core := strings.TrimRightFunc(w, func(r rune) bool { return !unicode.IsLetter(r) })
		if to, ok := firstPerson[strings.ToLower(core)]; ok && (core == strings.ToLower(core) || core == "I") {
			words[i] = to + w[len(core):]
		}
	}
	return strings.Join(words, " ")
}

// lowerFirst lowers the first letter of s unless its first word is an
// acronym or a name written in capitals (SDK, AI).
func lowerFirst(s string) string {
	first, _, _ := strings.Cut(s, " ")
	if len(first) > 1 && strings.ToUpper(first) == first {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}

// bounded is prefix+phrase, or the fallback when the phrase is too long to
// repeat or breaks a quotation.
func bounded(phrase, prefix string) string {
	if phrase == "" || len(strings.Fields(phrase)) > maxSubjectWords || strings.Count(phrase, `"`)%2 != 0 {
		return fallbackEN
	}
	return prefix + phrase
}

// jaEndings are the question endings a Japanese subject drops, longest
// first; what each becomes.
var jaEndings = []struct{ from, to string }{
	{"すべきでしょうか", "する"}, {"すべきですか", "する"}, {"すべきか", "する"}, {"すべき", "する"}, {"するか", "する"},
	{"した方がいいですか", "する"}, {"した方がいいか", "する"}, {"したほうがいいか", "する"},
	{"しますか", "する"}, {"しましょうか", "する"}, {"しませんか", "する"},
	{"べきでしょうか", ""}, {"べきですか", ""}, {"べきか", ""}, {"べき", ""},
	{"でしょうか", ""}, {"ですか", ""},
}

// jaQuestionWords make a question that proposes nothing in particular.
var jaQuestionWords = []string{"どの", "どれ", "何", "なに", "なぜ", "どう", "いつ", "どこ", "誰", "だれ", "どちら"}

// subjectJA is the subject of a Japanese question: 「…する」という案.
func subjectJA(q string) string {
	q = strings.TrimRight(strings.TrimSpace(q), "？?。.!！ 　")
	for _, e := range jaEndings {
		if rest, ok := strings.CutSuffix(q, e.from); ok {
			q = rest + e.to
			break
		}
	}
	if q == "" || utf8.RuneCountInString(q) > 50 || strings.ContainsAny(q, "？?") ||
		slices.ContainsFunc(jaQuestionWords, func(w string) bool { return strings.Contains(q, w) }) {
		return fallbackJA
	}
	q = strings.NewReplacer("「", "『", "」", "』").Replace(q) // quoted inside the quote
	return "「" + q + "」という案"
}
