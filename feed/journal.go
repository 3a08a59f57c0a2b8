package feed

import (
	"context"
	"sync"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/magi-system/magi"
)

// maxPending is how many events of one deliberation may wait for the
// store before its Emit blocks; maxPendingBytes how much text (chunks'
// content). The second bounds the memory of a fast model streaming a long
// answer to a store that is behind: the model waits, the server's memory
// stays flat.
const (
	maxPending      = 8192
	maxPendingBytes = 1 << 20
)

// storeFailedMessage is what live subscribers read when the store fails.
const storeFailedMessage = "the database is unavailable; the deliberation could not be kept"

// Journal is the write side of the feed, one per process. Its goroutine
// takes whatever the deliberations of this process have emitted since its
// last write — events of any of them — and stores it as one batch, in one
// transaction (magi.Store.Write); then it publishes the stored events to
// the Hub and shows them to the observer. The deliberations opened since
// its last write are created as one batch too, ahead of the events. It is the
// one batching layer between the council and the store: an event is
// batched, encoded and committed once, and nothing is published before it
// is stored.
type Journal struct {
	store magi.Store
	hub   *Hub

	mu    sync.Mutex
	space *sync.Cond // signalled when queued events were written or dropped
	// opening are the deliberations to create, dirty the writers with
	// events queued, both waiting for the next write.
	opening []*opening
	dirty   []*Writer
	observe func(magi.Event)
	closed  bool
	// tracer traces the writes (trace.go); nil: none.
	tracer trace.Tracer

	// lost are the deliberations whose events the store failed or
	// refused: their rows still say running. Only the Journal's goroutine
	// uses it (see settle).
	lost map[string]bool

	wake chan struct{}
	done chan struct{}
}

// opening is a deliberation waiting to be created.
type opening struct {
	w    *Writer
	d    magi.NewDeliberation
	errc chan error
}

// NewJournal starts the Journal of store and hub. Close stops it.
func NewJournal(store magi.Store, hub *Hub) *Journal {
	j := &Journal{store: store, hub: hub, wake: make(chan struct{}, 1), done: make(chan struct{}), lost: map[string]bool{}}
	j.space = sync.NewCond(&j.mu)
	go j.run()
	return j
}

// Observe sets fn, the one hook that sees every event once it is stored
// (and the unstored failure event that ends a deliberation whose store
// failed), in seq order per deliberation, on the Journal's goroutine: the
// metrics and the quotas count there. fn must not block.
func (j *Journal) Observe(fn func(magi.Event)) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.observe = fn
}

// Close writes what is queued, then stops the Journal's goroutine. Events
// emitted after Close are dropped; Open fails.
func (j *Journal) Close() {
	j.mu.Lock()
	j.closed = true
	j.mu.Unlock()
	j.space.Broadcast()
	j.signal()
	<-j.done
}

func (j *Journal) signal() {
	select {
	case j.wake <- struct{}{}:
	default:
	}
}

// Open records the new deliberation d in the store, with the next write,
// and returns the Writer of its events. Once handed over, it waits for the
// write even if ctx ends, so that an error always means "not stored".
func (j *Journal) Open(ctx context.Context, d magi.NewDeliberation) (*Writer, error) {
	w, created := j.Begin(ctx, d)
	if err := <-created; err != nil {
		return nil, err
	}
	return w, nil
}

// Begin is Open without the wait: it returns the Writer of d at once, and
// a channel that receives the outcome of d's creation once it is written.
// Events may be emitted meanwhile: they wait behind the creation (a write
// creates its new deliberations before it stores events), and if it is
// refused they are dropped unstored, w fails with the refusal and nothing
// is published. Close waits for the outcome. A deliberation can so start
// its model calls while it is being created.
func (j *Journal) Begin(ctx context.Context, d magi.NewDeliberation) (*Writer, <-chan error) {
	w := &Writer{j: j, id: d.ID, failed: make(chan struct{}), settled: make(chan struct{})}
	if j.tracer != nil {
		w.span = trace.SpanContextFromContext(ctx)
	}
	o := &opening{w: w, d: d, errc: make(chan error, 1)}
	j.mu.Lock()
	if j.closed {
		err := magi.Errorf(magi.EUNAVAILABLE, "the server is shutting down")
		w.opened, w.refused = true, true
		w.failLocked(err)
		j.mu.Unlock()
		o.errc <- err
		return w, o.errc
	}
	j.opening = append(j.opening, o)
	j.mu.Unlock()
	j.signal()
	return w, o.errc
}

