package deploy

import (
	"archive/zip"
	"bytes"
	"debug/elf"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestBuildLambda runs build-lambda.sh, as `make lambda` does, and checks
// the zip the template deploys: one executable arm64 Linux binary named
// bootstrap, statically linked, the same zip for the same binary.
func TestBuildLambda(t *testing.T) {
	skipCrossCompile(t)
	out := t.TempDir()
	cmd := exec.Command("./build-lambda.sh")
	cmd.Env = append(os.Environ(), "BUILD_DIR="+out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build-lambda.sh: %v\n%s", err, b)
	}
	zr, err := zip.OpenReader(filepath.Join(out, "magi-lambda.zip"))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	if len(zr.File) != 1 || zr.File[0].Name != "bootstrap" {
		t.Fatalf("zip holds %d files, want only bootstrap", len(zr.File))
	}
	f := zr.File[0]
	if f.Mode()&0o111 == 0 {
		t.Errorf("bootstrap has mode %v, not executable", f.Mode())
	}
	assertArm64(t, readZipped(t, f))

	// Zipping the same binary again gives the same bytes.
	first, _ := os.ReadFile(filepath.Join(out, "magi-lambda.zip"))
	again := filepath.Join(out, "again.zip")
	zip := exec.Command("go", "run", "./zipbootstrap", filepath.Join(out, "lambda", "bootstrap"), again)
	if b, err := zip.CombinedOutput(); err != nil {
		t.Fatalf("zipbootstrap: %v\n%s", err, b)
	}
	if second, _ := os.ReadFile(again); !bytes.Equal(first, second) {
		t.Error("zipping the same bootstrap twice gave different zips")
	}
}

// TestBuildAgentCore runs agentcore/build.sh and checks it makes the arm64
// Linux binary the Dockerfile copies.
func TestBuildAgentCore(t *testing.T) {
	skipCrossCompile(t)
	out := t.TempDir()
	cmd := exec.Command("./agentcore/build.sh")
	cmd.Env = append(os.Environ(), "BUILD_DIR="+out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("agentcore/build.sh: %v\n%s", err, b)
	}
	b, err := os.ReadFile(filepath.Join(out, "agentcore", "magi"))
	if err != nil {
		t.Fatal(err)
	}
	assertArm64(t, b)
	if src := dockerfile(t).copySource(); src != "build/agentcore/magi" {
		t.Errorf("the Dockerfile copies %q, not what build.sh writes (build/agentcore/magi)", src)
	}
}

// skipCrossCompile skips a test that cross-compiles MAGI for arm64 (minutes
// on a cold build cache) under go test -short.
func skipCrossCompile(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("cross-compiles MAGI for arm64: skipped with -short")
	}
}

func readZipped(t *testing.T, f *zip.File) []byte {
	t.Helper()
	rc, err := f.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// assertArm64 checks b is a static arm64 Linux executable.
func assertArm64(t *testing.T, b []byte) {
	t.Helper()
	ef, err := elf.NewFile(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not an ELF binary: %v", err)
	}
	defer ef.Close()
	if ef.Machine != elf.EM_AARCH64 || ef.Class != elf.ELFCLASS64 || ef.Type != elf.ET_EXEC {
		t.Errorf("ELF machine %v class %v type %v, want an AARCH64 64-bit executable", ef.Machine, ef.Class, ef.Type)
	}
	for _, p := range ef.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("the binary is dynamically linked (it has an interpreter); provided.al2023 needs CGO_ENABLED=0")
		}
	}
}
