package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/magi-system/magi"
)

// redacting is a slog.Handler that passes every record through
// magi.Redact before h writes it: the message and every string, error
// and Stringer attribute, so no credential in a URL, an upstream's error
// or a configured key reaches the logs, whoever logged it.
type redacting struct {
	h       slog.Handler
	secrets []string
}

var _ slog.Handler = redacting{}

// Enabled reports whether h logs at level l.
func (r redacting) Enabled(ctx context.Context, l slog.Level) bool { return r.h.Enabled(ctx, l) }

// Handle redacts rec and hands it to h.
func (r redacting) Handle(ctx context.Context, rec slog.Record) error {
	out := slog.NewRecord(rec.Time, rec.Level, magi.Redact(rec.Message, r.secrets...), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(r.attr(a))
		return true
	})
	return r.h.Handle(ctx, out)
}

// WithAttrs redacts attrs once, for every later record.
func (r redacting) WithAttrs(attrs []slog.Attr) slog.Handler {
	red := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		red[i] = r.attr(a)
	}
	return redacting{r.h.WithAttrs(red), r.secrets}
}

// WithGroup opens a group in h.
func (r redacting) WithGroup(name string) slog.Handler {
	return redacting{r.h.WithGroup(name), r.secrets}
}

// attr is a without credentials.
func (r redacting) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, magi.Redact(v.String(), r.secrets...))
	case slog.KindGroup:
		g := v.Group()
		red := make([]any, len(g))
		for i, sub := range g {
			red[i] = r.attr(sub)
		}
		return slog.Group(a.Key, red...)
	case slog.KindAny:
		switch x := v.Any().(type) {
		case error:
			return slog.String(a.Key, magi.Redact(x.Error(), r.secrets...))
		case fmt.Stringer:
			return slog.String(a.Key, magi.Redact(x.String(), r.secrets...))
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}
