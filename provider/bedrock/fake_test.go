package bedrock_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/magi-system/magi/internal/await"
	"github.com/magi-system/magi/internal/fakebedrock"
	"github.com/magi-system/magi/provider/bedrock"
)

const testSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

// helloFrames is a complete answer, "Hello, world", as Bedrock sends it.
var helloFrames = []fakebedrock.Frame{
	fakebedrock.Event("messageStart", `{"p":"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVW","role":"assistant"}`),
	fakebedrock.Event("contentBlockDelta", `{"contentBlockIndex":0,"delta":{"text":"Hello"},"p":"abcdefghijk"}`),
	fakebedrock.Event("contentBlockDelta", `{"contentBlockIndex":0,"delta":{"text":", world"},"p":"abcdefghijklmnopqrs"}`),
	fakebedrock.Event("contentBlockStop", `{"contentBlockIndex":0,"p":"abcdefghijklmnopqrstuvwxyzABC"}`),
	fakebedrock.Event("messageStop", `{"p":"abcdefghijklmnopqrstuvwxyzABCDEFG","stopReason":"end_turn"}`),
	fakebedrock.Event("metadata", `{"metrics":{"latencyMs":512},"p":"abcdefghijklmn","usage":{"inputTokens":25,"outputTokens":15,"totalTokens":40}}`),
}

// isolate keeps the developer's AWS files and variables out of a test.
func isolate(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	for _, k := range []string{"AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL",
		"AWS_ENDPOINT_URL_BEDROCK_RUNTIME", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_CA_BUNDLE"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

// newProvider starts a fake Bedrock runtime with h and a Provider using it
// with static credentials.
func newProvider(t *testing.T, h http.HandlerFunc) (*bedrock.Provider, *httptest.Server) {
	t.Helper()
	isolate(t)
	srv := httptestServer(t, h)
	p, err := bedrock.New(context.Background(), bedrock.Config{
		Region:      "us-west-2",
		HTTPClient:  srv.Client(),
		EndpointURL: srv.URL,
		Credentials: credentials.NewStaticCredentialsProvider("AKIAIOSFODNN7EXAMPLE", testSecret, ""),
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return p, srv
}

// noStreamGoroutines fails the test if the SDK's event stream goroutines
// are still running shortly after a stream ended.
func noStreamGoroutines(t *testing.T) {
	t.Helper()
	var stacks string
	if !await.Until(3*time.Second, func() bool {
		buf := make([]byte, 1<<20)
		stacks = string(buf[:runtime.Stack(buf, true)])
		return !strings.Contains(stacks, "service/bedrockruntime.") && !strings.Contains(stacks, "(*EventStreamReader)")
	}) {
		t.Errorf("event stream goroutines leaked:\n%s", stacks)
	}
}

// httptestServer starts h and closes it when the test ends.
func httptestServer(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}
