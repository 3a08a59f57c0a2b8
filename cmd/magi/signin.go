package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/config"
	"github.com/magi-system/magi/server"
	"github.com/magi-system/magi/signin"
)

// signInConfig is the sign-in's configuration of cfg.
func signInConfig(o config.OIDC) signin.Config {
	return signin.Config{Issuer: o.Issuer, ClientID: o.ClientID, ClientSecret: o.ClientSecret, RedirectURL: o.RedirectURL,
		Audience: o.Audience, Scopes: o.Scopes, GroupsClaim: o.GroupsClaim, AdminGroups: o.AdminGroups,
		AdminEmails: o.AdminEmails, AllowedDomains: o.AllowedDomains, AllowedGroups: o.AllowedGroups,
		SessionIdle: o.SessionIdle, SessionMax: o.SessionMax}
}

// signIn is the server's sign-in through the configured OpenID Connect
// provider, or nil when none is configured.
func (a *app) signIn() (server.SignIn, error) {
	if !a.cfg.OIDC.Enabled() {
		return nil, nil
	}
	sessions, ok := a.store.(magi.SessionStore)
	if !ok {
		return nil, fmt.Errorf("the store %T cannot keep sign-in sessions", a.store)
	}
	svc, err := signin.New(signInConfig(a.cfg.OIDC), sessions, nil, a.log)
	if err != nil {
		return nil, err
	}
	a.log.Info("sign-in: on", "issuer", a.cfg.OIDC.Issuer, "redirect_url", a.cfg.OIDC.RedirectURL)
	if !strings.HasPrefix(svc.Origin(), "https://") {
		a.log.Warn("sign-in: the redirect URL is plain http on loopback, so its cookies are not Secure; use https anywhere else")
	}
	return svc, nil
}

// doctorSignIn checks, for magi doctor, that the provider's discovery
// document and keys can be read; it reports whether it failed.
func doctorSignIn(ctx context.Context, cfg *config.Config, out io.Writer) bool {
	if !cfg.OIDC.Enabled() {
		return false
	}
	svc, err := signin.New(signInConfig(cfg.OIDC), nil, nil, slog.New(slog.DiscardHandler))
	if err == nil {
		err = svc.Check(ctx)
	}
	if err != nil {
		fmt.Fprintf(out, "✗ sign-in: %s: %v\n", cfg.OIDC.Issuer, err)
		return true
	}
	fmt.Fprintf(out, "✓ sign-in: %s: discovery and keys read\n", cfg.OIDC.Issuer)
	return false
}
