package main

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestRelease_NoReflectiveMethodLookup: the release build (make install,
// the Lambda and AgentCore builds: -tags lambda.norpc,grpcnotrace) links
// no package that looks methods up by reflection (net/rpc, text/template,
// html/template): with one, the linker must keep every exported method of
// every reachable type, and the binary grows from 56 MB to 87 MB
// (docs/BENCHMARKS.md). aws-lambda-go's RPC mode brings net/rpc without
// lambda.norpc, gRPC's golang.org/x/net/trace brings html/template without
// grpcnotrace. The Makefile, the deploy scripts and the build commands of
// README and DEPLOY.md must keep the tags.
func TestRelease_NoReflectiveMethodLookup(t *testing.T) {
	out, err := exec.Command("go", "list", "-tags", "lambda.norpc,grpcnotrace", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	deps := strings.Fields(string(out))
	for _, pkg := range []string{"net/rpc", "text/template", "html/template"} {
		if slices.Contains(deps, pkg) {
			t.Errorf("the release build of magi links %s", pkg)
		}
	}
	for _, file := range []string{"../../Makefile", "../../README.md", "../../docs/DEPLOY.md", "../../deploy/build-lambda.sh", "../../deploy/agentcore/build.sh"} {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), "-tags lambda.norpc,grpcnotrace") || !strings.Contains(string(b), "-ldflags='-s -w'") {
			t.Errorf("%s does not build with -tags lambda.norpc,grpcnotrace -ldflags='-s -w'", file)
		}
	}
}
