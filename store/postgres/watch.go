package postgres

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Watch calls fn with the id and highest seq of every append committed by
// any process, until ctx ends; it then returns ctx's error. It listens on
// a connection of its own and reconnects when it breaks (appends made
// while it reconnects are not told: a follower should re-read the store).
func (d *DB) Watch(ctx context.Context, fn func(id string, seq int64)) error {
	backoff := 100 * time.Millisecond
	for {
		if connected := d.listen(ctx, fn); connected {
			backoff = 100 * time.Millisecond
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

// listen holds one LISTEN connection until it fails or ctx ends; it
// reports whether it got as far as listening.
func (d *DB) listen(ctx context.Context, fn func(id string, seq int64)) (connected bool) {
	c, err := pgx.ConnectConfig(ctx, d.pool.Config().ConnConfig.Copy())
	if err != nil {
		return false
	}
	defer func() { _ = c.Close(context.Background()) }()
	if _, err := c.Exec(ctx, "LISTEN "+Channel); err != nil {
		return false
	}
	for {
		n, err := c.WaitForNotification(ctx)
		if err != nil {
			return true
		}
		i := strings.LastIndexByte(n.Payload, ':')
		if i < 0 {
			continue
		}
		if seq, err := strconv.ParseInt(n.Payload[i+1:], 10, 64); err == nil {
			fn(n.Payload[:i], seq)
		}
	}
}
