package server

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/magi-system/magi"
)

// handleInvocations is the Bedrock AgentCore Runtime contract: it takes
// {"prompt": "..."} (and optionally "rule") and streams the deliberation's
// events.
func (s *Server) handleInvocations() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit := int64(s.opts.MaxQuestionBytes)*2 + 4096
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
		if err != nil {
			writeError(w, r, magi.Errorf(magi.ETOOLARGE, "the request body is over %d bytes", limit))
			return
		}
		var req struct {
			Prompt   string `json:"prompt"`
			Question string `json:"question"`
			Rule     string `json:"rule"`
		}
		if err := json.Unmarshal(body, &req); err != nil {
			writeError(w, r, magi.Errorf(magi.EINVALID, "the body must be JSON of the form {\"prompt\": \"...\"}: %s", jsonProblem(err)))
			return
		}
		text := strings.TrimSpace(req.Prompt)
		if text == "" {
			text = strings.TrimSpace(req.Question)
		}
		rule, err := magi.ParseRule(req.Rule)
		switch {
		case err != nil:
			writeError(w, r, err)
			return
		case text == "":
			writeError(w, r, magi.Errorf(magi.EINVALID, "the prompt is empty"))
			return
		case len(text) > s.opts.MaxQuestionBytes:
			writeError(w, r, magi.Errorf(magi.EINVALID, "the prompt is %d bytes; the limit is %d", len(text), s.opts.MaxQuestionBytes))
			return
		}
		q := magi.Question{ID: magi.NewID(), Text: text, Rule: rule}
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

// handleHealth reports the process and its store.
func (s *Server) handleHealth() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := s.store.List(r.Context(), magi.ListFilter{Limit: 1}); err != nil {
			writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "unavailable", "store": "unavailable"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "running": s.runner.Running()})
	})
}
