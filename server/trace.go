package server

import (
	"context"
	"net/http"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/magi-system/magi"
)

// SpanStream is the span of one event stream.
const SpanStream = "magi.stream"

// The attributes of a stream's span.
const (
	attrID          = attribute.Key("magi.deliberation.id")
	attrResumedFrom = attribute.Key("magi.stream.resumed_from")
	attrEvents      = attribute.Key("magi.stream.events")
	attrBytes       = attribute.Key("magi.stream.bytes")
	attrEnded       = attribute.Key("magi.stream.ended")
	attrAmzn        = attribute.Key("magi.amzn_trace_id")
)

// amznTraceHeader is AWS's tracing header (Lambda, AgentCore).
const amznTraceHeader = "X-Amzn-Trace-Id"

// streamSpanKey is the context key of a stream's span started before the
// stream (see streamStart).
type streamSpanKey struct{}

// traceContext returns r carrying the trace context of its headers
// (traceparent and tracestate, or X-Amzn-Trace-Id: Options.Propagation);
// r itself when the server does not trace.
func (s *Server) traceContext(r *http.Request) *http.Request {
	if s.opts.Propagation == nil {
		return r
	}
	return r.WithContext(s.opts.Propagation.Extract(r.Context(), propagation.HeaderCarrier(r.Header)))
}

// streamStart opens the span of the stream of deliberation id that r
// starts and streams (POST with Accept: text/event-stream, /invocations).
// It returns r carrying that span, and the context to start the
// deliberation in: the caller's when it sent a trace context (the
// deliberation is its child, the stream its sibling), else the stream's
// (so that the stream and the deliberation are one trace). Without a
// tracer it returns r and r's context.
func (s *Server) streamStart(r *http.Request, id string) (*http.Request, context.Context) {
	if s.opts.Tracer == nil {
		return r, r.Context()
	}
	caller := r.Context()
	ctx, span := s.startStreamSpan(r, id, 0)
	r = r.WithContext(context.WithValue(ctx, streamSpanKey{}, span))
	if trace.SpanContextFromContext(caller).IsValid() {
		return r, caller
	}
	return r, ctx
}

// streamNotStarted ends the span streamStart opened when the deliberation
// could not start.
func streamNotStarted(r *http.Request, err error) {
	if span, ok := r.Context().Value(streamSpanKey{}).(trace.Span); ok {
		span.SetStatus(codes.Error, magi.ErrorMessage(err))
		span.End()
	}
}

// streamSpan returns the span of the stream r opens: the one streamStart
// opened, or a new one, a child of r's trace context; a span that records
// nothing when the server does not trace.
func (s *Server) streamSpan(r *http.Request, id string, after int64) trace.Span {
	if span, ok := r.Context().Value(streamSpanKey{}).(trace.Span); ok {
		return span
	}
	if s.opts.Tracer == nil {
		return trace.SpanFromContext(context.Background())
	}
	_, span := s.startStreamSpan(r, id, after)
	return span
}

// startStreamSpan starts a stream's span under r's trace context.
func (s *Server) startStreamSpan(r *http.Request, id string, after int64) (context.Context, trace.Span) {
	ctx, span := s.opts.Tracer.Start(r.Context(), SpanStream, trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(attrID.String(id), attrResumedFrom.Int64(after),
			attribute.String("http.request.method", r.Method), attribute.String("url.path", r.URL.Path)))
	if h := r.Header.Get(amznTraceHeader); h != "" && len(h) <= 256 {
		span.SetAttributes(attrAmzn.String(h))
	}
	return ctx, span
}

// endStreamSpan ends a stream's span with what it sent.
func endStreamSpan(span trace.Span, st *streamState) {
	if !span.IsRecording() {
		return
	}
	ended := st.ended
	switch {
	case (ended == "" || ended == "write_failed") && st.r.Context().Err() != nil:
		ended = "client_gone"
	case ended == "":
		ended = "closed"
	}
	span.SetAttributes(attrEvents.Int64(st.events), attrBytes.Int64(st.bytes), attrEnded.String(ended))
	span.End()
}
