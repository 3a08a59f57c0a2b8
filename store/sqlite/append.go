package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/store/internal/journal"
)

// Create records a new running deliberation, run by this store's instance.
func (d *DB) Create(ctx context.Context, n magi.NewDeliberation) error {
	if n.ID == "" {
		return magi.Errorf(magi.EINVALID, "create: empty deliberation id")
	}
	at := n.CreatedAt
	if at.IsZero() {
		at = time.Now()
	}
	res, err := d.db.ExecContext(ctx, `INSERT INTO deliberations
		(id, question, rule, owner, status, simulated, created_at, updated_at, instance)
		VALUES (?, ?, ?, ?, 'running', ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
		n.ID, n.Question, string(n.Rule), n.Owner, n.Simulated, at.UnixNano(), time.Now().UnixNano(), d.instance)
	if err != nil {
		return wrap("create", err)
	}
	if k, err := res.RowsAffected(); err != nil || k == 0 {
		return magi.Errorf(magi.ECONFLICT, "deliberation %s already exists", n.ID)
	}
	return nil
}

// Append stores events of one deliberation through the group commit; it
// returns once they are committed.
func (d *DB) Append(ctx context.Context, events ...magi.Event) error {
	return d.w.Append(ctx, events)
}

// stmts are the statements of one append transaction, prepared once per
// batch rather than once per item.
type stmts struct{ sel, ins, upd *sql.Stmt }

func prepare(ctx context.Context, tx *sql.Tx) (stmts, error) {
	var st stmts
	var err error
	if st.sel, err = tx.PrepareContext(ctx, `SELECT last_seq, status FROM deliberations WHERE id = ?`); err != nil {
		return st, err
	}
	if st.ins, err = tx.PrepareContext(ctx, `INSERT INTO events (deliberation_id, seq, type, data) VALUES (?, ?, ?, ?)`); err != nil {
		return st, err
	}
	st.upd, err = tx.PrepareContext(ctx, `UPDATE deliberations SET last_seq = ?, status = ?, decision = ?, updated_at = ?
		WHERE id = ?`)
	return st, err
}

func (st stmts) close() {
	for _, s := range []*sql.Stmt{st.sel, st.ins, st.upd} {
		if s != nil {
			_ = s.Close()
		}
	}
}

// commit is the writer's transaction: every valid item of batch is
// stored, each invalid one gets its own error.
func (d *DB) commit(ctx context.Context, batch [][]magi.Event) ([]error, error) {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, wrap("append", err)
	}
	defer func() { _ = tx.Rollback() }()
	st, err := prepare(ctx, tx)
	defer st.close()
	if err != nil {
		return nil, wrap("append", err)
	}
	items := make([]error, len(batch))
	now := time.Now().UnixNano()
	for i, evs := range batch {
		var err error
		if items[i], err = appendTx(ctx, st, evs, now); err != nil {
			return nil, wrap("append", err)
		}
	}
	return items, wrap("append", tx.Commit())
}

// appendTx stores one item in the transaction of st: item is its own
// refusal, err a failure of the whole transaction.
func appendTx(ctx context.Context, st stmts, evs []magi.Event, now int64) (item, err error) {
	id := evs[0].DeliberationID
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
	data, item := journal.Marshal(evs)
	if item != nil {
		return item, nil
	}
	for i, e := range evs {
		if _, err := st.ins.ExecContext(ctx, id, e.Seq, string(e.Type), data[i]); err != nil {
			return nil, err
		}
	}
	status2, dec := journal.Outcome(evs)
	_, err = st.upd.ExecContext(ctx, evs[len(evs)-1].Seq, string(status2), string(dec), now, id)
	return nil, err
}
