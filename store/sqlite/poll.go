package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"sync"

	"github.com/magi-system/magi"
)

var _ magi.Poller = (*DB)(nil)

// poller keeps the connection that Changed reads SQLite's data_version on:
// a number that changes when any other connection — of another process
// or of this one — commits to the database.
type poller struct {
	mu      sync.Mutex
	conn    *sql.Conn // nil until the first Changed, and after a failure
	version int64
	read    bool // version was read at least once
}

// Changed reports whether the database may have been written since the
// last call: PRAGMA data_version, on a connection kept for it, which no
// other statement uses. The first call reports true. A database in memory
// is this process's alone: its writes reach followers without polling.
func (d *DB) Changed(ctx context.Context) (bool, error) {
	if d.path == "" {
		return false, nil
	}
	p := &d.poll
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.conn == nil {
		c, err := d.db.Conn(ctx)
		if err != nil {
			return false, wrap("changed", err)
		}
		p.conn = c
	}
	var v int64
	if err := p.conn.QueryRowContext(ctx, `PRAGMA data_version`).Scan(&v); err != nil {
		_ = p.conn.Close()
		p.conn = nil
		return false, wrap("changed", err)
	}
	changed := !p.read || v != p.version
	p.version, p.read = v, true
	return changed, nil
}

// Heads returns the last stored seq of each of ids that exists.
func (d *DB) Heads(ctx context.Context, ids []string) (map[string]int64, error) {
	list, err := json.Marshal(ids)
	if err != nil {
		return nil, wrap("heads", err)
	}
	rows, err := d.db.QueryContext(ctx, `SELECT id, last_seq FROM deliberations
		WHERE id IN (SELECT value FROM json_each(?))`, string(list))
	if err != nil {
		return nil, wrap("heads", err)
	}
	defer func() { _ = rows.Close() }()
	heads := make(map[string]int64, len(ids))
	for rows.Next() {
		var id string
		var seq int64
		if err := rows.Scan(&id, &seq); err != nil {
			return nil, wrap("heads", err)
		}
		heads[id] = seq
	}
	return heads, wrap("heads", rows.Err())
}

// closePoll gives the poll's connection back.
func (d *DB) closePoll() {
	d.poll.mu.Lock()
	defer d.poll.mu.Unlock()
	if d.poll.conn != nil {
		_ = d.poll.conn.Close()
		d.poll.conn = nil
	}
}
