package server

import (
	"io"
	"net/http"
	"strings"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/minutes"
)

// createResponse answers a POST without Accept: text/event-stream.
type createResponse struct {
	ID        string      `json:"id"`
	Status    magi.Status `json:"status"`
	EventsURL string      `json:"events_url"`
	// ConversationID is the conversation of the new deliberation: its
	// own id unless it follows up another.
	ConversationID string `json:"conversation_id"`
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
		if q, err = s.followUp(r.Context(), principalOf(r.Context()), q); err != nil {
			writeError(w, r, err)
			return
		}
		var slot *streamSlot
		if wantsStream(r) {
			if slot, err = s.openStream(r); err != nil {
				writeError(w, r, err)
				return
			}
		}
		if err := s.start(r, q); err != nil {
			slot.release()
			writeError(w, r, err)
			return
		}
		if slot != nil {
			s.stream(w, r, slot, q.ID, 0)
			return
		}
		url := "/api/deliberations/" + q.ID + "/events"
		w.Header().Set("Location", "/api/deliberations/"+q.ID)
		conv := q.ConversationID
		if conv == "" {
			conv = q.ID
		}
		writeJSON(w, http.StatusAccepted, createResponse{ID: q.ID, Status: magi.StatusRunning, EventsURL: url, ConversationID: conv})
	})
}

// start admits q (quotas) and starts it.
func (s *Server) start(r *http.Request, q magi.Question) error {
	if err := s.admit(r, q); err != nil {
		return err
	}
	if err := s.runner.Start(r.Context(), q); err != nil {
		return err
	}
	s.metrics.started()
	logger(r).Info("deliberation started", "id", q.ID, "rule", q.Rule, "rounds", q.Rounds, "question_bytes", len(q.Text),
		"follows", q.ParentID)
	return nil
}

func wantsStream(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "text/event-stream")
}

func (s *Server) handleEvents() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		after, err := lastEventID(r)
		if err != nil {
			writeError(w, r, err)
			return
		}
		id, err := pathID(r)
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
		slot, err := s.openStream(r)
		if err != nil {
			writeError(w, r, err)
			return
		}
		s.stream(w, r, slot, id, after)
	})
}

func (s *Server) handleGet() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r)
		if err != nil {
			writeError(w, r, err)
			return
		}
		rec, err := s.store.Deliberation(r.Context(), id, principalOf(r.Context()).Owner())
		if err != nil {
			writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, rec)
	})
}

func (s *Server) handleList() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, err := listFilter(r)
		if err != nil {
			writeError(w, r, err)
			return
		}
		f.Owner = principalOf(r.Context()).Owner()
		page, err := s.store.List(r.Context(), f)
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
		id, err := pathID(r)
		if err != nil {
			writeError(w, r, err)
			return
		}
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
		id, err := pathID(r)
		if err != nil {
			writeError(w, r, err)
			return
		}
		if err := s.store.Delete(r.Context(), id, principalOf(r.Context()).Owner()); err != nil {
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
		id, err := pathID(r)
		if err != nil {
			writeError(w, r, err)
			return
		}
		if whole, err := wholeConversation(r); err != nil || whole {
			if err != nil {
				writeError(w, r, err)
			} else {
				s.exportConversation(w, r, id, format)
			}
			return
		}
		rec, err := s.store.Deliberation(r.Context(), id, principalOf(r.Context()).Owner())
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
