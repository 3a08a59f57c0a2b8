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
// process take turns on one connection of their own, whose statements are
// prepared once: SQLite has one writer at a time, and a turn taken here
// costs nothing, where a connection refused by SQLite's lock would sleep
// and poll.
//
// A create is one INSERT; an append one UPDATE of its row, which also
// checks it (the row must be running, at the seq before the run's first),
// and its share of the multi-row INSERTs of the batch's events.
//
// Once begun, a write is not interrupted by ctx: SQLite's busy timeout
// bounds its wait for the lock, and a write cut short would only be rolled
// back.
func (d *DB) Write(ctx context.Context, b magi.Batch) (magi.Refused, error) {
	refused, err := d.write(ctx, b)
	if err != nil {
		d.reopenIfReadOnly(err)
	}
	return refused, err
}

func (d *DB) write(ctx context.Context, b magi.Batch) (magi.Refused, error) {
	refused := journal.Check(b)
	if err := ctx.Err(); err != nil {
		return refused, err
	}
	ctx = context.WithoutCancel(ctx) // and the driver watches no context per statement
	d.wmu.Lock()
	defer d.wmu.Unlock()
	if d.closed {
		return refused, journal.ErrClosed()
	}
	w, release, err := d.writer(ctx)
	if err != nil {
		return refused, wrap("write", err)
	}
	defer release()
	if _, err := w.begin.ExecContext(ctx); err != nil {
		return refused, wrap("write", err)
	}
	if err := w.write(ctx, b, refused, d.instance); err != nil {
		return refused, wrap("write", d.abort(ctx, w, err))
	}
	if _, err := w.commit.ExecContext(ctx); err != nil {
		return refused, wrap("write", d.abort(ctx, w, err))
	}
	if d.ckpt != nil {
		d.ckpt.wrote.Add(1)
	}
	return refused, nil
}

// write runs the statements of b in the transaction begun on w, filling in
// refused; an error fails the whole transaction.
func (w *writeConn) write(ctx context.Context, b magi.Batch, refused magi.Refused, instance string) error {
	now := time.Now().UnixNano()
	var err error
	for i, n := range b.Create {
		if refused.Create[i] == nil && n.ParentID != "" {
			if refused.Create[i], err = w.parent1(ctx, n); err != nil {
				return err
			}
		}
		if refused.Create[i] == nil {
			if refused.Create[i], err = w.create1(ctx, n, instance, now); err != nil {
				return err
			}
		}
	}
	rows := w.rows[:0] // the events of the appends that passed
	defer func() { clear(rows); w.rows = rows[:0] }()
	for i, evs := range b.Append {
		if refused.Append[i] == nil {
			if refused.Append[i], err = w.advance1(ctx, evs, now); err != nil {
				return err
			}
			if refused.Append[i] == nil {
				for k := range evs {
					rows = append(rows, &evs[k])
				}
			}
		}
	}
	return w.insert(ctx, rows)
}

// create1 stores one new deliberation: item is its refusal, err a failure
// of the whole transaction.
func (w *writeConn) create1(ctx context.Context, n magi.NewDeliberation, instance string, now int64) (item, err error) {
	at := n.CreatedAt
	if at.IsZero() {
		at = time.Unix(0, now)
	}
	conv := n.ConversationID
	if conv == "" {
		conv = n.ID
	}
	res, err := w.create.ExecContext(ctx, n.ID, n.Question, string(n.Rule), n.Owner, n.Simulated, at.UnixNano(), now, instance,
		n.Council, conv, n.ParentID)
	if err != nil {
		return nil, err
	}
	if k, err := res.RowsAffected(); err != nil || k == 0 {
		return journal.Exists(n.ID), err
	}
	return nil, nil
}

// parent1 checks the parent of the follow-up n in the transaction of w:
// item is n's refusal, err a failure of the whole transaction.
func (w *writeConn) parent1(ctx context.Context, n magi.NewDeliberation) (item, err error) {
	var owner, status, conv string
	err = w.parent.QueryRowContext(ctx, n.ParentID).Scan(&owner, &status, &conv)
	if errors.Is(err, sql.ErrNoRows) {
		return journal.NotFound(), nil
	}
	if err != nil {
		return nil, err
	}
	return journal.CheckParent(n, owner, magi.Status(status), conv), nil
}

// advance1 moves the row of a run of events to its last event, if the
// row is running at the seq before the run's first: item is the run's
// refusal otherwise, err a failure of the whole transaction.
func (w *writeConn) advance1(ctx context.Context, evs []magi.Encoded, now int64) (item, err error) {
	id := evs[0].Event.DeliberationID
	status, dec := journal.Outcome(evs)
	res, err := w.advance.ExecContext(ctx, evs[len(evs)-1].Event.Seq, string(status), string(dec), now, id, evs[0].Event.Seq-1)
	if err != nil {
		return nil, err
	}
	if k, err := res.RowsAffected(); err != nil || k == 1 {
		return nil, err
	}
	// Refused: read the row to say why.
	var last int64
	var was string
	err = w.sel.QueryRowContext(ctx, id).Scan(&last, &was)
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
// up to maxRows and maxInsertBytes: few statements to run, few to prepare,
// and no long answer copied whole into one statement.
func (w *writeConn) insert(ctx context.Context, rows []*magi.Encoded) error {
	args := w.args[:0]
	defer func() { clear(args); w.args = args[:0] }()
	for len(rows) > 0 {
		k := len(w.inserts) - 1
		for k > 0 && (1<<k > len(rows) || bytesOf(rows[:1<<k]) > maxInsertBytes) {
			k--
		}
		args = args[:0]
		for _, e := range rows[:1<<k] {
			args = append(args, e.Event.DeliberationID, e.Event.Seq, string(e.Event.Type), string(e.JSON))
		}
		if _, err := w.inserts[k].ExecContext(ctx, args...); err != nil {
			return err
		}
		rows = rows[1<<k:]
	}
	return nil
}

// bytesOf is the size of the JSON of rows.
func bytesOf(rows []*magi.Encoded) int {
	n := 0
	for _, e := range rows {
		n += len(e.JSON)
	}
	return n
}
