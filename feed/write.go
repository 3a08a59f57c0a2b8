package feed

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/magi-system/magi"
)

// errRefused marks the events of a deliberation whose creation was
// refused: they are dropped.
var errRefused = errors.New("the deliberation was not created")

// writeTimeout bounds one write (its retries included), so that a hung
// database fails the deliberations instead of holding them forever.
const writeTimeout = 30 * time.Second

// run is the Journal's goroutine: until Close, it takes whatever is
// waiting and writes it as one batch (two when there are both new
// deliberations and events).
func (j *Journal) run() {
	defer close(j.done)
	var opening []*opening
	var runs []*run
	retry := newBackoff()
	for {
		j.mu.Lock()
		opening, j.opening = j.opening, opening[:0]
		runs = j.take(runs[:0])
		closed, observe := j.closed, j.observe
		j.mu.Unlock()
		if len(opening)+len(runs) == 0 {
			if closed {
				return
			}
			j.idle(retry)
			continue
		}
		if len(opening) > 0 && len(runs) > 0 {
			// The new deliberations first, on their own: each Start waits
			// for them, and should not wait behind many events too.
			j.write(opening, nil, observe)
			clear(opening)
			opening = opening[:0]
		}
		j.write(opening, runs, observe)
		clear(opening)
		clear(runs)
	}
}

// run is the events of one deliberation in one write.
type run struct {
	w *Writer
	// taken are the events taken from w's queue; events what is written
	// of them: coalesced, numbered and encoded.
	taken  []magi.Event
	n      int // len(taken) before coalescing
	bytes  int // their content
	events []magi.Encoded
	// first is the seq of the run's first event.
	first int64
	err   error
}

// take takes the queue of every writer that has events waiting, except
// the events of writers that have failed (they are only counted off).
func (j *Journal) take(runs []*run) []*run {
	for _, w := range j.dirty {
		r := &run{w: w, taken: w.queue, n: len(w.queue), err: w.err}
		for i := range w.queue {
			r.bytes += len(w.queue[i].Content)
		}
		w.queue, w.spare, w.dirty = w.spare, nil, false
		runs = append(runs, r)
	}
	clear(j.dirty)
	j.dirty = j.dirty[:0]
	return runs
}

// write stores the new deliberations and the queued events in one batch,
// then answers each Open, publishes each stored event (and the failure of
// each deliberation the store refused), and frees the queue's room.
func (j *Journal) write(opening []*opening, runs []*run, observe func(magi.Event)) {
	var b magi.Batch
	for _, o := range opening {
		b.Create = append(b.Create, o.d)
	}
	var written []*run
	for _, r := range runs {
		if r.w.refused { // its creation was refused in this turn's first write
			r.err = errRefused
		}
		if r.encode(); r.err == nil && len(r.events) > 0 {
			b.Append = append(b.Append, r.events)
			written = append(written, r)
		}
	}
	wt := j.startWrite()
	refused := j.commit(b)
	wt.end(j, opening, written, refused)
	for i, o := range opening {
		j.opened(o, refused.Create[i])
	}
	for i, r := range written {
		r.err = refused.Append[i]
	}
	for _, r := range runs {
		j.publish(r, observe)
	}
	j.mu.Lock()
	for _, r := range runs {
		r.w.pending -= r.n
		r.w.pendingBytes -= r.bytes
		r.w.settledLocked()
		clear(r.taken)
		r.w.spare = r.taken[:0] // two queues, swapped at each write

	}
	j.mu.Unlock()
	j.space.Broadcast()
}

// opened records the outcome of o's creation, err nil when it is stored,
// and answers it. A refused deliberation's writer fails: what it emitted
// meanwhile is dropped, and nothing of it is published. A deliberation
// stored after its writer gave up waiting (Close's context ended) is left
// to settle, which stores its end.
func (j *Journal) opened(o *opening, err error) {
	w := o.w
	j.mu.Lock()
	w.opened = true
	switch {
	case err != nil:
		w.refused = true
		if w.err == nil {
			w.failLocked(err)
		}
	case w.err != nil:
		j.lost[w.id] = true
	default:
		w.created = true
	}
	w.settledLocked()
	created := w.created
	j.mu.Unlock()
	if created {
		j.hub.addWriter(w.id)
	}
	o.errc <- err
}

