package server

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/magi-system/magi"
)

// QuotaLimits are the per-key limits of a Quota; 0 means unlimited.
type QuotaLimits struct {
	// PerMinute is how many deliberations a key may start in any minute.
	PerMinute int
	// Concurrent is how many of a key's deliberations may run at once.
	Concurrent int
	// ConcurrentShare, when not 0, is the percentage of Capacity (the
	// server's running slots) that Concurrent is; messages say so.
	ConcurrentShare, Capacity int
	// TokensPerDay caps the tokens (input + output) a key's deliberations
	// used in the last 24 hours; checked when a deliberation starts.
	TokensPerDay int64
}

// Quota is an Admitter with per-key limits against unbounded consumption
// (OWASP LLM10). The open API (no keys) counts as one key.
//
// It counts in memory, per process: with several replicas each enforces
// its limits on its own share of the traffic. It learns of tokens and of
// ends through Observe, which must see every journaled event, and of
// deliberations that failed to start through Runner.
type Quota struct {
	limits QuotaLimits
	keys   magi.KeyStore // names keys in messages; may be nil
	now    func() time.Time

	mu      sync.Mutex
	usage   map[string]*keyUsage // by key id
	running map[string]admission // by deliberation id
}

var _ Admitter = (*Quota)(nil)

type keyUsage struct {
	starts  []time.Time // of the last minute, oldest first
	running int
	tokens  []tokensAt // of the last day, oldest first
}

type tokensAt struct {
	at time.Time
	n  int64
}

type admission struct {
	key string
	at  time.Time
}

// NewQuota returns a Quota of limits; keys, when not nil, names keys in
// its messages.
func NewQuota(limits QuotaLimits, keys magi.KeyStore) *Quota {
	return &Quota{limits: limits, keys: keys, now: time.Now,
		usage: map[string]*keyUsage{}, running: map[string]admission{}}
}

// Admit refuses q with ERATELIMIT and a RetryAfter when p's key is over a
// limit; otherwise it counts q as started and running.
func (q *Quota) Admit(ctx context.Context, p Principal, d magi.Question) error {
	q.mu.Lock()
	now := q.now()
	u := q.of(p.ID(), now)
	limit, wait := q.over(u, now)
	if limit == "" {
		u.starts = append(u.starts, now)
		u.running++
		q.running[d.ID] = admission{key: p.ID(), at: now}
	}
	q.mu.Unlock()
	if limit == "" {
		return nil
	}
	return &magi.Error{Code: magi.ERATELIMIT, RetryAfter: wait,
		Message: fmt.Sprintf("quota: %s for %s; retry in %d s", limit, q.name(ctx, p.ID()), int(wait.Seconds()+0.999))}
}

// of returns the usage of key, without what is older than the windows.
func (q *Quota) of(key string, now time.Time) *keyUsage {
	u := q.usage[key]
	if u == nil {
		u = &keyUsage{}
		q.usage[key] = u
	}
	for len(u.starts) > 0 && now.Sub(u.starts[0]) >= time.Minute {
		u.starts = u.starts[1:]
	}
	for len(u.tokens) > 0 && now.Sub(u.tokens[0].at) >= 24*time.Hour {
		u.tokens = u.tokens[1:]
	}
	return u
}

// over names the first limit u is at, and when it will no longer be.
func (q *Quota) over(u *keyUsage, now time.Time) (string, time.Duration) {
	l := q.limits
	if l.PerMinute > 0 && len(u.starts) >= l.PerMinute {
		return plural(l.PerMinute, "deliberation") + " per minute",
			u.starts[len(u.starts)-l.PerMinute].Add(time.Minute).Sub(now)
	}
	if l.Concurrent > 0 && u.running >= l.Concurrent {
		limit := plural(l.Concurrent, "deliberation") + " at once"
		if l.ConcurrentShare > 0 {
			limit += fmt.Sprintf(" (%d%% of this server's %d running slots; MAGI_QUOTA_CONCURRENT)", l.ConcurrentShare, l.Capacity)
		}
		return limit, 5 * time.Second
	}
	if l.TokensPerDay > 0 {
		var sum int64
		for _, t := range u.tokens {
			sum += t.n
		}
		for _, t := range u.tokens { // wait until enough of the oldest expire
			if sum < l.TokensPerDay {
				break
			}
			sum -= t.n
			if sum < l.TokensPerDay {
				return fmt.Sprintf("%d tokens per day", l.TokensPerDay), t.at.Add(24 * time.Hour).Sub(now)
			}
		}
	}
	return "", 0
}

// name is how a message names key.
func (q *Quota) name(ctx context.Context, key string) string { return ownerName(ctx, q.keys, key) }

// ownerName is how a message names the principal of id (Principal.ID):
// the open API, a signed-in user, or an API key by its name in keys
// (when not nil) and its id.
func ownerName(ctx context.Context, keys magi.KeyStore, id string) string {
	if id == "" {
		return "the open API (no key)"
	}
	if sub, ok := strings.CutPrefix(id, magi.UserOwnerPrefix); ok {
		return "signed-in user " + sub
	}
	if keys != nil {
		if k, _, err := keys.KeyByID(ctx, id); err == nil {
			return fmt.Sprintf("key %s (%s)", k.Name, k.ID)
		}
	}
	return "key " + id
}

// Observe counts the tokens of each agent_done trace against the key of
// its deliberation, and ends the deliberation's run at its terminal event.
func (q *Quota) Observe(e magi.Event) {
	done := e.Type == magi.EventTrace && e.Stage == magi.StageAgentDone && e.Trace != nil && e.Trace.Tokens != nil
	if !done && !e.Terminal() {
		return
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	a, ok := q.running[e.DeliberationID]
	if !ok {
		return
	}
	u := q.of(a.key, q.now())
	if done {
		if n := e.Trace.Tokens.InputTokens + e.Trace.Tokens.OutputTokens; n > 0 && q.limits.TokensPerDay > 0 {
			u.addTokens(q.now(), n)
		}
		return
	}
	u.running--
	delete(q.running, e.DeliberationID)
}

// addTokens counts n tokens used at now, in the entry of the minute it
// falls in: at most one entry a minute — 1,440 a day — whatever the
// traffic (the tokens of a minute leave the day's window together, up to
// a minute early).
func (u *keyUsage) addTokens(now time.Time, n int64) {
	if k := len(u.tokens); k > 0 && now.Sub(u.tokens[k-1].at) < time.Minute {
		u.tokens[k-1].n += n
		return
	}
	u.tokens = append(u.tokens, tokensAt{at: now, n: n})
}

// release forgets an admitted deliberation that never started.
func (q *Quota) release(id string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	a, ok := q.running[id]
	if !ok {
		return
	}
	delete(q.running, id)
	u := q.usage[a.key]
	u.running--
	for i, at := range u.starts {
		if at.Equal(a.at) {
			u.starts = append(u.starts[:i], u.starts[i+1:]...)
			break
		}
	}
}

// Runner wraps r so that a deliberation the quota admitted but r could
// not start (server busy, store down) stops counting against its key.
func (q *Quota) Runner(r Runner) Runner { return quotaRunner{Runner: r, q: q} }

type quotaRunner struct {
	Runner
	q *Quota
}

func (r quotaRunner) Start(ctx context.Context, d magi.Question) error {
	err := r.Runner.Start(ctx, d)
	if err != nil {
		r.q.release(d.ID)
	}
	return err
}

// plural is "1 deliberation", "2 deliberations".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
