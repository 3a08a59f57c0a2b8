package server

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/minutes"
)

// createRequest is the body of POST /api/deliberations. Fields beyond
// these are allowed and ignored.
type createRequest struct {
	Question string `json:"question"`
	// Prompt is the question's name in the AgentCore contract
	// (/invocations); either field may be used on either route.
	Prompt string `json:"prompt"`
	Rule   string `json:"rule"`
	// Rounds is the most rounds of debate, 1 to magi.MaxRounds; absent
	// means the configuration's default.
	Rounds *int `json:"rounds"`
	// Council names the saved council to ask; absent: the built-in one.
	Council string `json:"council"`
}

// createResponse answers a POST without Accept: text/event-stream.
type createResponse struct {
	ID        string      `json:"id"`
	Status    magi.Status `json:"status"`
	EventsURL string      `json:"events_url"`
}

func (s *Server) handleCreate() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q, err := s.readQuestion(w, r)
		if err != nil {
			writeError(w, r, err)
			return
		}
		// Whoever asks owns it, admin or not (an admin sees all anyway).
		q.ID, q.Owner = magi.NewID(), principalOf(r.Context()).ID()
		if err := s.admit(r, q); err != nil {
			writeError(w, r, err)
			return
		}
		if err := s.runner.Start(r.Context(), q); err != nil {
			writeError(w, r, err)
			return
		}
		s.metrics.started()
		logger(r).Info("deliberation started", "id", q.ID, "rule", q.Rule, "rounds", q.Rounds, "question_bytes", len(q.Text))
		if wantsStream(r) {
			s.stream(w, r, q.ID, 0)
			return
		}
		url := "/api/deliberations/" + q.ID + "/events"
		w.Header().Set("Location", "/api/deliberations/"+q.ID)
		writeJSON(w, http.StatusAccepted, createResponse{ID: q.ID, Status: magi.StatusRunning, EventsURL: url})
	})
}

// readQuestion validates the request body; nothing is stored on failure.
func (s *Server) readQuestion(w http.ResponseWriter, r *http.Request) (magi.Question, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return magi.Question{}, magi.Errorf(magi.EUNSUPPORTED, "send the body as application/json, not %q", ct)
		}
	}
	limit := int64(s.opts.MaxQuestionBytes)*2 + 4096
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return magi.Question{}, magi.Errorf(magi.ETOOLARGE, "the request body is over %d bytes", limit)
	} else if err != nil {
		return magi.Question{}, magi.Errorf(magi.EINVALID, "could not read the request body")
	}
	var req createRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return magi.Question{}, magi.Errorf(magi.EINVALID, "the body is not valid JSON of the form {\"question\": \"...\", \"rule\": \"majority\", \"rounds\": 2}: %s", jsonProblem(err))
	}
	text := strings.TrimSpace(req.Question)
	if text == "" {
		text = strings.TrimSpace(req.Prompt)
	}
	switch {
	case text == "":
		return magi.Question{}, magi.Errorf(magi.EINVALID, "the question is empty")
	case len(text) > s.opts.MaxQuestionBytes:
		return magi.Question{}, magi.Errorf(magi.EINVALID, "the question is %d bytes; the limit is %d", len(text), s.opts.MaxQuestionBytes)
	case !utf8.ValidString(text):
		return magi.Question{}, magi.Errorf(magi.EINVALID, "the question is not valid UTF-8")
	}
	q := magi.Question{Text: text}
	if req.Rule != "" { // absent: the council's default
		rule, err := magi.ParseRule(req.Rule)
		if err != nil {
			return magi.Question{}, err
		}
		q.Rule = rule
	}
	if req.Rounds != nil {
		if err := magi.CheckRounds(*req.Rounds); err != nil {
			return magi.Question{}, err
		}
		q.Rounds = *req.Rounds
	}
	if req.Council != "" {
		if q.Preset, err = s.preset(r.Context(), req.Council); err != nil {
			return magi.Question{}, err
		}
	}
	return q, nil
}

