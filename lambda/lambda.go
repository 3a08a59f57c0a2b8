// Package lambda serves an http.Handler as an AWS Lambda Function URL
// handler in RESPONSE_STREAM mode, so MAGI's event streams reach the
// browser event by event, as the seed system's function URL did.
//
// It runs aws-lambda-go's runtime loop. The response goes to the Runtime
// API as one chunked POST of content type
// application/vnd.awslambda.http-integration-response: a JSON prelude
// {statusCode, headers, cookies}, eight NUL bytes, then the body, each
// Write of the handler becoming a chunk on the wire the moment it is made.
//
// It does the job of aws-lambda-go's lambdaurl.Wrap, with two differences
// that matter for a long stream: a panic in the handler is recovered (in
// lambdaurl it kills the process mid-response), and once the headers are
// out it ends the body with an error, so the runtime reports it in the
// Lambda-Runtime-Function-Error-Type trailer; and the request's cookies,
// which a Function URL event carries apart from its headers, reach the
// handler.
package lambda

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	awslambda "github.com/aws/aws-lambda-go/lambda"
)

// ErrNotInLambda is returned by Run outside an AWS Lambda execution
// environment, where AWS_LAMBDA_RUNTIME_API is not set.
var ErrNotInLambda = errors.New("AWS_LAMBDA_RUNTIME_API is not set: this is not an AWS Lambda execution environment")

// Run serves h through the Lambda Runtime API named by
// AWS_LAMBDA_RUNTIME_API, one invocation at a time, with ctx as the parent
// of every request's context. Outside Lambda it returns ErrNotInLambda.
// Inside, it does not return: aws-lambda-go ends the process when the
// Runtime API fails, and Lambda starts a new one.
func Run(ctx context.Context, h http.Handler, log *slog.Logger) error {
	if os.Getenv("AWS_LAMBDA_RUNTIME_API") == "" {
		return ErrNotInLambda
	}
	awslambda.StartHandlerFunc(Wrap(h, log), awslambda.WithContext(ctx))
	return nil
}

// Handler is a Lambda handler of Function URL events whose response is
// streamed.
type Handler = func(context.Context, *events.LambdaFunctionURLRequest) (*events.LambdaFunctionURLStreamingResponse, error)

// Wrap turns h into a Handler. The handler runs in its own goroutine while
// the runtime reads its response: the prelude as soon as h writes its
// header (or its first byte), then every Write as it happens. A nil log
// discards.
func Wrap(h http.Handler, log *slog.Logger) Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return func(ctx context.Context, event *events.LambdaFunctionURLRequest) (*events.LambdaFunctionURLStreamingResponse, error) {
		ctx = context.WithValue(ctx, requestKey{}, event)
		req, err := newRequest(ctx, event)
		if err != nil {
			return nil, err
		}
		pr, pw := io.Pipe()
		w := newResponseWriter(pw)
		go serve(h, w, req, log)
		head := <-w.ready
		return &events.LambdaFunctionURLStreamingResponse{
			StatusCode: head.status, Headers: head.headers, Cookies: head.cookies, Body: pr,
		}, nil
	}
}

type requestKey struct{}

// RequestFromContext returns the Function URL event of the request whose
// context is ctx.
func RequestFromContext(ctx context.Context) (*events.LambdaFunctionURLRequest, bool) {
	e, ok := ctx.Value(requestKey{}).(*events.LambdaFunctionURLRequest)
	return e, ok
}

// newRequest is the http.Request of a Function URL event (payload 2.0).
func newRequest(ctx context.Context, e *events.LambdaFunctionURLRequest) (*http.Request, error) {
	body := []byte(e.Body)
	if e.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(e.Body)
		if err != nil {
			return nil, fmt.Errorf("the event's body is not base64: %w", err)
		}
		body = b
	}
	path := e.RawPath
	if path == "" {
		path = "/"
	}
	url := "https://" + e.RequestContext.DomainName + path
	if e.RawQueryString != "" {
		url += "?" + e.RawQueryString
	}
	method := e.RequestContext.HTTP.Method
	if method == "" {
		method = http.MethodGet
	}
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.RemoteAddr = e.RequestContext.HTTP.SourceIP
	req.RequestURI = path
	if e.RawQueryString != "" {
		req.RequestURI += "?" + e.RawQueryString
	}
	for k, v := range e.Headers {
		req.Header.Add(k, v)
	}
	if len(e.Cookies) > 0 {
		req.Header.Set("Cookie", strings.Join(e.Cookies, "; "))
	}
	return req, nil
}
