package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/internal/fakeoidc"
	"github.com/magi-system/magi/server"
	"github.com/magi-system/magi/signin"
)

func verifiedEmail(b bool) *bool { return &b }

// idpUsers are the identity provider's accounts in the server's tests.
var idpUsers = []fakeoidc.User{
	{Sub: "u-alice", Name: "Alice", Email: "alice@example.com"},
	{Sub: "u-bob", Name: "Bob", Email: "bob@example.com"},
	{Sub: "u-carol", Name: "Carol", Email: "carol@example.com"},
	{Sub: "u-root", Name: "Root", Email: "root@example.com", Groups: []string{"magi-admins"}},
	{Sub: "u-eve", Name: "Eve", Email: "eve@evil.test"},
	{Sub: "0badc0de", Name: "Key-shaped", Email: "hex@example.com", EmailVerified: verifiedEmail(true)},
}

// sessionCount counts the sessions the sign-in creates.
type sessionCount struct {
	magi.SessionStore
	n atomic.Int64
}

func (c *sessionCount) CreateSession(ctx context.Context, hash []byte, s magi.Session) error {
	c.n.Add(1)
	return c.SessionStore.CreateSession(ctx, hash, s)
}

// ssoServer is a privServer with sign-in through a fake provider.
type ssoServer struct {
	*privServer
	idp      *fakeoidc.Provider
	sessions *sessionCount
}

// newSSOServer serves the API with sign-in configured by cfg (Issuer,
// client and redirect filled in) and o's other options. redirect, when
// not empty, replaces the server's own callback URL.
func newSSOServer(t *testing.T, cfg signin.Config, o privOptions, redirect string) *ssoServer {
	t.Helper()
	idp := fakeoidc.Start(t, fakeoidc.Config{ClientID: "magi", ClientSecret: "s3cret", AccessAudience: "magi-api", Users: idpUsers})
	ss := &ssoServer{idp: idp}
	o.setup = func(t *testing.T, srv *server.Server, st keyStore, base string) {
		if redirect == "" {
			redirect = base + "/auth/callback"
		}
		idp.Register(redirect, strings.TrimSuffix(redirect, "/auth/callback")+"/")
		cfg.Issuer, cfg.ClientID, cfg.ClientSecret, cfg.RedirectURL = idp.Issuer, "magi", "s3cret", redirect
		if cfg.Audience == "" {
			cfg.Audience = "magi-api"
		}
		ss.sessions = &sessionCount{SessionStore: st}
		svc, err := signin.New(cfg, ss.sessions, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		srv.SignIn = svc
	}
	ss.privServer = newPrivServer(t, o)
	return ss
}

// browser is a client with cookies that does not follow redirects, and
// sends the session's CSRF token once it knows it. Each browser comes
// from an address of its own (X-Forwarded-For, which the server reads
// from a loopback peer), so that the tests' many sign-ins stay under the
// per-address limit of /auth/*.
type browser struct {
	t      *testing.T
	base   string
	client *http.Client
	csrf   string
	addr   string
}

var browsers atomic.Int64

func newBrowser(t *testing.T, base string) *browser {
	jar, _ := cookiejar.New(nil)
	n := browsers.Add(1)
	return &browser{t: t, base: base, addr: fmt.Sprintf("198.51.%d.%d", n/250, n%250+1), client: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// do sends a request with the browser's cookies (and its CSRF token when
// csrf is true) plus header pairs, and reads the whole response.
func (b *browser) do(method, path, body string, csrf bool, header ...string) reply {
	b.t.Helper()
	target := path
	if !strings.HasPrefix(path, "http") {
		target = b.base + path
	}
	req, err := http.NewRequestWithContext(b.t.Context(), method, target, strings.NewReader(body))
	if err != nil {
		b.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("X-Forwarded-For", b.addr)
	if csrf && b.csrf != "" {
		req.Header.Set("X-CSRF-Token", b.csrf)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return reply{status: resp.StatusCode, header: resp.Header, body: string(raw)}
}

// login starts a sign-in to next and returns the provider's URL.
func (b *browser) login(next string) string {
	b.t.Helper()
	r := b.do("GET", "/auth/login?next="+url.QueryEscape(next), "", false)
	if r.status != http.StatusFound {
		b.t.Fatalf("GET /auth/login: %d %s", r.status, r.body)
	}
	return r.header.Get("Location")
}

// signIn signs user in through idp and returns where the callback sent
// the browser; the browser then knows its CSRF token.
func (b *browser) signIn(idp *fakeoidc.Provider, user, next string) string {
	b.t.Helper()
	cb, err := idp.Approve(b.login(next), user)
	if err != nil {
		b.t.Fatal(err)
	}
	r := b.do("GET", cb, "", false)
	if r.status != http.StatusSeeOther {
		b.t.Fatalf("the callback for %s: %d %s", user, r.status, r.body)
	}
	b.me()
	return r.header.Get("Location")
}

// me reads GET /auth/me and keeps the CSRF token.
func (b *browser) me() map[string]any {
	b.t.Helper()
	r := b.do("GET", "/auth/me", "", false)
	if r.status != http.StatusOK {
		b.t.Fatalf("GET /auth/me: %d %s", r.status, r.body)
	}
	var me map[string]any
	if err := json.Unmarshal([]byte(r.body), &me); err != nil {
		b.t.Fatal(err)
	}
	b.csrf, _ = me["csrf_token"].(string)
	return me
}

// create starts a deliberation with the browser's session.
func (b *browser) create() string {
	b.t.Helper()
	r := b.do("POST", "/api/deliberations", `{"question": "Shall we?"}`, true)
	if r.status != http.StatusAccepted {
		b.t.Fatalf("create: %d %s", r.status, r.body)
	}
	var v struct{ ID string }
	_ = json.Unmarshal([]byte(r.body), &v)
	return v.ID
}

// ids lists the history the browser sees.
func (b *browser) ids() map[string]bool {
	b.t.Helper()
	r := b.do("GET", "/api/deliberations", "", false)
	if r.status != http.StatusOK {
		b.t.Fatalf("list: %d %s", r.status, r.body)
	}
	var page magi.Page
	_ = json.Unmarshal([]byte(r.body), &page)
	out := map[string]bool{}
	for _, it := range page.Items {
		out[it.ID] = true
	}
	return out
}

// setCookie finds the Set-Cookie of name in r.
func setCookie(r reply, name string) *http.Cookie {
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// sseLine is the data of one event of a stream.
type sseLine struct{ data string }

// readLines reads a stream to its end and returns its events' data.
func readLines(body io.Reader) []sseLine {
	var out []sseLine
	sc := bufio.NewScanner(body)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		if d, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
			out = append(out, sseLine{d})
		}
	}
	return out
}

// errorMessage is the message of SPEC's error document in r's body.
func errorMessage(r reply) string {
	var b struct {
		Error struct{ Message string } `json:"error"`
	}
	_ = json.Unmarshal([]byte(r.body), &b)
	return b.Error.Message
}
