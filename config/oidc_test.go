package config

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestLoad_OIDCFromEnvironment: every MAGI_OIDC_* variable, the secret
// from a file, and where each came from.
func TestLoad_OIDCFromEnvironment(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secret, []byte("s3cret-from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(Flags{}, env("MAGI_OIDC_ISSUER", "https://kc.example.com/realms/acme", "MAGI_OIDC_CLIENT_ID", "magi",
		"MAGI_OIDC_CLIENT_SECRET_FILE", secret, "MAGI_OIDC_REDIRECT_URL", "https://magi.example.com/auth/callback",
		"MAGI_OIDC_AUDIENCE", "magi-api", "MAGI_OIDC_SCOPES", "openid email groups", "MAGI_OIDC_GROUPS_CLAIM", "roles",
		"MAGI_OIDC_ADMIN_GROUPS", "magi-admins, ops", "MAGI_OIDC_ADMIN_EMAILS", "boss@example.com",
		"MAGI_OIDC_ALLOWED_DOMAINS", "example.com,example.org", "MAGI_OIDC_ALLOWED_GROUPS", "partners",
		"MAGI_OIDC_SESSION_IDLE", "2h", "MAGI_OIDC_SESSION_MAX", "12h"))
	if err != nil {
		t.Fatal(err)
	}
	want := OIDC{Issuer: "https://kc.example.com/realms/acme", ClientID: "magi", ClientSecret: "s3cret-from-file",
		RedirectURL: "https://magi.example.com/auth/callback", Audience: "magi-api", Scopes: []string{"openid", "email", "groups"},
		GroupsClaim: "roles", AdminGroups: []string{"magi-admins", "ops"}, AdminEmails: []string{"boss@example.com"},
		AllowedDomains: []string{"example.com", "example.org"}, AllowedGroups: []string{"partners"},
		SessionIdle: 2 * time.Hour, SessionMax: 12 * time.Hour}
	if diff := cmp.Diff(want, c.OIDC); diff != "" {
		t.Errorf("OIDC (-want +got):\n%s", diff)
	}
	if !c.OIDC.Enabled() || c.Sources["oidc.issuer"] != "MAGI_OIDC_ISSUER" || c.Sources["oidc.client_secret"] != "MAGI_OIDC_CLIENT_SECRET_FILE "+secret {
		t.Errorf("sources: %v", c.Sources)
	}
	off, err := Load(Flags{}, env())
	if err != nil || off.OIDC.Enabled() {
		t.Errorf("without MAGI_OIDC_ISSUER: %+v, %v; want off", off.OIDC, err)
	}
}

// TestLoad_OIDCMistakes: each mistake names the setting and the fix.
func TestLoad_OIDCMistakes(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	_ = os.WriteFile(empty, nil, 0o600)
	base := []string{"MAGI_OIDC_ISSUER", "https://idp.example.com", "MAGI_OIDC_CLIENT_ID", "magi", "MAGI_OIDC_REDIRECT_URL", "https://m.example.com/auth/callback"}
	for _, tc := range []struct {
		name string
		env  []string
		want string
	}{
		{"no issuer", []string{"MAGI_OIDC_CLIENT_ID", "magi"}, "client_id is set (MAGI_OIDC_CLIENT_ID) but not the issuer"},
		{"no client id", []string{"MAGI_OIDC_ISSUER", "https://idp.example.com", "MAGI_OIDC_REDIRECT_URL", "https://m/auth/callback"}, "lacks MAGI_OIDC_CLIENT_ID"},
		{"no redirect", []string{"MAGI_OIDC_ISSUER", "https://idp.example.com", "MAGI_OIDC_CLIENT_ID", "magi"}, "lacks MAGI_OIDC_REDIRECT_URL"},
		{"both secrets", append(base, "MAGI_OIDC_CLIENT_SECRET", "x", "MAGI_OIDC_CLIENT_SECRET_FILE", empty), "not both"},
		{"missing secret file", append(base, "MAGI_OIDC_CLIENT_SECRET_FILE", filepath.Join(dir, "nope")), "MAGI_OIDC_CLIENT_SECRET_FILE: cannot read"},
		{"empty secret file", append(base, "MAGI_OIDC_CLIENT_SECRET_FILE", empty), "is empty"},
		{"bad lifetime", append(base, "MAGI_OIDC_SESSION_IDLE", "8"), `MAGI_OIDC_SESSION_IDLE="8"`},
	} {
		_, err := Load(Flags{}, env(tc.env...))
		if msg := wantConfigError(t, err); !strings.Contains(msg, tc.want) {
			t.Errorf("%s: %q, want %q in it", tc.name, msg, tc.want)
		}
	}
}

