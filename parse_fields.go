package magi

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

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
