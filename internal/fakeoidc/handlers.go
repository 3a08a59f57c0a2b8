package fakeoidc

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/go-jose/go-jose/v4"
)

func (p *Provider) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET /jwks", p.jwks)
	mux.HandleFunc("GET /authorize", p.authorizeForm)
	mux.HandleFunc("POST /authorize", p.authorizeSubmit)
	mux.HandleFunc("POST /token", p.token)
	mux.HandleFunc("GET /end_session", p.endSession)
	return mux
}

func (p *Provider) discovery(w http.ResponseWriter, r *http.Request) {
	doc := map[string]any{
		"issuer":                                p.Issuer,
		"authorization_endpoint":                p.Issuer + "/authorize",
		"token_endpoint":                        p.Issuer + "/token",
		"jwks_uri":                              p.Issuer + "/jwks",
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"code_challenge_methods_supported":      []string{"S256"},
		"scopes_supported":                      []string{"openid", "profile", "email", "groups"},
	}
	if !p.cfg.NoEndSession {
		doc["end_session_endpoint"] = p.Issuer + "/end_session"
	}
	writeJSON(w, http.StatusOK, doc)
}

func (p *Provider) jwks(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.jwksFetches++
	var set jose.JSONWebKeySet
	for _, k := range p.keys {
		set.Keys = append(set.Keys, jose.JSONWebKey{Key: &k.priv.PublicKey, KeyID: k.kid, Algorithm: "RS256", Use: "sig"})
	}
	p.mu.Unlock()
	writeJSON(w, http.StatusOK, set)
}

// checkAuthorize validates an authorization request as a strict provider
// would: a code flow of the client, to a registered redirect URI, with
// state, nonce and an S256 PKCE challenge, asking for openid.
func (p *Provider) checkAuthorize(q url.Values) error {
	p.mu.Lock()
	registered := slices.Contains(p.redirects, q.Get("redirect_uri"))
	p.mu.Unlock()
	switch {
	case q.Get("response_type") != "code":
		return errors.New("response_type must be code")
	case q.Get("client_id") != p.cfg.ClientID:
		return errors.New("unknown client_id")
	case !registered:
		return fmt.Errorf("redirect_uri %q is not registered", q.Get("redirect_uri"))
	case q.Get("state") == "":
		return errors.New("state is missing")
	case q.Get("nonce") == "":
		return errors.New("nonce is missing")
	case q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) != 43:
		return errors.New("PKCE with code_challenge_method=S256 is required")
	case !slices.Contains(strings.Fields(q.Get("scope")), "openid"):
		return errors.New("scope must include openid")
	}
	return nil
}

