package magi

import (
	"regexp"
	"strings"
)

// Redacted replaces a secret that Redact removed.
const Redacted = "[redacted]"

// The credentials Redact finds in text, with the part kept in group 1.
var (
	// the password of a URL's user info: scheme://user:password@host
	urlPassword = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.\-]*://[^/?#@\s:]*):[^/?#@\s]*@`)
	// an Authorization scheme's credentials: Bearer …, Basic …
	authScheme = regexp.MustCompile(`(?i)(\b(?:bearer|basic)\s+)[^\s"',]+`)
	// a parameter or field whose name ends like a credential's, in a
	// query string (?api-key=…, &sig=…), a header (x-api-key: …) or
	// JSON ("access_token": "…"); "max_tokens: 10" or "auth_error: …"
	// are not credentials
	credential = regexp.MustCompile(`(?i)((?:^|[?&;#\s,{("'])[\w.\-]*(?:key|token|secret|passw(?:or)?d|pwd|sig|signature|credential|auth)["']?\s*[=:]\s*["']?)[^\s"'&;,#})\][]+`)
	// what looks like an API key whatever surrounds it: OpenAI and
	// Anthropic keys, AWS access key ids, MAGI's own API keys
	keyLike = regexp.MustCompile(`\b(?:sk-[A-Za-z0-9_\-*]{6,}|(?:AKIA|ASIA)[A-Z0-9]{12,}|magi_[0-9a-f]{8}_[A-Za-z0-9_\-]{8,})`)
)

// Redact removes credentials from s, which may be a URL (a provider's base
// URL, a database URL) or any text quoting one (an error, a log line): the
// given secrets wherever they appear, a URL's password (user:pass@), the
// values of query parameters, headers and JSON fields named like a
// credential (api-key, key, token, access_token, sig, signature, password,
// secret, X-Amz-Credential …), Bearer and Basic credentials, and what
// looks like an API key. What it removes reads "[redacted]".
//
// It is MAGI's one redaction: every error, event, record, export, log
// line and command output that may quote a configured URL or an upstream's
// message passes through it.
func Redact(s string, secrets ...string) string {
	for _, k := range secrets {
		if len(k) >= 4 {
			s = strings.ReplaceAll(s, k, Redacted)
		}
	}
	if !mayHoldCredential(s) {
		return s // the common case, kept cheap: every log line passes here
	}
	s = urlPassword.ReplaceAllString(s, "${1}:"+Redacted+"@")
	s = authScheme.ReplaceAllString(s, "${1}"+Redacted)
	s = credential.ReplaceAllString(s, "${1}"+Redacted)
	return keyLike.ReplaceAllString(s, Redacted)
}

// mayHoldCredential reports whether one of Redact's patterns could match
// s: each needs one of ":=@", an API key's prefix, or "Bearer"/"Basic".
func mayHoldCredential(s string) bool {
	if strings.ContainsAny(s, ":=@") || strings.Contains(s, "sk-") || strings.Contains(s, "AKIA") ||
		strings.Contains(s, "ASIA") || strings.Contains(s, "magi_") {
		return true
	}
	for i := 0; i < len(s); i++ {
		if s[i] == 'b' || s[i] == 'B' {
			if rest := s[i:]; (len(rest) >= 6 && strings.EqualFold(rest[:6], "bearer")) || (len(rest) >= 5 && strings.EqualFold(rest[:5], "basic")) {
				return true
			}
		}
	}
	return false
}