// jsonProblem describes a JSON error without echoing the body.
func jsonProblem(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return "field \"" + te.Field + "\" must be a " + te.Type.String()
	}
	return "malformed JSON"
}

func wantsStream(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "text/event-stream")
}

func (s *Server) handleEvents() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		after, err := lastEventID(r)
		if err != nil {
			writeError(w, r, err)
			return
		}
		sum, err := s.store.Summary(r.Context(), id, principalOf(r.Context()).Owner())
		if err != nil {
			writeError(w, r, err)
			return
		}
		if after > 0 && sum.Status != magi.StatusRunning && sum.LastSeq <= after {
			// A resume past the end: nothing more will come, and 204
			// tells an EventSource to stop reconnecting.
			w.WriteHeader(http.StatusNoContent)
			return
		}
		s.stream(w, r, id, after)
	})
}

// lastEventID reads Last-Event-ID (header) or last_event_id (query).
func lastEventID(r *http.Request) (int64, error) {
	v := r.Header.Get("Last-Event-ID")
	if q := r.URL.Query().Get("last_event_id"); q != "" {
		v = q
	}
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || n < 0 {
		return 0, magi.Errorf(magi.EINVALID, "Last-Event-ID must be a non-negative event id, not %q", truncate(v, 40))
	}
	return n, nil
}

func (s *Server) handleGet() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec, err := s.store.Deliberation(r.Context(), r.PathValue("id"), principalOf(r.Context()).Owner())
		if err != nil {
			writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, rec)
	})
}

func (s *Server) handleList() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit := 20
		if v := r.URL.Query().Get("limit"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 100 {
				writeError(w, r, magi.Errorf(magi.EINVALID, "limit must be a number from 1 to 100"))
				return
			}
			limit = n
		}
		page, err := s.store.List(r.Context(), magi.ListFilter{Owner: principalOf(r.Context()).Owner(),
			Limit: limit, Cursor: r.URL.Query().Get("cursor")})
		if err != nil {
			writeError(w, r, err)
			return
		}
		if page.Items == nil {
			page.Items = []magi.Summary{}
		}
		writeJSON(w, http.StatusOK, page)
	})
}

func (s *Server) handleCancel() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		sum, err := s.store.Summary(r.Context(), id, principalOf(r.Context()).Owner())
		if err != nil {
			writeError(w, r, err)
			return
		}
		if sum.Status != magi.StatusRunning {
			writeError(w, r, magi.Errorf(magi.ECONFLICT, "the deliberation has already ended (%s)", sum.Status))
			return
		}
		if !s.runner.Cancel(id) {
			writeError(w, r, magi.Errorf(magi.ECONFLICT, "the deliberation runs in another magi process; cancel it there"))
			return
		}
		writeJSON(w, http.StatusAccepted, map[string]string{"id": id, "status": "cancelling"})
	})
}

func (s *Server) handleDelete() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := s.store.Delete(r.Context(), r.PathValue("id"), principalOf(r.Context()).Owner()); err != nil {
			writeError(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

func (s *Server) handleExport() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		format := r.URL.Query().Get("format")
		if format == "" {
			format = "md"
		}
		if format != "md" && format != "json" {
			writeError(w, r, magi.Errorf(magi.EINVALID, "format must be md or json"))
			return
		}
		rec, err := s.store.Deliberation(r.Context(), r.PathValue("id"), principalOf(r.Context()).Owner())
		if err != nil {
			writeError(w, r, err)
			return
		}
		name := "magi-" + rec.ID + "." + format
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
		if format == "json" {
			writeJSON(w, http.StatusOK, rec)
			return
		}
		w.Header().Set("Content-Type", "text/markdown; charset=utf-8")
		_, _ = io.WriteString(w, minutes.Markdown(rec))
	})
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
