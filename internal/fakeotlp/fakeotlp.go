// Package fakeotlp is an OpenTelemetry collector for tests and the bench:
// it receives spans over OTLP/HTTP (POST /v1/traces, protobuf, gzip or
// not) and OTLP/gRPC, decodes each ExportTraceServiceRequest with the
// official protobuf types, and keeps the spans and the raw bytes that
// arrived, so a test can check the tree of a trace and grep what left the
// process.
//
//	c := fakeotlp.New()
//	srv := httptest.NewServer(c)
//	// OTEL_EXPORTER_OTLP_ENDPOINT=srv.URL
//	spans, err := c.WaitFor(ctx, func(s []fakeotlp.Span) bool { return len(s) >= 5 })
package fakeotlp

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/hex"
	"io"
	"net/http"
	"sync"
	"time"

	collectorpb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"
)

// Span is one received span, decoded.
type Span struct {
	TraceID, SpanID, ParentID string // hex; ParentID empty for a root
	TraceState                string
	Name                      string
	Kind                      tracepb.Span_SpanKind
	Start, End                time.Time
	Attrs                     map[string]any
	Events                    []Event
	Links                     []Link
	// StatusCode is 0 unset, 1 ok, 2 error; StatusMessage its text.
	StatusCode    int
	StatusMessage string
	// Resource are the attributes of the process that sent it; Scope the
	// name of its instrumentation scope.
	Resource map[string]any
	Scope    string
}

// Event is a span's event.
type Event struct {
	Name  string
	Time  time.Time
	Attrs map[string]any
}

// Link is a span's link to another span.
type Link struct {
	TraceID, SpanID string
	Attrs           map[string]any
}

// Collector receives spans. It is an http.Handler of POST /v1/traces;
// GRPC serves the same over gRPC. The zero value is not usable: call New.
type Collector struct {
	mu      sync.Mutex
	spans   []Span
	raw     [][]byte
	exports int
	changed chan struct{}
}

// New returns an empty collector.
func New() *Collector {
	return &Collector{changed: make(chan struct{})}
}

// ServeHTTP receives one OTLP/HTTP export.
func (c *Collector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/traces" {
		http.Error(w, "only POST /v1/traces", http.StatusNotFound)
		return
	}
	var body io.Reader = r.Body
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		body = zr
	}
	data, err := io.ReadAll(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var req collectorpb.ExportTraceServiceRequest
	if err := proto.Unmarshal(data, &req); err != nil {
		http.Error(w, "not an ExportTraceServiceRequest: "+err.Error(), http.StatusBadRequest)
		return
	}
	c.add(data, &req)
	out, _ := proto.Marshal(&collectorpb.ExportTraceServiceResponse{})
	w.Header().Set("Content-Type", "application/x-protobuf")
	_, _ = w.Write(out)
}

// add keeps the spans of req and the bytes they came in.
func (c *Collector) add(data []byte, req *collectorpb.ExportTraceServiceRequest) {
	var spans []Span
	for _, rs := range req.GetResourceSpans() {
		res := attrs(rs.GetResource().GetAttributes())
		for _, ss := range rs.GetScopeSpans() {
			for _, s := range ss.GetSpans() {
				sp := decode(s)
				sp.Resource, sp.Scope = res, ss.GetScope().GetName()
				spans = append(spans, sp)
			}
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.spans = append(c.spans, spans...)
	c.raw = append(c.raw, data)
	c.exports++
	close(c.changed)
	c.changed = make(chan struct{})
}

// Spans returns every span received so far, in the order they arrived.
func (c *Collector) Spans() []Span {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Span(nil), c.spans...)
}

// Raw returns the bytes of every export received so far, concatenated.
func (c *Collector) Raw() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return bytes.Join(c.raw, nil)
}

// Exports returns how many exports arrived.
func (c *Collector) Exports() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.exports
}

// WaitFor waits until done holds of the spans received, and returns them;
// or returns what arrived and ctx's error when ctx ends first.
func (c *Collector) WaitFor(ctx context.Context, done func([]Span) bool) ([]Span, error) {
	for {
		c.mu.Lock()
		spans, changed := append([]Span(nil), c.spans...), c.changed
		c.mu.Unlock()
		if done(spans) {
			return spans, nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return spans, ctx.Err()
		}
	}
}

// Named returns the spans of spans called name.
func Named(spans []Span, name string) []Span {
	var out []Span
	for _, s := range spans {
		if s.Name == name {
			out = append(out, s)
		}
	}
	return out
}

// decode turns a protobuf span into a Span.
func decode(s *tracepb.Span) Span {
	sp := Span{TraceID: hex.EncodeToString(s.GetTraceId()), SpanID: hex.EncodeToString(s.GetSpanId()),
		ParentID: hex.EncodeToString(s.GetParentSpanId()), TraceState: s.GetTraceState(), Name: s.GetName(), Kind: s.GetKind(),
		Start: time.Unix(0, int64(s.GetStartTimeUnixNano())), End: time.Unix(0, int64(s.GetEndTimeUnixNano())),
		Attrs: attrs(s.GetAttributes()), StatusCode: int(s.GetStatus().GetCode()), StatusMessage: s.GetStatus().GetMessage()}
	for _, e := range s.GetEvents() {
		sp.Events = append(sp.Events, Event{Name: e.GetName(), Time: time.Unix(0, int64(e.GetTimeUnixNano())), Attrs: attrs(e.GetAttributes())})
	}
	for _, l := range s.GetLinks() {
		sp.Links = append(sp.Links, Link{TraceID: hex.EncodeToString(l.GetTraceId()), SpanID: hex.EncodeToString(l.GetSpanId()), Attrs: attrs(l.GetAttributes())})
	}
	return sp
}

// attrs decodes attributes: strings, int64s, float64s, bools, and slices
// of them as []any.
func attrs(kvs []*commonpb.KeyValue) map[string]any {
	m := make(map[string]any, len(kvs))
	for _, kv := range kvs {
		m[kv.GetKey()] = value(kv.GetValue())
	}
	return m
}

func value(v *commonpb.AnyValue) any {
	switch x := v.GetValue().(type) {
	case *commonpb.AnyValue_StringValue:
		return x.StringValue
	case *commonpb.AnyValue_IntValue:
		return x.IntValue
	case *commonpb.AnyValue_DoubleValue:
		return x.DoubleValue
	case *commonpb.AnyValue_BoolValue:
		return x.BoolValue
	case *commonpb.AnyValue_ArrayValue:
		var out []any
		for _, e := range x.ArrayValue.GetValues() {
			out = append(out, value(e))
		}
		return out
	}
	return nil
}
