package magi

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkParseVerdict parses the verdict at the end of a typical sage
// answer: about 2 KB of prose, then a fenced JSON object.
func BenchmarkParseVerdict(b *testing.B) {
	text := strings.Repeat("The evidence is mixed but the plan is sound. ", 45) +
		"\n\n```json\n{\"decision\": \"CONDITIONAL\", \"confidence\": 0.72, \"summary\": \"Go ahead if the budget holds.\", \"conditions\": [\"a monthly budget review\"]}\n```\n"
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		if v := ParseVerdict(text); v.Decision != Conditional {
			b.Fatalf("decision %q", v.Decision)
		}
	}
}

// BenchmarkParseVerdict_Long parses the verdict after 1 MB of prose that
// mentions "decision" often: the parser's worst realistic case.
func BenchmarkParseVerdict_Long(b *testing.B) {
	text := strings.Repeat("the decision to weigh {braces} and evidence. ", 1<<20/46) +
		"\n{\"decision\": \"APPROVED\", \"confidence\": 0.9, \"summary\": \"Yes.\", \"conditions\": []}"
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		if v := ParseVerdict(text); v.Decision != Approved {
			b.Fatalf("decision %q", v.Decision)
		}
	}
}

// BenchmarkParseVerdict_Pathological parses hostile shapes at three sizes;
// ns/op growing with the size (4x per step), not its square, shows the
// parse is linear.
func BenchmarkParseVerdict_Pathological(b *testing.B) {
	const verdict = "\n{\"decision\": \"REJECTED\", \"confidence\": 0.7}"
	shapes := map[string]func(n int) string{
		"unclosed_braces": func(n int) string { return strings.Repeat(`{"a":`, n/5) + `{"decision": "APPROVED"` },
		"deep_brackets": func(n int) string {
			return strings.Repeat("[", n/2) + `{"decision": "APPROVED"}` + strings.Repeat("]", n/2)
		},
		"escapes_and_quotes": func(n int) string { return strings.Repeat(`\"{\\"`, n/6) + verdict },
		"keys_far_apart": func(n int) string {
			gap := strings.Repeat("x", n/maxVerdictKeys)
			return strings.Repeat(gap+`"decision": 1, `, maxVerdictKeys-1) + verdict
		},
		"too_many_keys": func(n int) string { return strings.Repeat(`{"decision":"APPROVED"}`, n/23) },
		"one_long_line": func(n int) string { return strings.Repeat("word ", n/5) + `{"decision": "APPROVED"}` },
	}
	for _, name := range []string{"unclosed_braces", "deep_brackets", "escapes_and_quotes", "keys_far_apart", "too_many_keys", "one_long_line"} {
		for _, size := range []int{256 << 10, 1 << 20, 4 << 20} {
			text := shapes[name](size)
			b.Run(fmt.Sprintf("%s/%dKB", name, size>>10), func(b *testing.B) {
				b.SetBytes(int64(len(text)))
				for b.Loop() {
					checkBench(b, ParseVerdict(text))
				}
			})
		}
	}
}

func checkBench(b *testing.B, v Verdict) {
	if v.Decision == "" {
		b.Fatal("no decision")
	}
}
