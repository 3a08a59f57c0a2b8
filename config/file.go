package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/magi-system/magi"
	"go.yaml.in/yaml/v3"
)

// fileConfig is the agents YAML file.
type fileConfig struct {
	// Rule and Rounds are the defaults of a deliberation that names none.
	Rule     *string                  `yaml:"rule"`
	Rounds   *int                     `yaml:"rounds"`
	Defaults agentSettings            `yaml:"defaults"`
	Agents   map[string]agentSettings `yaml:"agents"`
	Prices   map[string]filePrice     `yaml:"prices"`
	OIDC     *fileOIDC                `yaml:"oidc"`
}

// agentSettings are the keys of `defaults` and of each `agents.<id>`.
// A nil field is not set.
type agentSettings struct {
	Provider    *string   `yaml:"provider"`
	Model       *string   `yaml:"model"`
	Persona     *string   `yaml:"persona"`
	Temperature *float64  `yaml:"temperature"`
	MaxTokens   *int      `yaml:"max_tokens"`
	Timeout     *duration `yaml:"timeout"`
	// Fallbacks replaces the lower layer's list when present, even empty.
	Fallbacks []modelRef `yaml:"fallbacks"`
}

// modelRef is one entry of `fallbacks`.
type modelRef struct {
	Provider string `yaml:"provider"`
	Model    string `yaml:"model"`
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

// allowedKeys names, for each YAML type, the keys it accepts.
var allowedKeys = map[string]string{
	"config.fileConfig": "rule, rounds, defaults, agents, prices, oidc",
	"config.fileOIDC": "issuer, client_id, client_secret, client_secret_file, redirect_url, audience, scopes, " +
		"groups_claim, admin_groups, admin_emails, allowed_domains, allowed_groups, session_idle, session_max",
	"config.agentSettings": "provider, model, persona, temperature, max_tokens, timeout, fallbacks",
	"config.modelRef":      "provider, model",
	"config.filePrice":     "input, output",
}

// agentsFile is a parsed agents file and what is needed to point at lines.
type agentsFile struct {
	path string
	cfg  fileConfig
	root *yaml.Node
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
	f := &agentsFile{path: path, root: &yaml.Node{}, badLines: map[int]bool{}}
	if err := yaml.Unmarshal(data, f.root); err != nil {
		return nil, configError("%s", strings.Join(f.yamlErrors(err).msgs(), "\n"))
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	err = dec.Decode(&f.cfg)
	var te *yaml.TypeError
	switch {
	case errors.As(err, &te):
		f.decoded = f.yamlErrors(err)
		for _, p := range f.decoded {
			f.badLines[p.line] = true
		}
	case err != nil && err != io.EOF:
		return nil, configError("%s", strings.Join(f.yamlErrors(err).msgs(), "\n"))
	}
	return f, nil
}

var (
	lineRE    = regexp.MustCompile(`^(?:yaml: )?line (\d+): `)
	unknownRE = regexp.MustCompile(`field (\S+) not found in type (\S+)`)
)

// yamlErrors rewrites the decoder's errors as "path:line: message", with
// unknown keys explained.
func (f *agentsFile) yamlErrors(err error) problems {
	msgs := []string{err.Error()}
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs = te.Errors
	}
	out := make(problems, 0, len(msgs))
	for _, m := range msgs {
		line, prefix := 0, f.path+": "
		if sub := lineRE.FindStringSubmatch(m); sub != nil {
			line, _ = strconv.Atoi(sub[1])
			prefix = f.path + ":" + sub[1] + ": " + f.whoAt(line)
			m = m[len(sub[0]):]
		}
		if sub := unknownRE.FindStringSubmatch(m); sub != nil {
			m = fmt.Sprintf("unknown key %q: use one of %s", sub[1], allowedKeys[sub[2]])
		}
		out.add(line, prefix+strings.TrimPrefix(m, "yaml: "))
	}
	return out
}

// whoAt names the part of the file a line is in, like `agent "casper": `,
// so that the decoder's own errors name the agent too.
func (f *agentsFile) whoAt(line int) string {
	section, node := lastKeyBefore(f.top(), line)
	if node == nil {
		return ""
	}
	key, _ := lastKeyBefore(node, line)
	switch {
	case section == "defaults":
		return "defaults: "
	case section == "agents" && key != "":
		return fmt.Sprintf("agent %q: ", key)
	case section == "prices" && key != "":
		return fmt.Sprintf("prices %q: ", key)
	}
	return ""
}

// lastKeyBefore returns the last key of mapping n at or before line, and
// its value.
func lastKeyBefore(n *yaml.Node, line int) (string, *yaml.Node) {
	key, val := "", (*yaml.Node)(nil)
	for i := 0; n != nil && n.Kind == yaml.MappingNode && i+1 < len(n.Content); i += 2 {
		if n.Content[i].Line <= line {
			key, val = n.Content[i].Value, n.Content[i+1]
		}
	}
	return key, val
}

// top is the document's top-level node.
func (f *agentsFile) top() *yaml.Node {
	if f.root.Kind == yaml.DocumentNode && len(f.root.Content) > 0 {
		return f.root.Content[0]
	}
	return f.root
}

// at returns the line of the deepest key of path that exists, and msg
// prefixed with the file and that line, like "agents.yaml:12: ".
func (f *agentsFile) at(msg string, path ...string) (int, string) {
	line, _ := f.find(path...)
	if line == 0 {
		return 0, f.path + ": " + msg
	}
	return line, f.path + ":" + strconv.Itoa(line) + ": " + msg
}

// find returns the line of the deepest key of path that exists, and its
// value.
func (f *agentsFile) find(path ...string) (int, *yaml.Node) {
	line, n, val := 0, f.top(), (*yaml.Node)(nil)
	for _, key := range path {
		next := (*yaml.Node)(nil)
		for i := 0; n.Kind == yaml.MappingNode && i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				line, next = n.Content[i].Line, n.Content[i+1]
				break
			}
		}
		if next == nil {
			break
		}
		n, val = next, next
	}
	return line, val
}

// misread reports whether the decoder already found a mistake in the key
// at path or inside its value: its decoded value is then a placeholder,
// not worth a second message.
func (f *agentsFile) misread(path ...string) bool {
	line, val := f.find(path...)
	if line == 0 || len(f.badLines) == 0 {
		return false
	}
	last := lastLine(val, line)
	for l := range f.badLines {
		if l >= line && l <= last {
			return true
		}
	}
	return false
}

// lastLine is the last line n spans, at least line.
func lastLine(n *yaml.Node, line int) int {
	if n == nil {
		return line
	}
	line = max(line, n.Line)
	for _, c := range n.Content {
		line = lastLine(c, line)
	}
	return line
}
