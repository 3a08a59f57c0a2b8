package config

import (
	"slices"
	"strconv"
	"strings"

	"github.com/magi-system/magi"
)

// problems collects configuration mistakes, once each, in order.
type problems []problem

// problem is one mistake of an agents file or a council: its line (0 if
// unknown), the path of its field (like agents.casper.model; "" if
// unknown), who it concerns in the agents file's words (like `agent
// "casper": `) and what is wrong, with the fix.
type problem struct {
	line  int
	field string
	who   string
	msg   string
}

func (p *problems) add(q problem) {
	if !slices.Contains(*p, q) {
		*p = append(*p, q)
	}
}

// sorted are the problems in file order; those without a line first.
func (p problems) sorted() problems {
	out := slices.Clone(p)
	slices.SortStableFunc(out, func(a, b problem) int { return a.line - b.line })
	return out
}

// msgs are the messages of the problems of f, in file order.
func (p problems) msgs(f *agentsFile) []string {
	var out []string
	for _, q := range p.sorted() {
		out = append(out, f.message(q))
	}
	return out
}

// err is the error of the problems of an agents file: ECONFIG, every
// message on its own line.
func (p problems) err(f *agentsFile) error {
	if len(p) == 0 {
		return nil
	}
	return configError("%s", strings.Join(p.msgs(f), "\n"))
}

// councilErr is the error of the problems of a council: EINVALID, every
// problem in the message and as a field error.
func (p problems) councilErr(f *agentsFile) error {
	if len(p) == 0 {
		return nil
	}
	e := &magi.Error{Code: magi.EINVALID}
	for _, q := range p.sorted() {
		e.Fields = append(e.Fields, magi.FieldError{Field: q.field, Message: q.msg})
	}
	what := "a problem"
	if len(p) > 1 {
		what = strconv.Itoa(len(p)) + " problems"
	}
	if f.path != "" { // a file: one problem a line, each with its line
		e.Message = "the council in " + f.path + " has " + what + ":\n" + strings.Join(p.msgs(f), "\n")
		return e
	}
	e.Message = "the council has " + what + ": " + strings.Join(p.msgs(f), "; ")
	return e
}

// message writes q for f: for the agents file "PATH:LINE: who: what";
// for a council its field, "agents.casper.model: what", after "PATH:LINE: "
// when it was read from a file.
func (f *agentsFile) message(q problem) string {
	what := q.who + q.msg
	if f == nil {
		return what
	}
	if f.council && q.field != "" {
		what = q.field + ": " + q.msg
	}
	switch {
	case f.path == "":
		return what
	case q.line == 0:
		return f.path + ": " + what
	}
	return f.path + ":" + strconv.Itoa(q.line) + ": " + what
}
