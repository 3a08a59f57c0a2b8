package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/magi-system/magi/internal/fakeotlp"
)

// startCollector serves an OTLP/HTTP collector (internal/fakeotlp) for a
// traced magi serve, and GET /spans?trace=ID: the spans of that trace as
// JSON, once its deliberation span has arrived (it ends last), for the
// browser test that draws the waterfall.
func startCollector(t *testing.T) string {
	t.Helper()
	col := fakeotlp.New()
	mux := http.NewServeMux()
	mux.Handle("POST /v1/traces", col)
	mux.HandleFunc("GET /spans", func(w http.ResponseWriter, r *http.Request) {
		id := r.URL.Query().Get("trace")
		ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
		defer cancel()
		of := func(spans []fakeotlp.Span) []fakeotlp.Span {
			var out []fakeotlp.Span
			for _, s := range spans {
				if s.TraceID == id {
					out = append(out, s)
				}
			}
			return out
		}
		spans, err := col.WaitFor(ctx, func(s []fakeotlp.Span) bool { return len(fakeotlp.Named(of(s), "magi.deliberate")) == 1 })
		if err != nil {
			http.Error(w, "no deliberation span of trace "+id+" arrived", http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(of(spans))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL
}
