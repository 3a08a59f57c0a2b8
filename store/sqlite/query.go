package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/store/internal/journal"
)

// querier is what *sql.DB and *sql.Tx share.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Events returns up to limit events of id after seq after, in order.
func (d *DB) Events(ctx context.Context, id string, after int64, limit int) ([]magi.Event, error) {
	evs, err := events(ctx, d.db, id, after, limit)
	if err != nil || len(evs) > 0 {
		return evs, err
	}
	if _, err := summary(ctx, d.db, id, ""); err != nil {
		return nil, err
	}
	return evs, nil
}

func events(ctx context.Context, q querier, id string, after int64, limit int) ([]magi.Event, error) {
	if limit <= 0 {
		limit = -1 // no limit
	}
	rows, err := q.QueryContext(ctx, `SELECT data FROM events WHERE deliberation_id = ? AND seq > ?
		ORDER BY seq LIMIT ?`, id, after, limit)
	if err != nil {
		return nil, wrap("events", err)
	}
	defer func() { _ = rows.Close() }()
	evs := []magi.Event{}
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return nil, wrap("events", err)
		}
		var e magi.Event
		if err := json.Unmarshal([]byte(data), &e); err != nil {
			return nil, wrap("events: decode", err)
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
	row := q.QueryRowContext(ctx, `SELECT `+journal.SummaryColumns+`, owner FROM deliberations WHERE id = ?`, id)
	err := journal.ScanSummary(row.Scan, &s, &own)
	switch {
	case errors.Is(err, sql.ErrNoRows):
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
	return summary(ctx, d.db, id, owner)
}

// Deliberation folds the events of id into its record, in one snapshot.
func (d *DB) Deliberation(ctx context.Context, id, owner string) (magi.Record, error) {
	tx, err := d.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true}) // deferred: a read snapshot
	if err != nil {
		return magi.Record{}, wrap("read", err)
	}
	defer func() { _ = tx.Rollback() }()
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
	if f.Owner != "" {
		where, args = append(where, "owner = ?"), append(args, f.Owner)
	}
	if f.Cursor != "" {
		c, err := magi.ParseCursor(f.Cursor)
		if err != nil {
			return magi.Page{}, err
		}
		where = append(where, "(created_at < ? OR (created_at = ? AND id < ?))")
		args = append(args, c.CreatedAt, c.CreatedAt, c.ID)
	}
	q := `SELECT ` + journal.SummaryColumns + ` FROM deliberations`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	rows, err := d.db.QueryContext(ctx, q+" ORDER BY created_at DESC, id DESC LIMIT ?", append(args, size+1)...)
	if err != nil {
		return magi.Page{}, wrap("list", err)
	}
	defer func() { _ = rows.Close() }()
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
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return wrap("delete", err)
	}
	defer func() { _ = tx.Rollback() }()
	s, err := summary(ctx, tx, id, owner)
	if err != nil {
		return err
	}
	if s.Status == magi.StatusRunning {
		return magi.Errorf(magi.ECONFLICT, "deliberation %s is still running", id)
	}
	var child int
	err = tx.QueryRowContext(ctx, `SELECT 1 FROM deliberations WHERE parent_id = ? LIMIT 1`, id).Scan(&child)
	switch {
	case err == nil:
		return journal.NoFollowUps(id, s.ConversationID)
	case !errors.Is(err, sql.ErrNoRows):
		return wrap("delete", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM events WHERE deliberation_id = ?`, id); err != nil {
		return wrap("delete", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM deliberations WHERE id = ?`, id); err != nil {
		return wrap("delete", err)
	}
	return wrap("delete", tx.Commit())
}
