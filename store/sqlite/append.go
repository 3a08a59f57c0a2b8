package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/store/internal/journal"
)

// Write stores b in one transaction (see magi.Store). The writes of this
// process take turns: SQLite has one writer at a time, and a turn taken
// here costs nothing, where a connection refused by SQLite's lock would
// sleep and poll.
//
// An append costs one UPDATE of its row, which also checks it (the row
// must be running, at the seq before the run's first), and its share of
// one multi-row INSERT of the batch's events.
func (d *DB) Write(ctx context.Context, b magi.Batch) (magi.Refused, error) {
	refused, err := d.write(ctx, b)
	if err != nil {
		d.reopenIfReadOnly(err)
	}
	return refused, err
}

func (d *DB) write(ctx context.Context, b magi.Batch) (magi.Refused, error) {
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
	now := time.Now().UnixNano()
	create := tx.StmtContext(ctx, d.stmts.create)
	for i, n := range b.Create {
		if refused.Create[i] == nil {
			if refused.Create[i], err = createTx(ctx, create, n, d.instance, now); err != nil {
				return refused, wrap("create", err)
			}
		}
	}
	var rows []magi.Encoded // the events of the appends that passed
	advance := tx.StmtContext(ctx, d.stmts.advance)
	for i, evs := range b.Append {
		if refused.Append[i] == nil {
			if refused.Append[i], err = d.advanceTx(ctx, tx, advance, evs, now); err != nil {
				return refused, wrap("append", err)
			}
			if refused.Append[i] == nil {
				rows = append(rows, evs...)
			}
		}
	}
	if err := d.insert(ctx, tx, rows); err != nil {
		return refused, wrap("append", err)
	}
	if err := tx.Commit(); err != nil {
		return refused, wrap("write", err)
	}
	if d.ckpt != nil {
		d.ckpt.wrote.Add(1)
	}
	return refused, nil
}

// maxRows is the most rows one INSERT of events stores (4 parameters a
// row, far under SQLite's limit of 32766).
const maxRows = 256

// stmts are the statements of a write, prepared once when the database
// opens (database/sql then keeps one prepared copy per connection).
// inserts[n] is the INSERT of 2^n events.
type stmts struct {
	create, advance, sel *sql.Stmt
	inserts              []*sql.Stmt
}

func prepare(ctx context.Context, db *sql.DB) (stmts, error) {
	var st stmts
	for n := 1; n <= maxRows; n *= 2 {
		q := "INSERT INTO events (deliberation_id, seq, type, data) VALUES " + strings.Repeat("(?, ?, ?, ?), ", n-1) + "(?, ?, ?, ?)"
		s, err := db.PrepareContext(ctx, q)
		if err != nil {
			st.close()
			return stmts{}, err
		}
		st.inserts = append(st.inserts, s)
	}
	for _, s := range []struct {
		to  **sql.Stmt
		sql string
	}{
		{&st.create, `INSERT INTO deliberations
			(id, question, rule, owner, status, simulated, created_at, updated_at, instance)
			VALUES (?, ?, ?, ?, 'running', ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`},
		{&st.advance, `UPDATE deliberations SET last_seq = ?, status = ?, decision = ?, updated_at = ?
			WHERE id = ? AND last_seq = ? AND status = 'running'`},
		{&st.sel, `SELECT last_seq, status FROM deliberations WHERE id = ?`},
	} {
		var err error
		if *s.to, err = db.PrepareContext(ctx, s.sql); err != nil {
			st.close()
			return stmts{}, err
		}
	}
	return st, nil
}

func (st stmts) close() {
	for _, s := range []*sql.Stmt{st.create, st.advance, st.sel} {
		if s != nil {
			_ = s.Close()
		}
	}
	for _, s := range st.inserts {
		_ = s.Close()
	}
}

// createTx stores one new deliberation with create: item is its refusal,
// err a failure of the whole transaction.
func createTx(ctx context.Context, create *sql.Stmt, n magi.NewDeliberation, instance string, now int64) (item, err error) {
	at := n.CreatedAt
	if at.IsZero() {
		at = time.Unix(0, now)
	}
	res, err := create.ExecContext(ctx, n.ID, n.Question, string(n.Rule), n.Owner, n.Simulated, at.UnixNano(), now, instance)
	if err != nil {
		return nil, err
	}
	if k, err := res.RowsAffected(); err != nil || k == 0 {
		return journal.Exists(n.ID), err
	}
	return nil, nil
}

// advanceTx moves the row of a run of events to its last event, if the
// row is running at the seq before the run's first: item is the run's
// refusal otherwise, err a failure of the whole transaction.
func (d *DB) advanceTx(ctx context.Context, tx *sql.Tx, advance *sql.Stmt, evs []magi.Encoded, now int64) (item, err error) {
	id := evs[0].Event.DeliberationID
	status, dec := journal.Outcome(evs)
	res, err := advance.ExecContext(ctx, evs[len(evs)-1].Event.Seq, string(status), string(dec), now, id, evs[0].Event.Seq-1)
	if err != nil {
		return nil, err
	}
	if k, err := res.RowsAffected(); err != nil || k == 1 {
		return nil, err
	}
	// Refused: read the row to say why.
	var last int64
	var was string
	err = tx.StmtContext(ctx, d.stmts.sel).QueryRowContext(ctx, id).Scan(&last, &was)
	if errors.Is(err, sql.ErrNoRows) {
		return journal.NotFound(), nil
	}
	if err != nil {
		return nil, err
	}
	if item := journal.Continue(evs, last, magi.Status(was)); item != nil {
		return item, nil
	}
	return magi.Errorf(magi.EINVALID, "append: deliberation %s did not accept seq %d", id, evs[0].Event.Seq), nil
}

// insert inserts rows, in INSERTs of as many rows as fit in a power of two
// up to maxRows: few statements to run, few to prepare.
func (d *DB) insert(ctx context.Context, tx *sql.Tx, rows []magi.Encoded) error {
	args := make([]any, 0, 4*min(len(rows), maxRows))
	for len(rows) > 0 {
		k := len(d.stmts.inserts) - 1
		for 1<<k > len(rows) {
			k--
		}
		args = args[:0]
		for _, e := range rows[:1<<k] {
			args = append(args, e.Event.DeliberationID, e.Event.Seq, string(e.Event.Type), string(e.JSON))
		}
		if _, err := tx.StmtContext(ctx, d.stmts.inserts[k]).ExecContext(ctx, args...); err != nil {
			return err
		}
		rows = rows[1<<k:]
	}
	return nil
}
