package council

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/magi-system/magi"
)

// Writer journals the events of one deliberation: it stores each before it
// is delivered (see package feed).
type Writer interface {
	Emitter
	// Close flushes what was emitted and returns the first store error.
	Close(ctx context.Context) error
	// Failed is closed when the store could not keep an event.
	Failed() <-chan struct{}
}

// Runner runs deliberations in the background, bounded in number, and can
// cancel them one by one or all at once on shutdown.
type Runner struct {
	council *Council
	begin   Begin
	max     int
	log     *slog.Logger

	mu       sync.Mutex
	running  map[string]context.CancelCauseFunc
	closed   bool
	wg       sync.WaitGroup
	lastDone time.Time
}

// Begin opens the Writer of a new deliberation d: it returns it at once,
// with a channel that receives the outcome of d's creation in the store
// (see feed.Journal.Begin). Events emitted meanwhile wait behind the
// creation, and are dropped if it is refused.
type Begin func(ctx context.Context, d magi.NewDeliberation) (Writer, <-chan error)

// NewRunner returns a runner of council's deliberations, journaled by the
// writers begin opens, at most max at once (0: unbounded).
func NewRunner(c *Council, begin Begin, max int, log *slog.Logger) *Runner {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Runner{council: c, begin: begin, max: max, log: log, running: map[string]context.CancelCauseFunc{}, lastDone: time.Now()}
}

// Start creates the deliberation of q, put to its council (the server's,
// or its saved one: see Council.For), its rule and rounds settled by that
// council, and runs it in the background. It returns once the
// deliberation is stored as running, so its events can be subscribed to.
// Over the limit it fails with ERATELIMIT; after Shutdown with
// EUNAVAILABLE.
func (r *Runner) Start(ctx context.Context, q magi.Question) error {
	c, err := r.council.For(q)
	if err != nil {
		return err
	}
	q = c.Settle(q)
	if err := r.reserve(q.ID); err != nil {
		return err
	}
	// The span of the deliberation is a child of the request's trace
	// context; the journal's writes of it are its children.
	ctx, _ = c.startDeliberation(ctx, q)
	w, created := r.begin(ctx, magi.NewDeliberation{ID: q.ID, Question: q.Text, Rule: q.Rule, Owner: q.Owner,
		CreatedAt: time.Now().UTC(), Simulated: c.Simulated(), Council: c.name(),
		ConversationID: q.ConversationID, ParentID: q.ParentID})
	// The deliberation starts while it is being created: its model calls
	// overlap the write (its events wait behind it), and a refusal
	// cancels it. It outlives the request that started it (its span too:
	// it ends with the deliberation).
	dctx, cancel := context.WithCancelCause(context.WithoutCancel(ctx))
	r.mu.Lock()
	r.running[q.ID] = cancel
	r.mu.Unlock()
	st := &starting{done: make(chan struct{})}
	go r.run(dctx, cancel, c, q, w, st)
	st.err = <-created
	close(st.done)
	if st.err != nil {
		cancel(st.err)
		return st.err
	}
	return nil
}

// starting is the outcome of a deliberation's creation, known once done
// is closed.
type starting struct {
	done chan struct{}
	err  error
}

func (r *Runner) reserve(id string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case r.closed:
		return magi.Errorf(magi.EUNAVAILABLE, "the server is shutting down")
	case r.max > 0 && len(r.running) >= r.max:
		return &magi.Error{Code: magi.ERATELIMIT, RetryAfter: 5 * time.Second,
			Message: "too many deliberations are running; try again shortly"}
	}
	r.running[id] = nil
	r.wg.Add(1)
	return nil
}

func (r *Runner) release(id string) {
	r.mu.Lock()
	delete(r.running, id)
	r.lastDone = time.Now()
	r.mu.Unlock()
	r.wg.Done()
}

func (r *Runner) run(ctx context.Context, cancel context.CancelCauseFunc, c *Council, q magi.Question, w Writer, st *starting) {
	defer r.release(q.ID)
	// A store that fails stops the deliberation: nothing more can be kept.
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		select {
		case <-w.Failed():
			cancel(magi.Errorf(magi.ESTORE, "the database is unavailable: the deliberation could not be stored"))
		case <-ctx.Done():
		}
	}()
	defer func() { cancel(nil); <-watched }()
	_, err := c.Deliberate(ctx, q, w)
	if <-st.done; st.err != nil {
		// Never created: Start returned the refusal, nothing was stored.
		_ = w.Close(context.WithoutCancel(ctx))
		endDeliberation(trace.SpanFromContext(ctx), st.err)
		return
	}
	if err != nil {
		ev := Fatal(err)
		w.Emit(ev)
		if ev.Code == magi.EINTERNAL || ev.Code == magi.ESTORE {
			r.log.Error("deliberation failed", "id", q.ID, "err", err)
		}
	}
	if cerr := w.Close(context.WithoutCancel(ctx)); cerr != nil {
		r.log.Error("deliberation could not be stored", "id", q.ID, "err", cerr)
		err = cmp.Or(err, cerr)
	}
	endDeliberation(trace.SpanFromContext(ctx), err)
}

// Cancel stops the deliberation id; its stream ends with a `cancelled`
// error. It reports whether it was running here.
func (r *Runner) Cancel(id string) bool {
	r.mu.Lock()
	cancel := r.running[id]
	r.mu.Unlock()
	if cancel == nil {
		return false
	}
	cancel(magi.Errorf(magi.ECANCELLED, "the deliberation was cancelled"))
	return true
}

// Running returns how many deliberations run now.
func (r *Runner) Running() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.running)
}

// LastUpdate is when the runner last became idle or finished a
// deliberation (for the AgentCore /ping contract).
func (r *Runner) LastUpdate() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.lastDone
}

// Shutdown stops accepting deliberations, waits for the running ones until
// ctx ends (the grace period), then cancels them with code `shutdown` and
// waits for them to be journaled.
func (r *Runner) Shutdown(ctx context.Context) error {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	done := make(chan struct{})
	go func() { r.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
	}
	r.mu.Lock()
	for _, cancel := range r.running {
		if cancel != nil {
			cancel(magi.Errorf(magi.ESHUTDOWN, "the server shut down before the deliberation finished"))
		}
	}
	r.mu.Unlock()
	<-done
	return errors.New("deliberations were cancelled by the shutdown")
}
