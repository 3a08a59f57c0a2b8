package server

import (
	"context"
	"net/http"
	"time"

	"github.com/magi-system/magi"
)

// handleInvocations is the Bedrock AgentCore Runtime contract: it takes
// {"prompt": "..."} (and optionally "rule") and streams the deliberation's
// events. It is validated, authenticated and admitted like
// POST /api/deliberations.
func (s *Server) handleInvocations() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q, err := s.readQuestion(w, r)
		if err != nil {
			writeError(w, r, err)
			return
		}
		p := principalOf(r.Context())
		q.ID, q.Owner = magi.NewID(), p.KeyID
		if err := s.admit(r, q); err != nil {
			writeError(w, r, err)
			return
		}
		if err := s.runner.Start(r.Context(), q); err != nil {
			writeError(w, r, err)
			return
		}
		s.metrics.started()
		s.stream(w, r, q.ID, 0)
	})
}

// handlePing answers AgentCore's health check: HealthyBusy while a
// deliberation runs.
func (s *Server) handlePing() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		status, at := "Healthy", s.runner.LastUpdate()
		if s.runner.Running() > 0 {
			status, at = "HealthyBusy", time.Now()
		}
		writeJSON(w, http.StatusOK, map[string]any{"status": status, "time_of_last_update": at.Unix()})
	})
}

// healthTimeout bounds the store check of /healthz: a store that does
// not answer (a paused database, a half-open connection) is unavailable,
// and a health check must answer in time for a load balancer to act.
const healthTimeout = 2 * time.Second

// handleHealth reports the process and its store.
func (s *Server) handleHealth() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), healthTimeout)
		defer cancel()
		if _, err := s.store.List(ctx, magi.ListFilter{Limit: 1}); err != nil {
			writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "unavailable", "store": "unavailable"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "running": s.runner.Running()})
	})
}
