package server

import (
	"fmt"
	"html"
	"net/http"
	"strconv"
	"strings"

	"github.com/magi-system/magi"
)

// failedPage is what a browser sees when a sign-in fails: the reason and
// a way back, in the MAGI style (the UI's stylesheets; no inline style or
// script, as the CSP demands). The %s are the escaped message, code and
// status. (No html/template: it would link text/template, whose reflective
// method lookup keeps every exported method in the binary; see
// cmd/magi/release_test.go.)
const failedPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>MAGI — sign-in failed</title>
<link rel="stylesheet" href="/css/base.css"><link rel="stylesheet" href="/css/signin.css">
</head><body>
<main class="signin" aria-labelledby="signin-title">
<h1 class="brand"><span>MAGI</span></h1>
<h2 id="signin-title"><span class="kanji">認証失敗</span> SIGN-IN FAILED</h2>
<p class="signin-reason" id="signin-reason">%s</p>
<p class="signin-code">CODE: %s · HTTP %s</p>
<p><a class="btn primary" id="signin-again" href="/auth/login">SIGN IN AGAIN</a> <a class="btn" href="/">MAGI</a></p>
</main></body></html>
`

// signInError answers a failed /auth/ request: an HTML page for a browser
// that navigated there (the login and callback redirects), SPEC's JSON
// error otherwise.
func (s *Server) signInError(w http.ResponseWriter, r *http.Request, err error) {
	if !strings.Contains(r.Header.Get("Accept"), "text/html") {
		writeError(w, r, err)
		return
	}
	code := magi.ErrorCode(err)
	status := statusOf(code)
	if status >= 500 {
		logger(r).Error("sign-in failed", "code", code, "err", err)
	}
	if retry := retryHeader(err); retry != "" {
		w.Header().Set("Retry-After", retry)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = fmt.Fprintf(w, failedPage, html.EscapeString(magi.ErrorMessage(err)), html.EscapeString(code), strconv.Itoa(status))
}
