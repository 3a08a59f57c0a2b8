package bedrock

import (
	"bytes"
	"io"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
)

// bufferedBody hands the transport its own copy of each request body.
//
// smithy-go closes its request body as soon as Do returns, which for a
// streaming call is when the response headers arrive. If net/http is still
// checking the body for bytes past Content-Length at that moment, the
// closed body answers io.EOF as an error, and net/http closes the
// connection under the live event stream: a fast server could cut answers
// at random. Request bodies here are small (a prompt), so a copy is cheap.
type bufferedBody struct {
	next bedrockruntime.HTTPClient
}

// Do sends req with a body the SDK cannot close under the transport.
func (c bufferedBody) Do(req *http.Request) (*http.Response, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return c.next.Do(req)
	}
	body, err := io.ReadAll(req.Body)
	req.Body.Close()
	if err != nil {
		return nil, err
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	return c.next.Do(req)
}

// roundTripper is an SDK HTTP client as an http.RoundTripper, for a
// transport wrapper (Config.Instrument) to wrap.
type roundTripper struct {
	c bedrockruntime.HTTPClient
}

// RoundTrip sends req with the client.
func (r roundTripper) RoundTrip(req *http.Request) (*http.Response, error) { return r.c.Do(req) }

// doer is an http.RoundTripper as the SDK's HTTP client.
type doer struct {
	rt http.RoundTripper
}

// Do sends req through the transport.
func (d doer) Do(req *http.Request) (*http.Response, error) { return d.rt.RoundTrip(req) }
