package server

import "net/http"

// routes lists every route of the API in one place.
func (s *Server) routes(mux *http.ServeMux) {
	mux.Handle("POST /api/deliberations", s.api(s.handleCreate()))
	mux.Handle("GET /api/deliberations", s.api(s.handleList()))
	mux.Handle("GET /api/deliberations/{id}", s.api(s.handleGet()))
	mux.Handle("GET /api/deliberations/{id}/events", s.api(s.handleEvents()))
	mux.Handle("GET /api/deliberations/{id}/export", s.api(s.handleExport()))
	mux.Handle("POST /api/deliberations/{id}/cancel", s.api(s.handleCancel()))
	mux.Handle("DELETE /api/deliberations/{id}", s.api(s.handleDelete()))
	mux.Handle("/api/", s.api(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, r, errNotFoundRoute)
	})))

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
