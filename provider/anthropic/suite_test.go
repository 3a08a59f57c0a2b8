package anthropic_test

import (
	"net/http/httptest"
	"testing"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/internal/fakeanthropic"
	"github.com/magi-system/magi/provider/anthropic"
	"github.com/magi-system/magi/provider/providertest"
)

func TestAnthropic_Suite(t *testing.T) {
	providertest.Run(t, providertest.Harness{
		Model:  "claude-test",
		APIKey: testKey,
		New: func(t *testing.T, s providertest.Script) (magi.Provider, providertest.Upstream) {
			fake := fakeanthropic.New(fakeanthropic.Config{Script: script(s)})
			srv := httptest.NewServer(fake)
			t.Cleanup(srv.Close)
			return anthropic.New(anthropic.Config{APIKey: testKey, BaseURL: srv.URL}), fake
		},
		Unreachable: func(t *testing.T, url string) magi.Provider {
			return anthropic.New(anthropic.Config{APIKey: testKey, BaseURL: url})
		},
	})
}

// script translates the suite's Script into the fake's replies.
func script(s providertest.Script) func(fakeanthropic.Request) fakeanthropic.Reply {
	return func(req fakeanthropic.Request) fakeanthropic.Reply {
		if s.Refuse(req.N) {
			return fakeanthropic.Reply{Status: s.Status, Message: s.Message, RetryAfter: s.RetryAfter}
		}
		u := s.Usage
		return fakeanthropic.Reply{Tokens: append([]string{}, s.Tokens...), Gap: s.Gap, Usage: &u,
			Cut: s.Cut, CutAfter: s.CutAfter, Hang: s.Hang, HangAfter: s.HangAfter}
	}
}
