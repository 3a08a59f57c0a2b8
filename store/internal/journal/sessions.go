package journal

import (
	"time"

	"github.com/magi-system/magi"
)

// SessionColumns are the sessions columns ScanSession reads, in order.
const SessionColumns = `subject, name, email, admin, created_at, seen_at, expires_at`

// LoginColumns are the logins columns ScanLogin reads, in order.
const LoginColumns = `nonce, verifier, next, expires_at`

// ScanSession scans the SessionColumns of a row into a session.
func ScanSession(scan func(...any) error) (magi.Session, error) {
	var s magi.Session
	var created, seen, expires int64
	if err := scan(&s.Subject, &s.Name, &s.Email, &s.Admin, &created, &seen, &expires); err != nil {
		return s, err
	}
	s.CreatedAt, s.SeenAt, s.ExpiresAt = unixUTC(created), unixUTC(seen), unixUTC(expires)
	return s, nil
}

// ScanLogin scans the LoginColumns of a row into a login.
func ScanLogin(scan func(...any) error) (magi.Login, error) {
	var l magi.Login
	var expires int64
	err := scan(&l.Nonce, &l.Verifier, &l.Next, &expires)
	l.ExpiresAt = unixUTC(expires)
	return l, err
}

// CheckSession refuses, before any SQL, a session the stores could not
// keep whole: no hash, or a subject that is not one.
func CheckSession(hash []byte, s magi.Session) error {
	if len(hash) == 0 || !magi.ValidSubject(s.Subject) {
		return magi.Errorf(magi.EINVALID, "create session: empty hash or invalid subject")
	}
	return nil
}

// SessionNotFound is the ENOTFOUND error of an unknown or ended session.
var SessionNotFound = magi.Errorf(magi.ENOTFOUND, "no such session: sign in again")

// LoginNotFound is the ENOTFOUND error of a sign-in already taken or
// never started.
var LoginNotFound = magi.Errorf(magi.ENOTFOUND, "no such sign-in: it was used already or never started")

func unixUTC(ns int64) time.Time { return time.Unix(0, ns).UTC() }
