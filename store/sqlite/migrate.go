package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"time"

	"github.com/magi-system/magi/store/internal/journal"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migrate applies the embedded migrations the database lacks, in one
// transaction, and refuses a database of a newer schema.
func migrate(ctx context.Context, db *sql.DB, where string) error {
	ms, err := journal.Migrations(migrationFS, "migrations")
	if err != nil {
		return err
	}
	tx, err := db.BeginTx(ctx, nil) // BEGIN IMMEDIATE: one migrator at a time
	if err != nil {
		return openErr(where, err)
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)`); err != nil {
		return openErr(where, err)
	}
	var have int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&have); err != nil {
		return openErr(where, err)
	}
	if known := journal.Latest(ms); have > known {
		return journal.TooNew(where, have, known)
	}
	for _, m := range ms {
		if m.Version <= have {
			continue
		}
		if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
			return fmt.Errorf("sqlite: migration %s: %w", m.Name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`,
			m.Version, time.Now().UnixNano()); err != nil {
			return openErr(where, err)
		}
	}
	return openErr(where, tx.Commit())
}
