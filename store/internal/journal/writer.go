// Package journal holds what the SQL stores share: the group-commit writer,
// the rules an append must follow, and the history cursor.
package journal

import (
	"context"
	"sync"
	"time"

	"github.com/magi-system/magi"
)

// Commit stores a batch of appends in one transaction. It returns one error
// per item, nil for each item committed; a failed item must leave the
// others unharmed. A non-nil err means the transaction failed as a whole
// and nothing was committed.
type Commit func(ctx context.Context, batch [][]magi.Event) (items []error, err error)

// Writer is a group commit: a single goroutine gathers the appends that
// are waiting, commits them in one transaction, then answers each caller.
type Writer struct {
	reqs chan *request
	quit chan struct{}
	done chan struct{}
	once sync.Once
}

type request struct {
	events []magi.Event
	errc   chan error
}

// Start starts a writer that commits at most max appends per transaction.
func Start(commit Commit, max int) *Writer {
	if max <= 0 {
		max = 256
	}
	w := &Writer{reqs: make(chan *request), quit: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		w.loop(commit, max)
	}()
	return w
}

// Append validates events, hands them to the writer and waits until they
// are committed (or refused). Once handed over, it waits for the answer
// even if ctx ends, so that an error always means "not stored".
func (w *Writer) Append(ctx context.Context, events []magi.Event) error {
	if err := Validate(events); err != nil {
		return err
	}
	r := &request{events: events, errc: make(chan error, 1)}
	select {
	case w.reqs <- r:
	case <-w.quit:
		return ErrClosed()
	case <-ctx.Done():
		return ctx.Err()
	}
	return <-r.errc
}

// Close stops the writer after the batch in progress; appends that were
// not yet taken fail with EUNAVAILABLE.
func (w *Writer) Close() {
	w.once.Do(func() { close(w.quit) })
	<-w.done
}

// commitTimeout bounds one batch, so that a hung database fails appends
// instead of holding them forever.
const commitTimeout = 30 * time.Second

func (w *Writer) loop(commit Commit, max int) {
	for {
		var batch []*request
		select {
		case r := <-w.reqs:
			batch = append(batch, r)
		case <-w.quit:
			return
		}
		batch = w.gather(batch, max)
		ctx, cancel := context.WithTimeout(context.Background(), commitTimeout)
		w.commit(ctx, commit, batch)
		cancel()
	}
}

// gather adds the appends already waiting, without waiting for more.
func (w *Writer) gather(batch []*request, max int) []*request {
	for len(batch) < max {
		select {
		case r := <-w.reqs:
			batch = append(batch, r)
		default:
			return batch
		}
	}
	return batch
}

// commit commits batch in one transaction; if the transaction fails as a
// whole, each item is tried in its own so that one bad item fails only
// its caller.
func (w *Writer) commit(ctx context.Context, commit Commit, batch []*request) {
	evs := make([][]magi.Event, len(batch))
	for i, r := range batch {
		evs[i] = r.events
	}
	items, err := commit(ctx, evs)
	if err == nil {
		for i, r := range batch {
			r.errc <- items[i]
		}
		return
	}
	if len(batch) == 1 {
		batch[0].errc <- err
		return
	}
	for _, r := range batch {
		items, err := commit(ctx, [][]magi.Event{r.events})
		if err == nil {
			err = items[0]
		}
		r.errc <- err
	}
}
