package inmem

import (
	"cmp"
	"context"
	"encoding/json"
	"slices"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/store/internal/journal"
)

func decode(b []byte) (magi.Event, error) {
	var e magi.Event
	err := json.Unmarshal(b, &e)
	return e, err
}

// find returns the deliberation id, if owner (when set) owns it.
func (db *DB) find(id, owner string) (*delib, error) {
	d := db.delibs[id]
	if d == nil || (owner != "" && d.n.Owner != owner) {
		return nil, journal.NotFound()
	}
	return d, nil
}

func (db *DB) summary(d *delib) magi.Summary {
	return magi.Summary{ID: d.n.ID, Question: d.n.Question, Rule: d.n.Rule, Status: d.status, Decision: d.decision,
		CreatedAt: d.n.CreatedAt.UTC(), Simulated: d.n.Simulated, Council: d.n.Council, LastSeq: int64(len(d.events)),
		ConversationID: d.n.ConversationID, ParentID: d.n.ParentID, Turns: len(db.convs[d.n.ConversationID])}
}

// Events returns up to limit events of id after seq after, in order.
func (s *Store) Events(ctx context.Context, id string, after int64, limit int) ([]magi.Event, error) {
	if err := s.lock(); err != nil {
		return nil, err
	}
	defer s.db.mu.Unlock()
	d, err := s.db.find(id, "")
	if err != nil {
		return nil, err
	}
	evs := d.events[min(max(after, 0), int64(len(d.events))):]
	if limit > 0 && len(evs) > limit {
		evs = evs[:limit]
	}
	return slices.Clone(evs), nil
}

// Summary returns the history line of id.
func (s *Store) Summary(ctx context.Context, id, owner string) (magi.Summary, error) {
	if err := s.lock(); err != nil {
		return magi.Summary{}, err
	}
	defer s.db.mu.Unlock()
	d, err := s.db.find(id, owner)
	if err != nil {
		return magi.Summary{}, err
	}
	return s.db.summary(d), nil
}

// Deliberation folds the events of id into its record.
func (s *Store) Deliberation(ctx context.Context, id, owner string) (magi.Record, error) {
	if err := s.lock(); err != nil {
		return magi.Record{}, err
	}
	defer s.db.mu.Unlock()
	d, err := s.db.find(id, owner)
	if err != nil {
		return magi.Record{}, err
	}
	return journal.Fill(magi.Project(d.events), s.db.summary(d)), nil
}

// List returns a page of the history, newest first.
func (s *Store) List(ctx context.Context, f magi.ListFilter) (magi.Page, error) {
	var after *magi.Cursor
	if f.Cursor != "" {
		c, err := magi.ParseCursor(f.Cursor)
		if err != nil {
			return magi.Page{}, err
		}
		after = &c
	}
	if err := s.lock(); err != nil {
		return magi.Page{}, err
	}
	items := []magi.Summary{}
	for _, d := range s.db.delibs {
		if f.Owner != "" && d.n.Owner != f.Owner {
			continue
		}
		at := d.n.CreatedAt.UnixNano()
		if after != nil && (at > after.CreatedAt || (at == after.CreatedAt && d.n.ID >= after.ID)) {
			continue
		}
		items = append(items, s.db.summary(d))
	}
	s.db.mu.Unlock()
	slices.SortFunc(items, func(a, b magi.Summary) int {
		return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), cmp.Compare(b.ID, a.ID))
	})
	p := magi.Page{Items: items}
	if size := journal.PageSize(f.Limit); len(items) > size {
		p.Items = items[:size]
		last := p.Items[size-1]
		p.NextCursor = magi.Cursor{CreatedAt: last.CreatedAt.UnixNano(), ID: last.ID}.String()
	}
	return p, nil
}

// Delete removes a finished deliberation and its events.
func (s *Store) Delete(ctx context.Context, id, owner string) error {
	if err := s.lock(); err != nil {
		return err
	}
	defer s.db.mu.Unlock()
	d, err := s.db.find(id, owner)
	if err != nil {
		return err
	}
	if d.status == magi.StatusRunning {
		return magi.Errorf(magi.ECONFLICT, "deliberation %s is still running", id)
	}
	for _, t := range s.db.convs[d.n.ConversationID] {
		if s.db.delibs[t].n.ParentID == id {
			return journal.NoFollowUps(id, d.n.ConversationID)
		}
	}
	s.db.remove(d)
	return nil
}

// remove deletes d and its place in its conversation.
func (db *DB) remove(d *delib) {
	delete(db.delibs, d.n.ID)
	c := d.n.ConversationID
	db.convs[c] = slices.DeleteFunc(db.convs[c], func(id string) bool { return id == d.n.ID })
	if len(db.convs[c]) == 0 {
		delete(db.convs, c)
	}
}