// TestLoad_OIDCFile: the agents file's oidc section overrides the
// environment, key by key; its mistakes carry line numbers.
func TestLoad_OIDCFile(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "secret")
	_ = os.WriteFile(secret, []byte("from-the-file"), 0o600)
	path := writeAgents(t, `
oidc:
  issuer: https://login.microsoftonline.com/TENANT/v2.0
  client_id: 11111111-2222
  client_secret_file: `+secret+`
  redirect_url: https://magi.example.com/auth/callback
  scopes: [openid, profile, email]
  groups_claim: roles
  admin_groups: [MAGI.Admin]
  allowed_domains: [example.com]
  session_idle: 1h
`)
	c, err := Load(Flags{ConfigPath: path}, env("MAGI_OIDC_ISSUER", "https://other", "MAGI_OIDC_AUDIENCE", "api://magi"))
	if err != nil {
		t.Fatal(err)
	}
	o := c.OIDC
	if o.Issuer != "https://login.microsoftonline.com/TENANT/v2.0" || o.ClientSecret != "from-the-file" || o.Audience != "api://magi" ||
		o.GroupsClaim != "roles" || o.SessionIdle != time.Hour || len(o.AdminGroups) != 1 || c.Sources["oidc.issuer"] != path+": oidc" {
		t.Errorf("OIDC = %+v, sources %v", o, c.Sources)
	}
	bad := writeAgents(t, `
oidc:
  issuer: https://idp.example.com
  client: magi
  session_max: forever
`)
	_, err = Load(Flags{ConfigPath: bad}, env())
	msg := wantConfigError(t, err)
	for _, want := range []string{`:4: unknown key "client": use one of issuer, client_id,`, `:5: "forever" is not a session lifetime`} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
}

// TestDescribe_OIDC: magi agents shows the sign-in, never its secret.
func TestDescribe_OIDC(t *testing.T) {
	const secret = "Zm9vYmFyYmF6cXV4-very-secret"
	c, err := Load(Flags{}, env("MAGI_OIDC_ISSUER", "https://idp.example.com", "MAGI_OIDC_CLIENT_ID", "magi",
		"MAGI_OIDC_CLIENT_SECRET", secret, "MAGI_OIDC_REDIRECT_URL", "https://m.example.com/auth/callback",
		"MAGI_OIDC_ADMIN_GROUPS", "magi-admins"))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := c.Describe(&out); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	if strings.Contains(s, secret) || strings.Contains(s, secret[:8]) {
		t.Fatalf("magi agents printed the client secret:\n%s", s)
	}
	for prefix, want := range map[string]string{"oidc issuer": "https://idp.example.com (MAGI_OIDC_ISSUER)",
		"oidc client secret": "*** (MAGI_OIDC_CLIENT_SECRET)", "oidc admins": "groups: magi-admins; emails: none",
		"oidc audience": "magi (the client id) (built-in)"} {
		if got := describedLine(s, prefix); got != want {
			t.Errorf("magi agents: %s %q, want %q:\n%s", prefix, got, want, s)
		}
	}
	off, _ := Load(Flags{}, env())
	out.Reset()
	_ = off.Describe(&out)
	if got := describedLine(out.String(), "sign-in (oidc)"); !strings.HasPrefix(got, "off") {
		t.Errorf("magi agents with sign-in off:\n%s", out.String())
	}
}

// describedLine is the rest of the line of Describe's output that starts
// with prefix, its columns joined by single spaces.
func describedLine(out, prefix string) string {
	for _, line := range strings.Split(out, "\n") {
		if rest, ok := strings.CutPrefix(line, prefix+" "); ok {
			return strings.Join(strings.Fields(rest), " ")
		}
	}
	return ""
}
