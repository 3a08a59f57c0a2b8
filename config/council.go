package config

import (
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/magi-system/magi"
	"go.yaml.in/yaml/v3"
)

// councilDoc is a saved council: the settings an agents file gives its
// council (rule, rounds, defaults, agents), with a name. Nothing else: no
// prices, no endpoint, no credential.
type councilDoc struct {
	Name            *string `yaml:"name,omitempty" json:"name,omitempty"`
	councilSettings `yaml:",inline"`
}

// Council is a saved council, checked against the server's configuration:
// its document and the agents, rule and rounds it resolves to.
type Council struct {
	doc    councilDoc
	preset magi.Preset
}

// Name is the council's name.
func (k *Council) Name() string { return k.preset.Name }

// Preset is the council resolved for a deliberation: every agent of the
// server, with the council's settings laid over it as the agents file's
// are laid over the built-in ones.
func (k *Council) Preset() *magi.Preset {
	p := k.preset
	p.Agents = slices.Clone(p.Agents)
	return &p
}

// JSON is the council's document, as the API sends and the stores keep
// it: only what the council sets, with its name.
func (k *Council) JSON() []byte {
	b, err := json.Marshal(k.doc)
	if err != nil {
		panic(err) // strings, numbers and durations always encode
	}
	return b
}

// YAML is the council's document in the agents file's YAML.
func (k *Council) YAML() []byte {
	b, err := yaml.Marshal(k.doc)
	if err != nil {
		panic(err)
	}
	return b
}

// ParseCouncil parses and checks a council document in JSON (the agents
// file's format with a name), against the server's providers, the
// allow-lists of models and a council's limits. name is the council's
// name from elsewhere (a URL, a command line): the document may then
// leave it out; "" when the document must name itself. Any mistake is an
// EINVALID *magi.Error listing every problem with its field.
func (c *Config) ParseCouncil(data []byte, name string) (*Council, error) {
	y, err := jsonToYAML(data)
	if err != nil {
		return nil, magi.Errorf(magi.EINVALID, "the council is not a JSON object: %v", plainJSON(err))
	}
	return c.council("", y, name)
}

// ReadCouncil parses and checks a council in the agents file's YAML, read
// from path (for messages), as ParseCouncil does.
func (c *Config) ReadCouncil(path string, data []byte, name string) (*Council, error) {
	return c.council(path, data, name)
}

// CheckCouncil checks the council document doc (JSON) named name ("": it
// names itself) and returns what it resolves to and its document as it
// is kept (for the server).
func (c *Config) CheckCouncil(doc []byte, name string) (*magi.Preset, []byte, error) {
	k, err := c.ParseCouncil(doc, name)
	if err != nil {
		return nil, nil, err
	}
	return k.Preset(), k.JSON(), nil
}

func (c *Config) council(path string, data []byte, name string) (*Council, error) {
	f := &agentsFile{path: path, council: true}
	k := &Council{}
	f.set = &k.doc.councilSettings
	if bad := f.decode(data, &k.doc); bad != nil {
		return nil, bad.councilErr(f)
	}
	probs := slices.Clone(f.decoded)
	name = f.checkName(&k.doc, name, &probs)
	agents, rule, rounds := c.resolve(f, &probs)
	if err := probs.councilErr(f); err != nil {
		return nil, err
	}
	k.doc.Name = &name
	k.preset = magi.Preset{Name: name, Agents: agents, Rule: rule, Rounds: rounds}
	return k, nil
}

// resolve lays the council of f over the server's agents, rule and
// rounds, through the same layers as the agents file: its defaults, then
// each of its agents. An agent it leaves out keeps the server's.
func (c *Config) resolve(f *agentsFile, probs *problems) ([]magi.Agent, magi.Rule, int) {
	cc := *c
	cc.Sources = map[string]string{} // apply notes sources: not the server's
	layers := f.layers(probs)
	agents := make([]magi.Agent, 0, len(c.Agents))
	for _, base := range c.Agents {
		a := base
		a.Fallbacks = slices.Clone(base.Fallbacks)
		ch := choice{provider: a.Provider, model: a.Model}
		for _, l := range layers {
			if l.agent && l.path[1] != string(a.ID) {
				continue
			}
			cc.apply(&a, &ch, l, f, probs)
		}
		a.Provider, a.Model = ch.provider, ch.model
		c.checkOffer(f, a, ch, probs)
		agents = append(agents, a)
	}
	cc.applyDeliberation(f, probs)
	return agents, cc.Rule, cc.Rounds
}

// DefaultCouncil is the built-in council: the server's own agents, rule
// and rounds, as a document (each persona without the closing verdict
// instruction, which is added to any persona that does not ask for one).
func (c *Config) DefaultCouncil() *Council {
	name := magi.DefaultCouncil
	k := &Council{preset: magi.Preset{Name: name, Agents: slices.Clone(c.Agents), Rule: c.Rule, Rounds: c.Rounds}}
	rule, rounds := string(c.Rule), whole(c.Rounds)
	k.doc = councilDoc{Name: &name, councilSettings: councilSettings{Rule: &rule, Rounds: &rounds, Agents: map[string]agentSettings{}}}
	for _, a := range c.Agents {
		s := agentSettings{Provider: ptr(a.Provider), Model: ptr(a.Model), Temperature: a.Temperature,
			Persona: ptr(strings.TrimRight(strings.TrimSuffix(a.Persona, formatInstruction(a.ID)), "\n")),
			Timeout: ptr(duration(a.Timeout))}
		if a.MaxTokens > 0 {
			s.MaxTokens = ptr(whole(a.MaxTokens))
		}
		for _, r := range a.Fallbacks {
			s.Fallbacks = append(s.Fallbacks, modelRef{Provider: r.Provider, Model: r.Model})
		}
		k.doc.Agents[string(a.ID)] = s
	}
	return k
}

// DefaultCouncilDoc is the built-in council and its document (for the
// server).
func (c *Config) DefaultCouncilDoc() (*magi.Preset, []byte) {
	k := c.DefaultCouncil()
	return k.Preset(), k.JSON()
}

// plainJSON says what is wrong with a JSON document without echoing it.
func plainJSON(err error) string {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return "malformed JSON at byte " + strconv.FormatInt(se.Offset, 10)
	case strings.Contains(err.Error(), "EOF"):
		return "the JSON ends too early"
	}
	return err.Error()
}

func ptr[T any](v T) *T { return &v }
