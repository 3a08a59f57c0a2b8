package telemetry

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/magi-system/magi/config"
	"github.com/magi-system/magi/internal/fakeotlp"
)

func TestNew_OffBuildsNothing(t *testing.T) {
	before := runtime.NumGoroutine()
	tel, err := New(t.Context(), config.Telemetry{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if tel.Enabled() || tel.Tracer() != nil || tel.Propagation() != nil || tel.CaptureContent() {
		t.Error("tracing that is off traces")
	}
	rt := http.DefaultTransport
	if tel.Transport(rt) != rt {
		t.Error("Transport wrapped the transport with tracing off")
	}
	c := &http.Client{}
	if tel.Client(c) != c {
		t.Error("Client wrapped the client with tracing off")
	}
	if after := runtime.NumGoroutine(); after > before {
		t.Errorf("tracing off started %d goroutines", after-before)
	}
	if _, sdk := otel.GetTracerProvider().(*sdktrace.TracerProvider); sdk {
		t.Error("the global tracer provider is an SDK provider")
	}
	if err := tel.ForceFlush(t.Context()); err != nil {
		t.Error(err)
	}
	if err := tel.Shutdown(t.Context()); err != nil {
		t.Error(err)
	}
	var none *Telemetry
	if none.Enabled() || none.Tracer() != nil {
		t.Error("a nil Telemetry traces")
	}
}

// start returns tracing that exports to a new collector over protocol.
func start(t *testing.T, protocol string, secrets ...string) (*Telemetry, *fakeotlp.Collector) {
	t.Helper()
	col := fakeotlp.New()
	cfg := config.Telemetry{Enabled: true, Protocol: protocol, ServiceName: "magi-test", Sampler: "parentbased_always_on",
		Resource: [][2]string{{"deployment.environment", "test"}}}
	if protocol == config.ProtocolGRPC {
		g, err := col.ServeGRPC()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(g.Stop)
		cfg.Endpoint = g.URL
	} else {
		srv := httptest.NewServer(col)
		t.Cleanup(srv.Close)
		cfg.Endpoint = srv.URL + "/v1/traces"
	}
	tel, err := New(t.Context(), cfg, Options{Version: "v9.9.9", Secrets: secrets})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tel.Shutdown(context.Background()) })
	return tel, col
}

func TestNew_ExportsOverBothProtocols(t *testing.T) {
	for _, protocol := range []string{config.ProtocolHTTP, config.ProtocolGRPC} {
		t.Run(protocol, func(t *testing.T) {
			tel, col := start(t, protocol)
			_, span := tel.Tracer().Start(t.Context(), "magi.test")
			span.SetAttributes(attribute.Int("n", 7))
			span.End()
			if err := tel.ForceFlush(t.Context()); err != nil {
				t.Fatal(err)
			}
			spans := col.Spans()
			if len(spans) != 1 || spans[0].Name != "magi.test" || spans[0].Attrs["n"] != int64(7) {
				t.Fatalf("spans = %+v", spans)
			}
			res := spans[0].Resource
			if res["service.name"] != "magi-test" || res["service.version"] != "v9.9.9" || res["deployment.environment"] != "test" {
				t.Errorf("resource = %v", res)
			}
			if spans[0].Scope != ScopeName {
				t.Errorf("scope = %q", spans[0].Scope)
			}
		})
	}
}

func TestRedacting_NoSecretLeaves(t *testing.T) {
	const planted = "planted-secret-1234"
	tel, col := start(t, config.ProtocolHTTP, planted)
	_, span := tel.Tracer().Start(t.Context(), "call "+planted)
	span.SetAttributes(attribute.String("url.full", "http://user:hunter2hunter2@model.example/v1?api-key=querysecret99"),
		attribute.String("plain", "the key is "+planted),
		attribute.StringSlice("list", []string{"Bearer tokensecret77"}))
	span.AddEvent("exception", trace.WithAttributes(attribute.String("exception.message", "401 for sk-abcdefghijkl")))
	span.SetStatus(codes.Error, "upstream said "+planted)
	span.End()
	if err := tel.ForceFlush(t.Context()); err != nil {
		t.Fatal(err)
	}
	raw := col.Raw()
	for _, secret := range []string{planted, "hunter2hunter2", "querysecret99", "tokensecret77", "sk-abcdefghijkl"} {
		if bytes.Contains(raw, []byte(secret)) {
			t.Errorf("the exported bytes hold %q", secret)
		}
	}
	if !bytes.Contains(raw, []byte("model.example")) {
		t.Error("the redacted URL lost its host")
	}
}