// encode coalesces r's events, gives them their seqs and encodes them.
func (r *run) encode() {
	r.first = r.w.seq + 1
	if r.err != nil {
		return
	}
	raw := coalesce(r.taken)
	r.events = make([]magi.Encoded, len(raw))
	for i, e := range raw {
		e.Seq = r.w.seq + int64(i) + 1
		x, err := magi.Encode(e)
		if err != nil {
			r.err = magi.Errorf(magi.EINVALID, "event %d (%s) cannot be encoded: %v", e.Seq, e.Type, err)
			return
		}
		r.events[i] = x
	}
	r.w.seq += int64(len(raw))
}

// commit writes b; if the write fails as a whole, it writes each item on
// its own, so that one bad item fails only its deliberation. Every item
// gets its outcome in the result.
func (j *Journal) commit(b magi.Batch) magi.Refused {
	ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
	defer cancel()
	refused, err := j.store.Write(ctx, b)
	if err == nil {
		// Nil slices: nothing refused.
		refused.Create = pad(refused.Create, len(b.Create))
		refused.Append = pad(refused.Append, len(b.Append))
		return refused
	}
	refused = magi.Refused{Create: make([]error, len(b.Create)), Append: make([]error, len(b.Append))}
	if b.Len() == 1 {
		for _, r := range [][]error{refused.Create, refused.Append} {
			for i := range r {
				r[i] = err
			}
		}
		return refused
	}
	for i := range b.Create {
		refused.Create[i] = j.commit1(ctx, magi.Batch{Create: b.Create[i : i+1]})
	}
	for i := range b.Append {
		refused.Append[i] = j.commit1(ctx, magi.Batch{Append: b.Append[i : i+1]})
	}
	return refused
}

// pad returns errs, or n nil errors when it is nil.
func pad(errs []error, n int) []error {
	if errs == nil {
		return make([]error, n)
	}
	return errs
}

// commit1 writes a batch of one item and returns its outcome.
func (j *Journal) commit1(ctx context.Context, b magi.Batch) error {
	refused, err := j.store.Write(ctx, b)
	if err != nil {
		return err
	}
	return refused.Err()
}

// publish shows r's stored events to observe, then publishes them; or,
// when the store refused them, stops r's writer and ends its stream with
// an unstored fatal error event. Observing first means a subscriber that
// has seen an event can count on the metrics and quotas having seen it.
func (j *Journal) publish(r *run, observe func(magi.Event)) {
	if r.w.refused {
		return // never created: nothing to publish or settle
	}
	if r.err != nil {
		j.fail(r, observe)
		return
	}
	if len(r.events) == 0 {
		return
	}
	if observe != nil {
		for i := range r.events {
			observe(r.events[i].Event)
		}
	}
	j.hub.publish(r.w.id, r.events)
}

// fail stops the writer of r after the store refused its events: it ends
// the stream of live subscribers with an unstored fatal error event, shows
// it to observe, then marks the writer failed (so that Close returns after
// the event is out).
func (j *Journal) fail(r *run, observe func(magi.Event)) {
	w := r.w
	j.mu.Lock()
	first := w.err == nil
	j.mu.Unlock()
	if !first {
		return // Close gave up on it already
	}
	j.lost[w.id] = true // its row says running: settle stores its end
	x, _ := magi.Encode(magi.Event{Type: magi.EventError, DeliberationID: w.id, Seq: r.first, Timestamp: time.Now().UTC(),
		Code: magi.ESTORE, Message: storeFailedMessage, Fatal: true})
	if observe != nil {
		observe(x.Event)
	}
	j.hub.fail(x)
	j.mu.Lock()
	if w.err == nil {
		w.failLocked(fmt.Errorf("journal %s: write: %w", w.id, r.err))
	}
	j.mu.Unlock()
}
