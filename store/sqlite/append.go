package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/store/internal/journal"
)

// Write stores b in one transaction (see magi.Store). The writes of this
// process take turns: SQLite has one writer at a time, and a turn taken
// here costs nothing, where a connection refused by SQLite's lock would
// sleep and poll.
func (d *DB) Write(ctx context.Context, b magi.Batch) (magi.Refused, error) {
	refused := journal.Check(b)
	d.wmu.Lock()
	defer d.wmu.Unlock()
	if d.closed {
		return refused, journal.ErrClosed()
	}
	tx, err := d.db.BeginTx(ctx, nil) // BEGIN IMMEDIATE (see dsn)
	if err != nil {
		return refused, wrap("write", err)
	}
	defer func() { _ = tx.Rollback() }()
	st := d.stmts.in(ctx, tx)
	now := time.Now().UnixNano()
	for i, n := range b.Create {
		if refused.Create[i] == nil {
			if refused.Create[i], err = createTx(ctx, st, n, d.instance, now); err != nil {
				return refused, wrap("create", err)
			}
		}
	}
	for i, evs := range b.Append {
		if refused.Append[i] == nil {
			if refused.Append[i], err = appendTx(ctx, st, evs, now); err != nil {
				return refused, wrap("append", err)
			}
		}
	}
	return refused, wrap("write", tx.Commit())
}

// stmts are the statements of a write, prepared once when the database
// opens (database/sql then keeps one prepared copy per connection).
type stmts struct{ create, sel, ins, upd *sql.Stmt }

func prepare(ctx context.Context, db *sql.DB) (stmts, error) {
	var st stmts
	for _, s := range []struct {
		to  **sql.Stmt
		sql string
	}{
		{&st.create, `INSERT INTO deliberations
			(id, question, rule, owner, status, simulated, created_at, updated_at, instance)
			VALUES (?, ?, ?, ?, 'running', ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`},
		{&st.sel, `SELECT last_seq, status FROM deliberations WHERE id = ?`},
		{&st.ins, `INSERT INTO events (deliberation_id, seq, type, data) VALUES (?, ?, ?, ?)`},
		{&st.upd, `UPDATE deliberations SET last_seq = ?, status = ?, decision = ?, updated_at = ? WHERE id = ?`},
	} {
		var err error
		if *s.to, err = db.PrepareContext(ctx, s.sql); err != nil {
			st.close()
			return stmts{}, err
		}
	}
	return st, nil
}

// in returns the statements bound to tx.
func (st stmts) in(ctx context.Context, tx *sql.Tx) stmts {
	return stmts{create: tx.StmtContext(ctx, st.create), sel: tx.StmtContext(ctx, st.sel),
		ins: tx.StmtContext(ctx, st.ins), upd: tx.StmtContext(ctx, st.upd)}
}

func (st stmts) close() {
	for _, s := range []*sql.Stmt{st.create, st.sel, st.ins, st.upd} {
		if s != nil {
			_ = s.Close()
		}
	}
}

// createTx stores one new deliberation in the transaction of st: item is
// its refusal, err a failure of the whole transaction.
func createTx(ctx context.Context, st stmts, n magi.NewDeliberation, instance string, now int64) (item, err error) {
	at := n.CreatedAt
	if at.IsZero() {
		at = time.Unix(0, now)
	}
	res, err := st.create.ExecContext(ctx, n.ID, n.Question, string(n.Rule), n.Owner, n.Simulated, at.UnixNano(), now, instance)
	if err != nil {
		return nil, err
	}
	if k, err := res.RowsAffected(); err != nil || k == 0 {
		return journal.Exists(n.ID), err
	}
	return nil, nil
}

// appendTx stores one run of events in the transaction of st: item is its
// refusal, err a failure of the whole transaction.
func appendTx(ctx context.Context, st stmts, evs []magi.Encoded, now int64) (item, err error) {
	id := evs[0].Event.DeliberationID
	var last int64
	var status string
	err = st.sel.QueryRowContext(ctx, id).Scan(&last, &status)
	if errors.Is(err, sql.ErrNoRows) {
		return journal.NotFound(), nil
	}
	if err != nil {
		return nil, err
	}
	if item := journal.Continue(evs, last, magi.Status(status)); item != nil {
		return item, nil
	}
	for _, e := range evs {
		if _, err := st.ins.ExecContext(ctx, id, e.Event.Seq, string(e.Event.Type), string(e.JSON)); err != nil {
			return nil, err
		}
	}
	status2, dec := journal.Outcome(evs)
	_, err = st.upd.ExecContext(ctx, evs[len(evs)-1].Event.Seq, string(status2), string(dec), now, id)
	return nil, err
}
