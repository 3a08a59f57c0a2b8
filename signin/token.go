package signin

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/magi-system/magi"
)

// Verify checks a bearer token of the provider — an access token that is
// a JWT, or an ID token — as the code flow checks its ID token
// (signature, issuer, expiry; audience: Config.Audience) and returns its
// user, admitted by the same allow-list.
func (s *Service) Verify(ctx context.Context, token string) (magi.User, error) {
	d, err := s.provider()
	if err != nil {
		return magi.User{}, err
	}
	t, err := d.bearer.Verify(ctx, token)
	if err != nil {
		return magi.User{}, s.refusal(err, "bearer token", s.cfg.Audience)
	}
	c, err := claimsOf(t, s.now())
	if err != nil {
		return magi.User{}, err
	}
	return s.admit(c)
}

// refusal turns go-oidc's verification error into a message that names
// what was wrong and the fix, never the token. aud is the audience the
// token had to carry.
func (s *Service) refusal(err error, what, aud string) error {
	var expired *oidc.TokenExpiredError
	msg := err.Error()
	switch {
	case errors.As(err, &expired):
		return magi.Errorf(magi.EUNAUTHORIZED, "the %s expired at %s: get a new one", what, expired.Expiry.UTC().Format(time.RFC3339))
	case strings.Contains(msg, errKeysUnavailable):
		return s.unavailable(err)
	case strings.Contains(msg, "failed to verify signature"):
		return magi.Errorf(magi.EUNAUTHORIZED, "the %s's signature does not match any key of the identity provider %s", what, s.cfg.Issuer)
	case strings.Contains(msg, "issued by a different provider"):
		return magi.Errorf(magi.EUNAUTHORIZED, "the %s was issued by another identity provider than %s", what, s.cfg.Issuer)
	case strings.Contains(msg, "before the nbf"):
		return magi.Errorf(magi.EUNAUTHORIZED, "the %s is valid from (nbf) a time ahead of this server's clock by more than %v: check the clocks", what, Skew)
	case strings.Contains(msg, "expected audience"):
		return magi.Errorf(magi.EUNAUTHORIZED, "the %s is not meant for this server: its audience (aud) does not include %q", what, aud)
	}
	return magi.Errorf(magi.EUNAUTHORIZED, "the %s is not a valid JWT of the identity provider %s", what, s.cfg.Issuer)
}

// claims are the claims MAGI reads of a verified token.
type claims struct {
	Sub           string `json:"sub"`
	Name          string `json:"name"`
	Username      string `json:"preferred_username"`
	Email         string `json:"email"`
	EmailVerified any    `json:"email_verified"` // a bool, or "true"/"false" for some providers
	Azp           string `json:"azp"`
	NotBefore     *int64 `json:"nbf"`
	IssuedAt      *int64 `json:"iat"`
	raw           map[string]json.RawMessage
}

// claimsOf reads the claims of a verified token and refuses one whose
// `sub` cannot be an owner or whose `iat`/`nbf` is over Skew ahead.
func claimsOf(t *oidc.IDToken, now time.Time) (claims, error) {
	var c claims
	if err := t.Claims(&c); err != nil {
		return c, magi.Errorf(magi.EUNAUTHORIZED, "the token's claims cannot be read")
	}
	_ = t.Claims(&c.raw)
	if !magi.ValidSubject(c.Sub) {
		return c, magi.Errorf(magi.EUNAUTHORIZED, "the token's subject (sub) is missing or not 1–255 printable characters")
	}
	for name, at := range map[string]*int64{"issued (iat)": c.IssuedAt, "valid from (nbf)": c.NotBefore} {
		if at != nil && time.Unix(*at, 0).After(now.Add(Skew)) {
			return c, magi.Errorf(magi.EUNAUTHORIZED, "the token is %s %s, ahead of this server's clock by more than %v: check the clocks",
				name, time.Unix(*at, 0).UTC().Format(time.RFC3339), Skew)
		}
	}
	return c, nil
}

// email is the user's email when the provider does not say it is
// unverified, in lower case; "" otherwise.
func (c claims) email() string {
	switch v := c.EmailVerified.(type) {
	case bool:
		if !v {
			return ""
		}
	case string:
		if strings.EqualFold(v, "false") {
			return ""
		}
	}
	return clean(strings.ToLower(c.Email), 254)
}

// groups lists the groups (or roles) of the named claim: an array of
// strings, or one string.
func (c claims) groups(claim string) []string {
	raw, ok := c.raw[claim]
	if !ok {
		return nil
	}
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		return list
	}
	var one string
	if json.Unmarshal(raw, &one) == nil && one != "" {
		return []string{one}
	}
	return nil
}

// admit makes the user of c, admin or not, and refuses one the
// allow-list leaves out (EFORBIDDEN).
func (s *Service) admit(c claims) (magi.User, error) {
	email, groups := c.email(), c.groups(s.cfg.GroupsClaim)
	u := magi.User{Subject: c.Sub, Name: displayName(c, email), Email: email}
	u.Admin = inGroups(groups, s.cfg.AdminGroups) || (email != "" && containsFold(s.cfg.AdminEmails, email))
	if len(s.cfg.AllowedDomains) == 0 && len(s.cfg.AllowedGroups) == 0 || u.Admin {
		return u, nil
	}
	_, domain, _ := strings.Cut(email, "@")
	if (domain != "" && containsFold(s.cfg.AllowedDomains, domain)) || inGroups(groups, s.cfg.AllowedGroups) {
		return u, nil
	}
	who := email
	if who == "" {
		who = "without a verified email"
	}
	return magi.User{}, magi.Errorf(magi.EFORBIDDEN, "the account %s may not use this MAGI server: neither its email domain nor its groups are allowed; ask the server's operator", who)
}

// inGroups reports whether any of groups is one of want; Keycloak's full
// group paths ("/magi-admins") match their names.
func inGroups(groups, want []string) bool {
	return slices.ContainsFunc(groups, func(g string) bool {
		return slices.Contains(want, g) || (strings.HasPrefix(g, "/") && slices.Contains(want, g[1:]))
	})
}

// displayName is the user's name, else user name, else email, else sub,
// cleaned.
func displayName(c claims, email string) string {
	for _, n := range []string{c.Name, c.Username, email, c.Sub} {
		if n = clean(n, 200); n != "" {
			return n
		}
	}
	return ""
}

// clean makes a claim safe to store and show: valid UTF-8 without
// control characters, trimmed, at most max bytes.
func clean(s string, max int) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, ""))
	s = strings.TrimSpace(s)
	if len(s) > max {
		s = strings.TrimSpace(strings.ToValidUTF8(s[:max], ""))
	}
	return s
}
