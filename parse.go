package magi

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ParseVerdict reads the verdict a model ended its answer with. A verdict
// is read only when it is unambiguous; anything else is ABSTAINED, with a
// Reason saying what was ambiguous, and never a vote for the other side.
// Text outside the JSON is never read as a vote. It never panics, and its
// time is linear in the length of text. The rule (docs/API.md, "How a
// verdict is read"):
//
//   - A verdict object is a JSON object, bare or fenced, with a "decision"
//     key in any case.
//   - An object is quoted, not the answer's own, when it sits on a
//     Markdown blockquote line ("> {…}"), in inline code or quotation
//     marks, inside a sentence (the text before it on its line ends in a
//     letter or digit), inside another verdict object, or when the clause
//     introducing it ("For example:") or the line after it ("That is only
//     an example.") presents it as an example.
//   - The verdict is the last verdict object that is not quoted; with none,
//     the answer abstains. Quoted objects before it are passed over (a
//     judge may quote the sages).
//   - The answer abstains when its verdict is not valid JSON, gives two
//     different decisions (a repeated "decision" key), or when another
//     unquoted verdict object anywhere in the answer, or any verdict
//     object after the verdict (quoted or nested), gives a different or a
//     negated decision. Two identical verdicts are fine. An answer with
//     more than 32 "decision" keys abstains.
//   - The decision word must be one parseDecision reads exactly (in any
//     case, English or Japanese). A negated, hedged or mixed word
//     ("反対しない", "NOT REJECTED", "probably approve") abstains; only the
//     standard ways to say "not approved" (不承認, 承認しない, NOT APPROVED …)
//     are read, as REJECTED.
//
// confidence may be 0.8, 80 or "80%", conditions an array or a string, and
// trailing commas are forgiven.
func ParseVerdict(text string) Verdict {
	if strings.TrimSpace(text) == "" {
		return Abstain("the answer is empty")
	}
	cands, why := verdictObjects(text)
	if why != "" {
		return Abstain(why)
	}
	return choose(cands)
}

// choose picks the answer's own verdict among its verdict objects and
// checks that nothing else in the answer contradicts it.
func choose(cands []*candidate) Verdict {
	own := -1
	for i, c := range cands {
		if c.quoted == "" {
			own = i
		}
	}
	switch {
	case len(cands) == 0:
		return Abstain("no verdict JSON found at the end of the answer")
	case own < 0:
		return Abstain(fmt.Sprintf("the only verdict JSON in the answer is quoted (%s), not the answer's own", cands[len(cands)-1].quoted))
	case cands[own].obj == nil:
		return Abstain("the verdict JSON at the end of the answer is not valid JSON")
	}
	c := cands[own]
	if a, b, ok := disagree(c.decisions); ok {
		return Abstain(fmt.Sprintf("the verdict JSON gives two decisions, %s and %s", a, b))
	}
	v := verdictOf(c.obj)
	if v.Decision == Abstained {
		return v
	}
	for i, o := range cands {
		if i == own || o.obj == nil || (i < own && o.quoted != "") {
			continue
		}
		for _, d := range o.decisions {
			if !contradicts(d, v.Decision) {
				continue
			}
			if i < own {
				return Abstain(fmt.Sprintf("the answer gives two different verdicts, %s and then %s; a verdict is one JSON object", shown(d), shown(c.decisions[0])))
			}
			if o.quoted == "" {
				o.quoted = "after it"
			}
			return Abstain(fmt.Sprintf("the verdict %s is followed by another verdict JSON, %s (%s); which one is meant is ambiguous", shown(c.decisions[0]), shown(d), o.quoted))
		}
	}
	return v
}

// disagree reports two decision values of one object that do not read the
// same.
func disagree(values []any) (string, string, bool) {
	for _, b := range values[min(1, len(values)):] {
		if readAs(values[0]) != readAs(b) {
			return shown(values[0]), shown(b), true
		}
	}
	return "", "", false
}

// readAs is the decision a value reads as, or its text when it reads as none.
func readAs(v any) string {
	s, ok := v.(string)
	if !ok {
		return shortJSON(v)
	}
	if d, _ := parseDecision(s); d != "" {
		return string(d)
	}
	return "?" + normDecision(s)
}

// contradicts reports whether a decision value elsewhere in the answer
// gives a vote other than d: a different decision, or a negated one.
func contradicts(v any, d Decision) bool {
	s, ok := v.(string)
	if !ok {
		return false
	}
	got, _ := parseDecision(s)
	switch got {
	case Approved, Rejected, Conditional:
		return got != d
	case "":
		return isNegated(normDecision(s))
	}
	return false
}

// shown quotes a decision value for a reason.
func shown(v any) string {
	if s, ok := v.(string); ok {
		return fmt.Sprintf("%q", truncate(s, 40))
	}
	return shortJSON(v)
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
