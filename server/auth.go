package server

import (
	"context"
	"net/http"

	"github.com/magi-system/magi"
)

// Principal is who calls the API.
type Principal struct {
	// KeyID is the API key's id; empty when the API is open or the caller
	// signed in.
	KeyID string
	// User is the signed-in user (a session, or a bearer token of the
	// identity provider); nil otherwise.
	User *magi.User
	// Admin sees every deliberation.
	Admin bool
}

// ID is the owner of what the principal creates: the signed-in user's
// "oidc:<sub>", else the API key's id, else "" (the open API).
func (p Principal) ID() string {
	if p.User != nil {
		return p.User.Owner()
	}
	return p.KeyID
}

// Owner is the owner filter for the principal's requests: empty (all) for
// an admin or an open API.
func (p Principal) Owner() string {
	if p.Admin {
		return ""
	}
	return p.ID()
}

// Authenticator checks a request's credentials. It returns an
// EUNAUTHORIZED error when they are missing or wrong.
type Authenticator interface {
	Authenticate(r *http.Request) (Principal, error)
}

// Admitter decides whether a principal may start another deliberation
// (quotas); ERATELIMIT with RetryAfter when it may not.
type Admitter interface {
	Admit(ctx context.Context, p Principal, q magi.Question) error
}

type principalKey struct{}

func principalOf(ctx context.Context) Principal {
	p, _ := ctx.Value(principalKey{}).(Principal)
	return p
}

// api wraps an /api/ handler: CORS, then authentication (authenticate).
func (s *Server) api(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.cors(w, r) {
			return
		}
		p, err := s.authenticate(r)
		if err != nil {
			if magi.ErrorCode(err) == magi.EUNAUTHORIZED {
				w.Header().Set("WWW-Authenticate", `Bearer realm="magi"`)
			}
			writeError(w, r, err)
			return
		}
		h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)))
	})
}

// admit applies the quotas, if any, to a new deliberation.
func (s *Server) admit(r *http.Request, q magi.Question) error {
	if s.Quota == nil {
		return nil
	}
	return s.Quota.Admit(r.Context(), principalOf(r.Context()), q)
}