var form = template.Must(template.New("form").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>Fake identity provider</title></head>
<body><h1>Fake identity provider</h1>
<form method="post" action="/authorize">
{{range $k, $v := .}}<input type="hidden" name="{{$k}}" value="{{index $v 0}}">
{{end}}<label>User <input id="user" name="user" autocomplete="off"></label>
<button id="signin" type="submit">Sign in</button>
<button id="deny" type="submit" name="deny" value="1">Deny</button>
</form></body></html>
`))

func (p *Provider) authorizeForm(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p.mu.Lock()
	p.authorized = append(p.authorized, q)
	p.mu.Unlock()
	if err := p.checkAuthorize(q); err != nil {
		http.Error(w, "invalid authorization request: "+err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = form.Execute(w, q)
}

func (p *Provider) authorizeSubmit(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	q := r.PostForm
	if q.Get("deny") != "" {
		if err := p.checkAuthorize(q); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		http.Redirect(w, r, callback(q, url.Values{"error": {"access_denied"}, "state": {q.Get("state")}}), http.StatusFound)
		return
	}
	to, err := p.approve(q, q.Get("user"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	http.Redirect(w, r, to, http.StatusFound)
}

// Approve does what the sign-in form does for user on the authorization
// request authorizeURL: it returns the callback URL, with a code and the
// state.
func (p *Provider) Approve(authorizeURL, user string) (string, error) {
	u, err := url.Parse(authorizeURL)
	if err != nil {
		return "", err
	}
	p.mu.Lock()
	p.authorized = append(p.authorized, u.Query())
	p.mu.Unlock()
	return p.approve(u.Query(), user)
}

func (p *Provider) approve(q url.Values, user string) (string, error) {
	if err := p.checkAuthorize(q); err != nil {
		return "", err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.users[user]; !ok {
		return "", fmt.Errorf("no user %q", user)
	}
	code := randomCode()
	p.codes[code] = &grant{redirect: q.Get("redirect_uri"), challenge: q.Get("code_challenge"),
		nonce: q.Get("nonce"), user: user, scope: q.Get("scope")}
	return callback(q, url.Values{"code": {code}, "state": {q.Get("state")}}), nil
}

func callback(q url.Values, params url.Values) string {
	return q.Get("redirect_uri") + "?" + params.Encode()
}

func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		tokenError(w, "invalid_request", err.Error())
		return
	}
	if !p.clientAuthenticated(r) {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client"})
		return
	}
	f := r.PostForm
	if f.Get("grant_type") != "authorization_code" {
		tokenError(w, "unsupported_grant_type", "")
		return
	}
	p.mu.Lock()
	g, ok := p.codes[f.Get("code")]
	delete(p.codes, f.Get("code")) // a code works once
	tamper := p.tamper
	if ok {
		p.tamper = nil
	}
	p.mu.Unlock()
	switch {
	case !ok:
		tokenError(w, "invalid_grant", "unknown or used code")
		return
	case g.redirect != f.Get("redirect_uri"):
		tokenError(w, "invalid_grant", "redirect_uri differs")
		return
	case challengeOf(f.Get("code_verifier")) != g.challenge:
		tokenError(w, "invalid_grant", "PKCE verification failed")
		return
	}
	p.issue(w, g, tamper)
}

// issue answers the token request of grant g with an access token and an
// ID token, tampered with by tamper when it is set.
func (p *Provider) issue(w http.ResponseWriter, g *grant, tamper func(map[string]any) bool) {
	access := p.Sign(p.Claims(g.user, p.cfg.AccessAudience))
	claims := p.Claims(g.user, p.cfg.ClientID)
	claims["nonce"], claims["azp"], claims["at_hash"] = g.nonce, p.cfg.ClientID, atHash(access)
	id := ""
	if tamper != nil && tamper(claims) {
		id = p.SignForeign(claims)
	} else {
		id = p.Sign(claims)
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]any{"access_token": access, "token_type": "Bearer",
		"expires_in": int(TokenTTL.Seconds()), "id_token": id, "scope": g.scope})
}

// clientAuthenticated checks client_secret_basic or client_secret_post;
// a public client only names itself.
func (p *Provider) clientAuthenticated(r *http.Request) bool {
	id, secret, basic := r.BasicAuth()
	if basic {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id != p.cfg.ClientID {
		return false
	}
	return p.cfg.ClientSecret == "" || subtle.ConstantTimeCompare([]byte(secret), []byte(p.cfg.ClientSecret)) == 1
}

func (p *Provider) endSession(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p.mu.Lock()
	p.endSessions = append(p.endSessions, q)
	back := slices.Contains(p.logouts, q.Get("post_logout_redirect_uri"))
	p.mu.Unlock()
	if back && q.Get("client_id") == p.cfg.ClientID {
		http.Redirect(w, r, q.Get("post_logout_redirect_uri"), http.StatusFound)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintln(w, "<!doctype html><title>Signed out</title><p>You are signed out of the fake identity provider.</p>")
}

func tokenError(w http.ResponseWriter, code, desc string) {
	writeJSON(w, http.StatusBadRequest, map[string]string{"error": code, "error_description": desc})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
