package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/magi-system/magi"
	"github.com/magi-system/magi/store/internal/journal"
)

// unavailable reports whether err says the database cannot be used now:
// unreachable, shutting down, out of space or resources, or read-only.
func unavailable(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case pe.Code == "57014": // query_canceled: the caller's doing
			return false
		case pe.Code == "25006": // read_only_sql_transaction
			return true
		}
		switch pe.Code[:2] {
		case "08", "53", "57", "58": // connection, resources (disk full), shutdown, system
			return true
		}
		return false
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	return errors.As(err, &ce) || errors.As(err, &ne) || errors.Is(err, io.EOF) ||
		errors.Is(err, io.ErrUnexpectedEOF) || strings.Contains(err.Error(), "closed pool")
}

// wrap names the operation of a database error, and makes an unavailable
// database an EUNAVAILABLE *magi.Error.
func wrap(op string, err error) error {
	return journal.Wrap("postgres", unavailable, op, err)
}

// openErr is wrap for the errors of Open, naming the database.
func openErr(where string, err error) error {
	if err == nil {
		return nil
	}
	var me *magi.Error
	if errors.As(err, &me) {
		return err
	}
	if unavailable(err) {
		return &magi.Error{Code: magi.EUNAVAILABLE,
			Message: fmt.Sprintf("the database at %s is unavailable or full", where), Err: err}
	}
	return fmt.Errorf("postgres: open %s: %w", where, err)
}
