package bedrock_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/config"
	"github.com/magi-system/magi/internal/fakebedrock"
	"github.com/magi-system/magi/provider/bedrock"
	"github.com/magi-system/magi/provider/providertest"
	"github.com/magi-system/magi/telemetry"
)

// TestBedrock_CallsCarryTraceContext: with the AWS SDK's HTTP client
// instrumented, each call to Bedrock carries the caller's traceparent, and
// still passes the fake's SigV4 check.
func TestBedrock_CallsCarryTraceContext(t *testing.T) {
	isolate(t)
	tel, err := telemetry.New(t.Context(), config.Telemetry{Enabled: true, Sampler: "always_on"},
		telemetry.Options{Exporter: tracetest.NewInMemoryExporter()})
	if err != nil {
		t.Fatal(err)
	}
	defer tel.Shutdown(context.Background())
	fake := fakebedrock.New(fakebedrock.Config{AccessKeyID: testAccessKey,
		Script: script(providertest.Script{Tokens: []string{"a", "b"}})})
	headers := make(chan string, 1)
	srv := httptestServer(t, func(w http.ResponseWriter, r *http.Request) {
		headers <- r.Header.Get("Traceparent")
		fake.ServeHTTP(w, r)
	})
	p, err := bedrock.New(context.Background(), bedrock.Config{Region: "us-east-1", EndpointURL: srv.URL,
		Credentials: credentials.NewStaticCredentialsProvider(testAccessKey, testSecret, ""), Instrument: tel.Transport})
	if err != nil {
		t.Fatal(err)
	}
	ctx, span := tel.Tracer().Start(t.Context(), "chat m")
	texts, _, err := collect(p.Stream(ctx, magi.Request{Model: "m", Prompt: "q"}))
	span.End()
	if err != nil || strings.Join(texts, "") != "ab" {
		t.Fatalf("stream: %q, %v", texts, err)
	}
	tp := <-headers
	if !strings.Contains(tp, span.SpanContext().TraceID().String()) {
		t.Errorf("Bedrock received traceparent %q, want one of trace %s", tp, span.SpanContext().TraceID())
	}
}
