package signin

import "testing"

// TestSafeNext: only this server's paths survive; anything that names
// another host, however spelled or encoded, becomes "/".
func TestSafeNext(t *testing.T) {
	for next, want := range map[string]string{
		"":                               "/",
		"/":                              "/",
		"/d/0123abcd":                    "/d/0123abcd",
		"/d/0123abcd?tab=trace":          "/d/0123abcd?tab=trace",
		"/d/%E5%AF%A9%E8%AD%B0":          "/d/%E5%AF%A9%E8%AD%B0",
		"//evil.com":                     "/",
		"//evil.com/path":                "/",
		"/\\evil.com":                    "/",
		"\\\\evil.com":                   "/",
		"/\\/evil.com":                   "/",
		"https://evil":                   "/",
		"https://evil.com/d/1":           "/",
		"http:evil.com":                  "/",
		"javascript:alert(1)":            "/",
		"evil.com":                       "/",
		"%2F%2Fevil.com":                 "/",
		"/%2F%2Fevil.com":                "/",
		"/%2Fevil.com":                   "/",
		"/%5Cevil.com":                   "/",
		"/%255C%255Cevil.com":            "/",
		"%252F%252Fevil.com":             "/",
		"/\t/evil.com":                   "/",
		"/\n/evil.com":                   "/",
		"/ /evil.com":                    "/",
		"/%09/evil.com":                  "/",
		"/d/1#frag":                      "/",
		"/d/1%":                          "/",
		"/\u0085/evil.com":               "/",
		"/" + string(make([]byte, 2000)): "/",
	} {
		if got := SafeNext(next); got != want {
			t.Errorf("SafeNext(%q) = %q, want %q", next, got, want)
		}
	}
}
