package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/store/internal/journal"
)

var _ magi.KeyStore = (*DB)(nil)

// CreateKey stores k and the hash of its key; ECONFLICT if its id exists.
func (d *DB) CreateKey(ctx context.Context, k magi.APIKey, hash []byte) error {
	if k.ID == "" || len(hash) == 0 {
		return magi.Errorf(magi.EINVALID, "create key: empty id or hash")
	}
	res, err := d.db.ExecContext(ctx, `INSERT INTO api_keys (`+journal.KeyColumns+`, hash)
		VALUES (?, ?, ?, ?, NULL, ?) ON CONFLICT (id) DO NOTHING`,
		k.ID, k.Name, k.Admin, k.CreatedAt.UnixNano(), hash)
	if err != nil {
		return wrap("create key", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return magi.Errorf(magi.ECONFLICT, "API key %s already exists", k.ID)
	}
	return nil
}

// KeyByID returns the key id and its hash; ENOTFOUND if there is none.
func (d *DB) KeyByID(ctx context.Context, id string) (magi.APIKey, []byte, error) {
	var hash []byte
	k, err := journal.ScanKey(d.db.QueryRowContext(ctx, `SELECT `+journal.KeyColumns+`, hash FROM api_keys WHERE id = ?`, id).Scan, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return k, nil, journal.KeyNotFound(id)
	}
	return k, hash, wrap("read key", err)
}

// Keys lists every key, oldest first.
func (d *DB) Keys(ctx context.Context) ([]magi.APIKey, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT `+journal.KeyColumns+` FROM api_keys ORDER BY created_at, id`)
	if err != nil {
		return nil, wrap("list keys", err)
	}
	defer func() { _ = rows.Close() }()
	keys := []magi.APIKey{}
	for rows.Next() {
		k, err := journal.ScanKey(rows.Scan)
		if err != nil {
			return nil, wrap("list keys", err)
		}
		keys = append(keys, k)
	}
	return keys, wrap("list keys", rows.Err())
}

// RevokeKey revokes id; ENOTFOUND if there is no such key. A revoked key
// keeps its first revocation time.
func (d *DB) RevokeKey(ctx context.Context, id string) error {
	res, err := d.db.ExecContext(ctx, `UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?`,
		time.Now().UnixNano(), id)
	if err != nil {
		return wrap("revoke key", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return journal.KeyNotFound(id)
	}
	return nil
}

// HasKeys reports whether any key exists, revoked or not.
func (d *DB) HasKeys(ctx context.Context) (bool, error) {
	var n int
	err := d.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM api_keys LIMIT 1)`).Scan(&n)
	return n > 0, wrap("has keys", err)
}

// DeleteKeys deletes every key and returns how many there were.
func (d *DB) DeleteKeys(ctx context.Context) (int, error) {
	res, err := d.db.ExecContext(ctx, `DELETE FROM api_keys`)
	if err != nil {
		return 0, wrap("delete keys", err)
	}
	n, err := res.RowsAffected()
	return int(n), wrap("delete keys", err)
}

// AdoptOwnerless gives the deliberations of no owner to the key id, in
// one transaction with the check that the key is in use.
func (d *DB) AdoptOwnerless(ctx context.Context, id string) (int, error) {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, wrap("adopt", err)
	}
	defer func() { _ = tx.Rollback() }()
	var revoked sql.NullInt64
	err = tx.QueryRowContext(ctx, `SELECT revoked_at FROM api_keys WHERE id = ?`, id).Scan(&revoked)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return 0, journal.KeyNotFound(id)
	case err != nil:
		return 0, wrap("adopt", err)
	case revoked.Valid:
		return 0, journal.KeyRevoked(id)
	}
	res, err := tx.ExecContext(ctx, `UPDATE deliberations SET owner = ? WHERE owner = ''`, id)
	if err != nil {
		return 0, wrap("adopt", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, wrap("adopt", err)
	}
	return int(n), wrap("adopt", tx.Commit())
}
