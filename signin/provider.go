package signin

import (
	"context"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// retryDiscovery is how long a failed discovery is remembered before the
// next request tries again.
const retryDiscovery = 5 * time.Second

// discovered is what discovery tells of the provider.
type discovered struct {
	oauth oauth2.Config
	// idTokens verifies the ID tokens of the code flow (aud: client id);
	// bearer the tokens of scripts (aud: Audience).
	idTokens, bearer *oidc.IDTokenVerifier
	// endSession is the provider's end_session_endpoint, if it has one.
	endSession string
	keys       *keySet
}

// provider returns the discovered provider, discovering it when it has
// not been yet and the last failure is older than retryDiscovery.
func (s *Service) provider() (*discovered, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.disc != nil {
		return s.disc, nil
	}
	if !s.triedAt.IsZero() && s.now().Sub(s.triedAt) < retryDiscovery {
		return nil, s.unavailable(nil)
	}
	d, err := s.discovery()
	if err != nil {
		s.triedAt = s.now()
		s.log.Warn("sign-in: discovery failed", "issuer", s.cfg.Issuer, "err", err)
		return nil, s.unavailable(err)
	}
	s.disc = d
	return d, nil
}

// discover reads the provider's discovery document and builds the OAuth
// client and the token verifiers. The issuer in the document must be
// exactly the configured one.
func (s *Service) discover() (*discovered, error) {
	ctx, cancel := context.WithTimeout(oidc.ClientContext(context.Background(), s.client), 15*time.Second)
	defer cancel()
	p, err := oidc.NewProvider(ctx, s.cfg.Issuer)
	if err != nil {
		return nil, err
	}
	var meta struct {
		EndSession string   `json:"end_session_endpoint"`
		JWKS       string   `json:"jwks_uri"`
		Algs       []string `json:"id_token_signing_alg_values_supported"`
	}
	if err := p.Claims(&meta); err != nil {
		return nil, err
	}
	keys := newKeySet(meta.JWKS, s.client, s.now)
	algs := supportedAlgs(meta.Algs)
	verifier := func(aud string) *oidc.IDTokenVerifier {
		// Expiry is checked Skew late; iat and nbf are checked by claimsOf.
		return oidc.NewVerifier(s.cfg.Issuer, keys, &oidc.Config{ClientID: aud, SupportedSigningAlgs: algs,
			Now: func() time.Time { return s.now().Add(-Skew) }})
	}
	return &discovered{
		oauth: oauth2.Config{ClientID: s.cfg.ClientID, ClientSecret: s.cfg.ClientSecret,
			Endpoint: p.Endpoint(), RedirectURL: s.cfg.RedirectURL, Scopes: s.cfg.Scopes},
		idTokens:   verifier(s.cfg.ClientID),
		bearer:     verifier(s.cfg.Audience),
		endSession: meta.EndSession,
		keys:       keys,
	}, nil
}

// supportedAlgs keeps the asymmetric signing algorithms of the provider's
// list that go-oidc verifies; none listed means RS256. HMAC and "none"
// are never accepted.
func supportedAlgs(listed []string) []string {
	known := map[string]bool{oidc.RS256: true, oidc.RS384: true, oidc.RS512: true, oidc.ES256: true,
		oidc.ES384: true, oidc.ES512: true, oidc.PS256: true, oidc.PS384: true, oidc.PS512: true, oidc.EdDSA: true}
	var out []string
	for _, a := range listed {
		if known[a] {
			out = append(out, a)
		}
	}
	if len(out) == 0 {
		out = []string{oidc.RS256}
	}
	return out
}

// Check discovers the provider now, for `magi doctor`: nil when its
// discovery document and keys can be read.
func (s *Service) Check(ctx context.Context) error {
	d, err := s.provider()
	if err != nil {
		return err
	}
	if _, err := d.keys.refresh(ctx, true); err != nil {
		return s.unavailable(err)
	}
	return nil
}
