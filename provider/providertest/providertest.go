// Package providertest is the one behaviour suite every MAGI provider must
// pass, whatever its wire format.
//
// To run it for a provider, write a Harness whose New starts a fake
// upstream that speaks the provider's real wire format (OpenAI SSE chunks,
// Anthropic SSE events, Bedrock's binary event stream), makes it behave as
// the Script says, and returns the real provider pointed at it:
//
//	func TestSuite(t *testing.T) {
//		providertest.Run(t, providertest.Harness{
//			Model: "m1",
//			New: func(t *testing.T, s providertest.Script) (magi.Provider, providertest.Upstream) {
//				fake := newFake(s)                 // your wire-format fake
//				srv := httptest.NewServer(fake)
//				t.Cleanup(srv.Close)
//				return mypkg.New(mypkg.Config{BaseURL: srv.URL}), fake
//			},
//			Unreachable: func(t *testing.T, url string) magi.Provider {
//				return mypkg.New(mypkg.Config{BaseURL: url})
//			},
//		})
//	}
//
// The fake must count requests and know when each one's handler has
// returned (Upstream), because the suite proves that cancelling, stopping
// early and deadlines close the upstream call. A handler that waits (Hang,
// Gap) must wait on r.Context().Done(), so it ends as soon as the client
// drops the connection. Harness.Script translates each Script field.
package providertest

import (
	"context"
	"testing"
	"time"

	"github.com/magi-system/magi"
)

// Script tells a fake upstream how to answer every request of one test
// case. It speaks of behaviour, not of any wire format.
type Script struct {
	// Tokens are the content deltas to stream, in order, each as its own
	// wire event.
	Tokens []string
	// Usage is the token usage to report at the end of a stream.
	Usage magi.Usage
	// Gap is the delay before each token after the first.
	Gap time.Duration

	// Status, when not 0, refuses requests with this HTTP status before
	// anything is streamed, with an error body in the wire format's own
	// style carrying Message. (For Bedrock, the matching exception.)
	Status  int
	Message string
	// RetryAfter, when set with Status, is sent as the Retry-After header
	// in whole seconds.
	RetryAfter time.Duration
	// FailFirst, when above 0, refuses only the first FailFirst requests
	// with Status; later ones stream Tokens. 0 refuses them all.
	FailFirst int

	// Cut drops the connection after CutAfter tokens, without the wire
	// format's end of stream (hijack and close).
	Cut      bool
	CutAfter int
	// Hang stops answering after HangAfter tokens, until the client goes
	// away. With HangAfter 0 not even the response headers are sent.
	Hang      bool
	HangAfter int
}

// Refuse reports whether request n (1-based) is refused with Status.
func (s Script) Refuse(n int) bool {
	return s.Status != 0 && (s.FailFirst == 0 || n <= s.FailFirst)
}

// Upstream is what the suite needs to observe of a fake server.
type Upstream interface {
	// Requests is the number of model calls received.
	Requests() int
	// WaitIdle returns once no call is being answered — every handler has
	// returned, because it finished or its client went away — or with
	// ctx's error.
	WaitIdle(ctx context.Context) error
}

// Harness adapts one provider to the suite.
type Harness struct {
	// New starts a fake upstream that follows s, and returns the provider
	// under test pointed at it, and the fake. Stop it with t.Cleanup.
	New func(t *testing.T, s Script) (magi.Provider, Upstream)
	// Unreachable returns the provider pointed at url (http://127.0.0.1:port,
	// no path), where nothing listens.
	Unreachable func(t *testing.T, url string) magi.Provider
	// Model is put in every request; "test-model" when empty.
	Model string
	// APIKey, when set, is the key the provider sends; the suite checks
	// that no error repeats it even when the upstream's message does.
	APIKey string
	// CloseWithin is how soon the upstream must see a cancelled call end;
	// 100ms when 0.
	CloseWithin time.Duration
}
