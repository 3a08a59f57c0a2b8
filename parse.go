package magi

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// maxBraceTries bounds how many opening braces before a "decision" key are
// tried as the start of its object, so a pathological answer stays linear.
const maxBraceTries = 64

// ParseVerdict extracts the verdict from the end of a model's answer: the
// last JSON object in text (bare or fenced) that has a "decision" key. Keys
// and decisions are read in any case; Japanese decisions are understood.
// Anything that is not a clear vote becomes an ABSTAINED verdict whose
// Reason says why. It never panics.
func ParseVerdict(text string) Verdict {
	if strings.TrimSpace(text) == "" {
		return Abstain("the answer is empty")
	}
	obj, reason := lastVerdictObject(text)
	if obj == nil {
		return Abstain(reason)
	}
	return verdictOf(obj)
}

// lastVerdictObject finds the JSON object holding the last "decision" key of
// text, or says why there is none. A quoted "decision" that is not followed
// by a colon is a mention in prose, not a key, and is passed over.
func lastVerdictObject(text string) (map[string]any, string) {
	keys := decisionKeys(text)
	for k := len(keys) - 1; k >= 0; k-- {
		if !isKey(text, keys[k]) {
			continue
		}
		if obj := objectAround(text, keys[k]); obj != nil {
			return obj, ""
		}
		return nil, "the verdict JSON at the end of the answer is not valid JSON"
	}
	return nil, "no verdict JSON found at the end of the answer"
}

// decisionKeys returns the offsets of every `"decision"` in text, in any
// ASCII case.
func decisionKeys(text string) []int {
	const key = `"decision"`
	var out []int
	for i := 0; i+len(key) <= len(text); i++ {
		if text[i] == '"' && strings.EqualFold(text[i:i+len(key)], key) {
			out = append(out, i)
		}
	}
	return out
}

// isKey reports whether the quoted word at offset i is followed by a colon.
func isKey(text string, i int) bool {
	rest := strings.TrimLeft(text[i+len(`"decision"`):], " \t\r\n")
	return strings.HasPrefix(rest, ":")
}

// objectAround decodes the outermost JSON object that starts before offset
// key, spans it and has a top-level decision key; nil if there is none.
func objectAround(text string, key int) map[string]any {
	var best map[string]any
	tries := 0
	for i := strings.LastIndexByte(text[:key], '{'); i >= 0 && tries < maxBraceTries; i = strings.LastIndexByte(text[:i], '{') {
		tries++
		obj, end, ok := decodeObject(text[i:])
		if !ok || i+end <= key {
			continue
		}
		if _, has := field(obj, "decision"); has {
			best = obj
		}
	}
	return best
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

// field looks up key in obj in any case.
func field(obj map[string]any, key string) (any, bool) {
	if v, ok := obj[key]; ok {
		return v, true
	}
	for k, v := range obj {
		if strings.EqualFold(strings.TrimSpace(k), key) {
			return v, true
		}
	}
	return nil, false
}

// verdictOf reads a decoded verdict object.
func verdictOf(obj map[string]any) Verdict {
	raw, _ := field(obj, "decision")
	s, ok := raw.(string)
	if !ok {
		return Abstain(fmt.Sprintf("the decision is not a string (%s)", shortJSON(raw)))
	}
	d, why := parseDecision(s)
	switch {
	case d == "":
		return Abstain(why)
	case d == Abstained:
		return Abstain("the sage abstained")
	}
	v := Verdict{Decision: d, Confidence: 0.5, Conditions: conditionsOf(obj)}
	if c, ok := field(obj, "confidence"); ok {
		v.Confidence = confidenceOf(c)
	}
	v.Summary = summaryOf(obj)
	if sc, ok := field(obj, "scores"); ok {
		v.Scores = scoresOf(sc)
	}
	return v
}

// confidenceOf reads 0.8, 80, "80%" or "0.8" as a fraction in [0,1];
// anything unreadable is 0.5.
func confidenceOf(v any) float64 {
	f, pct, ok := number(v)
	if !ok || math.IsNaN(f) {
		return 0.5
	}
	if pct || f > 1 {
		f /= 100
	}
	return math.Max(0, math.Min(1, f))
}

// number reads a JSON number or a numeric string, reporting whether it was
// written as a percentage.
func number(v any) (f float64, pct bool, ok bool) {
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		return f, false, err == nil
	case float64:
		return x, false, true
	case string:
		s := strings.TrimSpace(x)
		if t, found := strings.CutSuffix(s, "%"); found {
			s, pct = strings.TrimSpace(t), true
		}
		f, err := strconv.ParseFloat(s, 64)
		return f, pct, err == nil
	}
	return 0, false, false
}

// conditionsOf reads conditions given as an array or a single string.
func conditionsOf(obj map[string]any) []string {
	out := []string{}
	raw, _ := field(obj, "conditions")
	switch x := raw.(type) {
	case string:
		if s := strings.TrimSpace(x); s != "" {
			out = append(out, s)
		}
	case []any:
		for _, e := range x {
			var s string
			switch y := e.(type) {
			case string:
				s = strings.TrimSpace(y)
			case json.Number:
				s = y.String()
			}
			if s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// summaryOf reads the summary, or failing that a reason or rationale.
func summaryOf(obj map[string]any) string {
	for _, k := range []string{"summary", "reason", "rationale", "reasoning"} {
		if v, ok := field(obj, k); ok {
			if s, ok := v.(string); ok {
				return strings.TrimSpace(s)
			}
		}
	}
	return ""
}

// scoresOf reads SOLOMON's scores: members' ids or names (any case, "MELCHIOR-1")
// to 0–100, with fractions in 0..1 read as percentages. Unknown keys are
// dropped; nil when nothing is left.
func scoresOf(v any) map[AgentID]int {
	obj, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	out := map[AgentID]int{}
	for k, raw := range obj {
		id, ok := memberOf(k)
		f, _, isNum := number(raw)
		if !ok || !isNum || math.IsNaN(f) {
			continue
		}
		if f <= 1 && strings.Contains(fmt.Sprint(raw), ".") {
			f *= 100
		}
		out[id] = int(math.Round(math.Max(0, math.Min(100, f))))
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// memberNames maps the members' Japanese names to their ids.
var memberNames = map[string]AgentID{
	"メルキオール": Melchior, "バルタザール": Balthasar, "カスパー": Casper, "ソロモン": Solomon,
}

// memberOf reads an agent id from a key such as "melchior", "MELCHIOR-1".
func memberOf(key string) (AgentID, bool) {
	k := strings.ToLower(strings.TrimSpace(key))
	for _, id := range Members {
		if strings.HasPrefix(k, string(id)) {
			return id, true
		}
	}
	for name, id := range memberNames {
		if strings.HasPrefix(k, name) {
			return id, true
		}
	}
	return "", false
}

func shortJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "?"
	}
	return truncate(string(b), 40)
}

// truncate cuts s to at most n runes.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
