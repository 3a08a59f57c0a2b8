package sqlite

import (
	"context"
	"path/filepath"

	"github.com/magi-system/magi/store/internal/journal"
)

// Recover interrupts the deliberations left running by store instances
// that are gone: those whose lock file (PATH.instances/ID.lock) no process
// holds. In memory, every other instance is gone.
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
	rows, err := d.db.QueryContext(ctx, `SELECT id, instance, last_seq FROM deliberations
		WHERE status = 'running' AND instance <> ? ORDER BY created_at`, d.instance)
	if err != nil {
		return nil, wrap("recover", err)
	}
	defer func() { _ = rows.Close() }()
	var running []journal.Running
	for rows.Next() {
		var r journal.Running
		if err := rows.Scan(&r.ID, &r.Instance, &r.LastSeq); err != nil {
			return nil, wrap("recover", err)
		}
		running = append(running, r)
	}
	return running, wrap("recover", rows.Err())
}

// alive reports whether the store instance still holds its lock file.
func (d *DB) alive(_ context.Context, instance string) (bool, error) {
	if d.path == "" || instance == "" || instance != filepath.Base(instance) {
		return false, nil
	}
	return lockHeld(lockPath(d.path, instance)), nil
}

// lockPath is the lock file of an instance of the database at db.
func lockPath(db, instance string) string {
	return filepath.Join(db+".instances", instance+".lock")
}
