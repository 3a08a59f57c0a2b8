package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/magi-system/magi"
	"github.com/magi-system/magi/store/internal/journal"
)

// querier is what the pool and a transaction share.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Events returns up to limit events of id after seq after, in order.
func (d *DB) Events(ctx context.Context, id string, after int64, limit int) ([]magi.Event, error) {
	if !journal.Storable(id) {
		return nil, journal.NotFound()
	}
	evs, err := events(ctx, d.pool, id, after, limit)
	if err != nil || len(evs) > 0 {
		return evs, err
	}
	if _, err := summary(ctx, d.pool, id, ""); err != nil {
		return nil, err
	}
	return evs, nil
}

func events(ctx context.Context, q querier, id string, after int64, limit int) ([]magi.Event, error) {
	var lim *int // NULL: no limit
	if limit > 0 {
		lim = &limit
	}
	rows, err := q.Query(ctx, `SELECT data FROM events WHERE deliberation_id = $1 AND seq > $2
		ORDER BY seq LIMIT $3`, id, after, lim)
	if err != nil {
		return nil, wrap("events", err)
	}
	defer rows.Close()
	evs := []magi.Event{}
	for rows.Next() {
		var e magi.Event
		if err := rows.Scan(&e); err != nil { // json column into the event's UnmarshalJSON
			return nil, wrap("events", err)
		}
		evs = append(evs, e)
	}
	return evs, wrap("events", rows.Err())
}

// summary reads the row of id; ENOTFOUND if there is none, or it is not
// owner's (when owner is not empty).
func summary(ctx context.Context, q querier, id, owner string) (magi.Summary, error) {
	var s magi.Summary
	var own string
	if !journal.Storable(id) {
		return s, journal.NotFound()
	}
	row := q.QueryRow(ctx, `SELECT `+journal.SummaryColumns+`, owner FROM deliberations WHERE id = $1`, id)
	err := journal.ScanSummary(row.Scan, &s, &own)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return s, journal.NotFound()
	case err != nil:
		return s, wrap("read", err)
	case owner != "" && own != owner:
		return s, journal.NotFound()
	}
	return s, nil
}

// Summary returns the history line of id without reading its events.
func (d *DB) Summary(ctx context.Context, id, owner string) (magi.Summary, error) {
	return summary(ctx, d.pool, id, owner)
}

// Deliberation folds the events of id into its record, in one snapshot.
func (d *DB) Deliberation(ctx context.Context, id, owner string) (magi.Record, error) {
	tx, err := d.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return magi.Record{}, wrap("read", err)
	}
	defer func() { _ = tx.Rollback(context.Background()) }()
	s, err := summary(ctx, tx, id, owner)
	if err != nil {
		return magi.Record{}, err
	}
	evs, err := events(ctx, tx, id, 0, 0)
	if err != nil {
		return magi.Record{}, err
	}
	return journal.Fill(magi.Project(evs), s), nil
}

// List returns a page of the history, newest first.
func (d *DB) List(ctx context.Context, f magi.ListFilter) (magi.Page, error) {
	size := journal.PageSize(f.Limit)
	var where []string
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	if f.Owner != "" {
		where = append(where, "owner = "+arg(f.Owner))
	}
	if f.Cursor != "" {
		c, err := magi.ParseCursor(f.Cursor)
		if err != nil {
			return magi.Page{}, err
		}
		where = append(where, fmt.Sprintf("(created_at, id) < (%s, %s)", arg(c.CreatedAt), arg(c.ID)))
	}
	q := `SELECT ` + journal.SummaryColumns + ` FROM deliberations`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	rows, err := d.pool.Query(ctx, q+" ORDER BY created_at DESC, id DESC LIMIT "+arg(size+1), args...)
	if err != nil {
		return magi.Page{}, wrap("list", err)
	}
	defer rows.Close()
	p := magi.Page{Items: []magi.Summary{}}
	for rows.Next() {
		var s magi.Summary
		if err := journal.ScanSummary(rows.Scan, &s); err != nil {
			return magi.Page{}, wrap("list", err)
		}
		p.Items = append(p.Items, s)
	}
	if len(p.Items) > size {
		p.Items = p.Items[:size]
		last := p.Items[size-1]
		p.NextCursor = magi.Cursor{CreatedAt: last.CreatedAt.UnixNano(), ID: last.ID}.String()
	}
	return p, wrap("list", rows.Err())
}

// Delete removes a finished deliberation and its events.
func (d *DB) Delete(ctx context.Context, id, owner string) error {
	if !journal.Storable(id) {
		return journal.NotFound()
	}
	return pgx.BeginFunc(ctx, d.pool, func(tx pgx.Tx) error {
		var own, status string
		err := tx.QueryRow(ctx, `SELECT owner, status FROM deliberations WHERE id = $1 FOR UPDATE`, id).Scan(&own, &status)
		switch {
		case errors.Is(err, pgx.ErrNoRows) || (err == nil && owner != "" && own != owner):
			return journal.NotFound()
		case err != nil:
			return wrap("delete", err)
		case magi.Status(status) == magi.StatusRunning:
			return magi.Errorf(magi.ECONFLICT, "deliberation %s is still running", id)
		}
		// A follow-up being created holds this row FOR SHARE: the lock
		// above waited for it, and this read sees it.
		var conv string
		err = tx.QueryRow(ctx, `SELECT conversation_id FROM deliberations WHERE parent_id = $1 LIMIT 1`, id).Scan(&conv)
		switch {
		case err == nil:
			return journal.NoFollowUps(id, conv)
		case !errors.Is(err, pgx.ErrNoRows):
			return wrap("delete", err)
		}
		_, err = tx.Exec(ctx, `DELETE FROM deliberations WHERE id = $1`, id) // events cascade
		return wrap("delete", err)
	})
}
