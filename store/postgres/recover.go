package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/magi-system/magi/store/internal/journal"
)

// Recover interrupts the deliberations left running by store instances
// that are gone: those whose advisory lock no session holds.
func (d *DB) Recover(ctx context.Context) ([]string, error) {
	running, err := d.running(ctx)
	if err != nil {
		return nil, err
	}
	return journal.Interrupt(ctx, running, d.alive, d.Write)
}

// Orphans returns the ids of the deliberations Recover would interrupt:
// running, by a store instance that is gone. It writes nothing.
func (d *DB) Orphans(ctx context.Context) ([]string, error) {
	running, err := d.running(ctx)
	if err != nil {
		return nil, err
	}
	return journal.Orphans(ctx, running, d.alive)
}

// running returns the deliberations other store instances run, oldest
// first.
func (d *DB) running(ctx context.Context) ([]journal.Running, error) {
	rows, err := d.pool.Query(ctx, `SELECT id, instance, last_seq FROM deliberations
		WHERE status = 'running' AND instance <> $1 ORDER BY created_at`, d.instance)
	if err != nil {
		return nil, wrap("recover", err)
	}
	running, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (journal.Running, error) {
		var x journal.Running
		err := r.Scan(&x.ID, &x.Instance, &x.LastSeq)
		return x, err
	})
	return running, wrap("recover", err)
}

// alive reports whether a session holds the instance's advisory lock: if
// this one can take it, the instance is gone (and it lets go at once).
func (d *DB) alive(ctx context.Context, instance string) (bool, error) {
	if instance == "" {
		return false, nil
	}
	c, err := d.pool.Acquire(ctx)
	if err != nil {
		return false, wrap("recover", err)
	}
	defer c.Release()
	key := lockKey(instance)
	var got bool
	if err := c.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&got); err != nil {
		return false, wrap("recover", err)
	}
	if got {
		if _, err := c.Exec(ctx, `SELECT pg_advisory_unlock($1)`, key); err != nil {
			c.Conn().Close(ctx) // never hand a session holding it back to the pool
			return false, wrap("recover", err)
		}
	}
	return !got, nil
}
