package feed

import (
	"testing"

	"github.com/magi-system/magi"
)

// BenchmarkCoalesce merges a batch of 3,000 one-token chunks of three
// interleaved agents, as the journal does when the store is far behind.
// ns/op is per queued chunk.
func BenchmarkCoalesce(b *testing.B) {
	agents := []magi.AgentID{magi.Melchior, magi.Balthasar, magi.Casper}
	src := make([]magi.Event, 3000)
	for i := range src {
		src[i] = magi.Event{Type: magi.EventChunk, Agent: agents[i%3], Content: "token "}
	}
	batch := make([]magi.Event, len(src))
	b.ReportAllocs()
	var out int
	for b.Loop() {
		b.StopTimer()
		copy(batch, src)
		b.StartTimer()
		out = len(coalesce(batch))
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(src)), "ns/chunk")
	b.ReportMetric(float64(out), "events/batch")
}
