package inmem

import (
	"cmp"
	"context"
	"slices"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/store/internal/journal"
)

// Conversation returns the turns of the conversation of deliberation id,
// oldest first.
func (s *Store) Conversation(ctx context.Context, id, owner string) ([]magi.Turn, error) {
	if err := s.lock(); err != nil {
		return nil, err
	}
	defer s.db.mu.Unlock()
	return s.db.turns(id, owner)
}

// turns are the turns of the conversation of id, oldest first.
func (db *DB) turns(id, owner string) ([]magi.Turn, error) {
	d, err := db.find(id, owner)
	if err != nil {
		return nil, err
	}
	var out []magi.Turn
	for _, tid := range db.convs[d.n.ConversationID] {
		t := db.delibs[tid]
		turn := magi.Turn{Summary: db.summary(t), Owner: t.n.Owner}
		if n := len(t.events); n > 0 && t.events[n-1].Type == magi.EventComplete {
			if o := t.events[n-1].Outcome; o != nil {
				c := *o
				turn.Outcome = &c
			}
		}
		out = append(out, turn)
	}
	slices.SortStableFunc(out, func(a, b magi.Turn) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// DeleteConversation removes every turn of the conversation of
// deliberation id, unless one still runs.
func (s *Store) DeleteConversation(ctx context.Context, id, owner string) ([]string, error) {
	if err := s.lock(); err != nil {
		return nil, err
	}
	defer s.db.mu.Unlock()
	ts, err := s.db.turns(id, owner)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(ts))
	for i, t := range ts {
		if t.Status == magi.StatusRunning {
			return nil, journal.RunningTurn(t.ID)
		}
		ids[i] = t.ID
	}
	for _, id := range ids {
		s.db.remove(s.db.delibs[id])
	}
	return ids, nil
}
