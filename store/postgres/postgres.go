// Package postgres is the PostgreSQL store of MAGI, for several processes
// or machines sharing one database. Besides magi.Store it is a
// magi.Watcher: every append is announced with NOTIFY magi_events.
package postgres

import (
	"context"
	"fmt"
	"net/url"
	"sync"

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
	// lock holds this instance's advisory lock on a session of its own:
	// other processes see the instance alive while it lasts.
	lock     *instanceLock
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
	lock, err := lockInstance(ctx, d.pool.Config().ConnConfig, d.instance)
	if err != nil {
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
		d.lock.release()
		d.pool.Close()
	})
	return d.closeErr
}

// redact hides the credentials of a URL (magi.Redact), for messages.
func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" {
		return "(the PostgreSQL URL)"
	}
	return magi.Redact(s)
}
