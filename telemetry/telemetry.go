// Package telemetry is MAGI's OpenTelemetry tracing: the tracer provider
// and its OTLP exporter, built once from the standard OTEL_* settings
// (config.Telemetry), the propagation of trace context in and out, and the
// instrumented HTTP transport of the model providers.
//
// Off (the default), New builds nothing: no exporter, no goroutine, a nil
// Tracer, and Transport returns the transport it is given. The packages
// that make spans (council, feed, server) check for a nil tracer once per
// deliberation, call, write or stream, never per event.
package telemetry

import (
	"context"
	"errors"
	"net/http"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.37.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/magi-system/magi/config"
)

// ScopeName is the instrumentation scope of MAGI's spans.
const ScopeName = "github.com/magi-system/magi"

// Options are what New needs beyond the OTEL_* settings.
type Options struct {
	// Version is MAGI's version, the resource's service.version.
	Version string
	// Secrets are removed from every exported span wherever they appear
	// (the providers' API keys), besides what magi.Redact finds itself.
	Secrets []string
	// Exporter, when set, receives the spans instead of the OTLP
	// exporter the settings name (tests).
	Exporter sdktrace.SpanExporter
}

// Telemetry is the tracing of one process. The zero value, and a nil
// *Telemetry, trace nothing.
type Telemetry struct {
	tp      *sdktrace.TracerProvider
	tracer  trace.Tracer
	prop    propagation.TextMapPropagator
	capture bool
}

// New builds the tracing cfg asks for: when cfg is not Enabled, a
// Telemetry that traces nothing and starts nothing. Otherwise an OTLP
// exporter (http/protobuf or grpc) behind a batch span processor, the
// sampler and resource of cfg, and every span passed through magi.Redact
// before it leaves. Shutdown must be called.
func New(ctx context.Context, cfg config.Telemetry, opts Options) (*Telemetry, error) {
	if !cfg.Enabled {
		return &Telemetry{}, nil
	}
	exp := opts.Exporter
	if exp == nil {
		var err error
		if exp, err = exporter(ctx, cfg); err != nil {
			return nil, err
		}
	}
	res, err := newResource(ctx, cfg, opts.Version)
	if err != nil {
		return nil, err
	}
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithBatcher(redacting{next: exp, secrets: opts.Secrets}),
		sdktrace.WithSampler(sampler(cfg)),
		sdktrace.WithResource(res))
	return &Telemetry{tp: tp, tracer: tp.Tracer(ScopeName), prop: Propagator(), capture: cfg.CaptureContent}, nil
}

// exporter is the OTLP exporter of cfg's protocol and endpoint.
func exporter(ctx context.Context, cfg config.Telemetry) (sdktrace.SpanExporter, error) {
	if cfg.Protocol == config.ProtocolGRPC {
		var o []otlptracegrpc.Option
		if cfg.Endpoint != "" {
			o = append(o, otlptracegrpc.WithEndpointURL(cfg.Endpoint))
		}
		return otlptracegrpc.New(ctx, o...)
	}
	var o []otlptracehttp.Option
	if cfg.Endpoint != "" {
		o = append(o, otlptracehttp.WithEndpointURL(cfg.Endpoint))
	}
	return otlptracehttp.New(ctx, o...)
}

// sampler is the sampler OTEL_TRACES_SAMPLER names.
func sampler(cfg config.Telemetry) sdktrace.Sampler {
	switch cfg.Sampler {
	case "always_on":
		return sdktrace.AlwaysSample()
	case "always_off":
		return sdktrace.NeverSample()
	case "traceidratio":
		return sdktrace.TraceIDRatioBased(cfg.SamplerArg)
	case "parentbased_always_off":
		return sdktrace.ParentBased(sdktrace.NeverSample())
	case "parentbased_traceidratio":
		return sdktrace.ParentBased(sdktrace.TraceIDRatioBased(cfg.SamplerArg))
	}
	return sdktrace.ParentBased(sdktrace.AlwaysSample())
}

// Enabled reports whether spans are exported.
func (t *Telemetry) Enabled() bool { return t != nil && t.tp != nil }

// Tracer is MAGI's tracer, nil when tracing is off.
func (t *Telemetry) Tracer() trace.Tracer {
	if !t.Enabled() {
		return nil
	}
	return t.tracer
}

// CaptureContent reports whether spans record prompts and answers
// (OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true).
func (t *Telemetry) CaptureContent() bool { return t.Enabled() && t.capture }

// Propagation is how trace context arrives with a request, nil when
// tracing is off (see Propagator).
func (t *Telemetry) Propagation() propagation.TextMapPropagator {
	if !t.Enabled() {
		return nil
	}
	return t.prop
}

// Transport returns rt instrumented: each request is a client span, child
// of the span in its context, and carries that context (traceparent,
// tracestate) to the server. When tracing is off it returns rt itself.
func (t *Telemetry) Transport(rt http.RoundTripper) http.RoundTripper {
	if !t.Enabled() {
		return rt
	}
	return otelhttp.NewTransport(rt, otelhttp.WithTracerProvider(t.tp),
		otelhttp.WithPropagators(propagation.TraceContext{}))
}

// Client returns c with its transport instrumented (see Transport): c
// itself when tracing is off.
func (t *Telemetry) Client(c *http.Client) *http.Client {
	if !t.Enabled() {
		return c
	}
	cc := *c
	rt := cc.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	cc.Transport = t.Transport(rt)
	return &cc
}

// ForceFlush exports every span that has ended, waiting until ctx ends:
// magi lambda calls it before an invocation returns, as Lambda may freeze
// the process then.
func (t *Telemetry) ForceFlush(ctx context.Context) error {
	if !t.Enabled() {
		return nil
	}
	return t.tp.ForceFlush(ctx)
}

// Shutdown exports what is left and stops the exporter.
func (t *Telemetry) Shutdown(ctx context.Context) error {
	if !t.Enabled() {
		return nil
	}
	err := t.tp.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		return errors.New("telemetry: the spans could not all be exported before the deadline")
	}
	return err
}

// newResource describes this process: service.name and service.version,
// OTEL_RESOURCE_ATTRIBUTES, and the SDK.
func newResource(ctx context.Context, cfg config.Telemetry, version string) (*resource.Resource, error) {
	return resource.New(ctx, resource.WithTelemetrySDK(), resource.WithAttributes(resourceAttrs(cfg, version)...))
}

// resourceAttrs are the resource's own attributes: OTEL_RESOURCE_ATTRIBUTES,
// then service.name and service.version, which win.
func resourceAttrs(cfg config.Telemetry, version string) []attribute.KeyValue {
	var kvs []attribute.KeyValue
	for _, kv := range cfg.Resource {
		kvs = append(kvs, attribute.String(kv[0], kv[1]))
	}
	kvs = append(kvs, semconv.ServiceName(cfg.ServiceName))
	if version != "" {
		kvs = append(kvs, semconv.ServiceVersion(version))
	}
	return kvs
}
