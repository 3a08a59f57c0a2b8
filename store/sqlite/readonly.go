package sqlite

import (
	"errors"

	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// maxIdle is how many idle connections a file database keeps.
const maxIdle = 8

// reopenIfReadOnly drops the write connection and the idle ones after a
// write refused because the database is read-only: SQLite opens a file it
// may not write read-only, and such a connection stays read-only after
// the file is made writable again. The next write opens a new one.
func (d *DB) reopenIfReadOnly(err error) {
	var se *msqlite.Error
	if d.path == "" || !errors.As(err, &se) || se.Code()&0xff != sqlite3.SQLITE_READONLY {
		return
	}
	d.wmu.Lock()
	if d.w != nil {
		d.w.close()
		d.w = nil
	}
	d.wmu.Unlock()
	d.db.SetMaxIdleConns(0) // closes the idle ones
	d.db.SetMaxIdleConns(maxIdle)
}
