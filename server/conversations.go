package server

import (
	"context"
	"io"
	"net/http"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/minutes"
)

// followUp places q, which follows up deliberation q.ParentID, in its
// conversation: its conversation id and the earlier turns its agents
// receive. The parent must be the principal's own (another's is not
// found; an admin, who sees it, is refused) and completed. A question that
// follows nothing is returned as it is.
func (s *Server) followUp(ctx context.Context, p Principal, q magi.Question) (magi.Question, error) {
	if q.ParentID == "" {
		return q, nil
	}
	turns, err := s.store.Conversation(ctx, q.ParentID, p.Owner())
	if magi.ErrorCode(err) == magi.ENOTFOUND {
		return q, magi.Errorf(magi.ENOTFOUND, "no deliberation %s to follow up: follow_up must name one of your deliberations (see GET /api/deliberations)", q.ParentID)
	}
	if err != nil {
		return q, err
	}
	thread := magi.Thread(turns, q.ParentID)
	if len(thread) == 0 {
		return q, magi.Errorf(magi.ENOTFOUND, "no deliberation %s to follow up", q.ParentID)
	}
	parent := thread[len(thread)-1]
	if parent.Owner != p.ID() {
		return q, magi.Errorf(magi.EFORBIDDEN, "deliberation %s is another's: only its owner can follow it up", q.ParentID)
	}
	if err := parent.Followable(); err != nil {
		return q, err
	}
	q.ConversationID, q.Earlier = parent.ConversationID, thread
	return q, nil
}

func (s *Server) handleConversation() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r)
		if err != nil {
			writeError(w, r, err)
			return
		}
		c, err := magi.ReadConversation(r.Context(), s.store, id, principalOf(r.Context()).Owner())
		if err != nil {
			writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, c)
	})
}

func (s *Server) handleDeleteConversation() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r)
		if err != nil {
			writeError(w, r, err)
			return
		}
		ids, err := s.store.DeleteConversation(r.Context(), id, principalOf(r.Context()).Owner())
		if err != nil {
			writeError(w, r, err)
			return
		}
		logger(r).Info("conversation deleted", "id", id, "turns", len(ids))
		w.WriteHeader(http.StatusNoContent)
	})
}

// exportConversation answers the export of deliberation id's whole
// conversation: Markdown minutes of every turn, or its JSON document.
func (s *Server) exportConversation(w http.ResponseWriter, r *http.Request, id, format string) {
	c, err := magi.ReadConversation(r.Context(), s.store, id, principalOf(r.Context()).Owner())
	if err != nil {
		writeError(w, r, err)
		return
	}
	name := "magi-conversation-" + c.ID + "." + format
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	if format == "json" {
		writeJSON(w, http.StatusOK, c)
		return
	}
	w.Header().Set("Content-Type", "text/markdown; charset=utf-8")
	_, _ = io.WriteString(w, minutes.Conversation(c.Turns))
}

// wholeConversation reads the export's `conversation` parameter.
func wholeConversation(r *http.Request) (bool, error) {
	switch r.URL.Query().Get("conversation") {
	case "", "false", "0":
		return false, nil
	case "true", "1":
		return true, nil
	}
	return false, magi.Errorf(magi.EINVALID, "conversation must be true or false")
}
