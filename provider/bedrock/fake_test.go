package bedrock_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/magi-system/magi/provider/bedrock"
)

const testSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

// frame is one message of Bedrock's binary event stream.
type frame struct {
	exception bool
	name      string // :event-type or :exception-type
	payload   string
}

func event(name, payload string) frame { return frame{name: name, payload: payload} }
func exception(name, payload string) frame {
	return frame{exception: true, name: name, payload: payload}
}

// helloFrames is a complete answer, "Hello, world", as Bedrock sends it.
var helloFrames = []frame{
	event("messageStart", `{"p":"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVW","role":"assistant"}`),
	event("contentBlockDelta", `{"contentBlockIndex":0,"delta":{"text":"Hello"},"p":"abcdefghijk"}`),
	event("contentBlockDelta", `{"contentBlockIndex":0,"delta":{"text":", world"},"p":"abcdefghijklmnopqrs"}`),
	event("contentBlockStop", `{"contentBlockIndex":0,"p":"abcdefghijklmnopqrstuvwxyzABC"}`),
	event("messageStop", `{"p":"abcdefghijklmnopqrstuvwxyzABCDEFG","stopReason":"end_turn"}`),
	event("metadata", `{"metrics":{"latencyMs":512},"p":"abcdefghijklmn","usage":{"inputTokens":25,"outputTokens":15,"totalTokens":40}}`),
}

// writeFrames answers a ConverseStream call with frames, flushing each.
func writeFrames(t *testing.T, w http.ResponseWriter, frames []frame) {
	startFrames(w)
	enc := eventstream.NewEncoder()
	for _, f := range frames {
		if !writeFrame(t, enc, w, f) {
			return
		}
	}
}

// startFrames sends the headers of a successful ConverseStream response.
func startFrames(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/vnd.amazon.eventstream")
	w.Header().Set("X-Amzn-Requestid", "5d0f6c44-0000-4000-8000-000000000000")
	w.WriteHeader(http.StatusOK)
}

// writeFrame encodes f as one binary event stream message and flushes it.
func writeFrame(t *testing.T, enc *eventstream.Encoder, w http.ResponseWriter, f frame) bool {
	var msg eventstream.Message
	if f.exception {
		msg.Headers.Set(":message-type", eventstream.StringValue("exception"))
		msg.Headers.Set(":exception-type", eventstream.StringValue(f.name))
	} else {
		msg.Headers.Set(":message-type", eventstream.StringValue("event"))
		msg.Headers.Set(":event-type", eventstream.StringValue(f.name))
	}
	msg.Headers.Set(":content-type", eventstream.StringValue("application/json"))
	msg.Payload = []byte(f.payload)
	if err := enc.Encode(w, msg); err != nil {
		t.Logf("encode frame: %v", err)
		return false
	}
	http.NewResponseController(w).Flush()
	return true
}

// writeAWSError answers with an AWS JSON error: x-amzn-ErrorType and a body.
func writeAWSError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-Errortype", code+":http://internal.amazon.com/coral/com.amazon.bedrock/")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"message":%q}`, msg)
}

// modelOf returns the model id and operation of a runtime call path,
// /model/{modelId}/converse-stream.
func modelOf(r *http.Request) (model, op string) {
	rest, _ := strings.CutPrefix(r.URL.EscapedPath(), "/model/")
	id, op, _ := strings.Cut(rest, "/")
	model, _ = url.PathUnescape(id)
	return model, op
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
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		buf := make([]byte, 1<<20)
		stacks = string(buf[:runtime.Stack(buf, true)])
		if !strings.Contains(stacks, "service/bedrockruntime.") && !strings.Contains(stacks, "(*EventStreamReader)") {
			return
		}
	}
	t.Errorf("event stream goroutines leaked:\n%s", stacks)
}

// httptestServer starts h and closes it when the test ends.
func httptestServer(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}
