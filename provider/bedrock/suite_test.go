package bedrock_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/internal/fakebedrock"
	"github.com/magi-system/magi/provider/bedrock"
	"github.com/magi-system/magi/provider/providertest"
)

const testAccessKey = "AKIAIOSFODNN7EXAMPLE"

func TestBedrock_Suite(t *testing.T) {
	isolate(t)
	connect := func(t *testing.T, url string) *bedrock.Provider {
		p, err := bedrock.New(context.Background(), bedrock.Config{
			Region:      "us-east-1",
			EndpointURL: url,
			Credentials: credentials.NewStaticCredentialsProvider(testAccessKey, testSecret, ""),
		})
		if err != nil {
			t.Fatalf("New: %v", err)
		}
		return p
	}
	providertest.Run(t, providertest.Harness{
		Model:  "anthropic.claude-3-haiku-20240307-v1:0",
		APIKey: testAccessKey,
		New: func(t *testing.T, s providertest.Script) (magi.Provider, providertest.Upstream) {
			fake := fakebedrock.New(fakebedrock.Config{Script: script(s)})
			return connect(t, httptestServer(t, fake.ServeHTTP).URL), fake
		},
		Unreachable: func(t *testing.T, url string) magi.Provider { return connect(t, url) },
	})
}

// script translates the suite's Script into the fake's replies.
func script(s providertest.Script) func(fakebedrock.Request) fakebedrock.Reply {
	return func(req fakebedrock.Request) fakebedrock.Reply {
		if s.Refuse(req.N) {
			return fakebedrock.Reply{Status: s.Status, Message: s.Message, RetryAfter: s.RetryAfter}
		}
		u := s.Usage
		return fakebedrock.Reply{Tokens: append([]string{}, s.Tokens...), Gap: s.Gap, Usage: &u,
			Cut: s.Cut, CutAfter: s.CutAfter, Hang: s.Hang, HangAfter: s.HangAfter}
	}
}

// TestBedrock_StreamsSurviveFastServers guards against the SDK closing the
// request body while net/http still reads it, which closed the connection
// under a live stream whenever the server answered fast.
func TestBedrock_StreamsSurviveFastServers(t *testing.T) {
	fake := fakebedrock.New(fakebedrock.Config{Script: script(providertest.Script{Tokens: []string{"a", "b", "c"}, Gap: 2 * time.Millisecond})})
	p, _ := newProvider(t, fake.ServeHTTP)
	for i := range 30 {
		texts, _, err := collect(p.Stream(context.Background(), magi.Request{Model: "m", Prompt: "q"}))
		if err != nil || len(texts) != 3 {
			t.Fatalf("stream %d: texts %q, error %v", i, texts, err)
		}
	}
}
