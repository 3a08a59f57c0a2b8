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
		q.ID, q.Owner = magi.NewID(), p.ID()
		if q, err = s.followUp(r.Context(), p, q); err != nil {
			writeError(w, r, err)
			return
		}
		slot, err := s.openStream(r)
		if err != nil {
			writeError(w, r, err)
			return
		}
		if err := s.start(r, q); err != nil {
			slot.release()
			writeError(w, r, err)
			return
		}
		s.stream(w, r, slot, q.ID, 0)
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

// handleHealth reports the process and its store: 503 while the server
// drains for a shutdown, so that load balancers stop sending, and while
// the store does not answer a Ping within Options.HealthTimeout.
func (s *Server) handleHealth() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.draining.Load() {
			writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "draining", "running": s.runner.Running()})
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), s.opts.HealthTimeout)
		defer cancel()
		if err := s.store.Ping(ctx); err != nil {
			logger(r).Warn("health: the store does not answer", "err", err)
			writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "unavailable", "store": "unavailable"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "running": s.runner.Running()})
	})
}
