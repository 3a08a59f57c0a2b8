package telemetry

import (
	"context"
	"encoding/hex"
	"strings"

	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// AmznTraceHeader is the tracing header of AWS (X-Ray, Lambda Function
// URLs, Bedrock AgentCore Runtime).
const AmznTraceHeader = "X-Amzn-Trace-Id"

// Propagator reads the trace context of a request: W3C traceparent and
// tracestate, baggage, and AWS's X-Amzn-Trace-Id when no traceparent
// came with it (AgentCore and Lambda send it). It writes W3C headers only.
func Propagator() propagation.TextMapPropagator {
	// Extracted in order, each valid one replacing the one before: so a
	// traceparent wins over X-Amzn-Trace-Id.
	return propagation.NewCompositeTextMapPropagator(amzn{}, propagation.TraceContext{}, propagation.Baggage{})
}

// amzn reads X-Amzn-Trace-Id: Root=1-5759e988-bd862e3fe1be46a994272793;
// Parent=53995c3f42cd8ad8;Sampled=1. Its root is a W3C trace id once its
// dashes are gone (the first 8 digits are the epoch seconds, as X-Ray
// and the OpenTelemetry X-Ray propagator have it); its Parent the span id.
// Without a Parent it is no parent: it names no span. Nor is one that is
// not Sampled=1: Lambda and AgentCore send Sampled=0 whenever X-Ray's
// active tracing is off, and following it would drop every trace the
// operator asked for; MAGI's own sampler decides then.
type amzn struct{}

// Inject writes nothing: calls go out with traceparent.
func (amzn) Inject(context.Context, propagation.TextMapCarrier) {}

// Fields lists the header amzn reads.
func (amzn) Fields() []string { return []string{AmznTraceHeader} }

// Extract returns ctx with the remote span of the header, if it names one.
func (amzn) Extract(ctx context.Context, c propagation.TextMapCarrier) context.Context {
	sc, ok := ParseAmznTraceID(c.Get(AmznTraceHeader))
	if !ok {
		return ctx
	}
	return trace.ContextWithRemoteSpanContext(ctx, sc)
}

// ParseAmznTraceID reads an X-Amzn-Trace-Id header as a remote span
// context; ok is false unless it has a valid Root and Parent and is
// Sampled=1.
func ParseAmznTraceID(h string) (sc trace.SpanContext, ok bool) {
	if h == "" || len(h) > 256 {
		return sc, false
	}
	var cfg trace.SpanContextConfig
	for part := range strings.SplitSeq(h, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Root":
			epoch, unique, found := strings.Cut(strings.TrimPrefix(v, "1-"), "-")
			if !strings.HasPrefix(v, "1-") || !found || len(epoch) != 8 || len(unique) != 24 {
				return sc, false
			}
			b, err := hex.DecodeString(epoch + unique)
			if err != nil {
				return sc, false
			}
			copy(cfg.TraceID[:], b)
		case "Parent":
			b, err := hex.DecodeString(v)
			if err != nil || len(b) != 8 {
				return sc, false
			}
			copy(cfg.SpanID[:], b)
		case "Sampled":
			if v == "1" {
				cfg.TraceFlags = trace.FlagsSampled
			}
		}
	}
	cfg.Remote = true
	sc = trace.NewSpanContext(cfg)
	return sc, sc.IsValid() && sc.IsSampled()
}
