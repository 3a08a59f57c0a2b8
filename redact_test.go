package magi

import (
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"http://127.0.0.1:11434/v1", "http://127.0.0.1:11434/v1"},
		{"https://user:hunter2@llm.example/v1", "https://user:[redacted]@llm.example/v1"},
		{"postgres://magi:p%40ss:w0rd@db:5432/magi?sslmode=disable", "postgres://magi:[redacted]@db:5432/magi?sslmode=disable"},
		{"postgres://magi@db/magi?password=hunter2&sslmode=require", "postgres://magi@db/magi?password=[redacted]&sslmode=require"},
		{"https://x.openai.azure.com/openai?api-key=abc123&api-version=2024", "https://x.openai.azure.com/openai?api-key=[redacted]&api-version=2024"},
		{"https://gw.example/v1?key=AIzaSyD-123", "https://gw.example/v1?key=[redacted]"},
		{"https://gw.example/v1?token=t0k3n#frag", "https://gw.example/v1?token=[redacted]#frag"},
		{"https://gw.example/v1?x=1&access_token=ya29.abc", "https://gw.example/v1?x=1&access_token=[redacted]"},
		{"https://blob.example/c?sv=2020&sig=AbC%2F123%3D&se=1", "https://blob.example/c?sv=2020&sig=[redacted]&se=1"},
		{"https://s3.example/o?X-Amz-Credential=AKID%2F2026&X-Amz-Signature=f00d", "https://s3.example/o?X-Amz-Credential=[redacted]&X-Amz-Signature=[redacted]"},
		{"https://gw.example/v1?client_secret=s3&user=bob", "https://gw.example/v1?client_secret=[redacted]&user=bob"},
		{`Post "https://u:pw@gw.example/v1/chat/completions?api_key=zz": dial tcp: connection refused`,
			`Post "https://u:[redacted]@gw.example/v1/chat/completions?api_key=[redacted]": dial tcp: connection refused`},
		{"Authorization: Bearer sk-abcdefghijkl", "Authorization: Bearer [redacted]"},
		{"authentication_error: invalid key", "authentication_error: invalid key"},
		{"max_tokens: 4096 is too large", "max_tokens: 4096 is too large"},
		{"https://gw.example/v1?auth=abc&tokens=5", "https://gw.example/v1?auth=[redacted]&tokens=5"},
		{"got Basic dXNlcjpwYXNz from you", "got Basic [redacted] from you"},
		{"sent BEARER t0k3n", "sent BEARER [redacted]"},
		{"/api/deliberations/01a2312bb36d99973613712c79/events", "/api/deliberations/01a2312bb36d99973613712c79/events"},
		{`{"api_key": "zzz", "model": "m"}`, `{"api_key": "[redacted]", "model": "m"}`},
		{"x-api-key: abcdef", "x-api-key: [redacted]"},
		{"Incorrect API key provided: sk-proj-abcdefgh1234.", "Incorrect API key provided: [redacted]."},
		{"key AKIAIOSFODNN7EXAMPLE is not valid", "key [redacted] is not valid"},
		{"use magi_1e747404_abcdefghijklmnop", "use [redacted]"},
		{"the question was about keys and tokens", "the question was about keys and tokens"},
	} {
		if got := Redact(tc.in); got != tc.want {
			t.Errorf("Redact(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
	if got := Redact("the key is PLAINSECRET, again PLAINSECRET", "PLAINSECRET"); strings.Contains(got, "PLAINSECRET") {
		t.Errorf("a given secret stays: %q", got)
	}
}
