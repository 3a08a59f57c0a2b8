package sqlite

import (
	"errors"
	"fmt"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/store/internal/journal"
	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// unavailable reports whether err says the database cannot be used now:
// full, unreadable, read-only, unopenable or locked too long.
func unavailable(err error) bool {
	var se *msqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	switch se.Code() & 0xff {
	case sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_READONLY,
		sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_BUSY, sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_PERM:
		return true
	}
	return false
}

// wrap names the operation of a database error, and makes an unavailable
// database an EUNAVAILABLE *magi.Error.
func wrap(op string, err error) error {
	return journal.Wrap("sqlite", unavailable, op, err)
}

// openErr is wrap for the errors of Open, naming the database.
func openErr(where string, err error) error {
	if err == nil {
		return nil
	}
	if unavailable(err) {
		return &magi.Error{Code: magi.EUNAVAILABLE,
			Message: fmt.Sprintf("the database at %s is unavailable or full", where), Err: err}
	}
	return fmt.Errorf("sqlite: open %s: %w", where, err)
}
