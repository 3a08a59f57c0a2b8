package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/magi-system/magi"
	"github.com/magi-system/magi/store/internal/journal"
)

var _ magi.KeyStore = (*DB)(nil)

// CreateKey stores k and the hash of its key; ECONFLICT if its id exists.
func (d *DB) CreateKey(ctx context.Context, k magi.APIKey, hash []byte) error {
	if k.ID == "" || len(hash) == 0 {
		return magi.Errorf(magi.EINVALID, "create key: empty id or hash")
	}
	tag, err := d.pool.Exec(ctx, `INSERT INTO api_keys (`+journal.KeyColumns+`, hash)
		VALUES ($1, $2, $3, $4, NULL, $5) ON CONFLICT (id) DO NOTHING`,
		k.ID, k.Name, k.Admin, k.CreatedAt.UnixNano(), hash)
	if err != nil {
		return wrap("create key", err)
	}
	if tag.RowsAffected() == 0 {
		return magi.Errorf(magi.ECONFLICT, "API key %s already exists", k.ID)
	}
	return nil
}

// KeyByID returns the key id and its hash; ENOTFOUND if there is none.
func (d *DB) KeyByID(ctx context.Context, id string) (magi.APIKey, []byte, error) {
	var hash []byte
	if !journal.Storable(id) {
		return magi.APIKey{}, nil, journal.KeyNotFound(id)
	}
	k, err := journal.ScanKey(d.pool.QueryRow(ctx, `SELECT `+journal.KeyColumns+`, hash FROM api_keys WHERE id = $1`, id).Scan, &hash)
	if errors.Is(err, pgx.ErrNoRows) {
		return k, nil, journal.KeyNotFound(id)
	}
	return k, hash, wrap("read key", err)
}

// Keys lists every key, oldest first.
func (d *DB) Keys(ctx context.Context) ([]magi.APIKey, error) {
	rows, err := d.pool.Query(ctx, `SELECT `+journal.KeyColumns+` FROM api_keys ORDER BY created_at, id`)
	if err != nil {
		return nil, wrap("list keys", err)
	}
	defer rows.Close()
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
	if !journal.Storable(id) {
		return journal.KeyNotFound(id)
	}
	tag, err := d.pool.Exec(ctx, `UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2`,
		time.Now().UnixNano(), id)
	if err != nil {
		return wrap("revoke key", err)
	}
	if tag.RowsAffected() == 0 {
		return journal.KeyNotFound(id)
	}
	return nil
}

// HasKeys reports whether any key exists, revoked or not.
func (d *DB) HasKeys(ctx context.Context) (bool, error) {
	var has bool
	err := d.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM api_keys)`).Scan(&has)
	return has, wrap("has keys", err)
}

// DeleteKeys deletes every key and returns how many there were.
func (d *DB) DeleteKeys(ctx context.Context) (int, error) {
	tag, err := d.pool.Exec(ctx, `DELETE FROM api_keys`)
	if err != nil {
		return 0, wrap("delete keys", err)
	}
	return int(tag.RowsAffected()), nil
}

// AdoptOwnerless gives the deliberations of no owner to the key id, in
// one transaction with the check that the key is in use (the key's row is
// locked so a revoke waits for it).
func (d *DB) AdoptOwnerless(ctx context.Context, id string) (int, error) {
	tx, err := d.pool.Begin(ctx)
	if err != nil {
		return 0, wrap("adopt", err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	var revoked *int64
	err = tx.QueryRow(ctx, `SELECT revoked_at FROM api_keys WHERE id = $1 FOR UPDATE`, id).Scan(&revoked)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return 0, journal.KeyNotFound(id)
	case err != nil:
		return 0, wrap("adopt", err)
	case revoked != nil:
		return 0, journal.KeyRevoked(id)
	}
	tag, err := tx.Exec(ctx, `UPDATE deliberations SET owner = $1 WHERE owner = ''`, id)
	if err != nil {
		return 0, wrap("adopt", err)
	}
	return int(tag.RowsAffected()), wrap("adopt", tx.Commit(ctx))
}
