package telemetry

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/magi-system/magi"
)

// redacting passes every span through magi.Redact on its way to the
// exporter: its name, the string values of its attributes and of its
// events' attributes, and its status: a URL's password, a key in a query
// string (otelhttp's url.full), an upstream error quoting a credential, or
// one of the configured secrets never leaves the process.
type redacting struct {
	next    sdktrace.SpanExporter
	secrets []string
}

// ExportSpans exports spans, redacted.
func (r redacting) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	out := make([]sdktrace.ReadOnlySpan, len(spans))
	for i, s := range spans {
		out[i] = redactedSpan{ReadOnlySpan: s, secrets: r.secrets}
	}
	return r.next.ExportSpans(ctx, out)
}

// Shutdown stops the exporter.
func (r redacting) Shutdown(ctx context.Context) error { return r.next.Shutdown(ctx) }

// redactedSpan is a span whose text is read through magi.Redact.
type redactedSpan struct {
	sdktrace.ReadOnlySpan
	secrets []string
}

// Name is the span's name, redacted.
func (s redactedSpan) Name() string { return magi.Redact(s.ReadOnlySpan.Name(), s.secrets...) }

// Attributes are the span's attributes, their text redacted.
func (s redactedSpan) Attributes() []attribute.KeyValue {
	return redactAttrs(s.ReadOnlySpan.Attributes(), s.secrets)
}

// Events are the span's events, their attributes' text redacted.
func (s redactedSpan) Events() []sdktrace.Event {
	events := s.ReadOnlySpan.Events()
	out := make([]sdktrace.Event, len(events))
	for i, e := range events {
		e.Name = magi.Redact(e.Name, s.secrets...)
		e.Attributes = redactAttrs(e.Attributes, s.secrets)
		out[i] = e
	}
	return out
}

// Status is the span's status, its description redacted.
func (s redactedSpan) Status() sdktrace.Status {
	st := s.ReadOnlySpan.Status()
	if st.Code == codes.Error {
		st.Description = magi.Redact(st.Description, s.secrets...)
	}
	return st
}

// redactAttrs returns attrs with the text of each string value redacted.
func redactAttrs(attrs []attribute.KeyValue, secrets []string) []attribute.KeyValue {
	out := make([]attribute.KeyValue, len(attrs))
	for i, kv := range attrs {
		switch kv.Value.Type() {
		case attribute.STRING:
			kv.Value = attribute.StringValue(magi.Redact(kv.Value.AsString(), secrets...))
		case attribute.STRINGSLICE:
			vs := kv.Value.AsStringSlice()
			for j := range vs {
				vs[j] = magi.Redact(vs[j], secrets...)
			}
			kv.Value = attribute.StringSliceValue(vs)
		}
		out[i] = kv
	}
	return out
}
