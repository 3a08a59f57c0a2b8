package server

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/magi-system/magi"
)

// DefaultRevocationCheck is how often the API keys of open streams are
// checked for revocation.
const DefaultRevocationCheck = 2 * time.Second

// streamRetry is the Retry-After of a refused stream: a place frees up
// whenever one of the caller's streams ends.
const streamRetry = 5 * time.Second

// streams counts the open event streams by principal and by client
// address, against Options.StreamsPerKey and StreamsPerAddr, and ends the
// streams of an API key once it is revoked: while any stream of a key is
// open, a goroutine asks the KeyStore about those keys every
// RevocationCheck (the store is the truth, so a key revoked by another
// process counts too).
type streams struct {
	perKey, perAddr int
	every           time.Duration

	mu       sync.Mutex
	byKey    map[string]*keyStreams // by Principal.ID
	byAddr   map[string]int
	checking bool // the checker goroutine runs
	stopped  bool
	stop     chan struct{}
	wg       sync.WaitGroup
}

// keyStreams are the open streams of one principal.
type keyStreams struct {
	n int
	// revoked is closed when the principal's API key is found revoked;
	// nil for a principal that is not an API key.
	revoked chan struct{}
	ended   bool // revoked is closed
}

// streamSlot is the place of one open stream in the counts.
type streamSlot struct {
	s     *streams
	owner string
	addr  string
	of    *keyStreams
	once  sync.Once
}

func newStreams(perKey, perAddr int, every time.Duration) *streams {
	return &streams{perKey: perKey, perAddr: perAddr, every: every,
		byKey: map[string]*keyStreams{}, byAddr: map[string]int{}, stop: make(chan struct{})}
}

// openStream takes the place of a new stream of r's caller: ERATELIMIT,
// naming the limit, who is at it and the setting that raises it, when the
// caller's principal or client address holds as many streams as allowed.
func (s *Server) openStream(r *http.Request) (*streamSlot, error) {
	p, addr := principalOf(r.Context()), clientAddr(r)
	slot, limit := s.streams.open(p, addr, s.Keys)
	switch limit {
	case "key":
		return nil, &magi.Error{Code: magi.ERATELIMIT, RetryAfter: streamRetry, Message: fmt.Sprintf(
			"too many streams: %d open event streams at once for %s (MAGI_STREAMS_PER_KEY); close one, or ask the operator to raise MAGI_STREAMS_PER_KEY",
			s.streams.perKey, ownerName(r.Context(), s.Keys, p.ID()))}
	case "addr":
		return nil, &magi.Error{Code: magi.ERATELIMIT, RetryAfter: streamRetry, Message: fmt.Sprintf(
			"too many streams: %d open event streams at once from %s (MAGI_STREAMS_PER_ADDR); close one, or ask the operator to raise MAGI_STREAMS_PER_ADDR",
			s.streams.perAddr, addr)}
	}
	return slot, nil
}

// open counts a new stream of p from addr, or names the limit ("key",
// "addr") that refuses it. The streams of an API key are watched for its
// revocation in keys, unless keys is nil.
func (s *streams) open(p Principal, addr string, keys magi.KeyStore) (*streamSlot, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	owner := p.ID()
	ks := s.byKey[owner]
	switch {
	case s.perKey > 0 && ks != nil && ks.n >= s.perKey:
		return nil, "key"
	case s.perAddr > 0 && s.byAddr[addr] >= s.perAddr:
		return nil, "addr"
	}
	if ks == nil {
		ks = &keyStreams{}
		if p.KeyID != "" && p.User == nil {
			ks.revoked = make(chan struct{})
		}
		s.byKey[owner] = ks
	}
	ks.n++
	s.byAddr[addr]++
	if ks.revoked != nil && keys != nil && !s.checking && !s.stopped {
		s.checking = true
		s.wg.Add(1)
		go s.check(keys)
	}
	return &streamSlot{s: s, owner: owner, addr: addr, of: ks}, ""
}

// revoked is closed when the stream's API key is revoked; nil (never)
// for a stream of a signed-in user or of the open API.
func (sl *streamSlot) revoked() <-chan struct{} { return sl.of.revoked }

// release gives the stream's place back. It may be called more than once,
// and on a nil slot.
func (sl *streamSlot) release() {
	if sl == nil {
		return
	}
	sl.once.Do(func() {
		s := sl.s
		s.mu.Lock()
		defer s.mu.Unlock()
		if sl.of.n--; sl.of.n == 0 && s.byKey[sl.owner] == sl.of {
			delete(s.byKey, sl.owner)
		}
		if s.byAddr[sl.addr]--; s.byAddr[sl.addr] <= 0 {
			delete(s.byAddr, sl.addr)
		}
	})
}

// check asks keys about the keys of open streams every s.every, until
// none is open or close is called.
func (s *streams) check(keys magi.KeyStore) {
	defer s.wg.Done()
	t := time.NewTicker(s.every)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
		ids := s.watched()
		if ids == nil {
			return
		}
		for _, id := range ids {
			ctx, cancel := context.WithTimeout(context.Background(), s.every)
			k, _, err := keys.KeyByID(ctx, id)
			cancel()
			if err == nil && k.Revoked() {
				s.revoke(id)
			}
		}
	}
}

// watched returns the keys with streams open and not yet ended; when
// there are none, the checker stops (nil), under the same lock that open
// starts one under.
func (s *streams) watched() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []string
	for id, ks := range s.byKey {
		if ks.revoked != nil && !ks.ended {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 || s.stopped {
		s.checking = false
		return nil
	}
	return ids
}

// revoke ends the streams of key id.
func (s *streams) revoke(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ks := s.byKey[id]; ks != nil && ks.revoked != nil && !ks.ended {
		ks.ended = true
		close(ks.revoked)
	}
}

// close stops the checker and waits for it.
func (s *streams) close() {
	s.mu.Lock()
	if !s.stopped {
		s.stopped = true
		close(s.stop)
	}
	s.mu.Unlock()
	s.wg.Wait()
}
