package signin

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/url"
	"regexp"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/magi-system/magi"
	"golang.org/x/oauth2"
)

var (
	errNotThisBrowser = magi.Errorf(magi.EUNAUTHORIZED,
		"this sign-in was not started in this browser, or its cookie expired: sign in again")
	errLoginUsed = magi.Errorf(magi.EUNAUTHORIZED,
		"this sign-in was already used or has expired (a sign-in link works once, for 10 minutes): sign in again")
	errNoCode = magi.Errorf(magi.EINVALID, "the callback carries no authorization code: sign in again")
)

// errorCode keeps the provider's `error` parameter only when it looks like
// an OAuth error code, so nothing a third party wrote is echoed.
var errorCode = regexp.MustCompile(`^[a-z_]{1,64}$`)

// Begin starts a sign-in that comes back to next (made a same-origin path
// by SafeNext). It returns the provider's authorization URL, with state,
// nonce and the PKCE S256 challenge, and the state, which the browser
// keeps in a cookie so that only it can finish the sign-in.
func (s *Service) Begin(ctx context.Context, next string) (authURL, state string, err error) {
	d, err := s.provider()
	if err != nil {
		return "", "", err
	}
	s.purge(ctx)
	state, nonce, verifier := magi.NewSecret(), magi.NewSecret(), oauth2.GenerateVerifier()
	l := magi.Login{Nonce: nonce, Verifier: verifier, Next: SafeNext(next), ExpiresAt: s.now().Add(LoginTTL)}
	if err := s.store.CreateLogin(ctx, magi.SessionHash(state), l); err != nil {
		return "", "", err
	}
	return d.oauth.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)), state, nil
}

// Finish completes the sign-in of the callback's query. cookie is the
// state the browser kept. The sign-in in progress is taken (it works
// once, whatever happens next); the code is exchanged with its PKCE
// verifier; the ID token is verified (signature, issuer, audience,
// expiry, nonce) and its user admitted. It returns the new session's
// secret id, the session, and the path to go to. Nothing is stored when
// it fails.
func (s *Service) Finish(ctx context.Context, q url.Values, cookie string) (string, magi.Session, string, error) {
	state := q.Get("state")
	if state == "" || subtle.ConstantTimeCompare([]byte(state), []byte(cookie)) != 1 {
		return "", magi.Session{}, "", errNotThisBrowser
	}
	l, err := s.store.TakeLogin(ctx, magi.SessionHash(state))
	if magi.ErrorCode(err) == magi.ENOTFOUND || (err == nil && s.now().After(l.ExpiresAt)) {
		return "", magi.Session{}, "", errLoginUsed
	} else if err != nil {
		return "", magi.Session{}, "", err
	}
	if e := q.Get("error"); e != "" {
		if !errorCode.MatchString(e) {
			e = "an unknown error"
		}
		return "", magi.Session{}, "", magi.Errorf(magi.EUNAUTHORIZED, "the identity provider refused the sign-in (%s)", e)
	}
	if iss := q.Get("iss"); iss != "" && iss != s.cfg.Issuer { // RFC 9207: a mix-up
		return "", magi.Session{}, "", magi.Errorf(magi.EUNAUTHORIZED, "the callback comes from another identity provider than %s: sign in again", s.cfg.Issuer)
	}
	code := q.Get("code")
	if code == "" || len(code) > 4096 {
		return "", magi.Session{}, "", errNoCode
	}
	u, err := s.redeem(ctx, code, l)
	if err != nil {
		return "", magi.Session{}, "", err
	}
	id, now := magi.NewSecret(), s.now()
	sess := magi.Session{User: u, CreatedAt: now, SeenAt: now, ExpiresAt: now.Add(s.cfg.SessionMax)}
	if err := s.store.CreateSession(ctx, magi.SessionHash(id), sess); err != nil {
		return "", magi.Session{}, "", err
	}
	s.log.Info("sign-in: session started", "sub", u.Subject, "admin", u.Admin)
	return id, sess, l.Next, nil
}

// redeem exchanges code for the provider's tokens and returns the user
// of the verified ID token. The tokens are dropped here.
func (s *Service) redeem(ctx context.Context, code string, l magi.Login) (magi.User, error) {
	d, err := s.provider()
	if err != nil {
		return magi.User{}, err
	}
	tok, err := d.oauth.Exchange(context.WithValue(ctx, oauth2.HTTPClient, s.client), code, oauth2.VerifierOption(l.Verifier))
	var re *oauth2.RetrieveError
	switch {
	case errors.As(err, &re):
		reason := re.ErrorCode
		if !errorCode.MatchString(reason) {
			reason = "HTTP " + re.Response.Status
		}
		s.log.Warn("sign-in: the provider refused the code", "error", reason)
		return magi.User{}, magi.Errorf(magi.EUNAUTHORIZED, "the identity provider refused the authorization code (%s): sign in again", reason)
	case err != nil:
		return magi.User{}, s.unavailable(err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return magi.User{}, magi.Errorf(magi.EUNAUTHORIZED, "the identity provider sent no ID token: check that the client may use the openid scope")
	}
	idt, err := d.idTokens.Verify(ctx, raw)
	if err != nil {
		return magi.User{}, s.refusal(err, "ID token", s.cfg.ClientID)
	}
	switch {
	case idt.Nonce == "":
		return magi.User{}, magi.Errorf(magi.EUNAUTHORIZED, "the ID token has no nonce, so it cannot be tied to this sign-in: sign in again")
	case subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(l.Nonce)) != 1:
		return magi.User{}, magi.Errorf(magi.EUNAUTHORIZED, "the ID token's nonce is not this sign-in's (a replayed or injected token): sign in again")
	case idt.AccessTokenHash != "" && idt.VerifyAccessToken(tok.AccessToken) != nil:
		return magi.User{}, magi.Errorf(magi.EUNAUTHORIZED, "the ID token does not match the access token sent with it: sign in again")
	}
	c, err := claimsOf(idt, s.now())
	if err != nil {
		return magi.User{}, err
	}
	if len(idt.Audience) > 1 && c.Azp != s.cfg.ClientID {
		return magi.User{}, magi.Errorf(magi.EUNAUTHORIZED, "the ID token was issued to another client (azp): sign in again")
	}
	return s.admit(c)
}
