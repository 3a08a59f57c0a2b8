package sqlite

import (
	"context"
	"sync/atomic"
	"time"
)

// checkpointEvery is how often the pages a file database appended to its
// write-ahead log are copied back into the database (a checkpoint).
const checkpointEvery = 500 * time.Millisecond

// walLimit is the most pages the write-ahead log keeps between two
// checkpoints (4 MB of 4 KB pages, SQLite's own default): past it, the
// checkpoint holds the writes of this process back while it empties the
// log.
const walLimit = 1000

// checkpointer copies the write-ahead log back into the database in the
// background, so that no write waits for it: SQLite's own automatic
// checkpoint (off, see dsn) runs inside the commit that crosses its
// threshold, and holds up every event of that write. PASSIVE checkpoints
// never block writers or readers; what a reader still needs waits for the
// next one.
//
// But the log starts again from its beginning only once a checkpoint has
// copied all of it and a write follows, and under a steady stream of
// writes a PASSIVE checkpoint never copies all of it: pages are appended
// while it copies. So once the log has grown past walLimit, the
// checkpoint takes the writes' turn (wmu) and empties it (TRUNCATE, which
// also gives its space back): a stall of one checkpoint now and then,
// instead of a log that grows until the disk is full.
type checkpointer struct {
	// wrote counts the writes since the last checkpoint.
	wrote atomic.Int64
	stop  context.CancelFunc
	done  chan struct{}
}

// startCheckpoints starts d's checkpointer.
func (d *DB) startCheckpoints() {
	ctx, stop := context.WithCancel(context.Background())
	d.ckpt = &checkpointer{stop: stop, done: make(chan struct{})}
	go func() {
		defer close(d.ckpt.done)
		t := time.NewTicker(checkpointEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if d.ckpt.wrote.Swap(0) > 0 {
					d.checkpoint(ctx)
				}
			}
		}
	}()
}

// checkpoint copies the log back into the database, and empties it once
// it has grown past walLimit.
func (d *DB) checkpoint(ctx context.Context) {
	var busy, log, copied int
	err := d.db.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &log, &copied)
	if err != nil || log <= walLimit {
		return
	}
	d.wmu.Lock()
	defer d.wmu.Unlock()
	if !d.closed {
		_, _ = d.db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
	}
}

// stopCheckpoints stops d's checkpointer and waits for it; SQLite
// checkpoints the log itself when the last connection closes.
func (d *DB) stopCheckpoints() {
	if d.ckpt != nil {
		d.ckpt.stop()
		<-d.ckpt.done
	}
}
