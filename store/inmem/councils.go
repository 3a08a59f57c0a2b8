package inmem

import (
	"cmp"
	"context"
	"slices"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/store/internal/journal"
)

var _ magi.CouncilStore = (*Store)(nil)

// councilKey identifies a council: its owner ("" shared) and its name.
type councilKey struct{ owner, name string }

// CreateCouncil stores c; ECONFLICT if its owner has a council of its name.
func (s *Store) CreateCouncil(ctx context.Context, c magi.SavedCouncil) error {
	if err := journal.CheckCouncil(c); err != nil {
		return err
	}
	if err := s.lock(); err != nil {
		return err
	}
	defer s.db.mu.Unlock()
	k := councilKey{c.Owner, c.Name}
	if _, ok := s.db.councils[k]; ok {
		return journal.CouncilExists(c.Name)
	}
	c.CreatedAt, c.UpdatedAt = journal.Stamps(c)
	c.Doc = slices.Clone(c.Doc)
	s.db.councils[k] = c
	return nil
}

// UpdateCouncil replaces the document of c's council; ENOTFOUND if none.
func (s *Store) UpdateCouncil(ctx context.Context, c magi.SavedCouncil) error {
	if err := journal.CheckCouncil(c); err != nil {
		return err
	}
	if err := s.lock(); err != nil {
		return err
	}
	defer s.db.mu.Unlock()
	k := councilKey{c.Owner, c.Name}
	was, ok := s.db.councils[k]
	if !ok {
		return journal.CouncilNotFound(c.Name)
	}
	_, was.UpdatedAt = journal.Stamps(c)
	was.Doc = slices.Clone(c.Doc)
	s.db.councils[k] = was
	return nil
}

// CouncilByName returns owner's council name; ENOTFOUND if none.
func (s *Store) CouncilByName(ctx context.Context, owner, name string) (magi.SavedCouncil, error) {
	if err := s.lock(); err != nil {
		return magi.SavedCouncil{}, err
	}
	defer s.db.mu.Unlock()
	c, ok := s.db.councils[councilKey{owner, name}]
	if !ok {
		return c, journal.CouncilNotFound(name)
	}
	c.Doc = slices.Clone(c.Doc)
	return c, nil
}

// Councils lists the shared councils, then owner's, each by name.
func (s *Store) Councils(ctx context.Context, owner string) ([]magi.SavedCouncil, error) {
	if err := s.lock(); err != nil {
		return nil, err
	}
	defer s.db.mu.Unlock()
	out := []magi.SavedCouncil{}
	for k, c := range s.db.councils {
		if k.owner == "" || k.owner == owner {
			c.Doc = slices.Clone(c.Doc)
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b magi.SavedCouncil) int {
		if a.Shared() != b.Shared() {
			if a.Shared() {
				return -1
			}
			return 1
		}
		return cmp.Compare(a.Name, b.Name)
	})
	return out, nil
}

// DeleteCouncil removes owner's council name; ENOTFOUND if none.
func (s *Store) DeleteCouncil(ctx context.Context, owner, name string) error {
	if err := s.lock(); err != nil {
		return err
	}
	defer s.db.mu.Unlock()
	k := councilKey{owner, name}
	if _, ok := s.db.councils[k]; !ok {
		return journal.CouncilNotFound(name)
	}
	delete(s.db.councils, k)
	return nil
}
