package signin

import (
	"net/url"
	"strings"
)

// maxNext bounds the path a sign-in returns to.
const maxNext = 1024

// SafeNext returns next when it is a path of this server — it starts with
// one "/", names no scheme or host however it is decoded, and has no
// backslash, control character or white space a browser would drop or
// bend into a host — and "/" otherwise. A sign-in can therefore only
// return to this server's own pages (no open redirect).
func SafeNext(next string) string {
	if next == "" || len(next) > maxNext || !localPath(next) {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || u.Fragment != "" {
		return "/"
	}
	// Decoded, once or more ("%2F%2Fevil.com", "%252F…"), it must still
	// be a local path: some proxies and browsers decode before use.
	for s := next; ; {
		d, err := url.PathUnescape(s)
		if err != nil || !localPath(d) {
			return "/"
		}
		if d == s {
			return next
		}
		s = d
	}
}

// localPath reports whether s starts with exactly one "/" and holds no
// backslash, control character or white space.
func localPath(s string) bool {
	if !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") {
		return false
	}
	return !strings.ContainsFunc(s, func(r rune) bool {
		return r == '\\' || r <= ' ' || r == 0x7f || (r >= 0x80 && r <= 0x9f) || r == 0xfffd
	})
}
