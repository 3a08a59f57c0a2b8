package fakebedrock_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/internal/fakebedrock"
	"github.com/magi-system/magi/provider/bedrock"
)

const accessKey = "AKIAFAKEBEDROCK00000"

// start serves a fake built from cfg and returns the real provider pointed
// at it, signing with akid in region.
func start(t *testing.T, cfg fakebedrock.Config, akid, region string) *bedrock.Provider {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	srv := httptest.NewServer(fakebedrock.New(cfg))
	t.Cleanup(srv.Close)
	p, err := bedrock.New(context.Background(), bedrock.Config{Region: region, EndpointURL: srv.URL,
		Credentials: credentials.NewStaticCredentialsProvider(akid, "secret", "")})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func drain(seq func(func(magi.Delta, error) bool)) (string, *magi.Usage, error) {
	var b strings.Builder
	var u *magi.Usage
	for d, err := range seq {
		if err != nil {
			return b.String(), u, err
		}
		b.WriteString(d.Text)
		if d.Usage != nil {
			u = d.Usage
		}
	}
	return b.String(), u, nil
}

func kind(err error) magi.ErrorKind {
	var pe *magi.ProviderError
	if errors.As(err, &pe) {
		return pe.Kind
	}
	return ""
}

func TestFakeBedrock_DefaultAnswerIsAVerdict(t *testing.T) {
	var seen fakebedrock.Request
	p := start(t, fakebedrock.Config{Words: 4, Script: func(r fakebedrock.Request) fakebedrock.Reply {
		seen = r
		return fakebedrock.Reply{}
	}}, accessKey, "eu-west-1")
	text, usage, err := drain(p.Stream(context.Background(), magi.Request{Model: "amazon.nova-lite-v1:0", System: "You are MELCHIOR-1.", Prompt: "Should we?"}))
	if err != nil {
		t.Fatal(err)
	}
	if v := magi.ParseVerdict(text); v.Decision != magi.Approved || !strings.Contains(v.Summary, "melchior") {
		t.Errorf("verdict %+v of %q, want APPROVED from melchior", v, text)
	}
	if usage == nil || usage.InputTokens != 5 || usage.OutputTokens == 0 {
		t.Errorf("usage %+v, want the prompt's 5 words in and the tokens out", usage)
	}
	if seen.Region != "eu-west-1" || seen.Op != "converse-stream" || seen.Model != "amazon.nova-lite-v1:0" {
		t.Errorf("request seen as %+v", seen)
	}
}

func TestFakeBedrock_KeyAndModels(t *testing.T) {
	cfg := fakebedrock.Config{AccessKeyID: accessKey, Models: []string{"amazon.nova-lite-v1:0"}}
	if err := start(t, cfg, accessKey, "us-east-1").Check(context.Background(), "amazon.nova-lite-v1:0"); err != nil {
		t.Errorf("Check (Converse) of a known model: %v", err)
	}
	if k := kind(start(t, cfg, accessKey, "us-east-1").Check(context.Background(), "amazon.nova-pro-v1:0")); k != magi.KindNotFound {
		t.Errorf("unknown model: kind %q, want not_found", k)
	}
	_, _, err := drain(start(t, cfg, "AKIAOTHER00000000000", "us-east-1").Stream(context.Background(), magi.Request{Model: "amazon.nova-lite-v1:0", Prompt: "q"}))
	if k := kind(err); k != magi.KindAuth {
		t.Errorf("other access key: kind %q, want auth", k)
	}
}

func TestFakeBedrock_ExceptionAfterTokens(t *testing.T) {
	p := start(t, fakebedrock.Config{Script: func(fakebedrock.Request) fakebedrock.Reply {
		return fakebedrock.Reply{Tokens: []string{"a", "b", "c"}, Exception: "throttlingException", Message: "slow down", ExceptionAfter: 1}
	}}, accessKey, "us-east-1")
	text, _, err := drain(p.Stream(context.Background(), magi.Request{Model: "m", Prompt: "q"}))
	if text != "a" || kind(err) != magi.KindRateLimited {
		t.Errorf("text %q error %v, want a then rate_limited", text, err)
	}
}
