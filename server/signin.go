package server

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/magi-system/magi"
)

// SignIn is single sign-on through an OpenID Connect provider
// (signin.Service); nil leaves it off and /auth/* answers 404.
type SignIn interface {
	// Begin starts a sign-in that returns to next: the provider's
	// authorization URL and the state the browser keeps in a cookie.
	Begin(ctx context.Context, next string) (authURL, state string, err error)
	// Finish completes the sign-in of the callback's query with the
	// browser's state: a new session's secret id, the session, and the
	// same-origin path to go to.
	Finish(ctx context.Context, query url.Values, state string) (id string, s magi.Session, next string, err error)
	// Session returns the live session of id, recording its use;
	// EUNAUTHORIZED when it has ended.
	Session(ctx context.Context, id string) (magi.Session, error)
	// End ends the session of id and returns where the browser goes next.
	End(ctx context.Context, id string) (string, error)
	// Verify checks a bearer token of the provider and returns its user.
	Verify(ctx context.Context, token string) (magi.User, error)
	// Origin is the server's origin as browsers see it.
	Origin() string
}

// Cookie names; with https they take the __Host- prefix, which browsers
// accept only Secure, without Domain and for Path=/.
const (
	sessionCookie = "magi_session"
	loginCookie   = "magi_login"
	// loginCookieTTL matches the provider round trip's limit (signin.LoginTTL).
	loginCookieTTL = 10 * time.Minute
)

var errSignInOff = magi.Errorf(magi.ENOTFOUND, "sign-in is not configured on this server: its operator sets MAGI_OIDC_ISSUER (see docs/AUTH.md)")

// signInRoute wraps an /auth/ handler: while sign-in is off, 404 (and 204
// for /auth/me); then the per-address rate limit, and no caching of
// anything it answers.
func (s *Server) signInRoute(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		if s.SignIn == nil && r.URL.Path == "/auth/me" {
			// Nobody is signed in here, nor can be: the page asks this
			// first, and a 2xx keeps its console clean.
			w.WriteHeader(http.StatusNoContent)
			return
		}
		if s.SignIn == nil {
			writeError(w, r, errSignInOff)
			return
		}
		if wait, ok := s.authLimit.allow(clientAddr(r)); !ok {
			s.signInError(w, r, &magi.Error{Code: magi.ERATELIMIT, RetryAfter: wait,
				Message: "too many sign-in requests from your address; wait a moment"})
			return
		}
		h.ServeHTTP(w, r)
	})
}

// handleLogin sends the browser to the provider, keeping the sign-in's
// state in a short-lived cookie.
func (s *Server) handleLogin() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		to, state, err := s.SignIn.Begin(r.Context(), r.URL.Query().Get("next"))
		if err != nil {
			s.signInError(w, r, err)
			return
		}
		http.SetCookie(w, s.cookie(loginCookie, state, time.Now().Add(loginCookieTTL)))
		http.Redirect(w, r, to, http.StatusFound)
	})
}

// handleCallback finishes a sign-in: the state cookie is spent whatever
// happens; on success a new session replaces any the browser had.
func (s *Server) handleCallback() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		state := ""
		if c, err := r.Cookie(s.cookieName(loginCookie)); err == nil {
			state = c.Value
		}
		http.SetCookie(w, s.cookie(loginCookie, "", time.Time{}))
		id, sess, next, err := s.SignIn.Finish(r.Context(), r.URL.Query(), state)
		if err != nil {
			s.signInError(w, r, err)
			return
		}
		if old := s.sessionID(r); old != "" {
			_, _ = s.SignIn.End(r.Context(), old)
		}
		http.SetCookie(w, s.cookie(sessionCookie, id, sess.ExpiresAt))
		http.Redirect(w, r, next, http.StatusSeeOther)
	})
}

// logoutResponse tells the page where to go after signing out.
type logoutResponse struct {
	Redirect string `json:"redirect"`
}

// handleLogout ends the session of the cookie (a CSRF-checked request)
// and answers where the browser goes: the provider's end-session URL, or
// the root.
func (s *Server) handleLogout() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := s.sessionID(r)
		if err := s.checkOrigin(r); err != nil {
			writeError(w, r, err)
			return
		}
		if _, err := s.SignIn.Session(r.Context(), id); err == nil {
			if err := checkCSRF(r, id); err != nil {
				writeError(w, r, err)
				return
			}
		}
		to, err := s.SignIn.End(r.Context(), id)
		if err != nil {
			writeError(w, r, err)
			return
		}
		http.SetCookie(w, s.cookie(sessionCookie, "", time.Time{}))
		writeJSON(w, http.StatusOK, logoutResponse{Redirect: to})
	})
}

// meResponse is GET /auth/me: SPEC's {sub, name, email, admin}, and for
// a session its CSRF token and end; for an API key its id.
type meResponse struct {
	magi.User
	KeyID     string     `json:"key_id,omitempty"`
	CSRFToken string     `json:"csrf_token,omitempty"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

// handleMe describes the caller: the session's user, a bearer token's
// user, or an API key; 401 for anyone else.
func (s *Server) handleMe() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h := r.Header.Get("Authorization"); h != "" {
			p, err := s.bearerPrincipal(r, h)
			if err != nil {
				writeError(w, r, err)
				return
			}
			me := meResponse{KeyID: p.KeyID}
			if p.User != nil {
				me.User = *p.User
			}
			me.Admin = p.Admin
			writeJSON(w, http.StatusOK, me)
			return
		}
		id := s.sessionID(r)
		if id == "" {
			writeError(w, r, errSignIn)
			return
		}
		sess, err := s.SignIn.Session(r.Context(), id)
		if err != nil {
			writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, meResponse{User: sess.User, CSRFToken: csrfToken(id), ExpiresAt: &sess.ExpiresAt})
	})
}

// secureCookies reports whether the server's origin is https: then every
// cookie is Secure and __Host- prefixed. Plain http is only allowed on a
// loopback host (signin.CheckURL), where browsers would still send it.
func (s *Server) secureCookies() bool {
	return strings.HasPrefix(s.SignIn.Origin(), "https://")
}

func (s *Server) cookieName(name string) string {
	if s.secureCookies() {
		return "__Host-" + name
	}
	return name
}

// cookie is an HttpOnly, SameSite=Lax cookie of the whole site, Secure
// over https, ending at expires; an empty value deletes it.
func (s *Server) cookie(name, value string, expires time.Time) *http.Cookie {
	c := &http.Cookie{Name: s.cookieName(name), Value: value, Path: "/", HttpOnly: true,
		Secure: s.secureCookies(), SameSite: http.SameSiteLaxMode, Expires: expires}
	if value == "" {
		c.MaxAge = -1
		c.Expires = time.Time{}
	}
	return c
}

// sessionID is the session cookie's value, "" without one.
func (s *Server) sessionID(r *http.Request) string {
	c, err := r.Cookie(s.cookieName(sessionCookie))
	if err != nil {
		return ""
	}
	return c.Value
}
