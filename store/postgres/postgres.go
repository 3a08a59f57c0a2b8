// Package postgres is the PostgreSQL store of MAGI, for several processes
// or machines sharing one database. Besides magi.Store it is a
// magi.Watcher: every append is announced with NOTIFY magi_events.
package postgres

import (
	"context"
	"fmt"
	"hash/fnv"
	"net/url"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/magi-system/magi"
	"github.com/magi-system/magi/store/internal/journal"
)

// Channel is the NOTIFY channel of appends; the payload is "ID:SEQ".
const Channel = "magi_events"

var (
	_ magi.Store   = (*DB)(nil)
	_ magi.Watcher = (*DB)(nil)
)

// Options tune a DB; the zero value is good.
type Options struct{}

// DB is a magi.Store and magi.Watcher in a PostgreSQL database.
type DB struct {
	pool     *pgxpool.Pool
	where    string // the URL without its password, for messages
	instance string
	// lock is the dedicated session holding this instance's advisory
	// lock: other processes see the instance alive while it lasts.
	lock     *pgx.Conn
	once     sync.Once
	closeErr error
}

// Open connects to the database at url (postgres://…), brings its schema
// up to date and takes this instance's advisory lock. It refuses, with
// ECONFIG, a database of a newer MAGI.
func Open(ctx context.Context, url string, opts Options) (*DB, error) {
	where := redact(url)
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, &magi.Error{Code: magi.ECONFIG, Message: fmt.Sprintf("invalid PostgreSQL URL %s", where), Err: err}
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, openErr(where, err)
	}
	d := &DB{pool: pool, where: where, instance: magi.NewID()}
	if err := d.start(ctx, opts); err != nil {
		pool.Close()
		return nil, err
	}
	return d, nil
}

func (d *DB) start(ctx context.Context, opts Options) error {
	if err := d.pool.Ping(ctx); err != nil {
		return openErr(d.where, err)
	}
	if err := migrate(ctx, d.pool, d.where); err != nil {
		return err
	}
	lock, err := pgx.ConnectConfig(ctx, d.pool.Config().ConnConfig.Copy())
	if err != nil {
		return openErr(d.where, err)
	}
	if _, err := lock.Exec(ctx, `SELECT pg_advisory_lock($1)`, lockKey(d.instance)); err != nil {
		_ = lock.Close(ctx)
		return openErr(d.where, err)
	}
	d.lock = lock
	return nil
}

// Instance is this store's id, recorded on the deliberations it creates;
// Recover of another store interrupts them once this one is gone.
func (d *DB) Instance() string { return d.instance }

// Ping asks the database for an empty answer on a pooled connection:
// EUNAVAILABLE when none comes.
func (d *DB) Ping(ctx context.Context) error {
	return journal.Unreachable("postgres", d.pool.Ping(ctx))
}

// Close releases the instance's advisory lock and closes the pool, after
// the writes in progress.
func (d *DB) Close() error {
	d.once.Do(func() {
		// Unlock before closing: the server ends a closed session a little
		// later, and another store's Recover may look at once.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, _ = d.lock.Exec(ctx, `SELECT pg_advisory_unlock($1)`, lockKey(d.instance))
		d.closeErr = d.lock.Close(ctx)
		d.pool.Close()
	})
	return d.closeErr
}

// lockKey is the advisory lock key of an instance.
func lockKey(instance string) int64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte("magi instance " + instance))
	return int64(h.Sum64())
}

// redact hides the credentials of a URL (magi.Redact), for messages.
func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" {
		return "(the PostgreSQL URL)"
	}
	return magi.Redact(s)
}
