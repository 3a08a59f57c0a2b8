package config

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/magi-system/magi"
)

// serverConfig is the configuration councils are checked against in these
// tests: every agent on openai llama3.2 (MELCHIOR with a sim fallback),
// anthropic without a key (so not offered), openai restricted to three
// models, sim offered.
func serverConfig(t *testing.T) *Config {
	t.Helper()
	path := writeAgents(t, "defaults: {provider: openai, model: llama3.2}\n"+
		"agents:\n  melchior:\n    fallbacks: [{provider: sim}]\n")
	c, err := Load(Flags{ConfigPath: path}, env("OPENAI_BASE_URL", "http://127.0.0.1:1/v1",
		"MAGI_ALLOWED_MODELS_OPENAI", "llama3.2, qwen2.5,gpt-4o-mini"))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// fieldErrors returns the field errors of err, which must be an EINVALID
// *magi.Error whose message lists every one of them.
func fieldErrors(t *testing.T, err error) []magi.FieldError {
	t.Helper()
	var e *magi.Error
	if !errors.As(err, &e) || e.Code != magi.EINVALID {
		t.Fatalf("err = %v (%T), want an EINVALID *magi.Error", err, err)
	}
	for _, f := range e.Fields {
		if !strings.Contains(e.Message, f.Field+": "+f.Message) && !strings.Contains(e.Message, f.Message) {
			t.Errorf("the message %q does not list %s: %s", e.Message, f.Field, f.Message)
		}
	}
	return e.Fields
}

// fields lists "field: message" of each field error.
func fields(fs []magi.FieldError) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Field+": "+f.Message)
	}
	return out
}

