// Package sqlite is the SQLite store of MAGI, for one machine: a file
// (WAL mode) that several magi processes may share, or ":memory:" for
// tests. It needs no cgo.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/store/internal/journal"
	_ "modernc.org/sqlite" // the database/sql driver "sqlite"
)

// Memory is the path of a private in-memory database.
const Memory = ":memory:"

var _ magi.Store = (*DB)(nil)

// Options tune a DB; the zero value is good.
type Options struct {
	// BusyTimeout is how long a write waits for another process's lock
	// (default 5s).
	BusyTimeout time.Duration
	// CreateDir creates the database's directory if it is missing: for the
	// default data directory. Otherwise a missing directory is an error
	// naming it, so a mistyped path is not created silently.
	CreateDir bool
}

// DB is a magi.Store in an SQLite database.
type DB struct {
	db       *sql.DB
	path     string // "" for Memory
	instance string
	lock     *instanceLock // nil for Memory
	ckpt     *checkpointer // nil for Memory
	w        *writeConn    // nil for Memory
	poll     poller        // Changed's connection
	// wmu gives the writes of this process their turns; closed is set
	// under it.
	wmu      sync.Mutex
	closed   bool
	once     sync.Once
	closeErr error
}

// DefaultPath is where the database lives unless told otherwise:
// $XDG_DATA_HOME/magi/magi.db, or ~/.local/share/magi/magi.db.
func DefaultPath(getenv func(string) string) string {
	if dir := getenv("XDG_DATA_HOME"); dir != "" {
		return filepath.Join(dir, "magi", "magi.db")
	}
	return filepath.Join(getenv("HOME"), ".local", "share", "magi", "magi.db")
}

// Open opens (creating it if needed) the database at path, or a private
// one in memory for Memory, and brings its schema up to date. Its
// directory must exist unless opts.CreateDir. It refuses, with ECONFIG, a
// database of a newer MAGI.
func Open(ctx context.Context, path string, opts Options) (*DB, error) {
	if opts.BusyTimeout <= 0 {
		opts.BusyTimeout = 5 * time.Second
	}
	memory := path == Memory || path == ""
	if !memory {
		if err := directory(path, opts.CreateDir); err != nil {
			return nil, err
		}
	}
	db, err := sql.Open("sqlite", dsn(path, memory, opts.BusyTimeout))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	if memory {
		db.SetMaxOpenConns(1) // each connection would be a database of its own
	} else {
		db.SetMaxOpenConns(maxIdle)
		db.SetMaxIdleConns(maxIdle)
	}
	d := &DB{db: db, instance: magi.NewID()}
	if !memory {
		d.path = path
	}
	if err := d.start(ctx, path, opts); err != nil {
		_ = db.Close()
		return nil, err
	}
	return d, nil
}

// directory checks that the directory of the database at path exists,
// creating it when create is set.
func directory(path string, create bool) error {
	dir := filepath.Dir(path)
	if create {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return &magi.Error{Code: magi.EUNAVAILABLE,
				Message: fmt.Sprintf("cannot create the directory of the database at %s", path), Err: err}
		}
		return nil
	}
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return magi.Errorf(magi.ECONFIG, "the directory of the database at %s does not exist: create %s, or choose another --db or MAGI_DB", path, dir)
	case err != nil:
		return &magi.Error{Code: magi.EUNAVAILABLE, Message: fmt.Sprintf("the database at %s cannot be opened", path), Err: err}
	case !fi.IsDir():
		return magi.Errorf(magi.EUNAVAILABLE, "the database at %s cannot be opened: %s is not a directory", path, dir)
	}
	return nil
}

func (d *DB) start(ctx context.Context, where string, opts Options) error {
	if err := migrate(ctx, d.db, where); err != nil {
		return err
	}
	if d.path != "" {
		l, err := lockInstance(lockPath(d.path, d.instance))
		if err != nil {
			return &magi.Error{Code: magi.EUNAVAILABLE,
				Message: fmt.Sprintf("cannot create the instance lock next to the database at %s", where), Err: err}
		}
		d.lock = l
		sweepLocks(filepath.Dir(lockPath(d.path, d.instance)), d.instance)
	}
	if d.path != "" {
		_, release, err := d.writer(ctx) // prepared once, now
		if err != nil {
			return openErr(where, err)
		}
		release()
		d.startCheckpoints()
	}
	return nil
}

// dsn is the driver's data source name: the pragmas every connection runs.
func dsn(path string, memory bool, busy time.Duration) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busy.Milliseconds()))
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "temp_store(MEMORY)") // statement journals of multi-row writes: no temp file
	q.Add("_pragma", "cache_spill(0)")     // a write goes to the log once, at its commit
	q.Add("_txlock", "immediate")
	if memory {
		return Memory + "?" + q.Encode()
	}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "wal_autocheckpoint(0)") // the checkpointer's job
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// Instance is this store's id, recorded on the deliberations it creates;
// Recover of another store interrupts them once this one is gone.
func (d *DB) Instance() string { return d.instance }

// Ping reads the database's one table, cheaply: EUNAVAILABLE when that
// fails.
func (d *DB) Ping(ctx context.Context) error {
	var n int
	err := d.db.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM deliberations LIMIT 1)`).Scan(&n)
	return journal.Unreachable("sqlite", err)
}

// Close closes the database, after the write in progress, and releases
// the instance lock. A Write after Close fails with EUNAVAILABLE.
func (d *DB) Close() error {
	d.once.Do(func() {
		d.wmu.Lock()
		d.closed = true
		d.wmu.Unlock()
		d.stopCheckpoints()
		d.closePoll()
		if d.w != nil {
			d.w.close()
		}
		d.closeErr = d.db.Close()
		if d.lock != nil {
			d.lock.release()
		}
	})
	return d.closeErr
}
