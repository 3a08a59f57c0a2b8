package config

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// OIDC is the sign-in through an OpenID Connect provider: off unless
// Issuer is set. The server (signin.New) checks the URLs.
type OIDC struct {
	Issuer   string
	ClientID string
	// ClientSecret, from MAGI_OIDC_CLIENT_SECRET, the file named by
	// MAGI_OIDC_CLIENT_SECRET_FILE, or the agents file; never print it,
	// see MaskSecret.
	ClientSecret string
	RedirectURL  string
	// Audience is the `aud` of bearer tokens; empty means ClientID.
	Audience string
	// Scopes asked of the provider; empty means openid profile email.
	Scopes []string
	// GroupsClaim names the claim that lists groups; empty: "groups".
	GroupsClaim                                             string
	AdminGroups, AdminEmails, AllowedDomains, AllowedGroups []string
	// SessionIdle and SessionMax are a session's lifetimes; 0: defaults.
	SessionIdle, SessionMax time.Duration
}

// Enabled reports whether sign-in is configured.
func (o OIDC) Enabled() bool { return o.Issuer != "" }

// fileOIDC is the agents file's `oidc:` section. A nil field is not set.
type fileOIDC struct {
	Issuer           *string   `yaml:"issuer"`
	ClientID         *string   `yaml:"client_id"`
	ClientSecret     *string   `yaml:"client_secret"`
	ClientSecretFile *string   `yaml:"client_secret_file"`
	RedirectURL      *string   `yaml:"redirect_url"`
	Audience         *string   `yaml:"audience"`
	Scopes           []string  `yaml:"scopes"`
	GroupsClaim      *string   `yaml:"groups_claim"`
	AdminGroups      []string  `yaml:"admin_groups"`
	AdminEmails      []string  `yaml:"admin_emails"`
	AllowedDomains   []string  `yaml:"allowed_domains"`
	AllowedGroups    []string  `yaml:"allowed_groups"`
	SessionIdle      *lifetime `yaml:"session_idle"`
	SessionMax       *lifetime `yaml:"session_max"`
}

// lifetime is a session lifetime in the file: a duration with a unit.
type lifetime time.Duration

// UnmarshalYAML accepts "8h", "30m"; a bad value is a *yaml.TypeError so
// the decoder reports the file's other mistakes too.
func (d *lifetime) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(n.Value)
	if n.Kind != yaml.ScalarNode || err != nil || v <= 0 {
		return &yaml.TypeError{Errors: []string{
			fmt.Sprintf("line %d: %q is not a session lifetime: write a positive duration with a unit, like 8h or 30m", n.Line, n.Value)}}
	}
	*d = lifetime(v)
	return nil
}

// oidcEnv names the environment variable of each setting, by Sources key.
var oidcEnv = map[string]string{
	"oidc.issuer": "MAGI_OIDC_ISSUER", "oidc.client_id": "MAGI_OIDC_CLIENT_ID", "oidc.client_secret": "MAGI_OIDC_CLIENT_SECRET",
	"oidc.redirect_url": "MAGI_OIDC_REDIRECT_URL", "oidc.audience": "MAGI_OIDC_AUDIENCE", "oidc.scopes": "MAGI_OIDC_SCOPES",
	"oidc.groups_claim": "MAGI_OIDC_GROUPS_CLAIM", "oidc.admin_groups": "MAGI_OIDC_ADMIN_GROUPS",
	"oidc.admin_emails": "MAGI_OIDC_ADMIN_EMAILS", "oidc.allowed_domains": "MAGI_OIDC_ALLOWED_DOMAINS",
	"oidc.allowed_groups": "MAGI_OIDC_ALLOWED_GROUPS", "oidc.session_idle": "MAGI_OIDC_SESSION_IDLE",
	"oidc.session_max": "MAGI_OIDC_SESSION_MAX",
}

