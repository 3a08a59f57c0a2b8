package server

import (
	"net/http"
	"strings"

	"github.com/magi-system/magi"
)

// routes lists every route of the API in one place.
func (s *Server) routes(mux *http.ServeMux) {
	mux.Handle("POST /api/deliberations", s.api(s.handleCreate()))
	mux.Handle("GET /api/deliberations", s.api(s.handleList()))
	mux.Handle("GET /api/deliberations/{id}", s.api(s.handleGet()))
	mux.Handle("GET /api/deliberations/{id}/events", s.api(s.handleEvents()))
	mux.Handle("GET /api/deliberations/{id}/export", s.api(s.handleExport()))
	mux.Handle("POST /api/deliberations/{id}/cancel", s.api(s.handleCancel()))
	mux.Handle("DELETE /api/deliberations/{id}", s.api(s.handleDelete()))
	mux.Handle("/api/", s.api(unrouted(mux)))

	mux.Handle("POST /invocations", s.api(s.handleInvocations()))
	mux.Handle("GET /ping", s.handlePing())
	mux.Handle("GET /healthz", s.handleHealth())
	mux.Handle("GET /metrics", s.metrics.Handler())
	if s.opts.UI != nil {
		// "/" without a method: "GET /" would conflict with the "/api/"
		// fallback (net/http panics). The UI's own mux answers only GET.
		mux.Handle("/", s.opts.UI)
	}
}

// unrouted answers an /api/ request no route took: 405 with Allow when its
// path has routes for other methods, 404 otherwise; both in SPEC's JSON.
func unrouted(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var allow []string
		for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodDelete} {
			probe := r.Clone(r.Context())
			probe.Method = m
			if _, pattern := mux.Handler(probe); pattern != "" && pattern != "/api/" {
				allow = append(allow, m)
			}
		}
		if len(allow) == 0 {
			writeError(w, r, errNotFoundRoute)
			return
		}
		w.Header().Set("Allow", strings.Join(allow, ", "))
		writeError(w, r, magi.Errorf(magi.EMETHOD, "%s is not allowed here; use %s", r.Method, strings.Join(allow, " or ")))
	})
}
