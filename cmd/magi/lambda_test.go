package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/magi-system/magi/config"
	"github.com/magi-system/magi/telemetry"
)

// TestLambda_RefusesLocalDisk: magi lambda will not keep deliberations on
// Lambda's disk, and says what to do instead.
func TestLambda_RefusesLocalDisk(t *testing.T) {
	for _, db := range []string{"", "/tmp/magi.db", "sqlite:///tmp/magi.db"} {
		env := map[string]string{"MAGI_DB": db, "MAGI_PROVIDER": "sim", "AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001",
			"HOME": t.TempDir(), "XDG_DATA_HOME": t.TempDir()}
		err := run(context.Background(), []string{"lambda"}, func(k string) string { return env[k] }, strings.NewReader(""), io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "magi lambda needs MAGI_DB=postgres://") || !strings.Contains(err.Error(), "docs/DEPLOY.md") {
			t.Errorf("MAGI_DB=%q: err = %v, want the postgres requirement", db, err)
		}
	}
}

// TestLambda_OutsideLambda: with PostgreSQL but no Runtime API, it says
// where it runs, before touching the database.
func TestLambda_OutsideLambda(t *testing.T) {
	env := map[string]string{"MAGI_DB": "postgres://magi@127.0.0.1:1/magi", "MAGI_PROVIDER": "sim"}
	err := run(context.Background(), []string{"lambda"}, func(k string) string { return env[k] }, strings.NewReader(""), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "AWS_LAMBDA_RUNTIME_API is not set") {
		t.Errorf("err = %v, want the Runtime API note", err)
	}
}

// TestLambda_FlushesSpansBeforeTheInvocationReturns: the spans of an
// invocation are exported when its handler returns, not seconds later
// with the batch (Lambda may freeze the process in between).
func TestLambda_FlushesSpansBeforeTheInvocationReturns(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tel, err := telemetry.New(t.Context(), config.Telemetry{Enabled: true, Sampler: "always_on"}, telemetry.Options{Exporter: exp})
	if err != nil {
		t.Fatal(err)
	}
	defer tel.Shutdown(context.Background())
	h := flushAfter(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, span := tel.Tracer().Start(r.Context(), "magi.stream")
		span.End()
	}), tel, slog.New(slog.DiscardHandler))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/invocations", nil))
	if spans := exp.GetSpans(); len(spans) != 1 || spans[0].Name != "magi.stream" {
		t.Errorf("exported when the invocation returned: %v", spans)
	}
	off, _ := telemetry.New(t.Context(), config.Telemetry{}, telemetry.Options{})
	plain := http.NotFoundHandler()
	if got := flushAfter(plain, off, nil); fmt.Sprint(got) != fmt.Sprint(plain) {
		t.Error("flushAfter wrapped the handler with tracing off")
	}
}
