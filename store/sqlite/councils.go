package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/store/internal/journal"
)

var _ magi.CouncilStore = (*DB)(nil)

// CreateCouncil stores c; ECONFLICT if its owner has a council of its name.
func (d *DB) CreateCouncil(ctx context.Context, c magi.SavedCouncil) error {
	if err := journal.CheckCouncil(c); err != nil {
		return err
	}
	created, updated := journal.Stamps(c)
	res, err := d.db.ExecContext(ctx, `INSERT INTO councils (`+journal.CouncilColumns+`)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (owner, name) DO NOTHING`,
		c.Owner, c.Name, c.CreatedBy, string(c.Doc), created.UnixNano(), updated.UnixNano())
	if err != nil {
		return wrap("create council", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return journal.CouncilExists(c.Name)
	}
	return nil
}

// UpdateCouncil replaces the document of c's council; ENOTFOUND if none.
func (d *DB) UpdateCouncil(ctx context.Context, c magi.SavedCouncil) error {
	if err := journal.CheckCouncil(c); err != nil {
		return err
	}
	_, updated := journal.Stamps(c)
	res, err := d.db.ExecContext(ctx, `UPDATE councils SET doc = ?, updated_at = ? WHERE owner = ? AND name = ?`,
		string(c.Doc), updated.UnixNano(), c.Owner, c.Name)
	if err != nil {
		return wrap("update council", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return journal.CouncilNotFound(c.Name)
	}
	return nil
}

// CouncilByName returns owner's council name; ENOTFOUND if none.
func (d *DB) CouncilByName(ctx context.Context, owner, name string) (magi.SavedCouncil, error) {
	c, err := journal.ScanCouncil(d.db.QueryRowContext(ctx, `SELECT `+journal.CouncilColumns+`
		FROM councils WHERE owner = ? AND name = ?`, owner, name).Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return c, journal.CouncilNotFound(name)
	}
	return c, wrap("read council", err)
}

// Councils lists the shared councils, then owner's, each by name.
func (d *DB) Councils(ctx context.Context, owner string) ([]magi.SavedCouncil, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT `+journal.CouncilColumns+`
		FROM councils WHERE owner = '' OR owner = ? ORDER BY owner <> '', name`, owner)
	if err != nil {
		return nil, wrap("list councils", err)
	}
	defer func() { _ = rows.Close() }()
	out := []magi.SavedCouncil{}
	for rows.Next() {
		c, err := journal.ScanCouncil(rows.Scan)
		if err != nil {
			return nil, wrap("list councils", err)
		}
		out = append(out, c)
	}
	return out, wrap("list councils", rows.Err())
}

// DeleteCouncil removes owner's council name; ENOTFOUND if none.
func (d *DB) DeleteCouncil(ctx context.Context, owner, name string) error {
	res, err := d.db.ExecContext(ctx, `DELETE FROM councils WHERE owner = ? AND name = ?`, owner, name)
	if err != nil {
		return wrap("delete council", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return journal.CouncilNotFound(name)
	}
	return nil
}
