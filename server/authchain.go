package server

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net"
	"net/http"
	"strings"

	"github.com/magi-system/magi"
)

// csrfHeader carries a session's CSRF token on every request that changes
// something; the page reads the token from GET /auth/me.
const csrfHeader = "X-CSRF-Token"

var (
	errSignIn = magi.Errorf(magi.EUNAUTHORIZED,
		"sign in first (GET /auth/login in a browser), or send \"Authorization: Bearer <token>\" with a token of the identity provider or a magi_ API key")
	errNoCSRF = magi.Errorf(magi.EFORBIDDEN,
		"this request changes something but lacks the session's CSRF token in the X-CSRF-Token header: reload the page and try again")
	errCrossOrigin = magi.Errorf(magi.EFORBIDDEN,
		"cross-origin request refused: a request made with the session cookie must come from this server's own pages")
)

// authenticate returns the caller of r. With sign-in off it is the
// Authenticator's (API keys; an open API without one). With sign-in on:
// an Authorization header decides alone — a magi_ API key, else a token
// of the identity provider; without one, the session cookie, whose
// requests that change something must also pass checkCSRF; without
// either, 401. The API is never open while sign-in is on.
func (s *Server) authenticate(r *http.Request) (Principal, error) {
	if s.SignIn == nil {
		if s.Auth == nil {
			return Principal{Admin: true}, nil
		}
		return s.Auth.Authenticate(r)
	}
	if h := r.Header.Get("Authorization"); h != "" {
		return s.bearerPrincipal(r, h)
	}
	id := s.sessionID(r)
	if id == "" {
		return Principal{}, errSignIn
	}
	sess, err := s.SignIn.Session(r.Context(), id)
	if err != nil {
		return Principal{}, err
	}
	if !safeMethod(r.Method) {
		if err := s.checkOrigin(r); err != nil {
			return Principal{}, err
		}
		if err := checkCSRF(r, id); err != nil {
			return Principal{}, err
		}
	}
	return Principal{User: &sess.User, Admin: sess.Admin}, nil
}

// bearerPrincipal is the caller of an Authorization header while sign-in
// is on: a magi_ key goes to the Authenticator, whose open answer (no key
// stored) counts as no key; anything else must be the provider's token.
func (s *Server) bearerPrincipal(r *http.Request, header string) (Principal, error) {
	token, ok := bearer(header)
	if !ok {
		return Principal{}, errSignIn
	}
	if strings.HasPrefix(token, "magi_") {
		if s.Auth == nil {
			return Principal{}, errBadKey
		}
		p, err := s.Auth.Authenticate(r)
		if err != nil {
			return Principal{}, err
		}
		if p.KeyID == "" {
			return Principal{}, errBadKey
		}
		return p, nil
	}
	u, err := s.SignIn.Verify(r.Context(), token)
	if err != nil {
		return Principal{}, err
	}
	return Principal{User: &u, Admin: u.Admin}, nil
}

// checkOrigin refuses a cross-origin browser request (Sec-Fetch-Site, or
// Origin against Host and the server's own origin): net/http's
// CrossOriginProtection.
func (s *Server) checkOrigin(r *http.Request) error {
	s.originOnce.Do(func() {
		s.origin = http.NewCrossOriginProtection()
		if s.SignIn != nil {
			_ = s.origin.AddTrustedOrigin(s.SignIn.Origin())
		}
	})
	if s.origin.Check(r) != nil {
		return errCrossOrigin
	}
	return nil
}

// checkCSRF refuses a request of session id without its CSRF token.
func checkCSRF(r *http.Request, id string) error {
	if subtle.ConstantTimeCompare([]byte(r.Header.Get(csrfHeader)), []byte(csrfToken(id))) != 1 {
		return errNoCSRF
	}
	return nil
}

// csrfToken is the CSRF token of session id: a hash of it, so that the
// token shown to the page does not reveal the id (which stays HttpOnly)
// and the store keeps nothing more. It differs from the store's hash of
// the id (magi.SessionHash).
func csrfToken(id string) string {
	sum := sha256.Sum256([]byte("magi csrf\x00" + id))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// safeMethod reports whether a method only reads.
func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// clientAddr is the address a request comes from: the peer's, or, when
// the peer is a proxy on this host (loopback), the last address that
// proxy appended to X-Forwarded-For.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
			hops := strings.Split(xff[len(xff)-1], ",")
			if last := strings.TrimSpace(hops[len(hops)-1]); net.ParseIP(last) != nil {
				return last
			}
		}
	}
	return host
}
