package postgres

import (
	"context"
	"hash/fnv"
	"time"

	"github.com/jackc/pgx/v5"
)

// instanceLock holds a store instance's advisory lock, on a session of its
// own, for as long as the store is open: other processes see the instance
// alive while the lock is held (Recover). A session can end under it — the
// database restarted, the connection broke — and the lock with it; the
// lock's goroutine then connects again and takes the lock again, so that
// the instance does not stay dead to others while it lives.
type instanceLock struct {
	cfg  *pgx.ConnConfig
	key  int64
	stop context.CancelFunc
	done chan struct{}
}

// lockInstance takes the advisory lock of instance, then keeps it in the
// background until release.
func lockInstance(ctx context.Context, cfg *pgx.ConnConfig, instance string) (*instanceLock, error) {
	l := &instanceLock{cfg: cfg, key: lockKey(instance), done: make(chan struct{})}
	c, err := l.take(ctx)
	if err != nil {
		return nil, err
	}
	kctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	l.stop = stop
	go l.keep(kctx, c)
	return l, nil
}

// take connects and takes the lock, waiting while another session holds
// it (a Recover looking whether the instance is alive holds it a moment).
func (l *instanceLock) take(ctx context.Context) (*pgx.Conn, error) {
	c, err := pgx.ConnectConfig(ctx, l.cfg.Copy())
	if err != nil {
		return nil, err
	}
	if _, err := c.Exec(ctx, `SELECT pg_advisory_lock($1)`, l.key); err != nil {
		_ = c.Close(context.Background())
		return nil, err
	}
	return c, nil
}

// keep waits on the session of c until it ends, then takes the lock again
// on a new one, with backoff; until ctx ends, when it unlocks and closes.
func (l *instanceLock) keep(ctx context.Context, c *pgx.Conn) {
	defer close(l.done)
	backoff := 100 * time.Millisecond
	for {
		if c != nil {
			// Nothing is LISTENed for: this returns when the session ends,
			// or ctx does.
			err := c.PgConn().WaitForNotification(ctx)
			if ctx.Err() != nil {
				l.unlock(c)
				return
			}
			if err == nil {
				continue
			}
			_ = c.Close(context.Background())
			c = nil
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		var err error
		if c, err = l.take(ctx); err != nil {
			c = nil
			backoff = min(2*backoff, time.Second)
			continue
		}
		backoff = 100 * time.Millisecond
	}
}

// unlock releases the lock before closing its session: the server ends a
// closed session a little later, and another store's Recover may look at
// once.
func (l *instanceLock) unlock(c *pgx.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, _ = c.Exec(ctx, `SELECT pg_advisory_unlock($1)`, l.key)
	_ = c.Close(ctx)
}

// release unlocks and stops keeping the lock.
func (l *instanceLock) release() {
	l.stop()
	<-l.done
}

// lockKey is the advisory lock key of an instance.
func lockKey(instance string) int64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte("magi instance " + instance))
	return int64(h.Sum64())
}