// readOIDC reads the MAGI_OIDC_* variables. The secret may come from a
// file (MAGI_OIDC_CLIENT_SECRET_FILE, e.g. a mounted secret), read here.
func (c *Config) readOIDC(getenv func(string) string) error {
	var err error
	r := envReader{getenv: getenv, c: c}
	str := func(key string) string { v, _ := r.lookup(key, oidcEnv[key]); return v }
	o := &c.OIDC
	o.Issuer, o.ClientID, o.RedirectURL = str("oidc.issuer"), str("oidc.client_id"), str("oidc.redirect_url")
	o.Audience, o.GroupsClaim = str("oidc.audience"), str("oidc.groups_claim")
	o.ClientSecret = str("oidc.client_secret")
	if path := strings.TrimSpace(getenv("MAGI_OIDC_CLIENT_SECRET_FILE")); path != "" {
		if o.ClientSecret != "" {
			setErr(&err, configError("set MAGI_OIDC_CLIENT_SECRET or MAGI_OIDC_CLIENT_SECRET_FILE, not both"))
		}
		o.ClientSecret, c.Sources["oidc.client_secret"] = readSecret(path, "MAGI_OIDC_CLIENT_SECRET_FILE", &err), "MAGI_OIDC_CLIENT_SECRET_FILE "+path
	}
	o.Scopes = splitList(strings.ReplaceAll(str("oidc.scopes"), " ", ","))
	o.AdminGroups, o.AdminEmails = splitList(str("oidc.admin_groups")), splitList(str("oidc.admin_emails"))
	o.AllowedDomains, o.AllowedGroups = splitList(str("oidc.allowed_domains")), splitList(str("oidc.allowed_groups"))
	o.SessionIdle = r.duration("oidc.session_idle", "MAGI_OIDC_SESSION_IDLE", 0, &err)
	o.SessionMax = r.duration("oidc.session_max", "MAGI_OIDC_SESSION_MAX", 0, &err)
	return err
}

// readSecret reads a secret file, without its trailing newline.
func readSecret(path, setting string, err *error) string {
	b, e := os.ReadFile(path)
	if e != nil {
		setErr(err, configError("%s: cannot read %s: %v", setting, path, e))
		return ""
	}
	s := strings.TrimRight(string(b), "\r\n")
	if s == "" {
		setErr(err, configError("%s: %s is empty", setting, path))
	}
	return s
}

// splitList splits a comma-separated list, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// applyOIDC lays the file's `oidc:` section over the environment.
func (c *Config) applyOIDC(f *agentsFile, probs *problems) {
	if f == nil || f.cfg.OIDC == nil {
		return
	}
	o, src := f.cfg.OIDC, f.path+": oidc"
	setStr := func(dst *string, v *string, key string) {
		if v != nil {
			*dst, c.Sources[key] = strings.TrimSpace(*v), src
		}
	}
	setList := func(dst *[]string, v []string, key string) {
		if v != nil {
			*dst, c.Sources[key] = v, src
		}
	}
	setStr(&c.OIDC.Issuer, o.Issuer, "oidc.issuer")
	setStr(&c.OIDC.ClientID, o.ClientID, "oidc.client_id")
	setStr(&c.OIDC.RedirectURL, o.RedirectURL, "oidc.redirect_url")
	setStr(&c.OIDC.Audience, o.Audience, "oidc.audience")
	setStr(&c.OIDC.GroupsClaim, o.GroupsClaim, "oidc.groups_claim")
	switch {
	case o.ClientSecret != nil && o.ClientSecretFile != nil:
		probs.add(f.at("", "oidc: set client_secret or client_secret_file, not both", "oidc", "client_secret_file"))
	case o.ClientSecretFile != nil:
		var err error
		c.OIDC.ClientSecret = readSecret(*o.ClientSecretFile, "oidc.client_secret_file", &err)
		c.Sources["oidc.client_secret"] = src + ".client_secret_file " + *o.ClientSecretFile
		if err != nil {
			probs.add(f.at("", err.Error(), "oidc", "client_secret_file"))
		}
	default:
		setStr(&c.OIDC.ClientSecret, o.ClientSecret, "oidc.client_secret")
	}
	setList(&c.OIDC.Scopes, o.Scopes, "oidc.scopes")
	setList(&c.OIDC.AdminGroups, o.AdminGroups, "oidc.admin_groups")
	setList(&c.OIDC.AdminEmails, o.AdminEmails, "oidc.admin_emails")
	setList(&c.OIDC.AllowedDomains, o.AllowedDomains, "oidc.allowed_domains")
	setList(&c.OIDC.AllowedGroups, o.AllowedGroups, "oidc.allowed_groups")
	if o.SessionIdle != nil {
		c.OIDC.SessionIdle, c.Sources["oidc.session_idle"] = time.Duration(*o.SessionIdle), src
	}
	if o.SessionMax != nil {
		c.OIDC.SessionMax, c.Sources["oidc.session_max"] = time.Duration(*o.SessionMax), src
	}
}

