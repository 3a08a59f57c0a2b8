package journal

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/magi-system/magi"
)

// CouncilColumns are the councils columns ScanCouncil reads, in order.
const CouncilColumns = `owner, name, created_by, doc, created_at, updated_at`

// ScanCouncil scans the CouncilColumns of a row into a council.
func ScanCouncil(scan func(...any) error) (magi.SavedCouncil, error) {
	var c magi.SavedCouncil
	var doc string
	var created, updated int64
	if err := scan(&c.Owner, &c.Name, &c.CreatedBy, &doc, &created, &updated); err != nil {
		return c, err
	}
	c.Doc, c.CreatedAt, c.UpdatedAt = []byte(doc), unixUTC(created), unixUTC(updated)
	return c, nil
}

// CheckCouncil refuses, before any SQL, a council the stores could not
// keep whole: a name that is not one, an empty document, or text that is
// not valid UTF-8 or holds a NUL (PostgreSQL's TEXT refuses both).
func CheckCouncil(c magi.SavedCouncil) error {
	if err := magi.CheckCouncilName(c.Name); err != nil {
		return err
	}
	if len(c.Doc) == 0 || !Text(string(c.Doc)) || !Text(c.Owner) || !Text(c.CreatedBy) {
		return magi.Errorf(magi.EINVALID, "council %s: empty document, or text that is not valid UTF-8", c.Name)
	}
	return nil
}

// Stamps returns the times of a council being created or updated: its
// own when set, else now; in UTC.
func Stamps(c magi.SavedCouncil) (created, updated time.Time) {
	now := time.Now().UTC()
	created, updated = c.CreatedAt, c.UpdatedAt
	if created.IsZero() {
		created = now
	}
	if updated.IsZero() {
		updated = now
	}
	return created.UTC(), updated.UTC()
}

// CouncilExists is the ECONFLICT error of creating a council whose name
// its owner already uses.
func CouncilExists(name string) error {
	return magi.Errorf(magi.ECONFLICT, "a council named %q exists already: change it with PUT, or choose another name", name)
}

// CouncilNotFound is the ENOTFOUND error of an unknown council.
func CouncilNotFound(name string) error {
	return magi.Errorf(magi.ENOTFOUND, "no council named %q (see GET /api/councils or magi councils list)", name)
}

// Text reports whether s can be stored as text by every backend: valid
// UTF-8 without NUL.
func Text(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}
