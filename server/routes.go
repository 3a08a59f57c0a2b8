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
	mux.Handle("GET /api/conversations/{id}", s.api(s.handleConversation()))
	mux.Handle("DELETE /api/conversations/{id}", s.api(s.handleDeleteConversation()))
	mux.Handle("GET /api/councils", s.api(s.handleCouncils()))
	mux.Handle("POST /api/councils", s.api(s.handleCreateCouncil()))
	mux.Handle("GET /api/councils/{name}", s.api(s.handleCouncil()))
	mux.Handle("PUT /api/councils/{name}", s.api(s.handleUpdateCouncil()))
	mux.Handle("DELETE /api/councils/{name}", s.api(s.handleDeleteCouncil()))
	mux.Handle("GET /api/providers", s.api(s.handleProviders()))
	mux.Handle("/api/", s.api(unrouted(mux)))

	mux.Handle("GET /auth/login", s.signInRoute(s.handleLogin()))
	mux.Handle("GET /auth/callback", s.signInRoute(s.handleCallback()))
	mux.Handle("POST /auth/logout", s.signInRoute(s.handleLogout()))
	mux.Handle("GET /auth/me", s.signInRoute(s.handleMe()))

	mux.Handle("POST /invocations", s.api(s.handleInvocations()))
	mux.Handle("GET /ping", s.handlePing())
	mux.Handle("GET /healthz", s.handleHealth())
	mux.Handle("GET /metrics", s.metrics.Handler())
	// "/" without a method: "GET /" would conflict with the "/api/"
	// fallback (net/http panics). It serves the UI, whose own mux answers
	// only GET, and answers a wrong method on the routes above in JSON.
	mux.Handle("/", wrongMethod(mux, s.opts.UI))
}

// otherMethods are the methods probed for the Allow header outside /api/.
var otherMethods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// wrongMethod answers a request that no route outside /api/ took: 405 in
// SPEC's JSON, with Allow, when its path has routes for other methods (as
// /ping, /healthz, /metrics and /invocations do); else the web UI, itself
// answering 405 in JSON to anything but GET and HEAD; else, and for any
// path the UI has no page or file for, SPEC's JSON 404.
func wrongMethod(mux *http.ServeMux, ui http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		allow := allowed(mux, r, otherMethods)
		switch {
		case len(allow) > 0:
			methodNotAllowed(w, r, allow)
		case ui == nil:
			writeError(w, r, errNotFoundRoute)
		case r.Method != http.MethodGet && r.Method != http.MethodHead:
			methodNotAllowed(w, r, []string{http.MethodGet, http.MethodHead})
		default:
			serveUI(ui, w, r)
		}
	})
}

// serveUI serves r from the UI, but answers SPEC's JSON 404 in place of
// the UI's own: unknown paths look the same inside /api/ and out.
func serveUI(ui http.Handler, w http.ResponseWriter, r *http.Request) {
	u := &uiWriter{ResponseWriter: w}
	ui.ServeHTTP(u, r)
	if u.notFound {
		writeError(w, r, errNotFoundRoute)
	}
}

// uiWriter passes the UI's answer on, except a 404, which it holds back.
type uiWriter struct {
	http.ResponseWriter
	notFound bool
}

func (u *uiWriter) WriteHeader(code int) {
	if code == http.StatusNotFound {
		u.notFound = true
		return
	}
	u.ResponseWriter.WriteHeader(code)
}

func (u *uiWriter) Write(b []byte) (int, error) {
	if u.notFound {
		return len(b), nil
	}
	return u.ResponseWriter.Write(b)
}

// Unwrap gives http.ResponseController the underlying writer.
func (u *uiWriter) Unwrap() http.ResponseWriter { return u.ResponseWriter }

// allowed lists the methods among methods that a route of mux, other than
// the "/" and "/api/" fallbacks, takes on r's path.
func allowed(mux *http.ServeMux, r *http.Request, methods []string) []string {
	var allow []string
	for _, m := range methods {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := mux.Handler(probe); pattern != "" && pattern != "/" && pattern != "/api/" {
			allow = append(allow, m)
		}
	}
	return allow
}

// methodNotAllowed answers 405 method_not_allowed in SPEC's JSON, with Allow.
func methodNotAllowed(w http.ResponseWriter, r *http.Request, allow []string) {
	w.Header().Set("Allow", strings.Join(allow, ", "))
	writeError(w, r, magi.Errorf(magi.EMETHOD, "%s is not allowed here; use %s", excerpt(r.Method), strings.Join(allow, " or ")))
}

// unrouted answers an /api/ request no route took: 405 with Allow when its
// path has routes for other methods, 404 otherwise; both in SPEC's JSON.
func unrouted(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		allow := allowed(mux, r, []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete})
		if len(allow) == 0 {
			writeError(w, r, errNotFoundRoute)
			return
		}
		methodNotAllowed(w, r, allow)
	})
}
