package server

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/council"
	"github.com/magi-system/magi/telemetry"
)

const parentTP = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

// tracedServer is a test server whose council, journal and streams trace
// into a span recorder, reading trace context as magi serve does.
func tracedServer(t *testing.T) (*testServer, *tracetest.SpanRecorder) {
	t.Helper()
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	return newTestServer(t, 0, Options{Tracer: tp.Tracer("test"), Propagation: telemetry.Propagator()}), rec
}

// settle waits until the deliberations have ended, their spans with them.
func settle(t *testing.T, ts *testServer) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := ts.runner.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
}

func spansNamed(rec *tracetest.SpanRecorder, name string) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, s := range rec.Ended() {
		if s.Name() == name {
			out = append(out, s)
		}
	}
	return out
}

func attrMap(s sdktrace.ReadOnlySpan) map[attribute.Key]attribute.Value {
	m := map[attribute.Key]attribute.Value{}
	for _, kv := range s.Attributes() {
		m[kv.Key] = kv.Value
	}
	return m
}

func TestTracing_TraceparentIsTheParent(t *testing.T) {
	ts, rec := tracedServer(t)
	resp := post(t, ts.URL+"/api/deliberations", `{"question":"Plant the orchard?","rounds":1}`,
		"Accept", "text/event-stream", "Traceparent", parentTP)
	events, _ := readSSE(t, resp.Body)
	resp.Body.Close()
	settle(t, ts)

	delib, streams := spansNamed(rec, council.SpanDeliberate), spansNamed(rec, SpanStream)
	if len(delib) != 1 || len(streams) != 1 {
		t.Fatalf("%d deliberation spans, %d stream spans; want one of each", len(delib), len(streams))
	}
	for _, s := range []sdktrace.ReadOnlySpan{delib[0], streams[0]} {
		if s.Parent().TraceID().String() != "4bf92f3577b34da6a3ce929d0e0e4736" || s.Parent().SpanID().String() != "00f067aa0ba902b7" {
			t.Errorf("%s's parent is %v, want the traceparent's span", s.Name(), s.Parent())
		}
	}
	if got := events[0].event.TraceID; got != "4bf92f3577b34da6a3ce929d0e0e4736" {
		t.Errorf("the start event's trace id is %q", got)
	}
	a := attrMap(streams[0])
	var bytes int
	for _, e := range events {
		bytes += len(e.raw)
	}
	if a[attrEvents].AsInt64() != int64(len(events)) || a[attrBytes].AsInt64() != int64(bytes) || a[attrEnded].AsString() != "terminal" ||
		a[attrID].AsString() != events[0].event.DeliberationID || a[attrResumedFrom].AsInt64() != 0 {
		t.Errorf("stream span %v; sent %d events, %d bytes", a, len(events), bytes)
	}
	if len(spansNamed(rec, "magi.store.write")) == 0 {
		t.Error("no store write was traced")
	}
}

func TestTracing_StreamIsTheParentWithoutTraceparent(t *testing.T) {
	ts, rec := tracedServer(t)
	resp := post(t, ts.URL+"/api/deliberations", `{"question":"Plant the orchard?","rounds":1}`, "Accept", "text/event-stream")
	events, _ := readSSE(t, resp.Body)
	resp.Body.Close()
	settle(t, ts)
	delib, streams := spansNamed(rec, council.SpanDeliberate), spansNamed(rec, SpanStream)
	if len(delib) != 1 || len(streams) != 1 {
		t.Fatalf("%d deliberation spans, %d stream spans; want one of each", len(delib), len(streams))
	}
	if streams[0].Parent().IsValid() || delib[0].Parent().SpanID() != streams[0].SpanContext().SpanID() {
		t.Errorf("the stream (parent %v) should be the root and the deliberation's parent (%v)", streams[0].Parent(), delib[0].Parent())
	}
	if events[0].event.TraceID != streams[0].SpanContext().TraceID().String() {
		t.Errorf("trace id %q, want the stream's %s", events[0].event.TraceID, streams[0].SpanContext().TraceID())
	}
}

func TestTracing_ResumedStream(t *testing.T) {
	ts, rec := tracedServer(t)
	created := decode[createResponse](t, post(t, ts.URL+"/api/deliberations", `{"question":"Plant the orchard?","rounds":1}`))
	settle(t, ts)
	resp := get(t, ts.URL+created.EventsURL, "Last-Event-ID", "5", "Traceparent", parentTP)
	events, _ := readSSE(t, resp.Body)
	resp.Body.Close()
	streams := spansNamed(rec, SpanStream)
	if len(streams) != 1 {
		t.Fatalf("%d stream spans", len(streams))
	}
	a := attrMap(streams[0])
	if a[attrResumedFrom].AsInt64() != 5 || a[attrEvents].AsInt64() != int64(len(events)) || events[0].event.Seq != 6 {
		t.Errorf("resumed stream span %v; sent %d events from %d", a, len(events), events[0].event.Seq)
	}
	if streams[0].Parent().SpanID().String() != "00f067aa0ba902b7" {
		t.Errorf("the resumed stream's parent is %v", streams[0].Parent())
	}
}

func TestTracing_AgentCoreTraceHeader(t *testing.T) {
	ts, rec := tracedServer(t)
	const amzn = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
	resp := post(t, ts.URL+"/invocations", `{"prompt":"Plant the orchard?"}`, "X-Amzn-Trace-Id", amzn)
	events, _ := readSSE(t, resp.Body)
	resp.Body.Close()
	settle(t, ts)
	delib, streams := spansNamed(rec, council.SpanDeliberate), spansNamed(rec, SpanStream)
	if len(delib) != 1 || len(streams) != 1 {
		t.Fatalf("%d deliberation spans, %d stream spans", len(delib), len(streams))
	}
	if delib[0].Parent().SpanID().String() != "53995c3f42cd8ad8" || events[0].event.TraceID != "5759e988bd862e3fe1be46a994272793" {
		t.Errorf("deliberation parent %v, trace id %q: want X-Ray's", delib[0].Parent(), events[0].event.TraceID)
	}
	if got := attrMap(streams[0])[attrAmzn].AsString(); got != amzn {
		t.Errorf("the stream span's %s = %q", attrAmzn, got)
	}
}

