package sqlite

import (
	"context"
	"sync/atomic"
	"time"
)

// checkpointEvery is how often the pages a file database appended to its
// write-ahead log are copied back into the database (a checkpoint).
const checkpointEvery = 500 * time.Millisecond

// checkpointer copies the write-ahead log back into the database in the
// background, so that no write waits for it: SQLite's own automatic
// checkpoint (off, see dsn) runs inside the commit that crosses its
// threshold, and holds up every event of that write. PASSIVE checkpoints
// never block writers or readers; what a reader still needs waits for the
// next one.
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
					_, _ = d.db.ExecContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`)
				}
			}
		}
	}()
}

// stopCheckpoints stops d's checkpointer and waits for it; SQLite
// checkpoints the log itself when the last connection closes.
func (d *DB) stopCheckpoints() {
	if d.ckpt != nil {
		d.ckpt.stop()
		<-d.ckpt.done
	}
}
