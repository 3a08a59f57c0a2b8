// Package fakeoidc is an OpenID Connect provider for tests: discovery,
// JWKS, an authorization endpoint with a sign-in form, a token endpoint
// that checks PKCE (S256), and an end-session endpoint. It signs its
// tokens with go-jose (RS256), can rotate its keys, and can be told to
// send a broken ID token, so that every refusal of the sign-in can be
// tested against real HTTP and real signatures.
//
// Only tests import it; the magi binary never links it.
//
//	idp := fakeoidc.Start(t, fakeoidc.Config{ClientID: "magi", ClientSecret: "s3cret",
//		Users: []fakeoidc.User{{Sub: "u-alice", Name: "Alice", Email: "alice@example.com"}}})
//	idp.Register("http://127.0.0.1:8080/auth/callback", "http://127.0.0.1:8080/")
//	// MAGI_OIDC_ISSUER=idp.Issuer …
package fakeoidc

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// TokenTTL is the lifetime of the tokens the provider issues.
const TokenTTL = 5 * time.Minute

// User is an account of the provider.
type User struct {
	Sub, Name, Email string
	// EmailVerified is sent as email_verified unless nil.
	EmailVerified *bool
	Groups        []string
}

// Config is the provider's one client and its accounts.
type Config struct {
	ClientID string
	// ClientSecret, when set, must authenticate the token request (basic
	// or form); empty makes a public client.
	ClientSecret string
	// AccessAudience is the `aud` of access tokens; ClientID when empty.
	AccessAudience string
	// NoEndSession leaves end_session_endpoint out of discovery.
	NoEndSession bool
	Users        []User
}

// Provider is a running fake provider.
type Provider struct {
	// Issuer is the provider's URL, its `iss`.
	Issuer string
	cfg    Config

	mu          sync.Mutex
	keys        []*signingKey // the last one signs
	users       map[string]User
	redirects   []string
	logouts     []string
	codes       map[string]*grant
	tamper      func(claims map[string]any) (foreign bool)
	jwksFetches int
	authorized  []url.Values
	endSessions []url.Values
}

type signingKey struct {
	kid  string
	priv *rsa.PrivateKey
}

// grant is an issued authorization code.
type grant struct {
	redirect, challenge, nonce, user, scope string
}

// Start serves a provider for the test; it stops when the test ends.
func Start(tb testing.TB, cfg Config) *Provider {
	tb.Helper()
	if cfg.AccessAudience == "" {
		cfg.AccessAudience = cfg.ClientID
	}
	p := &Provider{cfg: cfg, users: map[string]User{}, codes: map[string]*grant{}}
	for _, u := range cfg.Users {
		p.users[u.Sub] = u
	}
	p.Rotate()
	srv := httptest.NewServer(p.handler())
	tb.Cleanup(srv.Close)
	p.Issuer = srv.URL
	return p
}

// Register allows a redirect URI of the client and, when not empty, a
// URI to return to after signing out.
func (p *Provider) Register(redirectURI, postLogoutURI string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.redirects = append(p.redirects, redirectURI)
	if postLogoutURI != "" {
		p.logouts = append(p.logouts, postLogoutURI)
	}
}

// AddUser adds or replaces an account.
func (p *Provider) AddUser(u User) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.users[u.Sub] = u
}

// Rotate makes a new signing key, published next to the old ones, and
// returns its kid.
func (p *Provider) Rotate() string {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	var id [6]byte
	_, _ = rand.Read(id[:])
	k := &signingKey{kid: hex.EncodeToString(id[:]), priv: priv}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.keys = append(p.keys, k)
	return k.kid
}

// Retire stops publishing every key but the signing one.
func (p *Provider) Retire() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.keys = p.keys[len(p.keys)-1:]
}

// TamperNext changes the claims of the next ID token the token endpoint
// issues; when f returns true, that token is signed by a key the provider
// does not publish (a bad signature).
func (p *Provider) TamperNext(f func(claims map[string]any) (foreign bool)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.tamper = f
}

// JWKSFetches counts the requests for the key set.
func (p *Provider) JWKSFetches() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.jwksFetches
}

// Authorizations are the queries of the authorization requests, in order.
func (p *Provider) Authorizations() []url.Values {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.authorized)
}

// EndSessions are the queries of the end-session requests, in order.
func (p *Provider) EndSessions() []url.Values {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.endSessions)
}

// Claims are the claims of a token of user sub for aud, issued now: iss,
// sub, aud, iat, exp and the user's profile (name, email, groups).
func (p *Provider) Claims(sub, aud string) map[string]any {
	p.mu.Lock()
	u := p.users[sub]
	p.mu.Unlock()
	now := time.Now()
	c := map[string]any{"iss": p.Issuer, "sub": sub, "aud": aud, "iat": now.Unix(),
		"exp": now.Add(TokenTTL).Unix(), "name": u.Name, "email": u.Email}
	if u.EmailVerified != nil {
		c["email_verified"] = *u.EmailVerified
	}
	if u.Groups != nil {
		c["groups"] = u.Groups
	}
	return c
}

// AccessToken is an access token (a JWT) of user sub, as a script would
// get from the provider: audience Config.AccessAudience.
func (p *Provider) AccessToken(sub string) string {
	return p.Sign(p.Claims(sub, p.cfg.AccessAudience))
}

// Sign signs claims with the current key.
func (p *Provider) Sign(claims map[string]any) string {
	p.mu.Lock()
	k := p.keys[len(p.keys)-1]
	p.mu.Unlock()
	return sign(k, claims)
}

// SignForeign signs claims with a key the provider does not publish, under
// the current key's kid: a forged token.
func (p *Provider) SignForeign(claims map[string]any) string {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	p.mu.Lock()
	kid := p.keys[len(p.keys)-1].kid
	p.mu.Unlock()
	return sign(&signingKey{kid: kid, priv: priv}, claims)
}

func sign(k *signingKey, claims map[string]any) string {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: k.priv, KeyID: k.kid}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		panic(err)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		panic(err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		panic(err)
	}
	s, err := jws.CompactSerialize()
	if err != nil {
		panic(err)
	}
	return s
}

// atHash is the at_hash of an RS256 ID token for access.
func atHash(access string) string {
	sum := sha256.Sum256([]byte(access))
	return base64.RawURLEncoding.EncodeToString(sum[:16])
}

// challengeOf is the S256 code challenge of a PKCE verifier.
func challengeOf(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func randomCode() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}
