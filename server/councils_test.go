package server_test

import (
	"context"
	"encoding/json"
	"iter"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/magi-system/magi"
	"github.com/magi-system/magi/config"
	"github.com/magi-system/magi/server"
	"github.com/magi-system/magi/store/sqlite"
)

// recording is a provider that answers every call with a verdict at once
// and records each request, by agent.
type recording struct {
	mu  sync.Mutex
	got map[magi.AgentID][]magi.Request
}

func (p *recording) Stream(ctx context.Context, req magi.Request) iter.Seq2[magi.Delta, error] {
	p.mu.Lock()
	if p.got == nil {
		p.got = map[magi.AgentID][]magi.Request{}
	}
	p.got[req.Agent] = append(p.got[req.Agent], req)
	p.mu.Unlock()
	return heldProvider{}.Stream(ctx, req)
}

// last is the last request agent id made.
func (p *recording) last(t *testing.T, id magi.AgentID) magi.Request {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.got[id]) == 0 {
		t.Fatalf("%s made no call", id)
	}
	return p.got[id][len(p.got[id])-1]
}

// councilServer is the API with API keys and saved councils, checked
// against a configuration on the simulated provider (answered by rec),
// whose models are restricted to sim-1, sim-2 and sim-3.
func councilServer(t *testing.T, rec *recording) *privServer {
	t.Helper()
	return newPrivServer(t, privOptions{cfg: councilConfig(t), provider: rec})
}

