package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/magi-system/magi/internal/fakeotlp"
)

// TestRun: a span exported over OTLP/HTTP is printed as a line and kept
// in the JSON file.
func TestRun(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute) // a failure, not a hang
	path := filepath.Join(t.TempDir(), "spans.json")
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := run(ctx, []string{"-addr", "127.0.0.1:0", "-json", path}, pw)
		pw.Close()
		done <- err
	}()
	lines := bufio.NewScanner(pr)
	if !lines.Scan() {
		t.Fatal("no first line")
	}
	_, url, ok := strings.Cut(lines.Text(), "OTEL_EXPORTER_OTLP_ENDPOINT=")
	if !ok {
		t.Fatalf("first line %q names no endpoint", lines.Text())
	}
	exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(url+"/v1/traces"))
	if err != nil {
		t.Fatal(err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	_, span := tp.Tracer("test").Start(ctx, "magi.deliberate")
	span.SetAttributes(attribute.String("magi.rule", "majority"))
	span.End()
	if !lines.Scan() || !strings.Contains(lines.Text(), "magi.deliberate") || !strings.Contains(lines.Text(), "magi.rule=majority") {
		t.Fatalf("span line %q", lines.Text())
	}
	if err := tp.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	cancel()
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var spans []fakeotlp.Span
	if err := json.Unmarshal(b, &spans); err != nil || len(spans) != 1 || spans[0].Name != "magi.deliberate" || spans[0].TraceID == "" {
		t.Errorf("the JSON file holds %s (%v)", b, err)
	}
}
