package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/magi-system/magi"
	"go.yaml.in/yaml/v3"
)

// fileConfig is the agents YAML file: a council's settings, and the
// server's own.
type fileConfig struct {
	councilSettings `yaml:",inline"`
	Prices          map[string]filePrice `yaml:"prices"`
	OIDC            *fileOIDC            `yaml:"oidc"`
	// AllowedModels restricts, per provider, the models a saved council
	// may choose (see offer.go).
	AllowedModels map[string][]string `yaml:"allowed_models"`
	// ContextBytes is the budget of a follow-up's context.
	ContextBytes *int `yaml:"context_bytes"`
}

// councilSettings are the keys an agents file shares with a saved
// council: what the council is.
type councilSettings struct {
	// Rule and Rounds are the defaults of a deliberation that names none.
	Rule     *string                  `yaml:"rule,omitempty" json:"rule,omitempty"`
	Rounds   *whole                   `yaml:"rounds,omitempty" json:"rounds,omitempty"`
	Defaults agentSettings            `yaml:"defaults,omitempty" json:"defaults,omitzero"`
	Agents   map[string]agentSettings `yaml:"agents,omitempty" json:"agents,omitempty"`
}

// agentSettings are the keys of `defaults` and of each `agents.<id>`.
// A nil field is not set.
type agentSettings struct {
	Provider    *string   `yaml:"provider,omitempty" json:"provider,omitempty"`
	Model       *string   `yaml:"model,omitempty" json:"model,omitempty"`
	Persona     *string   `yaml:"persona,omitempty" json:"persona,omitempty"`
	Temperature *float64  `yaml:"temperature,omitempty" json:"temperature,omitempty"`
	MaxTokens   *whole    `yaml:"max_tokens,omitempty" json:"max_tokens,omitempty"`
	Timeout     *duration `yaml:"timeout,omitempty" json:"timeout,omitempty"`
	// Fallbacks replaces the lower layer's list when present, even empty.
	Fallbacks refList `yaml:"fallbacks,omitempty" json:"fallbacks,omitzero"`
}

// refList is a list of fallbacks: an empty list, which clears the lower
// layer's, is written out; only an absent one (nil) is left out.
type refList []modelRef

// IsZero reports whether the list is absent; yaml's omitempty and json's
// omitzero ask.
func (l refList) IsZero() bool { return l == nil }

// modelRef is one entry of `fallbacks`.
type modelRef struct {
	Provider string `yaml:"provider" json:"provider"`
	Model    string `yaml:"model,omitempty" json:"model,omitempty"`
}

// filePrice is one entry of `prices`, USD per million tokens.
type filePrice struct {
	Input  *float64 `yaml:"input"`
	Output *float64 `yaml:"output"`
}

// duration is a YAML duration that must have a unit: a bare `60` would
// otherwise silently mean 60 nanoseconds.
type duration time.Duration

// UnmarshalYAML accepts "90s", "2m", "1m30s". A bad value is a
// *yaml.TypeError, so that the decoder goes on and collects the file's
// other mistakes too.
func (d *duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(n.Value)
	if n.Kind != yaml.ScalarNode || err != nil {
		return &yaml.TypeError{Errors: []string{
			fmt.Sprintf("line %d: timeout %q is not a duration: write it with a unit, like 90s or 2m", n.Line, n.Value)}}
	}
	*d = duration(v)
	return nil
}

// whole is a YAML whole number: 1.5 is refused, where the decoder would
// silently make it 1.
type whole int

// UnmarshalYAML accepts an integer. A number with a fraction is a
// *yaml.TypeError, so that the decoder goes on and collects the file's
// other mistakes too; anything else is the decoder's own type error.
func (w *whole) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!float" {
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: %q must be a whole number", n.Line, n.Value)}}
	}
	var i int
	if err := n.Decode(&i); err != nil {
		return err
	}
	*w = whole(i)
	return nil
}

// MarshalYAML writes the duration as it is read, like "1m30s".
func (d duration) MarshalYAML() (any, error) { return time.Duration(d).String(), nil }

// MarshalJSON writes the duration as a string, like "1m30s".
func (d duration) MarshalJSON() ([]byte, error) {
	return []byte(`"` + time.Duration(d).String() + `"`), nil
}

// allowedKeys names, for each YAML type, the keys it accepts.
var allowedKeys = map[string]string{
	"config.fileConfig": "rule, rounds, context_bytes, defaults, agents, prices, oidc, allowed_models",
	"config.councilDoc": "name, rule, rounds, defaults, agents",
	"config.fileOIDC": "issuer, client_id, client_secret, client_secret_file, redirect_url, audience, scopes, " +
		"groups_claim, admin_groups, admin_emails, allowed_domains, allowed_groups, session_idle, session_max",
	"config.agentSettings": "provider, model, persona, temperature, max_tokens, timeout, fallbacks",
	"config.modelRef":      "provider, model",
	"config.filePrice":     "input, output",
}

// agentsFile is a parsed agents file, or a parsed council, and what is
// needed to point at its lines and fields.
type agentsFile struct {
	path string
	// set are the council's settings: the agents file's or the council's.
	set *councilSettings
	// cfg is the agents file (the zero value for a council).
	cfg fileConfig
	// council is set for a saved council: its limits and the server's
	// offer of providers apply, and problems are named by their field.
	council bool
	root    *yaml.Node
	// decoded holds the mistakes found while decoding: unknown keys and
	// values of the wrong type. badLines are their lines.
	decoded  problems
	badLines map[int]bool
}

// readFile reads and strictly decodes the agents file at path. A file
// that is not YAML is an error; unknown keys and values of the wrong type
// are kept in f.decoded, to be reported with the other mistakes.
func readFile(path string) (*agentsFile, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &magi.Error{Code: magi.ECONFIG, Err: err,
			Message: fmt.Sprintf("config file %q not found: check --config or MAGI_CONFIG", path)}
	}
	if err != nil {
		return nil, &magi.Error{Code: magi.ECONFIG, Err: err,
			Message: fmt.Sprintf("config file %q cannot be read", path)}
	}
	f := &agentsFile{path: path}
	f.set = &f.cfg.councilSettings
	if bad := f.decode(data, &f.cfg); bad != nil {
		return nil, bad.err(f)
	}
	return f, nil
}

// decode strictly decodes data into v (which holds f.set). It returns the
// problems of a document that is not YAML at all; unknown keys and values
// of the wrong type are kept in f.decoded, to be reported with the other
// mistakes.
func (f *agentsFile) decode(data []byte, v any) problems {
	f.root, f.badLines = &yaml.Node{}, map[int]bool{}
	if err := yaml.Unmarshal(data, f.root); err != nil {
		return f.yamlErrors(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	err := dec.Decode(v)
	var te *yaml.TypeError
	switch {
	case errors.As(err, &te):
		f.decoded = f.yamlErrors(err)
		for _, p := range f.decoded {
			f.badLines[p.line] = true
		}
	case err != nil && err != io.EOF:
		return f.yamlErrors(err)
	}
	return nil
}
