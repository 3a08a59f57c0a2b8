package sqlite

import (
	"context"
	"database/sql"
	"strings"

	"github.com/magi-system/magi"
)

// maxRows is the most rows one INSERT of events stores (4 parameters a
// row, far under SQLite's limit of 32766), maxInsertBytes the most JSON
// (unless one event is larger).
const (
	maxRows        = 256
	maxInsertBytes = 256 << 10
)

// writeConn is the connection writes take turns on, with its statements
// prepared: BEGIN IMMEDIATE and COMMIT too, which database/sql's Tx would
// parse again for every write (and watch with a goroutine of its own).
type writeConn struct {
	conn                    *sql.Conn
	begin, commit, rollback *sql.Stmt
	create, advance, sel    *sql.Stmt
	parent                  *sql.Stmt
	inserts                 []*sql.Stmt // inserts[k] is the INSERT of 2^k events
	// rows and args are the buffers of a write's INSERTs, kept from one
	// write to the next (writes take turns on the connection).
	rows []*magi.Encoded
	args []any
}

// writer returns the connection to write on and the function that gives
// it back. A file database keeps one (made again after a failed rollback
// left it unusable); a database in memory has a single connection,
// shared with the reads, so it prepares one for each write.
func (d *DB) writer(ctx context.Context) (*writeConn, func(), error) {
	if d.path != "" && d.w != nil {
		return d.w, func() {}, nil
	}
	w, err := newWriteConn(ctx, d.db)
	if err != nil {
		return nil, nil, err
	}
	if d.path == "" {
		return w, w.close, nil
	}
	d.w = w
	return w, func() {}, nil
}

// abort rolls back the transaction of w after err; if that fails too, the
// connection is dropped, so the next write does not find a transaction
// open. It returns err.
func (d *DB) abort(ctx context.Context, w *writeConn, err error) error {
	if _, rerr := w.rollback.ExecContext(ctx); rerr != nil && w == d.w {
		d.w = nil
		w.close()
	}
	return err
}

// newWriteConn takes a connection of db and prepares the statements of a
// write on it.
func newWriteConn(ctx context.Context, db *sql.DB) (*writeConn, error) {
	c, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	w := &writeConn{conn: c}
	for n := 1; n <= maxRows; n *= 2 {
		w.inserts = append(w.inserts, nil)
	}
	stmts := []struct {
		to  **sql.Stmt
		sql string
	}{
		{&w.begin, `BEGIN IMMEDIATE`},
		{&w.commit, `COMMIT`},
		{&w.rollback, `ROLLBACK`},
		{&w.create, `INSERT INTO deliberations
			(id, question, rule, owner, status, simulated, created_at, updated_at, instance, council, conversation_id, parent_id)
			VALUES (?, ?, ?, ?, 'running', ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`},
		{&w.advance, `UPDATE deliberations SET last_seq = ?, status = ?, decision = ?, updated_at = ?
			WHERE id = ? AND last_seq = ? AND status = 'running'`},
		{&w.sel, `SELECT last_seq, status FROM deliberations WHERE id = ?`},
		{&w.parent, `SELECT owner, status, conversation_id FROM deliberations WHERE id = ?`},
	}
	for k := range w.inserts {
		stmts = append(stmts, struct {
			to  **sql.Stmt
			sql string
		}{&w.inserts[k], "INSERT INTO events (deliberation_id, seq, type, data) VALUES " +
			strings.Repeat("(?, ?, ?, ?), ", 1<<k-1) + "(?, ?, ?, ?)"})
	}
	for _, s := range stmts {
		if *s.to, err = c.PrepareContext(ctx, s.sql); err != nil {
			w.close()
			return nil, err
		}
	}
	return w, nil
}

// close closes the statements and gives the connection back.
func (w *writeConn) close() {
	for _, s := range append([]*sql.Stmt{w.begin, w.commit, w.rollback, w.create, w.advance, w.sel, w.parent}, w.inserts...) {
		if s != nil {
			_ = s.Close()
		}
	}
	_ = w.conn.Close()
}
