// Package signin is MAGI's single sign-on through an OpenID Connect
// provider (Keycloak, Entra ID, Okta, Google, Auth0, Dex, Cognito…): the
// browser's authorization-code flow with PKCE, state and nonce, the
// server-side sessions that follow it, and the verification of the
// provider's tokens sent as `Authorization: Bearer`.
//
// It speaks OpenID Connect through github.com/coreos/go-oidc/v3 and
// golang.org/x/oauth2, keeps sessions in a magi.SessionStore and never
// keeps or logs a token of the provider. The HTTP routes, cookies and
// CSRF checks are the server package's; this package is the protocol.
package signin

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/magi-system/magi"
)

// Defaults of a Config.
const (
	DefaultSessionIdle = 8 * time.Hour
	DefaultSessionMax  = 24 * time.Hour
	DefaultGroupsClaim = "groups"
	// Skew is how far the server's clock and the provider's may disagree:
	// a token is accepted up to Skew after its `exp`, and refused when its
	// `iat` or `nbf` is more than Skew in the future.
	Skew = 60 * time.Second
	// LoginTTL is how long a sign-in may take at the provider.
	LoginTTL = 10 * time.Minute
)

// DefaultScopes are asked of the provider unless configured.
var DefaultScopes = []string{"openid", "profile", "email"}

// Config is the sign-in's configuration (MAGI_OIDC_* and the agents
// file's `oidc:`; see docs/AUTH.md).
type Config struct {
	// Issuer is the provider's issuer URL; discovery reads
	// Issuer/.well-known/openid-configuration.
	Issuer       string
	ClientID     string
	ClientSecret string // empty for a public client (PKCE only)
	// RedirectURL is this server's /auth/callback as the browser reaches
	// it; its origin is the server's origin.
	RedirectURL string
	// Audience is the `aud` a bearer token must carry; empty: ClientID.
	Audience string
	Scopes   []string
	// GroupsClaim names the claim that lists the user's groups (or roles).
	GroupsClaim string
	// AdminGroups and AdminEmails name the admins; AllowedDomains and
	// AllowedGroups, when either is set, restrict who may sign in at all.
	AdminGroups, AdminEmails, AllowedDomains, AllowedGroups []string
	// SessionIdle ends a session unused that long; SessionMax ends any.
	SessionIdle, SessionMax time.Duration
}

// Service is single sign-on for one provider. It discovers the provider
// on first use and again after a failure, so a server starts while the
// provider is down and signs users in once it is back.
type Service struct {
	cfg    Config
	store  magi.SessionStore
	log    *slog.Logger
	client *http.Client
	now    func() time.Time

	mu        sync.Mutex
	disc      *discovered
	triedAt   time.Time // last failed discovery
	purgedAt  time.Time // last PurgeSessions
	discovery func() (*discovered, error)
}

// New returns the Service of cfg on store; client makes its calls to the
// provider (nil: a client with a 10 s timeout).
func New(cfg Config, store magi.SessionStore, client *http.Client, log *slog.Logger) (*Service, error) {
	cfg, err := cfg.normalize()
	if err != nil {
		return nil, err
	}
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Service{cfg: cfg, store: store, log: log, client: client, now: time.Now}
	s.discovery = s.discover
	return s, nil
}

// normalize checks cfg and fills its defaults.
func (c Config) normalize() (Config, error) {
	switch {
	case c.Issuer == "":
		return c, magi.Errorf(magi.ECONFIG, "sign-in: set the issuer URL (MAGI_OIDC_ISSUER)")
	case c.ClientID == "":
		return c, magi.Errorf(magi.ECONFIG, "sign-in: set the client id (MAGI_OIDC_CLIENT_ID)")
	}
	if err := CheckURL("MAGI_OIDC_ISSUER", c.Issuer); err != nil {
		return c, err
	}
	if err := CheckURL("MAGI_OIDC_REDIRECT_URL", c.RedirectURL); err != nil {
		return c, err
	}
	if u, _ := url.Parse(c.RedirectURL); u.Path != "/auth/callback" {
		return c, magi.Errorf(magi.ECONFIG, "MAGI_OIDC_REDIRECT_URL %q: its path must be /auth/callback, like https://magi.example.com/auth/callback", c.RedirectURL)
	}
	if c.Audience == "" {
		c.Audience = c.ClientID
	}
	if len(c.Scopes) == 0 {
		c.Scopes = DefaultScopes
	}
	if !containsFold(c.Scopes, "openid") {
		c.Scopes = append([]string{"openid"}, c.Scopes...)
	}
	if c.GroupsClaim == "" {
		c.GroupsClaim = DefaultGroupsClaim
	}
	if c.SessionIdle <= 0 {
		c.SessionIdle = DefaultSessionIdle
	}
	if c.SessionMax <= 0 {
		c.SessionMax = DefaultSessionMax
	}
	return c, nil
}

// CheckURL says what is wrong with the issuer or redirect URL named by
// setting: it must be absolute, without query or fragment, and https
// unless its host is a loopback address (a test or a laptop).
func CheckURL(setting, raw string) error {
	u, err := url.Parse(raw)
	switch {
	case raw == "":
		return magi.Errorf(magi.ECONFIG, "sign-in: set %s", setting)
	case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		return magi.Errorf(magi.ECONFIG, "%s %q: want an absolute https:// URL", setting, raw)
	case u.RawQuery != "" || u.Fragment != "" || u.User != nil:
		return magi.Errorf(magi.ECONFIG, "%s %q: remove the query, fragment or user name", setting, raw)
	case u.Scheme == "http" && !Loopback(u.Hostname()):
		return magi.Errorf(magi.ECONFIG, "%s %q: use https (plain http is allowed only on 127.0.0.1, ::1 or localhost)", setting, raw)
	}
	return nil
}

// Loopback reports whether host is localhost or a loopback address.
func Loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Origin is the server's origin as the browser sees it, from the
// redirect URL: "https://magi.example.com".
func (s *Service) Origin() string {
	u, _ := url.Parse(s.cfg.RedirectURL)
	return u.Scheme + "://" + u.Host
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// unavailable is the error of a provider that cannot be reached.
func (s *Service) unavailable(err error) error {
	return &magi.Error{Code: magi.EUNAVAILABLE, Err: err,
		Message: fmt.Sprintf("the identity provider %s cannot be reached now; try again in a moment", s.cfg.Issuer)}
}
