package magi

import (
	"context"
	"time"
)

// Store keeps deliberations and their events. Every event is appended
// before it is delivered to anyone, so what one client saw any later client
// can replay. Implementations: store/sqlite and store/postgres; both pass
// store/storetest.
type Store interface {
	// Create records a new running deliberation. It fails with ECONFLICT if
	// the id exists.
	Create(ctx context.Context, d NewDeliberation) error
	// Append stores events of one deliberation. Their seqs must continue
	// the stored ones without gap (EINVALID otherwise). A terminal event
	// (complete, fatal error) sets the deliberation's final status.
	// Append returns once the events are durable.
	Append(ctx context.Context, events ...Event) error
	// Events returns up to limit stored events of id with seq > after, in
	// order (limit <= 0: all). ENOTFOUND for an unknown id.
	Events(ctx context.Context, id string, after int64, limit int) ([]Event, error)
	// Deliberation returns the record of id, folded from its events, as it
	// stands now. ENOTFOUND for an unknown id (or one of another owner,
	// when owner is not empty).
	Deliberation(ctx context.Context, id, owner string) (Record, error)
	// Summary returns the history line of id, cheaply: no events are read.
	// ENOTFOUND as for Deliberation.
	Summary(ctx context.Context, id, owner string) (Summary, error)
	// List returns the history, newest first.
	List(ctx context.Context, f ListFilter) (Page, error)
	// Delete removes a finished deliberation and its events: ENOTFOUND for
	// an unknown id, ECONFLICT while it runs.
	Delete(ctx context.Context, id, owner string) error
	// Recover marks every deliberation left running by a process that is no
	// longer alive as interrupted, appending a fatal `interrupted` error
	// event to each, and returns their ids.
	Recover(ctx context.Context) ([]string, error)
	// Ping checks, cheaply, that the store answers now: EUNAVAILABLE when
	// it does not (or not before ctx ends).
	Ping(ctx context.Context) error
	// Close releases the store; deliberations this process still runs are
	// left for Recover of a later process.
	Close() error
}

// Watcher is implemented by stores shared between processes (PostgreSQL):
// it tells of events appended by any process, so that a client of one
// process can follow a deliberation running in another.
type Watcher interface {
	// Watch calls fn with the id and the highest seq of every append, until
	// ctx ends.
	Watch(ctx context.Context, fn func(id string, seq int64)) error
}

// NewDeliberation is what Create records.
type NewDeliberation struct {
	ID        string
	Question  string
	Rule      Rule
	Owner     string
	CreatedAt time.Time
	Simulated bool
}

// ListFilter selects a page of the history.
type ListFilter struct {
	// Owner limits the list to one API key's deliberations; empty: all.
	Owner string
	// Limit is the page size (default 20, at most 100).
	Limit int
	// Cursor is the NextCursor of the previous page; empty: the first.
	Cursor string
}

// Page is one page of the history.
type Page struct {
	Items []Summary `json:"items"`
	// NextCursor fetches the next (older) page; empty on the last.
	NextCursor string `json:"next_cursor,omitempty"`
}
