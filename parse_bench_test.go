package magi

import (
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
