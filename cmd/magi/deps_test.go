package main

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestShippedBinaryLinksNoTestCode checks, with go list -deps, that the
// magi binary (also as the Lambda bootstrap is built) and the Lambda zip's
// packer link no test code: neither the testing package nor a fake or a
// test helper of this module (internal/fake*, *test).
func TestShippedBinaryLinksNoTestCode(t *testing.T) {
	builds := []struct {
		name string
		env  []string
		args []string
	}{
		{"magi", nil, []string{"."}},
		{"lambda bootstrap", []string{"GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0"}, []string{"-tags", "lambda.norpc", "."}},
		{"zipbootstrap", nil, []string{"../../deploy/zipbootstrap"}},
	}
	for _, b := range builds {
		t.Run(b.name, func(t *testing.T) {
			cmd := exec.Command("go", append([]string{"list", "-deps"}, b.args...)...)
			cmd.Env = append(os.Environ(), b.env...)
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("go list -deps: %v", err)
			}
			for _, pkg := range strings.Fields(string(out)) {
				if isTestCode(pkg) {
					t.Errorf("%s links %s", b.name, pkg)
				}
			}
		})
	}
}

// isTestCode reports whether the package at path is test code: testing
// and its subpackages, a standard *test package (net/http/httptest), or a
// package of this module named fake* under internal/ or *test. The
// standard library's internal/synctest and internal/testlog are linked
// into every Go program (the runtime's support of testing/synctest and of
// test logging) and are not test code.
func isTestCode(path string) bool {
	last := path[strings.LastIndex(path, "/")+1:]
	std := !strings.Contains(strings.Split(path, "/")[0], ".")
	switch {
	case path == "testing" || strings.HasPrefix(path, "testing/"):
		return true
	case std:
		return !strings.HasPrefix(path, "internal/") && strings.HasSuffix(last, "test")
	}
	return strings.HasSuffix(last, "test") || strings.Contains(path, "/internal/fake")
}

func TestIsTestCode(t *testing.T) {
	for path, want := range map[string]bool{
		"testing": true, "testing/synctest": true, "net/http/httptest": true,
		"github.com/magi-system/magi/internal/fakellm": true, "github.com/magi-system/magi/internal/pgtest": true,
		"github.com/magi-system/magi/store/storetest": true,
		"internal/synctest":                           false, "internal/testlog": false, "net/http": false,
		"github.com/magi-system/magi/feed": false, "github.com/magi-system/magi/internal/fakes/x": true,
	} {
		if got := isTestCode(path); got != want {
			t.Errorf("isTestCode(%q) = %v, want %v", path, got, want)
		}
	}
}

// TestBinary_NoFakeProvider: the shipped binary links the sign-in but
// never the tests' identity provider.
func TestBinary_NoFakeProvider(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	deps := strings.Fields(string(out))
	has := func(pkg string) bool { return slices.Contains(deps, pkg) }
	if has("github.com/magi-system/magi/internal/fakeoidc") {
		t.Errorf("cmd/magi links internal/fakeoidc")
	}
	if !has("github.com/magi-system/magi/signin") || !has("github.com/coreos/go-oidc/v3/oidc") {
		t.Errorf("cmd/magi does not link the sign-in")
	}
}