func councilConfig(t *testing.T) *config.Config {
	t.Helper()
	cfg, err := config.Load(config.Flags{}, func(k string) string {
		return map[string]string{"MAGI_PROVIDER": "sim", "MAGI_ALLOWED_MODELS_SIM": "sim-1,sim-2,sim-3"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// frugal is a council with a persona and a model of its own for each
// agent, and the unanimous rule.
const frugal = `{"name": "frugal", "rule": "unanimous", "rounds": 1, "agents": {
	"melchior": {"persona": "You are the accountant. Count every cost.", "model": "sim-2", "temperature": 0.2},
	"balthasar": {"persona": "You guard the budget of the people.", "model": "sim-2"},
	"casper": {"persona": "You ask what it costs per year.", "model": "sim-3", "max_tokens": 900},
	"solomon": {"persona": "You judge by value for money.", "model": "sim-3"}}}`

// councilDoc decodes a council answer.
type councilDoc struct {
	Name     string                    `json:"name"`
	Shared   bool                      `json:"shared"`
	Editable bool                      `json:"editable"`
	Builtin  bool                      `json:"builtin"`
	Rule     string                    `json:"rule"`
	Agents   map[string]map[string]any `json:"agents"`
	Snapshot *magi.CouncilSnapshot     `json:"snapshot"`
	Problems []magi.FieldError         `json:"problems"`
}

func (r reply) council(t *testing.T) councilDoc {
	t.Helper()
	var d councilDoc
	if err := json.Unmarshal([]byte(r.body), &d); err != nil {
		t.Fatalf("council body %s: %v", r.body, err)
	}
	return d
}

// listed is the names of GET /api/councils as key sees them, each with
// "*" when shared and "+" when key may change it.
func (ps *privServer) listed(t *testing.T, key string) []string {
	t.Helper()
	r := ps.do(t, "GET", "/api/councils", key, "")
	if r.status != http.StatusOK {
		t.Fatalf("GET /api/councils: %d %s", r.status, r.body)
	}
	var page struct {
		Items []struct {
			Name             string
			Shared, Editable bool
		}
	}
	if err := json.Unmarshal([]byte(r.body), &page); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, it := range page.Items {
		s := it.Name
		if it.Shared {
			s += "*"
		}
		if it.Editable {
			s += "+"
		}
		out = append(out, s)
	}
	return out
}

// TestCouncils_OwnershipRouteByRoute: a key's council is its own: another
// key gets 404 on every route, as if it did not exist; an admin's council
// is shared, readable by all and changed only by admins; default is
// built in and cannot be changed.
func TestCouncils_OwnershipRouteByRoute(t *testing.T) {
	ps := councilServer(t, &recording{})
	_, admin := ps.addKey(t, "root", true)
	_, alice := ps.addKey(t, "alice", false)
	_, bob := ps.addKey(t, "bob", false)

	r := ps.do(t, "POST", "/api/councils", alice, frugal)
	if r.status != http.StatusCreated || r.header.Get("Location") != "/api/councils/frugal" {
		t.Fatalf("alice saves frugal: %d %s (Location %q)", r.status, r.body, r.header.Get("Location"))
	}
	if d := r.council(t); d.Name != "frugal" || d.Shared || !d.Editable || d.Snapshot == nil || d.Snapshot.Agents[2].Model != "sim-3" {
		t.Errorf("the saved council: %s", r.body)
	}
	if r := ps.do(t, "POST", "/api/councils", alice, frugal); r.status != http.StatusConflict {
		t.Errorf("alice saves frugal again: %d, want 409", r.status)
	}
	if r := ps.do(t, "POST", "/api/councils", admin, strings.Replace(frugal, `"frugal"`, `"house"`, 1)); r.status != http.StatusCreated || !r.council(t).Shared {
		t.Fatalf("the admin saves house: %d %s, want 201 shared", r.status, r.body)
	}

	if diff := cmp.Diff([]string{"default*", "house*", "frugal+"}, ps.listed(t, alice)); diff != "" {
		t.Errorf("alice's list (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"default*", "house*"}, ps.listed(t, bob)); diff != "" {
		t.Errorf("bob's list (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"default*", "house*+"}, ps.listed(t, admin)); diff != "" {
		t.Errorf("the admin's list (-want +got):\n%s", diff)
	}

	changed := strings.Replace(frugal, "Count every cost.", "Count every yen.", 1)
	for _, c := range []struct {
		who, key, method, path, body string
		want                         int
	}{
		// Another key's council does not exist for bob, nor for an admin.
		{"bob", bob, "GET", "/api/councils/frugal", "", 404},
		{"bob", bob, "PUT", "/api/councils/frugal", changed, 404},
		{"bob", bob, "DELETE", "/api/councils/frugal", "", 404},
		{"admin", admin, "GET", "/api/councils/frugal", "", 404},
		{"admin", admin, "DELETE", "/api/councils/frugal", "", 404},
		// A shared council: everyone reads it, only admins change it.
		{"bob", bob, "GET", "/api/councils/house", "", 200},
		{"alice", alice, "PUT", "/api/councils/house", changed, 403},
		{"alice", alice, "DELETE", "/api/councils/house", "", 403},
		{"alice", alice, "POST", "/api/councils", strings.Replace(frugal, `"frugal"`, `"house"`, 1), 409},
		{"admin", admin, "PUT", "/api/councils/house", strings.Replace(changed, `"frugal"`, `"house"`, 1), 200},
		// The built-in council.
		{"alice", alice, "GET", "/api/councils/default", "", 200},
		{"admin", admin, "PUT", "/api/councils/default", `{"name": "default"}`, 403},
		{"admin", admin, "DELETE", "/api/councils/default", "", 403},
		{"admin", admin, "POST", "/api/councils", `{"name": "default"}`, 400},
		// Her own.
		{"alice", alice, "GET", "/api/councils/frugal", "", 200},
		{"alice", alice, "PUT", "/api/councils/frugal", changed, 200},
		{"alice", alice, "PUT", "/api/councils/nope", changed, 404},
	} {
		r := ps.do(t, c.method, c.path, c.key, c.body)
		if r.status != c.want {
			t.Errorf("%s %s %s: %d %s, want %d", c.who, c.method, c.path, r.status, r.body, c.want)
		}
		if c.want == 404 && (strings.Contains(r.body, "accountant") || r.errorCode() != "not_found") {
			t.Errorf("%s %s %s: %s, want a bare not_found", c.who, c.method, c.path, r.body)
		}
	}
	if d := ps.do(t, "GET", "/api/councils/frugal", alice, "").council(t); d.Agents["melchior"]["persona"] != "You are the accountant. Count every yen." {
		t.Errorf("after alice's PUT: %+v", d.Agents["melchior"])
	}
	if d := ps.do(t, "GET", "/api/councils/house", bob, "").council(t); !d.Shared || d.Editable || d.Agents["melchior"]["persona"] != "You are the accountant. Count every yen." {
		t.Errorf("house as bob sees it after the admin's PUT: %+v", d)
	}
	def := ps.do(t, "GET", "/api/councils/default", bob, "").council(t)
	if !def.Builtin || def.Editable || len(def.Agents) != 4 || def.Agents["casper"]["provider"] != "sim" {
		t.Errorf("default: %+v", def)
	}
	if r := ps.do(t, "DELETE", "/api/councils/frugal", alice, ""); r.status != http.StatusNoContent {
		t.Errorf("alice deletes frugal: %d", r.status)
	}
	if r := ps.do(t, "GET", "/api/councils/frugal", alice, ""); r.status != http.StatusNotFound {
		t.Errorf("frugal after its deletion: %d", r.status)
	}
	if r := ps.do(t, "DELETE", "/api/councils/house", admin, ""); r.status != http.StatusNoContent {
		t.Errorf("the admin deletes house: %d", r.status)
	}
}

// TestCouncils_Invalid: a council with mistakes is a 400 listing every
// one with its field, and nothing is saved.
func TestCouncils_Invalid(t *testing.T) {
	ps := councilServer(t, &recording{})
	_, alice := ps.addKey(t, "alice", false)
	bad := `{"name": "frugal", "agents": {"casper": {"model": "gpt-5", "temperature": 9, "base_url": "http://evil.example"},
		"caspar": {}, "solomon": {"provider": "openai", "model": "gpt-4o"}}}`
	r := ps.do(t, "POST", "/api/councils", alice, bad)
	if r.status != http.StatusBadRequest || r.errorCode() != "invalid" {
		t.Fatalf("POST: %d %s, want 400 invalid", r.status, r.body)
	}
	var body struct {
		Error struct {
			Message string
			Fields  []magi.FieldError
		}
	}
	if err := json.Unmarshal([]byte(r.body), &body); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range body.Error.Fields {
		got = append(got, f.Field)
		if !strings.Contains(body.Error.Message, f.Field+": "+f.Message) {
			t.Errorf("the message does not list %s: %s", f.Field, f.Message)
		}
	}
	want := []string{"agents.casper.model", "agents.casper.temperature", "agents.casper.base_url", "agents.caspar", "agents.solomon.provider"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("fields (-want +got):\n%s\n%s", diff, r.body)
	}
	if got := ps.listed(t, alice); len(got) != 1 {
		t.Errorf("after a refused council the list is %v, want default only", got)
	}
	for _, c := range []struct {
		what, body, ctype string
		want              int
	}{
		{"not JSON", `{"name": `, "", 400},
		{"a list", `[]`, "", 400},
		{"too big", `{"name": "x", "agents": {"casper": {"persona": "` + strings.Repeat("x", 130<<10) + `"}}}`, "", 413},
		{"not JSON at all", `name: x`, "text/yaml", 415},
	} {
		var r reply
		if c.ctype != "" {
			r = ps.do(t, "POST", "/api/councils", alice, c.body, "Content-Type", c.ctype)
		} else {
			r = ps.do(t, "POST", "/api/councils", alice, c.body)
		}
		if r.status != c.want {
			t.Errorf("%s: %d %s, want %d", c.what, r.status, truncated(r.body), c.want)
		}
	}
	// PUT checks as POST does, and keeps the council as it was.
	if r := ps.do(t, "POST", "/api/councils", alice, frugal); r.status != http.StatusCreated {
		t.Fatal(r.body)
	}
	if r := ps.do(t, "PUT", "/api/councils/frugal", alice, `{"name": "thrifty"}`); r.status != http.StatusBadRequest || !strings.Contains(r.body, `"field":"name"`) {
		t.Errorf("PUT under another name: %d %s", r.status, r.body)
	}
	if d := ps.do(t, "GET", "/api/councils/frugal", alice, "").council(t); d.Rule != "unanimous" {
		t.Errorf("a refused PUT changed the council: %+v", d)
	}
}

func truncated(s string) string {
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}

// TestCouncils_Deliberate: a question put to a saved council sends each
// agent its persona and model, deliberates by the council's rule, and
// keeps the council's snapshot, which stays as it was after the council
// is edited or deleted.
func TestCouncils_Deliberate(t *testing.T) {
	rec := &recording{}
	ps := councilServer(t, rec)
	_, alice := ps.addKey(t, "alice", false)
	_, bob := ps.addKey(t, "bob", false)
	if r := ps.do(t, "POST", "/api/councils", alice, frugal); r.status != http.StatusCreated {
		t.Fatal(r.body)
	}
	saved := ps.do(t, "GET", "/api/councils/frugal", alice, "").council(t)

	first := ps.ask(t, alice, `{"question": "Buy the new printer?", "council": "frugal"}`)
	models := map[magi.AgentID]string{magi.Melchior: "sim-2", magi.Balthasar: "sim-2", magi.Casper: "sim-3", magi.Solomon: "sim-3"}
	for id, model := range models {
		req := rec.last(t, id)
		persona := saved.Agents[string(id)]["persona"].(string)
		if req.Model != model || !strings.HasPrefix(req.System, persona) || !strings.Contains(req.System, `"decision"`) {
			t.Errorf("%s was asked with model %q and system %q; want %s and its persona, with the verdict instruction", id, req.Model, req.System, model)
		}
	}
	if m := rec.last(t, magi.Melchior); m.Temperature == nil || *m.Temperature != 0.2 {
		t.Errorf("MELCHIOR's temperature: %v, want 0.2", m.Temperature)
	}
	if c := rec.last(t, magi.Casper); c.MaxTokens != 900 {
		t.Errorf("CASPER's max tokens: %d, want 900", c.MaxTokens)
	}
	rec1 := ps.record(t, alice, first)
	if rec1.Rule != magi.Unanimous || rec1.MaxRounds != 1 {
		t.Errorf("record rule %s, max rounds %d; want the council's unanimous, 1", rec1.Rule, rec1.MaxRounds)
	}
	if diff := cmp.Diff(saved.Snapshot, rec1.Council); diff != "" {
		t.Errorf("the record's council, against the council's own snapshot (-want +got):\n%s", diff)
	}
	if h := ps.historyCouncils(t, alice); h[first] != "frugal" {
		t.Errorf("history: %v, want %s named frugal", h, first)
	}

	// Edited: the next deliberation uses the new persona; the first
	// record keeps what it was asked with.
	edited := strings.Replace(frugal, "Count every cost.", "Count every yen.", 1)
	if r := ps.do(t, "PUT", "/api/councils/frugal", alice, edited); r.status != http.StatusOK {
		t.Fatal(r.body)
	}
	second := ps.ask(t, alice, `{"question": "Buy the new printer now?", "council": "frugal"}`)
	if req := rec.last(t, magi.Melchior); !strings.HasPrefix(req.System, "You are the accountant. Count every yen.") {
		t.Errorf("after the edit MELCHIOR was asked with %q", req.System)
	}
	rec2 := ps.record(t, alice, second)
	if rec2.Council.Agents[0].PersonaSHA256 == rec1.Council.Agents[0].PersonaSHA256 ||
		rec2.Council.Agents[1].PersonaSHA256 != rec1.Council.Agents[1].PersonaSHA256 {
		t.Errorf("persona hashes: first %+v, second %+v; want MELCHIOR's changed, BALTHASAR's the same", rec1.Council.Agents[:2], rec2.Council.Agents[:2])
	}
	if again := ps.record(t, alice, first); !cmp.Equal(again.Council, rec1.Council) {
		t.Errorf("the first record's council changed with the council: %+v", again.Council)
	}

	// Another key cannot use alice's council; nobody can use one that is
	// not there; and once deleted, its records still say what it was.
	for _, c := range []struct{ who, key, body string }{
		{"bob", bob, `{"question": "q", "council": "frugal"}`},
		{"alice", alice, `{"question": "q", "council": "nope"}`},
		{"alice", alice, `{"question": "q", "council": "Not A Name"}`},
	} {
		if r := ps.do(t, "POST", "/api/deliberations", c.key, c.body); r.status != http.StatusBadRequest || r.errorCode() != "invalid" {
			t.Errorf("%s asks %s: %d %s, want 400", c.who, c.body, r.status, r.body)
		}
	}
	if r := ps.do(t, "DELETE", "/api/councils/frugal", alice, ""); r.status != http.StatusNoContent {
		t.Fatal(r.body)
	}
	if r := ps.do(t, "POST", "/api/deliberations", alice, `{"question": "q", "council": "frugal"}`); r.status != http.StatusBadRequest {
		t.Errorf("a deleted council: %d", r.status)
	}
	if again := ps.record(t, alice, second); !cmp.Equal(again.Council, rec2.Council) || again.Council.Name != "frugal" {
		t.Errorf("after the council's deletion the record's council is %+v", again.Council)
	}
	// The built-in council may be named, or left out.
	third := ps.ask(t, alice, `{"question": "q", "council": "default"}`)
	if c := ps.record(t, alice, third).Council; c == nil || c.Name != "default" || c.Agents[0].Model != "sim-1" {
		t.Errorf("the default council's snapshot: %+v", c)
	}
}

// TestCouncils_Invocations: the AgentCore route takes a council too.
func TestCouncils_Invocations(t *testing.T) {
	rec := &recording{}
	ps := councilServer(t, rec)
	if r := ps.do(t, "POST", "/api/councils", "", frugal); r.status != http.StatusCreated {
		t.Fatal(r.body)
	}
	r := ps.do(t, "POST", "/invocations", "", `{"prompt": "Buy it?", "council": "frugal"}`)
	if r.status != http.StatusOK || !strings.Contains(r.body, `"council":{"name":"frugal"`) || !strings.Contains(r.body, `"type":"complete"`) {
		t.Fatalf("/invocations: %d %s", r.status, truncated(r.body))
	}
	if req := rec.last(t, magi.Casper); req.Model != "sim-3" {
		t.Errorf("CASPER's model: %q", req.Model)
	}
}

// TestCouncils_NoLongerFits: a council stored under an older
// configuration (here a model since taken off the allow-list) says so
// when read, and cannot deliberate: 400 naming the field.
func TestCouncils_NoLongerFits(t *testing.T) {
	ps := councilServer(t, &recording{})
	stale := magi.SavedCouncil{Name: "stale", Doc: []byte(`{"name":"stale","agents":{"casper":{"model":"sim-9"}}}`)}
	if err := ps.store.CreateCouncil(t.Context(), stale); err != nil {
		t.Fatal(err)
	}
	d := ps.do(t, "GET", "/api/councils/stale", "", "").council(t)
	if d.Snapshot != nil || len(d.Problems) != 1 || d.Problems[0].Field != "agents.casper.model" {
		t.Errorf("the stale council: %+v", d)
	}
	r := ps.do(t, "POST", "/api/deliberations", "", `{"question": "q", "council": "stale"}`)
	if r.status != http.StatusBadRequest || !strings.Contains(r.body, "no longer fits") || !strings.Contains(r.body, `"field":"agents.casper.model"`) {
		t.Errorf("asking the stale council: %d %s", r.status, r.body)
	}
}

// TestCouncils_Providers: what a council may choose.
func TestCouncils_Providers(t *testing.T) {
	ps := councilServer(t, &recording{})
	r := ps.do(t, "GET", "/api/providers", "", "")
	want := `{"providers":[{"name":"sim","models":["sim-1","sim-2","sim-3"],"restricted":true,"default_model":"sim-1"}]}`
	if r.status != http.StatusOK || strings.TrimSpace(r.body) != want {
		t.Errorf("GET /api/providers: %d %s, want %s", r.status, r.body, want)
	}
}

// TestCouncils_NotKept: a server without saved councils says so, and a
// question may still name the built-in one.
func TestCouncils_NotKept(t *testing.T) {
	ps := newPrivServer(t, privOptions{})
	if r := ps.do(t, "GET", "/api/councils", "", ""); r.status != http.StatusNotFound {
		t.Errorf("GET /api/councils: %d", r.status)
	}
	if r := ps.do(t, "POST", "/api/deliberations", "", `{"question": "q", "council": "frugal"}`); r.status != http.StatusBadRequest {
		t.Errorf("a saved council: %d", r.status)
	}
	if r := ps.do(t, "POST", "/api/deliberations", "", `{"question": "q", "council": "default"}`); r.status != http.StatusAccepted {
		t.Errorf("the built-in council: %d %s", r.status, r.body)
	}
}

// ask starts a deliberation as key, waits for its end and returns its id.
func (ps *privServer) ask(t *testing.T, key, body string) string {
	t.Helper()
	r := ps.do(t, "POST", "/api/deliberations", key, body)
	if r.status != http.StatusAccepted {
		t.Fatalf("ask %s: %d %s", body, r.status, r.body)
	}
	var v struct{ ID string }
	_ = json.Unmarshal([]byte(r.body), &v)
	ps.finish(t, key, v.ID)
	return v.ID
}

func (ps *privServer) record(t *testing.T, key, id string) magi.Record {
	t.Helper()
	r := ps.do(t, "GET", "/api/deliberations/"+id, key, "")
	var rec magi.Record
	if err := json.Unmarshal([]byte(r.body), &rec); err != nil || r.status != http.StatusOK {
		t.Fatalf("record %s: %d %s", id, r.status, r.body)
	}
	return rec
}

// historyCouncils maps the ids of key's history to their councils.
func (ps *privServer) historyCouncils(t *testing.T, key string) map[string]string {
	t.Helper()
	var page magi.Page
	if err := json.Unmarshal([]byte(ps.do(t, "GET", "/api/deliberations", key, "").body), &page); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, s := range page.Items {
		out[s.ID] = s.Council
	}
	return out
}

var (
	_ server.CouncilChecker = (*config.Config)(nil)
	_ magi.CouncilStore     = (*sqlite.DB)(nil)
)

// TestCouncils_Abuse: malformed names and bodies on every council route,
// on both stores, are refused at the edge (404, 400, 413, 415): never a
// 500, and nothing is saved.
func TestCouncils_Abuse(t *testing.T) {
	eachStore(t, func(t *testing.T, st keyStore) {
		ps := newPrivServer(t, privOptions{store: st, cfg: councilConfig(t), provider: &recording{}})
		_, alice := ps.addKey(t, "alice", false)
		for _, name := range []string{"%00", "a%00b", "%ff", "%c3%28", "%ed%a0%80", "Frugal", "fru%20gal", "a%2Fb", strings.Repeat("a", 65), strings.Repeat("a", 3000)} {
			for _, method := range []string{"GET", "PUT", "DELETE"} {
				body := ""
				if method == "PUT" {
					body = `{}`
				}
				if r := ps.do(t, method, "/api/councils/"+name, alice, body); r.status != http.StatusNotFound || r.errorCode() != "not_found" {
					t.Errorf("%s /api/councils/%.40s: %d %s, want 404", method, name, r.status, truncated(r.body))
				}
			}
		}
		for _, c := range []struct {
			what, body string
			header     []string
			want       int
		}{
			{"a NUL in a persona", `{"name": "x", "agents": {"casper": {"persona": "a\u0000b"}}}`, nil, 400},
			{"a lone surrogate", `{"name": "x", "agents": {"casper": {"persona": "\ud800"}}}`, nil, 400},
			{"invalid UTF-8", "{\"name\": \"x\", \"agents\": {\"casper\": {\"persona\": \"\xff\"}}}", nil, 400},
			{"a NUL in a name", `{"name": "x\u0000"}`, nil, 400},
			{"a name of other letters", `{"name": "ｆｒｕｇａｌ"}`, nil, 400},
			{"compressed", `{"name": "x"}`, []string{"Content-Encoding", "gzip"}, 415},
			{"latin-1", `{"name": "x"}`, []string{"Content-Type", "application/json; charset=latin-1"}, 415},
			{"not JSON", `name: x`, nil, 400},
			{"a number", `7`, nil, 400},
			{"null", `null`, nil, 400},
			{"deeply nested", strings.Repeat("[", 5000) + strings.Repeat("]", 5000), nil, 400},
			{"too big", `{"name": "x", "x": "` + strings.Repeat("a", 200<<10) + `"}`, nil, 413},
		} {
			if r := ps.do(t, "POST", "/api/councils", alice, c.body, c.header...); r.status != c.want {
				t.Errorf("POST /api/councils with %s: %d %s, want %d", c.what, r.status, truncated(r.body), c.want)
			}
		}
		for _, body := range []string{`{"question": "q", "council": "x\u0000"}`, `{"question": "q", "council": 7}`,
			`{"question": "q", "council": "` + strings.Repeat("a", 3000) + `"}`, `{"question": "q", "council": "../default"}`} {
			if r := ps.do(t, "POST", "/api/deliberations", alice, body); r.status != http.StatusBadRequest {
				t.Errorf("POST /api/deliberations %.60s: %d %s, want 400", body, r.status, truncated(r.body))
			}
		}
		if got := ps.listed(t, alice); len(got) != 1 {
			t.Errorf("after the abuse the councils are %v, want default only", got)
		}
	})
}