// checkOIDC says what a configured sign-in lacks, or that settings are
// given without an issuer (sign-in would silently stay off).
func (c *Config) checkOIDC() error {
	o := c.OIDC
	if !o.Enabled() {
		for _, key := range sortedKeys(oidcEnv) {
			if src := c.Sources[key]; src != "" && src != "built-in" {
				return configError("%s is set (%s) but not the issuer, so sign-in would stay off: set MAGI_OIDC_ISSUER (or oidc.issuer), or remove it", strings.TrimPrefix(key, "oidc."), src)
			}
		}
		return nil
	}
	var missing []string
	if o.ClientID == "" {
		missing = append(missing, "MAGI_OIDC_CLIENT_ID")
	}
	if o.RedirectURL == "" {
		missing = append(missing, "MAGI_OIDC_REDIRECT_URL (e.g. https://magi.example.com/auth/callback)")
	}
	if len(missing) > 0 {
		return configError("sign-in is on (MAGI_OIDC_ISSUER) but lacks %s", strings.Join(missing, " and "))
	}
	return nil
}

// describeOIDC prints the sign-in settings for `magi agents`, the secret
// masked.
func (c *Config) describeOIDC(w io.Writer) {
	o := c.OIDC
	if !o.Enabled() {
		fmt.Fprintf(w, "sign-in (oidc)\toff\t(set MAGI_OIDC_ISSUER; see docs/AUTH.md)\n")
		return
	}
	src := func(key string) string { return "(" + c.Sources[key] + ")" }
	list := func(v []string, none string) string { return orDefault(strings.Join(v, ", "), none) }
	fmt.Fprintf(w, "oidc issuer\t%s\t%s\n", redactURL(o.Issuer), src("oidc.issuer"))
	fmt.Fprintf(w, "oidc client id\t%s\t%s\n", o.ClientID, src("oidc.client_id"))
	fmt.Fprintf(w, "oidc client secret\t%s\t%s\n", MaskSecret(o.ClientSecret), src("oidc.client_secret"))
	fmt.Fprintf(w, "oidc redirect url\t%s\t%s\n", redactURL(o.RedirectURL), src("oidc.redirect_url"))
	fmt.Fprintf(w, "oidc audience\t%s\t%s\n", orDefault(o.Audience, o.ClientID+" (the client id)"), src("oidc.audience"))
	fmt.Fprintf(w, "oidc scopes\t%s\t%s\n", list(o.Scopes, "openid, profile, email"), src("oidc.scopes"))
	fmt.Fprintf(w, "oidc groups claim\t%s\t%s\n", orDefault(o.GroupsClaim, "groups"), src("oidc.groups_claim"))
	fmt.Fprintf(w, "oidc admins\tgroups: %s; emails: %s\t\n", list(o.AdminGroups, "none"), list(o.AdminEmails, "none"))
	allowed := "anyone the provider signs in"
	if len(o.AllowedDomains)+len(o.AllowedGroups) > 0 {
		allowed = "domains: " + list(o.AllowedDomains, "none") + "; groups: " + list(o.AllowedGroups, "none")
	}
	fmt.Fprintf(w, "oidc allowed\t%s\t\n", allowed)
	fmt.Fprintf(w, "oidc sessions\tidle %s, at most %s\t\n", orDefault(durationOrZero(o.SessionIdle), "8h0m0s"), orDefault(durationOrZero(o.SessionMax), "24h0m0s"))
}

// durationOrZero is d as text, or "" for 0 (the default).
func durationOrZero(d time.Duration) string {
	if d == 0 {
		return ""
	}
	return d.String()
}
