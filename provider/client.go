package provider

import (
	"net/http"
	"time"
)

// maxIdlePerHost is how many idle connections to one model host a
// provider keeps: the council streams several calls to the same host at
// once (three sages per deliberation, many deliberations), and each call
// that finds no idle connection opens one. net/http keeps 2 by default.
const maxIdlePerHost = 1024

// responseHeaderTimeout bounds the wait from a request written to the
// response's headers; it does not apply to the streamed body.
const responseHeaderTimeout = 10 * time.Minute

// HTTPClient returns the HTTP client of a provider that was given none: a
// clone of http.DefaultTransport (proxies from the environment, HTTP/2)
// that keeps maxIdlePerHost idle connections per host, so that a burst of
// deliberations reuses the connections of the last one instead of opening
// new ones.
func HTTPClient() *http.Client {
	t, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		return &http.Client{Transport: http.DefaultTransport}
	}
	t = t.Clone()
	t.MaxIdleConns = max(t.MaxIdleConns, maxIdlePerHost)
	t.MaxIdleConnsPerHost = maxIdlePerHost
	t.ResponseHeaderTimeout = responseHeaderTimeout
	return &http.Client{Transport: t}
}
