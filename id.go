package magi

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// idLen is the length of a deliberation id: 13 bytes in hex.
const idLen = 26

// NewID returns a new deliberation id: time-ordered, 26 hex characters.
func NewID() string {
	var b [idLen / 2]byte
	ms := uint64(time.Now().UnixMilli())
	for i := 5; i >= 0; i-- {
		b[i] = byte(ms)
		ms >>= 8
	}
	_, _ = rand.Read(b[6:])
	return hex.EncodeToString(b[:])
}

// ValidID reports whether id has the shape NewID gives every deliberation
// id (26 lower-case hex characters). An id of any other shape cannot
// exist, so it can be answered as unknown without asking a store.
func ValidID(id string) bool {
	if len(id) != idLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// Cursor is a position in the history: the created_at (unix nanoseconds)
// and id of the last item of a page.
type Cursor struct {
	CreatedAt int64
	ID        string
}

// String encodes c as the opaque NextCursor of a page.
func (c Cursor) String() string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(c.CreatedAt, 10) + "/" + c.ID))
}

// ParseCursor decodes a NextCursor: EINVALID if it is not one, or if its
// id is text no store could hold (invalid UTF-8, a NUL).
func ParseCursor(s string) (Cursor, error) {
	bad := Errorf(EINVALID, "invalid cursor: pass the next_cursor of the previous page as it is")
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return Cursor{}, bad
	}
	at, id, ok := strings.Cut(string(b), "/")
	n, err := strconv.ParseInt(at, 10, 64)
	if !ok || err != nil || id == "" || !utf8.ValidString(id) || strings.ContainsRune(id, 0) {
		return Cursor{}, bad
	}
	return Cursor{CreatedAt: n, ID: id}, nil
}
