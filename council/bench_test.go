package council

import (
	"context"
	"iter"
	"strings"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/magi-system/magi"
)

// discard is an Emitter that keeps nothing.
type discard struct{ n int }

func (d *discard) Emit(magi.Event) { d.n++ }

// BenchmarkDeliberate measures the engine's own cost: one deliberation with
// zero-latency fake providers streaming 200 chunks per agent.
func BenchmarkDeliberate(b *testing.B) {
	benchDeliberate(b, benchCouncil())
}

// BenchmarkDeliberate_Traced is BenchmarkDeliberate with tracing on: the
// deliberation's span and its four calls' spans, batched to an exporter
// that drops them. The difference is what tracing costs a deliberation
// in CPU, without the network.
func BenchmarkDeliberate_Traced(b *testing.B) {
	c := benchCouncil()
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(tracetest.NewNoopExporter()))
	defer func() { _ = tp.Shutdown(context.Background()) }()
	c.Tracer = tp.Tracer("bench")
	benchDeliberate(b, c)
}

func benchCouncil() *Council {
	prose := strings.Repeat("word ", 200)
	return scripted(map[magi.AgentID]func(context.Context, magi.Request) iter.Seq2[magi.Delta, error]{
		magi.Melchior: say(verdictText(prose, magi.Approved, 0.8), 0), magi.Balthasar: say(verdictText(prose, magi.Rejected, 0.7), 0),
		magi.Casper: say(verdictText(prose, magi.Conditional, 0.6, "c"), 0), magi.Solomon: say(prose+judgeText, 0)})
}

func benchDeliberate(b *testing.B, c *Council) {
	q := magi.Question{ID: "b", Text: "q", Rule: magi.Majority}
	var d discard
	b.ReportAllocs()
	for b.Loop() {
		ctx, span := c.startDeliberation(context.Background(), q)
		_, err := c.Deliberate(ctx, q, &d)
		endDeliberation(span, err)
		if err != nil {
			b.Fatal(err)
		}
	}
	chunks := float64(d.n) / float64(b.N)
	b.ReportMetric(chunks, "events/op")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/chunks, "ns/event")
}

// BenchmarkParallelism runs sages that take 40, 60 and 80 ms and a judge
// of 20 ms: wall time ÷ (slowest sage + judge) should be ≈ 1, far below
// wall ÷ serial sum.
func BenchmarkParallelism(b *testing.B) {
	sleep := func(d time.Duration, text string) func(context.Context, magi.Request) iter.Seq2[magi.Delta, error] {
		return func(ctx context.Context, req magi.Request) iter.Seq2[magi.Delta, error] {
			return func(yield func(magi.Delta, error) bool) {
				time.Sleep(d)
				for d, err := range words(ctx, text, 0) {
					if !yield(d, err) {
						return
					}
				}
			}
		}
	}
	c := scripted(map[magi.AgentID]func(context.Context, magi.Request) iter.Seq2[magi.Delta, error]{
		magi.Melchior: sleep(40*time.Millisecond, verdictText("a", magi.Approved, 0.8)), magi.Balthasar: sleep(60*time.Millisecond, verdictText("b", magi.Approved, 0.8)),
		magi.Casper: sleep(80*time.Millisecond, verdictText("c", magi.Approved, 0.8)), magi.Solomon: sleep(20*time.Millisecond, judgeText)})
	q := magi.Question{ID: "p", Text: "q", Rule: magi.Majority}
	var wall time.Duration
	for b.Loop() {
		began := time.Now()
		if _, err := c.Deliberate(context.Background(), q, &discard{}); err != nil {
			b.Fatal(err)
		}
		wall += time.Since(began)
	}
	per := float64(wall) / float64(b.N)
	b.ReportMetric(per/float64(100*time.Millisecond), "wall/(slowest+judge)")
	b.ReportMetric(per/float64(200*time.Millisecond), "wall/serial")
}
