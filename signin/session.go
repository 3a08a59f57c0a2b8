package signin

import (
	"context"
	"net/url"
	"time"

	"github.com/magi-system/magi"
)

// touchEvery is how stale a session's SeenAt may get before a request
// writes it again: the idle lifetime is exact to within it.
const touchEvery = time.Minute

// purgeEvery is how often a sign-in purges ended sessions and logins.
const purgeEvery = 10 * time.Minute

var errSessionEnded = magi.Errorf(magi.EUNAUTHORIZED, "your session has ended (signed out, expired or idle too long): sign in again")

// ValidID reports whether id has the shape of a session id (NewSecret),
// so that a forged cookie costs no query.
func ValidID(id string) bool {
	if len(id) != 43 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// Session returns the session of id: EUNAUTHORIZED when it is unknown,
// signed out, idle longer than SessionIdle or older than SessionMax. It
// records the use, for the idle lifetime.
func (s *Service) Session(ctx context.Context, id string) (magi.Session, error) {
	if !ValidID(id) {
		return magi.Session{}, errSessionEnded
	}
	hash := magi.SessionHash(id)
	sess, err := s.store.SessionByHash(ctx, hash)
	if magi.ErrorCode(err) == magi.ENOTFOUND {
		return magi.Session{}, errSessionEnded
	} else if err != nil {
		return magi.Session{}, err
	}
	now := s.now()
	if !now.Before(sess.ExpiresAt) || now.Sub(sess.SeenAt) >= s.cfg.SessionIdle {
		if err := s.store.DeleteSession(ctx, hash); err != nil {
			s.log.Warn("sign-in: cannot delete an ended session", "err", err)
		}
		return magi.Session{}, errSessionEnded
	}
	if now.Sub(sess.SeenAt) >= touchEvery {
		if err := s.store.TouchSession(ctx, hash, now); err != nil && magi.ErrorCode(err) != magi.ENOTFOUND {
			s.log.Warn("sign-in: cannot record a session's use", "err", err)
		}
		sess.SeenAt = now
	}
	return sess, nil
}

// End ends the session of id, if it exists, and returns where the browser
// goes next: the provider's end-session endpoint, which signs the user out
// there too and comes back to the server's origin, when discovery named
// one; the server's root otherwise.
func (s *Service) End(ctx context.Context, id string) (string, error) {
	if ValidID(id) {
		if err := s.store.DeleteSession(ctx, magi.SessionHash(id)); err != nil {
			return "", err
		}
	}
	s.mu.Lock()
	d := s.disc
	s.mu.Unlock()
	if d == nil || d.endSession == "" {
		return "/", nil
	}
	u, err := url.Parse(d.endSession)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return "/", nil
	}
	q := u.Query()
	q.Set("client_id", s.cfg.ClientID)
	q.Set("post_logout_redirect_uri", s.Origin()+"/")
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// purge drops ended sessions and logins, at most every purgeEvery.
func (s *Service) purge(ctx context.Context) {
	now := s.now()
	s.mu.Lock()
	due := now.Sub(s.purgedAt) >= purgeEvery
	if due {
		s.purgedAt = now
	}
	s.mu.Unlock()
	if !due {
		return
	}
	if err := s.store.PurgeSessions(ctx, now, now.Add(-s.cfg.SessionIdle)); err != nil {
		s.log.Warn("sign-in: cannot purge ended sessions", "err", err)
	}
}
