package main

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestRelease_NoReflectiveMethodLookup: the release build (make install,
// the Lambda and AgentCore builds: -tags lambda.norpc) links no package
// that looks methods up by reflection (net/rpc, text/template): with one,
// the linker must keep every exported method of every reachable type, and
// the binary grows from 52 MB to 83 MB (docs/BENCHMARKS.md). The Makefile
// and the deploy scripts must keep the tag.
func TestRelease_NoReflectiveMethodLookup(t *testing.T) {
	out, err := exec.Command("go", "list", "-tags", "lambda.norpc", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	deps := strings.Fields(string(out))
	for _, pkg := range []string{"net/rpc", "text/template", "html/template"} {
		if slices.Contains(deps, pkg) {
			t.Errorf("the release build of magi links %s", pkg)
		}
	}
	for _, file := range []string{"../../Makefile", "../../deploy/build-lambda.sh", "../../deploy/agentcore/build.sh"} {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), "-tags lambda.norpc") || !strings.Contains(string(b), "-ldflags='-s -w'") {
			t.Errorf("%s does not build with -tags lambda.norpc -ldflags='-s -w'", file)
		}
	}
}
