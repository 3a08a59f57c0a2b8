package config

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

var (
	lineRE    = regexp.MustCompile(`^(?:yaml: )?line (\d+): `)
	unknownRE = regexp.MustCompile(`field (\S+) not found in type (\S+)`)
)

// yamlErrors rewrites the decoder's errors as problems at their line and
// field, with unknown keys explained.
func (f *agentsFile) yamlErrors(err error) problems {
	msgs := []string{err.Error()}
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs = te.Errors
	}
	out := make(problems, 0, len(msgs))
	for _, m := range msgs {
		q := problem{}
		if sub := lineRE.FindStringSubmatch(m); sub != nil {
			q.line, _ = strconv.Atoi(sub[1])
			q.who = f.whoAt(q.line)
			m = m[len(sub[0]):]
		}
		key, container := "", containerRE.MatchString(m)
		if sub := unknownRE.FindStringSubmatch(m); sub != nil {
			key = sub[1]
			m = f.unknownKey(sub[1], sub[2])
		} else if f.council {
			m = plainType(m)
		}
		q.field = f.fieldAt(q.line, key, container)
		q.msg = strings.TrimPrefix(m, "yaml: ")
		out.add(q)
	}
	return out
}

// unknownKey explains an unknown key of the YAML type typ. In a council,
// a key that would point the server at an address or a credential, or a
// setting of the server's own, is refused as such.
func (f *agentsFile) unknownKey(key, typ string) string {
	msg := fmt.Sprintf("unknown key %q: use one of %s", key, allowedKeys[typ])
	if !f.council {
		return msg
	}
	switch {
	case typ == "config.councilDoc" && slices.Contains([]string{"prices", "oidc", "allowed_models"}, key):
		return fmt.Sprintf("%q is a setting of the server's agents file, not of a council", key)
	case endpointRE.MatchString(key):
		return fmt.Sprintf("unknown key %q: a council cannot carry an address or a credential; "+
			"it chooses among the providers this server has (use one of %s)", key, allowedKeys[typ])
	}
	return msg
}

// endpointRE matches keys that look like an address or a credential.
var endpointRE = regexp.MustCompile(`(?i)url|endpoint|host|key|secret|token|credential|password|region|profile`)

// typeRE matches the decoder's message for a value of the wrong type.
var typeRE = regexp.MustCompile("^cannot unmarshal !!(\\w+) (?:`(.*)` )?into (\\S+)$")

// plainType says a type error in words, not in YAML tags and Go types:
// "hot" is not a number.
func plainType(m string) string {
	sub := typeRE.FindStringSubmatch(m)
	if sub == nil {
		return m
	}
	what := "a value of another kind"
	switch t := sub[3]; {
	case strings.HasPrefix(t, "float"):
		what = "a number"
	case strings.HasPrefix(t, "int"):
		what = "a whole number"
	case t == "string":
		what = "text"
	case t == "bool":
		what = "true or false"
	case strings.HasPrefix(t, "[]") || t == "config.refList":
		what = "a list"
	case strings.HasPrefix(t, "map[") || strings.HasPrefix(t, "config."):
		what = "an object of keys"
	}
	if sub[2] == "" {
		return "must be " + what + ", not a " + map[string]string{"seq": "list", "map": "mapping"}[sub[1]]
	}
	return fmt.Sprintf("%q must be %s", sub[2], what)
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

// at is the problem msg of who (like `agent "casper": `) at the field of
// path, on the line of the deepest key of path that exists.
func (f *agentsFile) at(who, msg string, path ...string) problem {
	line, _ := f.find(path...)
	return problem{line: line, field: strings.Join(path, "."), who: who, msg: msg}
}

// containerRE matches the decoder's message for a list or a mapping
// where something else belongs: the error is the container's, not its
// first item's, which starts on the same line.
var containerRE = regexp.MustCompile(`cannot unmarshal !!(seq|map) into`)

// fieldAt is the path of the key on line, like agents.casper.model (key,
// when set, is the one looked for; container: a list or mapping that
// starts on line is the one meant): the deepest key on that line, else
// the key whose value spans it; "" when none.
func (f *agentsFile) fieldAt(line int, key string, container bool) string {
	if line == 0 {
		return ""
	}
	return fieldIn(f.top(), line, key, container, "")
}

func fieldIn(n *yaml.Node, line int, key string, container bool, prefix string) string {
	join := func(k string) string {
		if prefix == "" {
			return k
		}
		return prefix + "." + k
	}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Line == line && (key == "" || k.Value == key) {
				if sub := fieldIn(v, line, key, container, join(k.Value)); sub != "" && key != "" {
					return sub
				}
				return join(k.Value)
			}
			if container && v.Line == line && v.Kind != yaml.ScalarNode {
				return join(k.Value) // the value itself, as a whole
			}
			if line > k.Line && line <= lastLine(v, k.Line) {
				if sub := fieldIn(v, line, key, container, join(k.Value)); sub != "" {
					return sub
				}
				return join(k.Value)
			}
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			if line >= c.Line && line <= lastLine(c, c.Line) {
				at := fmt.Sprintf("%s[%d]", prefix, i)
				if sub := fieldIn(c, line, key, container, at); sub != "" {
					return sub
				}
				return at
			}
		}
	}
	return ""
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
