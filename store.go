package magi

import (
	"context"
	"time"
)

// Store keeps deliberations and their events. Every event is written
// before it is delivered to anyone, so what one client saw any later client
// can replay. Implementations: store/sqlite and store/postgres (and, for
// tests, internal/inmem); all pass store/storetest.
type Store interface {
	// Write stores b in one transaction and returns once it is durable:
	// first the new deliberations of b.Create, as running, then the events
	// of each item of b.Append. A terminal event (complete, fatal error)
	// sets its deliberation's final status. Each item is checked on its
	// own; one refused leaves the others stored, and its error is in
	// Refused: a Create of an existing id (ECONFLICT) or of none
	// (EINVALID); an Append that is not consecutive events of one
	// deliberation continuing its stored ones without gap (EINVALID), of
	// an unknown deliberation (ENOTFOUND) or of one that has ended
	// (ECONFLICT). A non-nil error is the failure of the whole
	// transaction: nothing was stored.
	Write(ctx context.Context, b Batch) (Refused, error)
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
	// an unknown id, ECONFLICT while it runs or when it has follow-ups
	// (delete its conversation instead).
	Delete(ctx context.Context, id, owner string) error
	// Conversation returns the turns of the conversation of deliberation
	// id (the conversation's id, or any of its turns'), oldest first, each
	// with its outcome, in one indexed query. ENOTFOUND as for
	// Deliberation.
	Conversation(ctx context.Context, id, owner string) ([]Turn, error)
	// DeleteConversation removes every turn of the conversation of
	// deliberation id (as for Conversation) and their events, and returns
	// their ids: ENOTFOUND as for Deliberation, ECONFLICT while any of
	// them runs.
	DeleteConversation(ctx context.Context, id, owner string) ([]string, error)
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

// Watcher is implemented by stores shared between processes that tell of
// every append as it is committed (PostgreSQL's NOTIFY), so that a client
// of one process can follow a deliberation running in another.
type Watcher interface {
	// Watch calls fn with the id and the highest seq of every append, until
	// ctx ends.
	Watch(ctx context.Context, fn func(id string, seq int64)) error
}

// Poller is implemented by stores shared between processes that cannot
// tell of appends as they happen (SQLite, whose processes share only a
// file): feed.Feed.Poll asks it, a few times a second and only while a
// deliberation that another process runs has subscribers here, whether
// anything changed, and if so how far those deliberations have got.
type Poller interface {
	// Changed reports, cheaply, whether the store may have been written
	// since the last call (by any process, this one included); the first
	// call reports true.
	Changed(ctx context.Context) (bool, error)
	// Heads returns the highest stored seq of each of ids that exists.
	Heads(ctx context.Context, ids []string) (map[string]int64, error)
}

// Batch is what one Store.Write stores, in one transaction: the journal
// gathers into one Batch whatever every running deliberation emitted
// since its last write.
type Batch struct {
	// Create are new deliberations, stored as running. A follow-up
	// (ParentID set) is refused unless its parent is stored, completed, of
	// the same owner and of its conversation: ENOTFOUND when the parent is
	// gone, ECONFLICT otherwise.
	Create []NewDeliberation
	// Append are runs of events, each of one deliberation, continuing its
	// stored events. The store keeps each event's JSON as encoded.
	Append [][]Encoded
}

// Len is the number of items of b.
func (b Batch) Len() int { return len(b.Create) + len(b.Append) }

// Refused says which items of a Batch a Write refused: Create[i] and
// Append[i] are the errors of b.Create[i] and b.Append[i], nil for each
// item stored. Both are nil when every item was stored.
type Refused struct {
	Create []error
	Append []error
}

// Err returns the first refusal, or nil.
func (r Refused) Err() error {
	for _, err := range append(r.Create, r.Append...) {
		if err != nil {
			return err
		}
	}
	return nil
}

// NewDeliberation is a deliberation for Batch.Create to record.
type NewDeliberation struct {
	ID        string
	Question  string
	Rule      Rule
	Owner     string
	CreatedAt time.Time
	Simulated bool
	// ConversationID is the conversation the deliberation belongs to;
	// empty means its own (a first question): the store keeps its ID.
	ConversationID string
	// ParentID is the deliberation a follow-up follows; empty otherwise.
	ParentID string
	// Council is the name of the council that deliberates, for the history.
	Council string
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
