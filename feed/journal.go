package feed

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/magi-system/magi"
)

// maxQueue is how many events may wait for the store before Emit blocks.
const maxQueue = 8192

// storeFailedMessage is what live subscribers read when the store fails.
const storeFailedMessage = "the database is unavailable; the deliberation could not be kept"

// Journal is the write side of the feed: it stores every event of the
// deliberations this process runs, then publishes it to the Hub. One per
// process.
type Journal struct {
	store magi.Store
	hub   *Hub
}

// NewJournal returns a Journal that appends to store and publishes to hub.
func NewJournal(store magi.Store, hub *Hub) *Journal {
	return &Journal{store: store, hub: hub}
}

// Writer journals the events of one deliberation, in the order they are
// emitted. Its goroutine runs until Close, which must be called.
type Writer struct {
	id     string
	store  magi.Store
	hub    *Hub
	cancel context.CancelFunc

	mu      sync.Mutex
	space   *sync.Cond // signalled when the queue is taken or the writer stops
	queue   []magi.Event
	closing bool
	err     error

	wake   chan struct{}
	failed chan struct{}
	done   chan struct{}
	once   sync.Once
}

// Open records the new deliberation d in the store and returns the Writer
// of its events. The Writer outlives ctx's cancellation; only Close ends it.
func (j *Journal) Open(ctx context.Context, d magi.NewDeliberation) (*Writer, error) {
	if err := j.store.Create(ctx, d); err != nil {
		return nil, err
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	w := &Writer{
		id: d.ID, store: j.store, hub: j.hub, cancel: cancel,
		wake: make(chan struct{}, 1), failed: make(chan struct{}), done: make(chan struct{}),
	}
	w.space = sync.NewCond(&w.mu)
	j.hub.addWriter(d.ID)
	go w.run(runCtx)
	return w, nil
}

// ID returns the id of the deliberation w journals.
func (w *Writer) ID() string { return w.id }

// Emit queues e to be stored and then published. It sets e's
// DeliberationID, Seq (1, 2, 3 … in the order of the calls to Emit) and
// Timestamp. It is safe from several goroutines and returns at once unless
// the store has fallen far behind. After a store failure or Close, events
// are dropped.
func (w *Writer) Emit(e magi.Event) {
	w.mu.Lock()
	for len(w.queue) >= maxQueue && w.err == nil && !w.closing {
		w.space.Wait()
	}
	if w.err != nil || w.closing {
		w.mu.Unlock()
		return
	}
	// Stamped under the lock so that timestamps never go back along seq.
	e.Timestamp = time.Now().UTC()
	w.queue = append(w.queue, e)
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Failed is closed when the store has failed: the deliberation can no
// longer be kept and should be cancelled.
func (w *Writer) Failed() <-chan struct{} { return w.failed }

// Err returns the store error that stopped w, or nil.
func (w *Writer) Err() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

// Close stores and publishes what is queued, then stops w. It returns the
// first store error. If ctx ends first, the pending append is cancelled.
func (w *Writer) Close(ctx context.Context) error {
	w.mu.Lock()
	w.closing = true
	w.mu.Unlock()
	w.space.Broadcast()
	w.signal()
	select {
	case <-w.done:
	case <-ctx.Done():
		w.cancel()
		<-w.done
	}
	w.once.Do(func() {
		w.cancel()
		w.hub.removeWriter(w.id)
	})
	return w.Err()
}

func (w *Writer) signal() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// run takes everything queued, stores it as one batch, then publishes it,
// until w closes or the store fails.
func (w *Writer) run(ctx context.Context) {
	defer close(w.done)
	var batch []magi.Event
	var seq int64
	for {
		w.mu.Lock()
		batch, w.queue = w.queue, batch[:0]
		closing := w.closing
		w.mu.Unlock()
		w.space.Broadcast()
		if len(batch) == 0 {
			if closing {
				return
			}
			<-w.wake
			continue
		}
		batch = coalesce(batch)
		for i := range batch {
			seq++
			batch[i].DeliberationID, batch[i].Seq = w.id, seq
		}
		if err := w.store.Append(ctx, batch...); err != nil {
			w.fail(err, seq-int64(len(batch))+1)
			return
		}
		for i := range batch {
			w.hub.Publish(batch[i])
		}
		clear(batch)
	}
}

// fail stops w after the store refused the events from seq next on, and
// ends the stream of live subscribers with an unstored fatal error event.
func (w *Writer) fail(err error, next int64) {
	w.mu.Lock()
	w.err = fmt.Errorf("journal %s: append: %w", w.id, err)
	w.queue = nil
	w.mu.Unlock()
	w.space.Broadcast()
	close(w.failed)
	w.hub.fail(magi.Event{
		Type: magi.EventError, DeliberationID: w.id, Seq: next, Timestamp: time.Now().UTC(),
		Code: magi.ESTORE, Message: storeFailedMessage, Fatal: true,
	})
}
