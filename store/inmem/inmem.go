// Package inmem is a magi.Store in memory, for tests: it passes the same
// behaviour suite as the SQLite and PostgreSQL stores (store/storetest),
// so a test of the feed, the server or the runner can use it in place of a
// hand-written fake. Like PostgreSQL it is also a magi.Watcher, and
// several stores can share one DB as several processes share a database.
//
// Nothing is durable: the shipped binary does not use it.
package inmem

import (
	"cmp"
	"context"
	"slices"
	"sync"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/store/internal/journal"
)

var (
	_ magi.Store   = (*Store)(nil)
	_ magi.Watcher = (*Store)(nil)
)

// DB is an in-memory database, shared by the Stores opened on it.
type DB struct {
	mu       sync.Mutex
	delibs   map[string]*delib
	councils map[councilKey]magi.SavedCouncil
	// convs are the ids of each conversation's turns, by conversation id,
	// as created.
	convs    map[string][]string
	alive    map[string]bool // store instances open now
	watchers map[*watcher]struct{}
}

// delib is one deliberation: its row and its events.
type delib struct {
	n        magi.NewDeliberation
	instance string
	status   magi.Status
	decision magi.Decision
	events   []magi.Event
}

// NewDB returns an empty database.
func NewDB() *DB {
	return &DB{delibs: map[string]*delib{}, councils: map[councilKey]magi.SavedCouncil{}, convs: map[string][]string{},
		alive: map[string]bool{}, watchers: map[*watcher]struct{}{}}
}

// New returns a store on a database of its own.
func New() *Store { return NewDB().Open() }

// Store is one process's connection to a DB, with its own instance id:
// once it is closed, another Store's Recover interrupts the deliberations
// it left running.
type Store struct {
	db       *DB
	instance string
	once     sync.Once
}

// Open returns a new store on db, as another process would open it.
func (db *DB) Open() *Store {
	s := &Store{db: db, instance: magi.NewID()}
	db.mu.Lock()
	db.alive[s.instance] = true
	db.mu.Unlock()
	return s
}

// Close ends s's instance. Its writes and reads fail from then on.
func (s *Store) Close() error {
	s.once.Do(func() {
		s.db.mu.Lock()
		delete(s.db.alive, s.instance)
		s.db.mu.Unlock()
	})
	return nil
}

// Ping answers while s is open: EUNAVAILABLE once it is closed.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.lock(); err != nil {
		return err
	}
	s.db.mu.Unlock()
	return nil
}

// lock locks the database for s, or fails once s is closed.
func (s *Store) lock() error {
	s.db.mu.Lock()
	if !s.db.alive[s.instance] {
		s.db.mu.Unlock()
		return journal.ErrClosed()
	}
	return nil
}

// Recover interrupts the deliberations left running by stores that are
// closed.
func (s *Store) Recover(ctx context.Context) ([]string, error) {
	running, alive, err := s.running()
	if err != nil {
		return nil, err
	}
	// Another store may recover or finish the same ones meanwhile: Write
	// refuses those.
	return journal.Interrupt(ctx, running, alive, s.Write)
}

// Orphans returns the ids of the deliberations Recover would interrupt:
// running, by a store that is closed. It writes nothing.
func (s *Store) Orphans(ctx context.Context) ([]string, error) {
	running, alive, err := s.running()
	if err != nil {
		return nil, err
	}
	return journal.Orphans(ctx, running, alive)
}

// running returns the deliberations other stores run, by id, and whether
// each store was open when they were read.
func (s *Store) running() ([]journal.Running, func(context.Context, string) (bool, error), error) {
	if err := s.lock(); err != nil {
		return nil, nil, err
	}
	var running []journal.Running
	live := map[string]bool{}
	for id, d := range s.db.delibs {
		if d.status == magi.StatusRunning && d.instance != s.instance {
			running = append(running, journal.Running{ID: id, Instance: d.instance, LastSeq: int64(len(d.events))})
			live[d.instance] = s.db.alive[d.instance]
		}
	}
	s.db.mu.Unlock()
	slices.SortFunc(running, func(a, b journal.Running) int { return cmp.Compare(a.ID, b.ID) })
	alive := func(_ context.Context, instance string) (bool, error) { return live[instance], nil }
	return running, alive, nil
}

// Watch calls fn with the id and highest seq of every write of every
// store on the database, in order, from Watch's goroutine, until ctx ends;
// it then returns ctx's error.
func (s *Store) Watch(ctx context.Context, fn func(id string, seq int64)) error {
	w := &watcher{wake: make(chan struct{}, 1)}
	s.db.mu.Lock()
	s.db.watchers[w] = struct{}{}
	s.db.mu.Unlock()
	defer func() {
		s.db.mu.Lock()
		delete(s.db.watchers, w)
		s.db.mu.Unlock()
	}()
	for {
		select {
		case <-w.wake:
		case <-ctx.Done():
			return ctx.Err()
		}
		for _, n := range w.take() {
			fn(n.id, n.seq)
		}
	}
}

// watcher queues the notices of one Watch.
type watcher struct {
	mu      sync.Mutex
	notices []notice
	wake    chan struct{}
}

type notice struct {
	id  string
	seq int64
}

func (w *watcher) add(n notice) {
	w.mu.Lock()
	w.notices = append(w.notices, n)
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

func (w *watcher) take() []notice {
	w.mu.Lock()
	defer w.mu.Unlock()
	ns := w.notices
	w.notices = nil
	return ns
}