func TestTransport_CarriesTraceContext(t *testing.T) {
	tel, col := start(t, config.ProtocolHTTP)
	got := make(chan string, 1)
	model := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.Header.Get("Traceparent")
	}))
	defer model.Close()
	ctx, parent := tel.Tracer().Start(t.Context(), "chat m")
	client := tel.Client(&http.Client{})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, model.URL+"/v1/chat/completions", nil)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	parent.End()
	tp := <-got
	sc := parent.SpanContext()
	if len(tp) != 55 || tp[3:35] != sc.TraceID().String() {
		t.Fatalf("traceparent %q is not of trace %s", tp, sc.TraceID())
	}
	if err := tel.ForceFlush(t.Context()); err != nil {
		t.Fatal(err)
	}
	var httpSpan *fakeotlp.Span
	for _, s := range col.Spans() {
		if s.ParentID == sc.SpanID().String() {
			httpSpan = &s
		}
	}
	if httpSpan == nil || httpSpan.SpanID != tp[36:52] {
		t.Errorf("no HTTP client span under the call whose id the traceparent names: %+v", col.Spans())
	}
}

func TestPropagator(t *testing.T) {
	const tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	const amznID = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
	tests := []struct {
		name           string
		headers        map[string]string
		trace, spanID  string
		validAndRemote bool
	}{
		{"traceparent", map[string]string{"Traceparent": tp}, "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", true},
		{"x-amzn-trace-id", map[string]string{AmznTraceHeader: amznID}, "5759e988bd862e3fe1be46a994272793", "53995c3f42cd8ad8", true},
		{"traceparent wins", map[string]string{"Traceparent": tp, AmznTraceHeader: amznID}, "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", true},
		{"x-ray not sampled is no parent", map[string]string{AmznTraceHeader: "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0"}, "", "", false},
		{"x-ray without parent", map[string]string{AmznTraceHeader: "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"}, "", "", false},
		{"x-ray malformed", map[string]string{AmznTraceHeader: "Root=2-zz;Parent=x;Sampled=1"}, "", "", false},
		{"none", nil, "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tt.headers {
				h.Set(k, v)
			}
			sc := trace.SpanContextFromContext(Propagator().Extract(context.Background(), propagation.HeaderCarrier(h)))
			if sc.IsValid() != tt.validAndRemote || (sc.IsValid() && !sc.IsRemote()) {
				t.Fatalf("span context %v: valid %v, want %v", sc, sc.IsValid(), tt.validAndRemote)
			}
			if tt.validAndRemote && (sc.TraceID().String() != tt.trace || sc.SpanID().String() != tt.spanID || !sc.IsSampled()) {
				t.Errorf("got trace %s span %s sampled %v", sc.TraceID(), sc.SpanID(), sc.IsSampled())
			}
		})
	}
}

func TestSampler(t *testing.T) {
	for name, want := range map[string]string{
		"always_on": "AlwaysOnSampler", "always_off": "AlwaysOffSampler", "traceidratio": "TraceIDRatioBased{0.5}",
		"parentbased_always_on":    "ParentBased{root:AlwaysOnSampler",
		"parentbased_always_off":   "ParentBased{root:AlwaysOffSampler",
		"parentbased_traceidratio": "ParentBased{root:TraceIDRatioBased{0.5}",
	} {
		got := sampler(config.Telemetry{Sampler: name, SamplerArg: 0.5}).Description()
		if len(got) < len(want) || got[:len(want)] != want {
			t.Errorf("sampler %s: %s, want %s…", name, got, want)
		}
	}
}