func TestTracing_OffReadsNoHeader(t *testing.T) {
	ts := newTestServer(t, 0, Options{})
	resp := post(t, ts.URL+"/api/deliberations", `{"question":"Plant the orchard?","rounds":1}`,
		"Accept", "text/event-stream", "Traceparent", parentTP)
	events, _ := readSSE(t, resp.Body)
	resp.Body.Close()
	if events[0].event.TraceID != "" {
		t.Errorf("a server that does not trace stored trace id %q", events[0].event.TraceID)
	}
	if sp := ts.srv.streamSpan(resp.Request, "x", 0); sp.IsRecording() || sp.SpanContext().IsValid() {
		t.Error("a server without a tracer made a stream span")
	}
	st := &streamState{r: resp.Request}
	if n := testing.AllocsPerRun(100, func() { endStreamSpan(ts.srv.streamSpan(resp.Request, "x", 0), st) }); n != 0 {
		t.Errorf("a stream's span costs %v allocations with tracing off", n)
	}
}

func TestMetrics_GenAI(t *testing.T) {
	m := NewMetrics(nil)
	done := func(agent magi.AgentID, provider, model string, out int64, kind magi.ErrorKind) magi.Event {
		tr := &magi.Trace{Provider: provider, Model: model, DurationMS: 1500, Tokens: &magi.Usage{InputTokens: 3, OutputTokens: out}}
		if kind != "" {
			tr.Error, tr.ErrorKind, tr.Tokens = "failed", kind, &magi.Usage{}
		}
		return magi.Event{Type: magi.EventTrace, Agent: agent, Stage: magi.StageAgentDone, Trace: tr}
	}
	for _, e := range []magi.Event{done(magi.Melchior, "openai", "m", 20, ""), done(magi.Balthasar, "openai", "m", 30, ""),
		done(magi.Casper, "bedrock", "b", 0, magi.KindRateLimited), done(magi.Solomon, "openai", "m", 50, "")} {
		m.Observe(e)
	}
	rr := httptest.NewRecorder()
	m.Handler().ServeHTTP(rr, httptest.NewRequest("GET", "/metrics", nil))
	text := rr.Body.String()
	for _, want := range []string{
		`gen_ai_client_token_usage_count{gen_ai_operation_name="chat",gen_ai_provider_name="openai",gen_ai_request_model="m",gen_ai_token_type="input"} 3`,
		`gen_ai_client_token_usage_sum{gen_ai_operation_name="chat",gen_ai_provider_name="openai",gen_ai_request_model="m",gen_ai_token_type="output"} 100`,
		`gen_ai_client_token_usage_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="openai",gen_ai_request_model="m",gen_ai_token_type="output",le="64"} 3`,
		`gen_ai_client_operation_duration_seconds_count{error_type="",gen_ai_operation_name="chat",gen_ai_provider_name="openai",gen_ai_request_model="m"} 3`,
		`gen_ai_client_operation_duration_seconds_sum{error_type="rate_limited",gen_ai_operation_name="chat",gen_ai_provider_name="aws.bedrock",gen_ai_request_model="b"} 1.5`,
		`magi_tokens_total{agent="melchior",direction="output"} 20`, // the existing names stay
		`magi_agent_duration_seconds_count{agent="casper",provider="bedrock"} 1`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if strings.Contains(text, `gen_ai_request_model="b",gen_ai_token_type`) {
		t.Error("a failed call without tokens is counted in the token usage")
	}
}

func TestMetrics_ModelLabelsAreBounded(t *testing.T) {
	m := NewMetrics(nil)
	for i := range maxModelLabels + 10 {
		m.genAI(&magi.Trace{Provider: "openai", Model: strings.Repeat("m", i+1), DurationMS: 1})
	}
	if got := m.modelLabel("another"); got != "_OTHER" {
		t.Errorf("model label past the bound = %q", got)
	}
	if got := m.modelLabel("m"); got != "m" {
		t.Errorf("a labelled model = %q", got)
	}
}

// TestTracing_StreamSpanSaysHowItEnded: what the stream knew of its end,
// and whether the client was still there, give magi.stream.ended.
func TestTracing_StreamSpanSaysHowItEnded(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tracer := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec)).Tracer("test")
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	for _, c := range []struct {
		known string
		left  bool
		ended string
	}{
		{"terminal", false, "terminal"}, {"shutdown", false, "shutdown"}, {"revoked", false, "revoked"},
		{"write_failed", false, "write_failed"}, {"write_failed", true, "client_gone"},
		{"", true, "client_gone"}, {"", false, "closed"},
	} {
		r := httptest.NewRequest("GET", "/api/deliberations/x/events", nil)
		if c.left {
			r = r.WithContext(gone)
		}
		_, span := tracer.Start(context.Background(), SpanStream)
		endStreamSpan(span, &streamState{r: r, ended: c.known, events: 3, bytes: 42})
		ended := rec.Ended()
		a := attrMap(ended[len(ended)-1])
		if a[attrEnded].AsString() != c.ended || a[attrEvents].AsInt64() != 3 || a[attrBytes].AsInt64() != 42 {
			t.Errorf("known %q, client left %v: span %v, want ended %q", c.known, c.left, a, c.ended)
		}
	}
}
