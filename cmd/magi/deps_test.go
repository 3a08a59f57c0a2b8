package main

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

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
