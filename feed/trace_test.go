package feed

import (
	"context"
	"slices"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/magi-system/magi"
)

// TestJournal_TracesMilestoneWrites: the write that creates a deliberation
// and each write of one of its milestones is a span under its own; writes
// of chunks alone are not.
func TestJournal_TracesMilestoneWrites(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	store, hub := newTestStore(), NewHub(HubOptions{})
	j := NewJournal(store, hub)
	defer j.Close()
	j.Trace(tp.Tracer("test"))
	ctx, delib := tp.Tracer("test").Start(context.Background(), "magi.deliberate")
	w, err := j.Open(ctx, magi.NewDeliberation{ID: "d", Question: "q", Rule: magi.Majority})
	if err != nil {
		t.Fatal(err)
	}
	w.Emit(magi.Event{Type: magi.EventStart, Question: "q", Rule: magi.Majority})
	for range 50 {
		w.Emit(magi.Event{Type: magi.EventChunk, Agent: magi.Melchior, Content: "word "})
	}
	w.Emit(magi.Event{Type: magi.EventVerdict, Agent: magi.Melchior, Verdict: &magi.Verdict{Decision: magi.Approved, Conditions: []string{}}})
	w.Emit(magi.Event{Type: magi.EventComplete, Outcome: &magi.Outcome{Decision: magi.Approved, Rule: magi.Majority}, Usage: &magi.Usage{}})
	if err := w.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	delib.End()

	var creates int
	var types []string
	for _, s := range rec.Ended() {
		if s.Name() != SpanWrite {
			continue
		}
		if s.Parent().SpanID() != delib.SpanContext().SpanID() || s.EndTime().Before(s.StartTime()) {
			t.Errorf("write span under %v, want the deliberation's", s.Parent())
		}
		a := map[attribute.Key]attribute.Value{}
		for _, kv := range s.Attributes() {
			a[kv.Key] = kv.Value
		}
		if a[attrID].AsString() != "d" || a[attrBatchDelib].AsInt64() < 1 {
			t.Errorf("write span attributes %v", a)
		}
		if a[attrCreate].AsBool() {
			creates++
			continue
		}
		if a[attrEvents].AsInt64() < 1 || a[attrLastSeq].AsInt64() < a[attrFirstSeq].AsInt64() {
			t.Errorf("write span attributes %v", a)
		}
		types = append(types, a[attrTypes].AsStringSlice()...)
	}
	if creates != 1 {
		t.Errorf("%d spans of the create, want 1", creates)
	}
	if !slices.Equal(types, []string{"start", "verdict", "complete"}) {
		t.Errorf("the traced writes stored %v, want start, verdict, complete", types)
	}
}

// TestJournal_UntracedWritesReadNoClock: without a tracer a write's measure
// is its zero value, and a writer keeps no span.
func TestJournal_UntracedWritesReadNoClock(t *testing.T) {
	j := &Journal{}
	if wt := j.startWrite(); !wt.began.IsZero() {
		t.Error("an untraced journal measured a write")
	}
	runs := []*run{{w: &Writer{id: "u"}, events: []magi.Encoded{{Event: magi.Event{Type: magi.EventVerdict}}}}}
	refused := magi.Refused{Append: []error{nil}}
	if n := testing.AllocsPerRun(100, func() { j.startWrite().end(j, nil, runs, refused) }); n != 0 {
		t.Errorf("an untraced write allocates %v times for its tracing", n)
	}
	store, hub := newTestStore(), NewHub(HubOptions{})
	jj := NewJournal(store, hub)
	defer jj.Close()
	tp := sdktrace.NewTracerProvider()
	ctx, span := tp.Tracer("test").Start(context.Background(), "x")
	defer span.End()
	w, err := jj.Open(ctx, magi.NewDeliberation{ID: "u", Question: "q", Rule: magi.Majority})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close(t.Context())
	if w.span.IsValid() {
		t.Error("an untraced journal's writer keeps the span")
	}
}
