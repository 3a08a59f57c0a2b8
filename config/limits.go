package config

import (
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/magi-system/magi"
)

// The limits of a saved council: what a caller of the API may make the
// server store and send to a model.
const (
	// MaxPersonaBytes bounds the persona of each agent of a council.
	MaxPersonaBytes = 8 << 10
	// maxModelBytes bounds a model id.
	maxModelBytes = 256
	// maxFallbacks bounds the fallbacks of one agent.
	maxFallbacks = 4
)

// checkLimits adds a problem for each value of a council's layer l over
// its limits: a persona over MaxPersonaBytes or with control characters,
// a model id too long or with spaces, too many fallbacks.
func (f *agentsFile) checkLimits(l layer, probs *problems) {
	s := l.s
	bad := func(key, msg string, args ...any) {
		if !f.misread(append(slices.Clone(l.path), key)...) {
			probs.add(f.at(l.who+": ", fmt.Sprintf(msg, args...), append(slices.Clone(l.path), key)...))
		}
	}
	if p := s.Persona; p != nil && len(*p) > MaxPersonaBytes {
		bad("persona", "persona is %d bytes; the limit is %d (8 KB): shorten it", len(*p), MaxPersonaBytes)
	} else if p != nil && strings.ContainsFunc(*p, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' && r != '\r' }) {
		bad("persona", "persona holds control characters: use text, new lines and tabs only")
	}
	if m := s.Model; m != nil {
		if msg := modelProblem(*m); msg != "" {
			bad("model", "%s", msg)
		}
	}
	if len(s.Fallbacks) > maxFallbacks {
		bad("fallbacks", "%d fallbacks: the limit is %d", len(s.Fallbacks), maxFallbacks)
	}
	for i, r := range s.Fallbacks {
		if msg := modelProblem(r.Model); msg != "" && r.Model != "" {
			at := f.at(fmt.Sprintf("%s: fallbacks[%d]: ", l.who, i), msg, append(slices.Clone(l.path), "fallbacks")...)
			at.field += fmt.Sprintf("[%d].model", i)
			probs.add(at)
		}
	}
}

// modelProblem says what is wrong with a model id of a council, "" if
// nothing.
func modelProblem(m string) string {
	switch {
	case len(m) > maxModelBytes:
		return fmt.Sprintf("model is %d bytes; the limit is %d", len(m), maxModelBytes)
	case strings.TrimSpace(m) != "" && strings.ContainsFunc(m, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }):
		return fmt.Sprintf("model %q is not a model id: no spaces or control characters", m)
	}
	return ""
}

// checkName adds the problem of a council's name, if any: name is the one
// of the URL or the command line ("" when the document must name itself).
func (f *agentsFile) checkName(doc *councilDoc, name string, probs *problems) string {
	if f.misread("name") {
		return name
	}
	switch {
	case doc.Name == nil && name == "":
		probs.add(problem{field: "name", msg: "name is missing: give the council a name of 1 to 64 characters of a-z, 0-9 and -"})
	case doc.Name != nil && name != "" && *doc.Name != name:
		probs.add(f.at("", fmt.Sprintf("the document names the council %q, not %q: remove name or make them the same", *doc.Name, name), "name"))
	case doc.Name != nil:
		name = *doc.Name
	}
	if name == "" {
		return name
	}
	if err := magi.CheckCouncilName(name); err != nil {
		probs.add(f.at("", magi.ErrorMessage(err), "name"))
	} else if name == magi.DefaultCouncil {
		probs.add(f.at("", `"default" is the built-in council (the server's agents file): choose another name`, "name"))
	}
	return name
}
