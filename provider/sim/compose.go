package sim

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"sort"
	"strings"
	"unicode"

	"github.com/magi-system/magi"
)

// Answer returns the whole simulated answer to req: what Stream streams.
// It depends only on seed and req.
func Answer(seed int64, req magi.Request) string {
	req.Prompt = withoutNonce(req.Prompt)
	q := question(req.Prompt)
	w := writer{
		rng: rand.New(rand.NewPCG(digest(seed, req), uint64(seed))),
		ja:  hasJapanese(q) || (q == "" && hasJapanese(req.Prompt)),
		q:   q,
	}
	w.keys = keywords(q, w.ja)
	if req.Agent == magi.Solomon {
		rounds, changed := movesOf(req.Prompt)
		return w.judge(QuotedAnswers(req.Prompt), rounds, changed)
	}
	if d, ok := readDebate(req.Prompt, req.Agent); ok {
		return w.rebut(req.Agent, d)
	}
	return w.sage(req.Agent)
}

// withoutNonce drops the random marker of a prompt's quotes, so that the
// same answers quoted again give the same simulated reply.
func withoutNonce(prompt string) string {
	i := strings.Index(prompt, "\n<<<END ")
	if i < 0 {
		return prompt
	}
	rest := prompt[i+len("\n<<<END "):]
	j := strings.Index(rest, ">>>")
	if j <= 0 {
		return prompt
	}
	return strings.ReplaceAll(prompt, rest[:j], "")
}

// digest folds the seed and the request into one number.
func digest(seed int64, req magi.Request) uint64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d\x00%s\x00%s\x00%s\x00%s", seed, req.Agent, req.Model, req.System, req.Prompt)
	return h.Sum64()
}

// writer composes one answer.
type writer struct {
	rng  *rand.Rand
	ja   bool
	q    string
	keys []string
	b    strings.Builder
}

// question recovers the question from a sage's or SOLOMON's prompt.
func question(prompt string) string {
	q := prompt
	for _, prefix := range []string{"The question put to the MAGI council:\n\n", "The question put to the council:\n\n"} {
		if rest, ok := strings.CutPrefix(q, prefix); ok {
			q = rest
			break
		}
	}
	if i := strings.Index(q, "\n\nBelow are the "); i >= 0 {
		q = q[:i] // the answers quoted for SOLOMON or for a round of debate
	}
	return strings.TrimSpace(q)
}

func hasJapanese(s string) bool {
	return strings.IndexFunc(s, isJapanese) >= 0
}

// stopwords are English words that do not name the subject of a question:
// function words and the common verbs of proposals.
var stopwords = toSet(`a an the and or but if of to in on at by for with from into over about
than as is are was were be been being do does did done can could should would will shall may
might must we our us you your they their them it its this that these those there here what
which who whom when where why how not no yes all any some more most very just also only so
next now then new i me my he she his her adopt introduce make start stop allow ban build use
move switch launch hire buy sell invest replace implement go get take have let keep give
put set try need want migrate it's we're before after during within without under between
across per via until since because`)

// jaStopwords are Japanese runs too vague to echo.
var jaStopwords = toSet(`来年 今年 今後 来月 今月 将来 現在 本当 必要 検討 導入 実施`)

func toSet(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

// keywords picks up to three phrases of the question worth echoing: in
// English the longest runs of words that are not stopwords (at most three
// words each), in Japanese runs of kanji, katakana and digits.
func keywords(q string, ja bool) []string {
	var runs []string
	if ja {
		runs = strings.FieldsFunc(q, func(r rune) bool {
			// Digits and the long-vowel mark stay inside a run: 週休3日制, データ.
			return !unicode.In(r, unicode.Han, unicode.Katakana) && !unicode.IsDigit(r) && r != 'ー' || r == '・'
		})
	} else {
		runs = englishRuns(q)
	}
	var out []string
	seen := map[string]bool{}
	for _, r := range runs {
		if len([]rune(r)) < 2 || seen[r] || jaStopwords[r] {
			continue
		}
		seen[r] = true
		out = append(out, r)
	}
	sort.SliceStable(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	if len(out) > 3 {
		out = out[:3]
	}
	if len(out) == 0 {
		out = []string{phrase(ja, "the proposal", "この提案")}
	}
	return out
}

// englishRuns splits q at stopwords and punctuation into runs of at most
// three content words.
func englishRuns(q string) []string {
	var runs []string
	var cur []string
	flush := func() {
		if len(cur) > 0 {
			runs = append(runs, strings.Join(cur, " "))
		}
		cur = nil
	}
	for i, tok := range strings.Fields(q) {
		word := strings.TrimFunc(tok, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		lw := strings.ToLower(word)
		if word == "" || stopwords[lw] || len(cur) == 3 {
			flush()
		}
		if word != "" && !stopwords[lw] {
			if i == 0 && strings.ToUpper(word) != word {
				word = lw // a capital that only starts the sentence
			}
			cur = append(cur, word)
		}
		if strings.ContainsAny(tok, ",.;:?!()\"") {
			flush()
		}
	}
	flush()
	return runs
}

// key returns the i-th key word, cycling.
func (w *writer) key(i int) string { return w.keys[i%len(w.keys)] }

func phrase(ja bool, en, jp string) string {
	if ja {
		return jp
	}
	return en
}

// quote is the question shortened for echoing.
func (w *writer) quote() string {
	r := []rune(strings.Join(strings.Fields(w.q), " "))
	if len(r) > 90 {
		return string(r[:90]) + "…"
	}
	return string(r)
}

// label is the first line of every answer.
func (w *writer) label() {
	w.b.WriteString(phrase(w.ja, "[SIMULATED — sim provider, no model was called]",
		"[シミュレーション — simプロバイダー、モデルは呼び出されていません]"))
	w.b.WriteString("\n\n")
}

// pick returns n distinct sentences of pool, in a random order, each with
// a key word filled in.
func (w *writer) pick(pool []string, n, keyFrom int) []string {
	idx := w.rng.Perm(len(pool))
	out := make([]string, 0, n)
	for i := 0; i < n && i < len(idx); i++ {
		out = append(out, fmt.Sprintf(pool[idx[i]], w.key(keyFrom+i)))
	}
	return out
}

// paragraph writes sentences as one paragraph.
func (w *writer) paragraph(sentences ...string) {
	w.b.WriteString(strings.Join(sentences, phrase(w.ja, " ", "")))
	w.b.WriteString("\n\n")
}

// verdictJSON ends the answer with the verdict in a json fence.
type verdictJSON struct {
	Decision   magi.Decision        `json:"decision"`
	Confidence float64              `json:"confidence"`
	Summary    string               `json:"summary"`
	Conditions []string             `json:"conditions"`
	Scores     map[magi.AgentID]int `json:"scores,omitempty"`
}

func (w *writer) fence(v verdictJSON) string {
	var buf strings.Builder
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v) // a struct of strings and numbers always encodes
	w.b.WriteString("```json\n")
	w.b.WriteString(buf.String())
	w.b.WriteString("```\n")
	return w.b.String()
}

// confidence draws a confidence in [lo, hi), to two decimals.
func (w *writer) confidence(lo, hi float64) float64 {
	return float64(int((lo+w.rng.Float64()*(hi-lo))*100)) / 100
}
