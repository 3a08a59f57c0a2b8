package web

import (
	"bytes"
	"compress/gzip"
	"strconv"
	"strings"
)

// compressible reports whether files of media type ct are worth gzipping:
// text, scripts and SVG; images are compressed already.
func compressible(ct string) bool {
	return strings.HasPrefix(ct, "text/") || strings.HasPrefix(ct, "image/svg") || strings.HasPrefix(ct, "application/json")
}

// gzipper compresses the embedded files at the best level, once each at
// start-up. One compressor serves them all: each gzip.Writer holds about
// 1 MB of tables, and one per file left the idle server 6 MB larger.
type gzipper struct{ zw *gzip.Writer }

func newGzipper() gzipper {
	zw, _ := gzip.NewWriterLevel(nil, gzip.BestCompression) // a valid level never fails
	return gzipper{zw}
}

// gzipped is body compressed.
func (g gzipper) gzipped(body []byte) []byte {
	var buf bytes.Buffer
	g.zw.Reset(&buf)
	_, _ = g.zw.Write(body) // a bytes.Buffer never fails
	_ = g.zw.Close()
	return buf.Bytes()
}

// acceptsGzip reports whether an Accept-Encoding header value admits gzip:
// "gzip" or "*" with a q-value above zero (RFC 9110, section 12.5.3).
func acceptsGzip(header string) bool {
	star := false
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if name != "gzip" && name != "x-gzip" && name != "*" {
			continue
		}
		ok := qualityAboveZero(params)
		if name != "*" {
			return ok
		}
		star = ok
	}
	return star
}

// qualityAboveZero reads the q parameter of an Accept-Encoding element;
// absent means 1.
func qualityAboveZero(params string) bool {
	for _, p := range strings.Split(params, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		if strings.EqualFold(strings.TrimSpace(k), "q") {
			q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return err == nil && q > 0
		}
	}
	return true
}
