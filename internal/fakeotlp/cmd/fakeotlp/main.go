// Command fakeotlp is internal/fakeotlp as a program: an OTLP/HTTP
// collector for development that prints each span as it arrives and can
// keep them all as JSON, for when no Jaeger or OpenTelemetry Collector is
// at hand (docs/OBSERVABILITY.md):
//
//	go run ./internal/fakeotlp/cmd/fakeotlp -json spans.json
//	OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 magi serve
//
// The JSON is what web/e2e/waterfall.mjs draws. It is not a collector to
// run in production: it keeps every span in memory.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/magi-system/magi/internal/fakeotlp"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "fakeotlp:", err)
		os.Exit(1)
	}
}

// run serves the collector until ctx ends.
func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("fakeotlp", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:4318", "where to receive OTLP/HTTP (POST /v1/traces)")
	path := fs.String("json", "", "keep every span received in this file, as JSON, rewritten after each export")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	col := fakeotlp.New()
	srv := &http.Server{Handler: col, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	fmt.Fprintf(out, "receiving OTLP/HTTP: OTEL_EXPORTER_OTLP_ENDPOINT=http://%s\n", ln.Addr())
	for seen := 0; ; {
		spans, err := col.WaitFor(ctx, func(s []fakeotlp.Span) bool { return len(s) > seen })
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return nil
		}
		for _, s := range spans[seen:] {
			fmt.Fprintln(out, line(s))
		}
		seen = len(spans)
		if *path != "" {
			if err := save(*path, spans); err != nil {
				return err
			}
		}
	}
}

// line is one span, as a line: trace, name, duration, attributes.
func line(s fakeotlp.Span) string {
	keys := make([]string, 0, len(s.Attrs))
	for k := range s.Attrs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	fmt.Fprintf(&b, "%s %-20s %9s", s.TraceID, s.Name, s.End.Sub(s.Start).Round(time.Microsecond))
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%v", k, s.Attrs[k])
	}
	if s.StatusCode == 2 {
		fmt.Fprintf(&b, " ERROR %q", s.StatusMessage)
	}
	return b.String()
}

// save writes spans to path as a JSON array, through a temporary file.
func save(path string, spans []fakeotlp.Span) error {
	b, err := json.Marshal(spans)
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
