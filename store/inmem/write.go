package inmem

import (
	"context"
	"time"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/store/internal/journal"
)

// Write stores b at once, as one transaction (see magi.Store), then tells
// every Watch of the database.
func (s *Store) Write(ctx context.Context, b magi.Batch) (magi.Refused, error) {
	refused := journal.Check(b)
	if err := ctx.Err(); err != nil {
		return refused, err
	}
	if err := s.lock(); err != nil {
		return refused, err
	}
	defer s.db.mu.Unlock()
	now := time.Now()
	for i, n := range b.Create {
		if refused.Create[i] != nil {
			continue
		}
		if _, ok := s.db.delibs[n.ID]; ok {
			refused.Create[i] = journal.Exists(n.ID)
			continue
		}
		if n.ParentID != "" {
			if refused.Create[i] = s.db.checkParent(n); refused.Create[i] != nil {
				continue
			}
		}
		if n.CreatedAt.IsZero() {
			n.CreatedAt = now
		}
		if n.ConversationID == "" {
			n.ConversationID = n.ID
		}
		s.db.delibs[n.ID] = &delib{n: n, instance: s.instance, status: magi.StatusRunning}
		s.db.convs[n.ConversationID] = append(s.db.convs[n.ConversationID], n.ID)
	}
	heads := map[string]int64{}
	for i, evs := range b.Append {
		if refused.Append[i] == nil {
			refused.Append[i] = s.db.append(evs)
		}
		if refused.Append[i] == nil {
			heads[evs[0].Event.DeliberationID] = evs[len(evs)-1].Event.Seq
		}
	}
	for id, seq := range heads {
		for w := range s.db.watchers {
			w.add(notice{id: id, seq: seq})
		}
	}
	return refused, nil
}

// checkParent returns the refusal of the follow-up n, if any.
func (db *DB) checkParent(n magi.NewDeliberation) error {
	p := db.delibs[n.ParentID]
	if p == nil {
		return journal.NotFound()
	}
	return journal.CheckParent(n, p.n.Owner, p.status, p.n.ConversationID)
}

// append stores one run of events, or returns its refusal.
func (db *DB) append(evs []magi.Encoded) error {
	d := db.delibs[evs[0].Event.DeliberationID]
	if d == nil {
		return journal.NotFound()
	}
	if err := journal.Continue(evs, int64(len(d.events)), d.status); err != nil {
		return err
	}
	for _, x := range evs {
		// Kept as the other stores keep it: decoded from its JSON.
		e, err := decode(x.JSON)
		if err != nil {
			return magi.Errorf(magi.EINVALID, "append: event %d: %v", x.Event.Seq, err)
		}
		d.events = append(d.events, e)
	}
	d.status, d.decision = journal.Outcome(evs)
	return nil
}
