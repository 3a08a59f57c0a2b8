package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/store/internal/journal"
)

var _ magi.SessionStore = (*DB)(nil)

// CreateSession stores s under hash; ECONFLICT if hash exists.
func (d *DB) CreateSession(ctx context.Context, hash []byte, s magi.Session) error {
	if err := journal.CheckSession(hash, s); err != nil {
		return err
	}
	res, err := d.db.ExecContext(ctx, `INSERT INTO sessions (id_hash, `+journal.SessionColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id_hash) DO NOTHING`,
		hash, s.Subject, s.Name, s.Email, s.Admin, s.CreatedAt.UnixNano(), s.SeenAt.UnixNano(), s.ExpiresAt.UnixNano())
	if err != nil {
		return wrap("create session", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return magi.Errorf(magi.ECONFLICT, "the session exists already")
	}
	return nil
}

// SessionByHash returns the session under hash; ENOTFOUND if there is none.
func (d *DB) SessionByHash(ctx context.Context, hash []byte) (magi.Session, error) {
	s, err := journal.ScanSession(d.db.QueryRowContext(ctx,
		`SELECT `+journal.SessionColumns+` FROM sessions WHERE id_hash = ?`, hash).Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return s, journal.SessionNotFound
	}
	return s, wrap("read session", err)
}

// TouchSession sets the session's last use; ENOTFOUND if there is none.
func (d *DB) TouchSession(ctx context.Context, hash []byte, at time.Time) error {
	res, err := d.db.ExecContext(ctx, `UPDATE sessions SET seen_at = ? WHERE id_hash = ?`, at.UnixNano(), hash)
	if err != nil {
		return wrap("touch session", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return journal.SessionNotFound
	}
	return nil
}

// DeleteSession removes the session under hash, if any.
func (d *DB) DeleteSession(ctx context.Context, hash []byte) error {
	_, err := d.db.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = ?`, hash)
	return wrap("delete session", err)
}

// CreateLogin stores l under hash; ECONFLICT if hash exists.
func (d *DB) CreateLogin(ctx context.Context, hash []byte, l magi.Login) error {
	if len(hash) == 0 {
		return magi.Errorf(magi.EINVALID, "create login: empty hash")
	}
	res, err := d.db.ExecContext(ctx, `INSERT INTO logins (state_hash, `+journal.LoginColumns+`)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (state_hash) DO NOTHING`,
		hash, l.Nonce, l.Verifier, l.Next, l.ExpiresAt.UnixNano())
	if err != nil {
		return wrap("create login", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return magi.Errorf(magi.ECONFLICT, "the sign-in exists already")
	}
	return nil
}

// TakeLogin removes and returns the login under hash, in one statement,
// so that two callbacks with the same state cannot both take it.
func (d *DB) TakeLogin(ctx context.Context, hash []byte) (magi.Login, error) {
	l, err := journal.ScanLogin(d.db.QueryRowContext(ctx,
		`DELETE FROM logins WHERE state_hash = ? RETURNING `+journal.LoginColumns, hash).Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return l, journal.LoginNotFound
	}
	return l, wrap("take login", err)
}

// PurgeSessions removes ended sessions and expired logins.
func (d *DB) PurgeSessions(ctx context.Context, expired, idle time.Time) error {
	if _, err := d.db.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at < ? OR seen_at < ?`,
		expired.UnixNano(), idle.UnixNano()); err != nil {
		return wrap("purge sessions", err)
	}
	_, err := d.db.ExecContext(ctx, `DELETE FROM logins WHERE expires_at < ?`, expired.UnixNano())
	return wrap("purge logins", err)
}