// TestParseCouncil_Refused: every mistake of a council is a 400 naming
// its field, every mistake at once, and nothing else.
func TestParseCouncil_Refused(t *testing.T) {
	long := strings.Repeat("x", MaxPersonaBytes+1)
	tests := []struct {
		name string
		doc  string
		path string // the name from the URL, if any
		want []string
	}{
		// name
		{"no name", `{}`, "", []string{"name: name is missing: give the council a name of 1 to 64 characters of a-z, 0-9 and -"}},
		{"bad name", `{"name": "Frugal Board"}`, "", []string{`name: the council name "Frugal Board" may only use a-z, 0-9 and -`}},
		{"name too long", `{"name": "` + strings.Repeat("a", 65) + `"}`, "", []string{"name: a council name is 1 to 64 characters of a-z, 0-9 and -, not 65"}},
		{"name default", `{"name": "default"}`, "", []string{`name: "default" is the built-in council (the server's agents file): choose another name`}},
		{"name differs from the URL", `{"name": "frugal"}`, "thrifty", []string{`name: the document names the council "frugal", not "thrifty": remove name or make them the same`}},
		{"name not text", `{"name": {"first": "x"}}`, "", []string{"name: must be text, not a mapping"}},
		// agents and providers
		{"unknown agent", `{"name": "x", "agents": {"caspar": {"temperature": 0.1}}}`, "",
			[]string{"agents.caspar: unknown agent: use one of melchior, balthasar, casper, solomon"}},
		{"unknown provider", `{"name": "x", "agents": {"casper": {"provider": "opena", "model": "llama3.2"}}}`, "",
			[]string{`agents.casper.provider: unknown provider "opena": use one of anthropic, bedrock, openai, sim`}},
		{"provider the server lacks", `{"name": "x", "agents": {"casper": {"provider": "anthropic", "model": "claude-sonnet-4-5"}}}`, "",
			[]string{`agents.casper.provider: provider "anthropic" is not available on this server: use one of openai, sim`}},
		{"model outside the allow-list", `{"name": "x", "agents": {"casper": {"model": "gpt-5"}}}`, "",
			[]string{`agents.casper.model: model "gpt-5" is not allowed for openai on this server: use one of llama3.2, qwen2.5, gpt-4o-mini`}},
		{"defaults model outside the allow-list, said once", `{"name": "x", "defaults": {"model": "gpt-5"}}`, "",
			[]string{`defaults.model: model "gpt-5" is not allowed for openai on this server: use one of llama3.2, qwen2.5, gpt-4o-mini`}},
		{"provider without a model", `{"name": "x", "agents": {"solomon": {"provider": "bedrock"}}}`, "",
			[]string{`agents.solomon.provider: provider "bedrock" needs a model: add model: <id> next to it`}},
		{"fallback model outside the allow-list", `{"name": "x", "agents": {"casper": {"fallbacks": [{"provider": "sim"}, {"provider": "openai", "model": "gpt-5"}]}}}`, "",
			[]string{`agents.casper.fallbacks[1].model: model "gpt-5" is not allowed for openai on this server: use one of llama3.2, qwen2.5, gpt-4o-mini`}},
		{"fallback provider unknown", `{"name": "x", "agents": {"casper": {"fallbacks": [{"provider": "nope", "model": "m"}]}}}`, "",
			[]string{`agents.casper.fallbacks[0]: unknown provider "nope": use one of anthropic, bedrock, openai, sim`}},
		{"fallback provider the server lacks", `{"name": "x", "agents": {"casper": {"fallbacks": [{"provider": "bedrock", "model": "m"}]}}}`, "",
			[]string{`agents.casper.fallbacks[0].provider: provider "bedrock" is not available on this server: use one of openai, sim`}},
		{"too many fallbacks", `{"name": "x", "agents": {"casper": {"fallbacks": [{"provider": "sim"}, {"provider": "sim"}, {"provider": "sim"}, {"provider": "sim"}, {"provider": "sim"}]}}}`, "",
			[]string{"agents.casper.fallbacks: 5 fallbacks: the limit is 4"}},
		// models
		{"empty model", `{"name": "x", "agents": {"melchior": {"model": ""}}}`, "",
			[]string{"agents.melchior.model: model is empty: set it to a model id of the provider, like llama3.2 or claude-sonnet-4-5"}},
		{"model too long", `{"name": "x", "agents": {"melchior": {"provider": "sim", "model": "` + strings.Repeat("m", 257) + `"}}}`, "",
			[]string{"agents.melchior.model: model is 257 bytes; the limit is 256"}},
		{"model with a space", `{"name": "x", "agents": {"melchior": {"provider": "sim", "model": "sim 1"}}}`, "",
			[]string{`agents.melchior.model: model "sim 1" is not a model id: no spaces or control characters`}},
		// personas
		{"persona too long", `{"name": "x", "agents": {"melchior": {"persona": "` + long + `"}}}`, "",
			[]string{"agents.melchior.persona: persona is 8193 bytes; the limit is 8192 (8 KB): shorten it"}},
		{"persona with a control character", `{"name": "x", "agents": {"melchior": {"persona": "a\u0000b"}}}`, "",
			[]string{"agents.melchior.persona: persona holds control characters: use text, new lines and tabs only"}},
		{"persona empty", `{"name": "x", "agents": {"melchior": {"persona": " "}}}`, "",
			[]string{"agents.melchior.persona: persona is empty: write one, or remove the key to keep the built-in persona"}},
		{"persona in defaults", `{"name": "x", "defaults": {"persona": "You are all the same."}}`, "",
			[]string{"defaults.persona: persona is per agent: move it under agents.<id>"}},
		// parameters
		{"temperature out of range", `{"name": "x", "agents": {"casper": {"temperature": 2.5}}}`, "",
			[]string{"agents.casper.temperature: temperature 2.5 is out of range: use 0 to 2"}},
		{"temperature negative", `{"name": "x", "defaults": {"temperature": -0.1}}`, "",
			[]string{"defaults.temperature: temperature -0.1 is out of range: use 0 to 2"}},
		{"temperature not a number", `{"name": "x", "agents": {"casper": {"temperature": "hot"}}}`, "",
			[]string{`agents.casper.temperature: "hot" must be a number`}},
		{"max_tokens zero", `{"name": "x", "agents": {"casper": {"max_tokens": 0}}}`, "",
			[]string{"agents.casper.max_tokens: max_tokens 0 is out of range: use 1 to 1000000"}},
		{"max_tokens too many", `{"name": "x", "agents": {"casper": {"max_tokens": 1000001}}}`, "",
			[]string{"agents.casper.max_tokens: max_tokens 1000001 is out of range: use 1 to 1000000"}},
		{"max_tokens not whole", `{"name": "x", "agents": {"casper": {"max_tokens": 1.5}}}`, "",
			[]string{`agents.casper.max_tokens: "1.5" must be a whole number`}},
		{"timeout without a unit", `{"name": "x", "agents": {"casper": {"timeout": 30}}}`, "",
			[]string{`agents.casper.timeout: timeout "30" is not a duration: write it with a unit, like 90s or 2m`}},
		{"timeout out of range", `{"name": "x", "agents": {"casper": {"timeout": "2h"}}}`, "",
			[]string{"agents.casper.timeout: timeout 2h0m0s is out of range: use 1s to 1h, like 90s"}},
		{"rule unknown", `{"name": "x", "rule": "vote"}`, "", []string{`rule: rule "vote": use majority, unanimous or judge`}},
		{"rounds out of range", `{"name": "x", "rounds": 6}`, "", []string{"rounds: rounds 6: use a number of rounds from 1 to 5 (1: no debate)"}},
		// what a council can never carry
		{"an address", `{"name": "x", "agents": {"casper": {"base_url": "http://evil.example/v1"}}}`, "",
			[]string{`agents.casper.base_url: unknown key "base_url": a council cannot carry an address or a credential; it chooses among the providers this server has (use one of provider, model, persona, temperature, max_tokens, timeout, fallbacks)`}},
		{"a key", `{"name": "x", "api_key": "sk-123"}`, "",
			[]string{`api_key: unknown key "api_key": a council cannot carry an address or a credential; it chooses among the providers this server has (use one of name, rule, rounds, defaults, agents)`}},
		{"an endpoint in a fallback", `{"name": "x", "agents": {"casper": {"fallbacks": [{"provider": "openai", "model": "llama3.2", "endpoint": "http://x"}]}}}`, "",
			[]string{`agents.casper.fallbacks[0].endpoint: unknown key "endpoint": a council cannot carry an address or a credential; it chooses among the providers this server has (use one of provider, model)`}},
		{"the server's prices", `{"name": "x", "prices": {"m": {"input": 0, "output": 0}}}`, "",
			[]string{`prices: "prices" is a setting of the server's agents file, not of a council`}},
		{"the server's allow-list", `{"name": "x", "allowed_models": {"openai": ["gpt-5"]}}`, "",
			[]string{`allowed_models: "allowed_models" is a setting of the server's agents file, not of a council`}},
		{"a typo", `{"name": "x", "agents": {"casper": {"modle": "qwen2.5"}}}`, "",
			[]string{`agents.casper.modle: unknown key "modle": use one of provider, model, persona, temperature, max_tokens, timeout, fallbacks`}},
		// the document itself
		{"a list, not an object", `[]`, "x", []string{": must be an object of keys, not a list"}},
		{"agents not an object", `{"name": "x", "agents": ["casper"]}`, "", []string{"agents: must be an object of keys, not a list"}},
		{"everything at once, in document order",
			`{"name": "Bad", "rule": "vote", "agents": {"melchior": {"temperature": 3, "persona": "` + long + `"},
			"casper": {"provider": "anthropic", "model": "x", "url": "http://x"}, "solomon": {"model": "gpt-5", "timeout": "1ms"}}}`, "",
			[]string{
				`name: the council name "Bad" may only use a-z, 0-9 and -`,
				`rule: rule "vote": use majority, unanimous or judge`,
				"agents.melchior.temperature: temperature 3 is out of range: use 0 to 2",
				"agents.melchior.persona: persona is 8193 bytes; the limit is 8192 (8 KB): shorten it",
				`agents.casper.provider: provider "anthropic" is not available on this server: use one of openai, sim`,
				`agents.casper.url: unknown key "url": a council cannot carry an address or a credential; it chooses among the providers this server has (use one of provider, model, persona, temperature, max_tokens, timeout, fallbacks)`,
				`agents.solomon.model: model "gpt-5" is not allowed for openai on this server: use one of llama3.2, qwen2.5, gpt-4o-mini`,
				"agents.solomon.timeout: timeout 1ms is out of range: use 1s to 1h, like 90s",
			}},
	}
	c := serverConfig(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := c.ParseCouncil([]byte(tt.doc), tt.path)
			if err == nil {
				t.Fatalf("ParseCouncil accepted it: %s", k.JSON())
			}
			if diff := cmp.Diff(tt.want, fields(fieldErrors(t, err))); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

// TestParseCouncil_NotJSON: a body that is not one JSON object is one
// problem, said without echoing it.
func TestParseCouncil_NotJSON(t *testing.T) {
	c := serverConfig(t)
	for _, doc := range []string{`{"name": "x"`, `{"name": "x"} {}`, `nonsense`, ``, `{"name": "x", "name": "y"}`} {
		_, err := c.ParseCouncil([]byte(doc), "")
		if magi.ErrorCode(err) != magi.EINVALID {
			t.Errorf("ParseCouncil(%q) = %v, want EINVALID", doc, err)
		}
	}
}

// TestParseCouncil_Resolves: a council is laid over the server's agents
// as the agents file is laid over the built-in ones; an agent it leaves
// out keeps the server's.
func TestParseCouncil_Resolves(t *testing.T) {
	c := serverConfig(t)
	k, err := c.ParseCouncil([]byte(`{"name": "frugal", "rule": "unanimous", "rounds": 3,
		"defaults": {"temperature": 0.5},
		"agents": {
			"melchior": {"persona": "You are the accountant. Count the cost.", "model": "qwen2.5", "max_tokens": 1500, "timeout": "90s"},
			"casper": {"provider": "sim", "temperature": 0.9, "fallbacks": []},
			"solomon": {"persona": "Judge by value for money.\n\nEnd with {\"decision\": ...}."}}}`), "")
	if err != nil {
		t.Fatal(err)
	}
	p := k.Preset()
	if p.Name != "frugal" || p.Rule != magi.Unanimous || p.Rounds != 3 || len(p.Agents) != 4 {
		t.Fatalf("preset %q rule %s rounds %d, %d agents", p.Name, p.Rule, p.Rounds, len(p.Agents))
	}
	def := map[magi.AgentID]magi.Agent{}
	for _, a := range magi.DefaultAgents() {
		def[a.ID] = a
	}
	half, nine := 0.5, 0.9
	want := []magi.Agent{
		{ID: magi.Melchior, Name: "MELCHIOR-1", Provider: "openai", Model: "qwen2.5", Temperature: &half, MaxTokens: 1500,
			Timeout: 90 * time.Second, Persona: "You are the accountant. Count the cost." + formatInstruction(magi.Melchior),
			Fallbacks: []magi.ModelRef{{Provider: "sim", Model: "sim-1"}}},
		{ID: magi.Balthasar, Name: "BALTHASAR-2", Provider: "openai", Model: "llama3.2", Temperature: &half,
			Timeout: magi.DefaultSageTimeout, Persona: def[magi.Balthasar].Persona},
		{ID: magi.Casper, Name: "CASPER-3", Provider: "sim", Model: "sim-1", Temperature: &nine,
			Timeout: magi.DefaultSageTimeout, Persona: def[magi.Casper].Persona, Fallbacks: []magi.ModelRef{}},
		{ID: magi.Solomon, Name: "SOLOMON", Provider: "openai", Model: "llama3.2", Temperature: &half,
			Timeout: magi.DefaultJudgeTimeout, Persona: "Judge by value for money.\n\nEnd with {\"decision\": ...}."},
	}
	if diff := cmp.Diff(want, p.Agents); diff != "" {
		t.Errorf("agents (-want +got):\n%s", diff)
	}
	// The server's own agents are untouched.
	if a, _ := c.Agent(magi.Melchior); a.Model != "llama3.2" || a.Temperature != nil {
		t.Errorf("the server's MELCHIOR changed: %+v", a)
	}
	// The document kept is what the council set, an empty list of
	// fallbacks included, and reads back to the same council.
	again, err := c.ParseCouncil(k.JSON(), "frugal")
	if err != nil {
		t.Fatalf("its own document: %v\n%s", err, k.JSON())
	}
	if diff := cmp.Diff(p, again.Preset()); diff != "" {
		t.Errorf("read back (-want +got):\n%s", diff)
	}
	if !strings.Contains(string(k.JSON()), `"fallbacks":[]`) {
		t.Errorf("the document lost the empty list of fallbacks: %s", k.JSON())
	}
}

// TestReadCouncil_YAML: the agents file's YAML is the council format; its
// problems name the file, the line and the field.
func TestReadCouncil_YAML(t *testing.T) {
	c := serverConfig(t)
	k, err := c.ReadCouncil("frugal.yaml", []byte("rule: judge\nagents:\n  casper:\n    persona: |\n      You count the cost.\n    model: qwen2.5\n"), "frugal")
	if err != nil {
		t.Fatal(err)
	}
	if p := k.Preset(); p.Name != "frugal" || p.Rule != magi.Judge || p.Agents[2].Model != "qwen2.5" || !strings.HasPrefix(p.Agents[2].Persona, "You count the cost.") {
		t.Errorf("preset %+v", p)
	}
	if y := string(k.YAML()); !strings.Contains(y, "name: frugal") || !strings.Contains(y, "persona: |") {
		t.Errorf("YAML:\n%s", y)
	}
	_, err = c.ReadCouncil("bad.yaml", []byte("agents:\n  casper:\n    model: gpt-5\n    temperature: 7\n    base_url: http://x\n"), "bad")
	var e *magi.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v", err)
	}
	want := "the council in bad.yaml has 3 problems:\nbad.yaml:3: agents.casper.model: model \"gpt-5\" is not allowed for openai on this server: use one of llama3.2, qwen2.5, gpt-4o-mini\n" +
		"bad.yaml:4: agents.casper.temperature: temperature 7 is out of range: use 0 to 2\n" +
		"bad.yaml:5: agents.casper.base_url: unknown key \"base_url\": a council cannot carry an address or a credential; it chooses among the providers this server has (use one of provider, model, persona, temperature, max_tokens, timeout, fallbacks)"
	if diff := cmp.Diff(want, e.Message); diff != "" {
		t.Errorf("message (-want +got):\n%s", diff)
	}
}

// TestDefaultCouncil: the built-in council is the server's agents, and its
// document makes the same council again.
func TestDefaultCouncil(t *testing.T) {
	c := serverConfig(t)
	d := c.DefaultCouncil()
	if d.Name() != magi.DefaultCouncil || len(d.Preset().Agents) != 4 {
		t.Fatalf("default: %q, %d agents", d.Name(), len(d.Preset().Agents))
	}
	doc := strings.Replace(string(d.JSON()), `"name":"default"`, `"name":"copy"`, 1)
	k, err := c.ParseCouncil([]byte(doc), "")
	if err != nil {
		t.Fatalf("the default's document: %v\n%s", err, doc)
	}
	if diff := cmp.Diff(c.Agents, k.Preset().Agents); diff != "" {
		t.Errorf("a copy of the default (-want +got):\n%s", diff)
	}
	if strings.Contains(doc, "Think it through in prose first") {
		t.Errorf("the default's personas carry the verdict instruction: %s", doc)
	}
}

// TestOffer: the providers a council may choose and their models.
func TestOffer(t *testing.T) {
	tests := []struct {
		name string
		env  func(string) string
		file string
		want []magi.ProviderOffer
	}{
		{"sim only", env(), "", []magi.ProviderOffer{{Name: "sim", Models: []string{"sim-1"}, DefaultModel: "sim-1"}}},
		{"credentials make a provider available", env("OPENAI_BASE_URL", "http://x/v1", "ANTHROPIC_API_KEY", "k"), "",
			[]magi.ProviderOffer{
				{Name: "anthropic", Models: []string{"claude-sonnet-4-5"}, DefaultModel: "claude-sonnet-4-5"},
				{Name: "openai", Models: []string{"gpt-4o-mini"}, DefaultModel: "gpt-4o-mini"},
				{Name: "sim", Models: []string{"sim-1"}, DefaultModel: "sim-1"}}},
		{"the server's models are suggested", env("OPENAI_BASE_URL", "http://x/v1", "MAGI_PROVIDER", "openai", "MAGI_MODEL", "llama3.2"), "",
			[]magi.ProviderOffer{
				{Name: "openai", Models: []string{"llama3.2", "gpt-4o-mini"}, DefaultModel: "gpt-4o-mini"},
				{Name: "sim", Models: []string{"sim-1"}, DefaultModel: "sim-1"}}},
		{"an allow-list from the environment; none takes sim away", env("OPENAI_API_KEY", "k", "MAGI_ALLOWED_MODELS_OPENAI", "a,b", "MAGI_ALLOWED_MODELS_SIM", "none"), "",
			[]magi.ProviderOffer{{Name: "openai", Models: []string{"a", "b"}, Restricted: true, DefaultModel: "a"}}},
		{"the file's list replaces the environment's", env("OPENAI_API_KEY", "k", "MAGI_ALLOWED_MODELS_OPENAI", "a,b"),
			"allowed_models:\n  openai: [c]\n  sim: []\n",
			[]magi.ProviderOffer{{Name: "openai", Models: []string{"c"}, Restricted: true, DefaultModel: "c"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			flags := Flags{}
			if tt.file != "" {
				flags.ConfigPath = writeAgents(t, tt.file)
			}
			c, err := Load(flags, tt.env)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, c.Offer()); diff != "" {
				t.Errorf("Offer (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoad_AllowedModelsErrors(t *testing.T) {
	path := writeAgents(t, "allowed_models:\n  opena: [x]\n  openai: [\"\", y]\n")
	_, err := Load(Flags{ConfigPath: path}, env())
	msg := wantConfigError(t, err)
	for _, want := range []string{
		`:2: allowed_models: unknown provider "opena": use one of anthropic, bedrock, openai, sim`,
		`:3: allowed_models: openai: a model id is empty: list model ids, like [llama3.2, qwen2.5], or [] to offer no model of openai`,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
}
