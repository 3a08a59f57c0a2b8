package sim

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"strings"

	"github.com/magi-system/magi"
)

// Answer returns the whole simulated answer to req: what Stream streams.
// It depends only on seed and req.
func Answer(seed int64, req magi.Request) string {
	req.Prompt = withoutNonce(req.Prompt)
	before, prompt := readFollowUp(req.Prompt)
	q := question(prompt)
	w := writer{
		rng:   rand.New(rand.NewPCG(digest(seed, req), uint64(seed))),
		ja:    hasJapanese(q) || (q == "" && hasJapanese(prompt)),
		q:     q,
		focus: focus(req.System),
		prior: before,
	}
	w.keys = topics(q, w.ja)
	if req.Agent == magi.Solomon {
		rounds, changed := movesOf(prompt)
		return w.judge(QuotedAnswers(prompt), rounds, changed)
	}
	if d, ok := readDebate(prompt, req.Agent); ok {
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
	// focus is what the agent's persona asks, when it is not a built-in
	// one (see brief).
	focus string
	b     strings.Builder
	// prior is the turn a follow-up follows; nil for a first question.
	prior *prior
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

func toSet(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

// topics are what the answer's sentences name, in turn: the question's
// subject (see subjectEN, subjectJA), then general words for the matter.
// A word picked out of the question could be a date or a verb ("approves
// Friday"); the subject is always a noun phrase that reads well.
func topics(q string, ja bool) []string {
	if ja {
		return []string{subjectJA(q), "この変更", fallbackJA}
	}
	return []string{subjectEN(q), "the change", fallbackEN}
}

// key returns the i-th key word, cycling.
func (w *writer) key(i int) string { return w.keys[i%len(w.keys)] }

func phrase(ja bool, en, jp string) string {
	if ja {
		return jp
	}
	return en
}

// quote is the question, shortened at a word for echoing, in quotation
// marks: “…” ending with its own punctuation (a full stop when it has
// none), or 「…」 in Japanese.
func (w *writer) quote() string { return w.quoteOf(w.q) }

// quoteOf is q quoted as quote quotes the question.
func (w *writer) quoteOf(q string) string {
	q = strings.Join(strings.Fields(q), " ")
	if q == "" {
		return phrase(w.ja, "“…”", "「…」")
	}
	if r := []rune(q); len(r) > 90 {
		cut := string(r[:90])
		if i := strings.LastIndex(cut, " "); i > 40 && !w.ja {
			cut = cut[:i]
		}
		if strings.Count(cut, `"`)%2 != 0 { // never end inside a quotation
			cut = strings.TrimRight(cut[:strings.LastIndex(cut, `"`)], " ")
		}
		q = strings.TrimRight(cut, " ,;:") + "…"
	}
	if w.ja {
		return "「" + strings.NewReplacer("「", "『", "」", "』").Replace(q) + "」"
	}
	if !strings.ContainsAny(q[len(q)-1:], ".?!") && !strings.HasSuffix(q, "…") {
		q += "."
	}
	return "“" + q + "”"
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
