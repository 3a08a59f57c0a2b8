package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// beginPatience is how long a write waits for the database to come back
// when its transaction cannot even begin (the caller's context may end it
// sooner).
const beginPatience = 10 * time.Second

// begin begins a write's transaction. When the database cannot be reached
// — it restarted, and the pool's idle sessions died with it; it is
// restarting — nothing of the write was sent yet, so begin tries again,
// on fresh sessions, with backoff, for up to beginPatience: a restart of
// the database delays the deliberations instead of failing them.
func (d *DB) begin(ctx context.Context) (pgx.Tx, error) {
	deadline := time.Now().Add(beginPatience)
	backoff := 50 * time.Millisecond
	for {
		tx, err := d.pool.Begin(ctx)
		if err == nil || !unavailable(err) || ctx.Err() != nil || time.Now().Add(backoff).After(deadline) {
			return tx, err
		}
		d.pool.Reset() // the other idle sessions are as dead as this one
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, time.Second)
	}
}
