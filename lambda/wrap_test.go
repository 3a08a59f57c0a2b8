package lambda_test

import (
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"

	"github.com/magi-system/magi/lambda"
)

// TestWrap_Request: the handler sees the Function URL request as an
// http.Request (method, path, query, headers, cookies, decoded body), and
// its response's head becomes the prelude: cookies apart, hop-by-hop
// headers dropped, a missing Content-Type sniffed.
func TestWrap_Request(t *testing.T) {
	type seen struct {
		Method, URI, Host, Remote, Cookie, Accept, Body string
		Event                                           bool
	}
	var got seen
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		_, inCtx := lambda.RequestFromContext(r.Context())
		c, _ := r.Cookie("session")
		got = seen{r.Method, r.URL.RequestURI(), r.Host, r.RemoteAddr, c.String(), r.Header.Get("Accept"), string(body), inCtx}
		w.Header().Set("Connection", "keep-alive")
		w.Header().Add("Set-Cookie", "a=1")
		w.Header().Add("Set-Cookie", "b=2")
		w.Header().Add("Vary", "Origin")
		w.Header().Add("Vary", "Accept")
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte("<!DOCTYPE html><p>hi</p>"))
	})
	event := &events.LambdaFunctionURLRequest{
		RawPath: "/api/deliberations", RawQueryString: "limit=2&q=x",
		Cookies: []string{"session=abc", "other=1"}, Headers: map[string]string{"accept": "application/json"},
		Body: base64.StdEncoding.EncodeToString([]byte(`{"question":"?"}`)), IsBase64Encoded: true,
		RequestContext: events.LambdaFunctionURLRequestContext{DomainName: "x.lambda-url.eu-west-1.on.aws",
			HTTP: events.LambdaFunctionURLRequestContextHTTPDescription{Method: "POST", SourceIP: "198.51.100.1"}},
	}
	resp, err := lambda.Wrap(h, nil)(context.Background(), event)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(resp)
	if err != nil {
		t.Fatal(err)
	}
	want := seen{"POST", "/api/deliberations?limit=2&q=x", "x.lambda-url.eu-west-1.on.aws", "198.51.100.1",
		"session=abc", "application/json", `{"question":"?"}`, true}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("request (-want +got):\n%s", diff)
	}
	p, rest := cutPrelude(t, raw)
	wantP := prelude{StatusCode: 201, Cookies: []string{"a=1", "b=2"},
		Headers: map[string]string{"Vary": "Origin,Accept", "Content-Type": "text/html; charset=utf-8"}}
	if diff := cmp.Diff(wantP, p); diff != "" {
		t.Errorf("prelude (-want +got):\n%s", diff)
	}
	if string(rest) != "<!DOCTYPE html><p>hi</p>" {
		t.Errorf("body %q", rest)
	}
}
