// Package sim is MAGI's built-in simulated council: a magi.Provider that
// calls no model. It writes persona-flavoured answers derived from the
// question, each labelled as simulated and ending with a verdict JSON that
// magi.ParseVerdict reads, and streams them at a human pace. The same seed
// and request always give the same answer, byte for byte.
package sim

import (
	"context"
	"errors"
	"iter"
	"time"
	"unicode"

	"github.com/magi-system/magi"
)

// Name is the provider's name in configuration and records.
const Name = "sim"

// Model is the simulated model's id, used when a request names none.
const Model = "sim-1"

// Default pacing, for a realistic feel.
const (
	DefaultPace       = 25 * time.Millisecond
	DefaultFirstToken = 400 * time.Millisecond
)

// Options tune the simulated council. The zero value streams with no
// delay at all, which suits tests; DefaultOptions paces like a model.
type Options struct {
	// Seed varies the answers; with the same seed the same request always
	// gets the same answer.
	Seed int64
	// Pace is the delay between streamed pieces (0: none).
	Pace time.Duration
	// FirstToken is the delay before the first piece (0: none).
	FirstToken time.Duration
}

// DefaultOptions returns options with the default pacing and seed 0.
func DefaultOptions() Options {
	return Options{Pace: DefaultPace, FirstToken: DefaultFirstToken}
}

// Provider is the simulated council. It is safe for concurrent use.
type Provider struct {
	opts Options
}

var _ magi.Provider = (*Provider)(nil)

// New returns a simulated provider.
func New(opts Options) *Provider {
	return &Provider{opts: opts}
}

// Stream writes the simulated answer to req piece by piece. Cancelling ctx
// ends it at once with a *magi.ProviderError (KindCancelled, or KindTimeout
// when ctx's deadline passed) wrapping ctx.Err(). The last delta carries
// the usage, which costs nothing.
func (p *Provider) Stream(ctx context.Context, req magi.Request) iter.Seq2[magi.Delta, error] {
	return func(yield func(magi.Delta, error) bool) {
		model := req.Model
		if model == "" {
			model = Model
		}
		text := Answer(p.opts.Seed, req)
		if !wait(ctx, p.opts.FirstToken) {
			yield(magi.Delta{}, ctxError(ctx, model))
			return
		}
		for i, piece := range pieces(text) {
			if i > 0 && !wait(ctx, p.opts.Pace) {
				yield(magi.Delta{}, ctxError(ctx, model))
				return
			}
			if !yield(magi.Delta{Text: piece}, nil) {
				return
			}
		}
		free := 0.0
		usage := magi.Usage{
			InputTokens:  int64(tokens(req.System) + tokens(req.Prompt)),
			OutputTokens: int64(tokens(text)),
			CostUSD:      &free,
		}
		yield(magi.Delta{Usage: &usage}, nil)
	}
}

// wait sleeps for d unless ctx ends first; it reports whether ctx is
// still live.
func wait(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

func ctxError(ctx context.Context, model string) error {
	kind := magi.KindCancelled
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		kind = magi.KindTimeout
	}
	return &magi.ProviderError{Kind: kind, Provider: Name, Model: model, Err: ctx.Err()}
}

// pieces splits text into what a model would stream: a word with its
// trailing space, or up to three characters of Japanese. Joined, the
// pieces are text.
func pieces(text string) []string {
	var out []string
	start, wide := 0, 0
	var prev rune
	for i, r := range text {
		if i > start && ((unicode.IsSpace(prev) && !unicode.IsSpace(r)) || wide >= 3) {
			out = append(out, text[start:i])
			start, wide = i, 0
		}
		if isJapanese(r) {
			wide++
		}
		prev = r
	}
	if start < len(text) {
		out = append(out, text[start:])
	}
	return out
}

// tokens estimates a text's tokens: one per word, one per Japanese
// character.
func tokens(s string) int {
	n, inWord := 0, false
	for _, r := range s {
		switch {
		case isJapanese(r):
			n++
			inWord = false
		case unicode.IsSpace(r) || unicode.IsPunct(r):
			inWord = false
		case !inWord:
			n++
			inWord = true
		}
	}
	return n
}

// isJapanese reports whether r is Hiragana, Katakana or a CJK ideograph.
func isJapanese(r rune) bool {
	return unicode.In(r, unicode.Hiragana, unicode.Katakana, unicode.Han)
}
