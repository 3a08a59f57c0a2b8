package postgres

import (
	"context"
	"embed"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/magi-system/magi/store/internal/journal"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migrationLock serializes migrations of processes opening one database.
const migrationLock = 0x6d616769 // "magi"

// migrate applies the embedded migrations the database lacks, in one
// transaction, and refuses a database of a newer schema.
func migrate(ctx context.Context, pool *pgxpool.Pool, where string) error {
	ms, err := journal.Migrations(migrationFS, "migrations")
	if err != nil {
		return err
	}
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(migrationLock)); err != nil {
			return openErr(where, err)
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`); err != nil {
			return openErr(where, err)
		}
		var have int
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&have); err != nil {
			return openErr(where, err)
		}
		if known := journal.Latest(ms); have > known {
			return journal.TooNew(where, have, known)
		}
		for _, m := range ms {
			if m.Version <= have {
				continue
			}
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return fmt.Errorf("postgres: migration %s: %w", m.Name, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version) VALUES ($1)`, m.Version); err != nil {
				return openErr(where, err)
			}
		}
		return nil
	})
}