// Writer journals the events of one deliberation, in the order they are
// emitted. Close must be called.
type Writer struct {
	j  *Journal
	id string

	// Guarded by j.mu: the events emitted and not yet taken by the
	// Journal, in emission order; how many of w's events are queued or
	// being written.
	queue   []magi.Event
	spare   []magi.Event // an empty queue to reuse
	pending int
	// pendingBytes is the content of the pending events.
	pendingBytes int
	dirty        bool // w is in j.dirty
	closing      bool
	err          error
	settle       bool // settled is closed
	// opened: the outcome of w's creation is known; created: it was
	// stored (this process then writes w's deliberation, see Hub);
	// refused: it was not, and w's events are dropped.
	opened, created, refused bool

	// seq is the last seq given, by the Journal's goroutine.
	seq int64
	// span is the deliberation's span, the parent of its writes' spans.
	span trace.SpanContext
	// failed is closed when the store fails; settled once closing with
	// nothing pending (or failed).
	failed, settled chan struct{}
	once            sync.Once
}

// ID returns the id of the deliberation w journals.
func (w *Writer) ID() string { return w.id }

// Emit queues e to be stored and then published. It sets e's
// DeliberationID and Timestamp; the Journal gives it its Seq (1, 2, 3 …
// in the order of the calls to Emit). It is safe from several goroutines
// and returns at once unless the store has fallen far behind. After a
// store failure or Close, events are dropped.
func (w *Writer) Emit(e magi.Event) {
	j := w.j
	j.mu.Lock()
	for (w.pending >= maxPending || w.pendingBytes >= maxPendingBytes) && w.err == nil && !w.closing && !j.closed {
		j.space.Wait()
	}
	if w.err != nil || w.closing || j.closed {
		j.mu.Unlock()
		return
	}
	e.DeliberationID = w.id
	// Stamped under the lock so that timestamps never go back along seq.
	e.Timestamp = time.Now().UTC()
	if w.queue == nil {
		w.queue = getQueue()
	}
	w.queue = append(w.queue, e)
	w.pending++
	w.pendingBytes += len(e.Content)
	if !w.dirty {
		w.dirty = true
		j.dirty = append(j.dirty, w)
	}
	j.mu.Unlock()
	j.signal()
}

// Failed is closed when the store has failed: the deliberation can no
// longer be kept and should be cancelled.
func (w *Writer) Failed() <-chan struct{} { return w.failed }

// Err returns the error that stopped w, or nil.
func (w *Writer) Err() error {
	w.j.mu.Lock()
	defer w.j.mu.Unlock()
	return w.err
}

// Close waits until what w queued is stored and published, then stops w.
// It returns the first store error. If ctx ends first, w stops at once:
// what is still queued is dropped, and Close returns ctx's error.
func (w *Writer) Close(ctx context.Context) error {
	j := w.j
	j.mu.Lock()
	w.closing = true
	w.settledLocked()
	j.mu.Unlock()
	j.space.Broadcast()
	select {
	case <-w.settled:
	case <-ctx.Done():
		j.mu.Lock()
		if w.err == nil {
			w.failLocked(ctx.Err())
		}
		j.mu.Unlock()
	}
	j.mu.Lock()
	created, err := w.created, w.err
	if w.pending == 0 { // neither queue is in the journal's hands
		putQueue(w.queue)
		putQueue(w.spare)
		w.queue, w.spare = nil, nil
	}
	j.mu.Unlock()
	if created {
		w.once.Do(func() { j.hub.removeWriter(w.id) })
	}
	return err
}

// queues keeps the emptied queues of closed writers for new ones: a
// deliberation's queue grows to a few dozen events (376 bytes each), and
// growing one afresh for each deliberation was a tenth of what a busy
// server allocated.
var queues = sync.Pool{New: func() any { return []magi.Event(nil) }}

// maxPooledQueue is the largest queue kept: a rare burst's room is not.
const maxPooledQueue = 256

// getQueue returns an empty queue, with room if one was pooled.
func getQueue() []magi.Event { return queues.Get().([]magi.Event) }

// putQueue pools q, an empty queue (its elements cleared), unless it is
// nil or large.
func putQueue(q []magi.Event) {
	if c := cap(q); c > 0 && c <= maxPooledQueue {
		queues.Put(q[:0]) // boxes the slice header: 24 bytes, against a queue grown afresh
	}
}

// settledLocked closes settled once the outcome of w's creation is known
// and w is closing with nothing pending, or failed.
func (w *Writer) settledLocked() {
	if !w.settle && w.opened && ((w.closing && w.pending == 0) || w.err != nil) {
		w.settle = true
		close(w.settled)
	}
}

// failLocked stops w with err: its queued events will be dropped.
func (w *Writer) failLocked(err error) {
	w.err = err
	close(w.failed)
	w.settledLocked()
}
