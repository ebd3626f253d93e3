package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"
)

// inCI reports whether the tests run in CI (.ci/run sets CI=true). There a
// missing tool is a failure, because scripts/deps.sh installs it.
func inCI() bool { return os.Getenv("CI") != "" }

// skipOrFail skips on a developer's machine and fails in CI.
func skipOrFail(t *testing.T, why string) {
	t.Helper()
	if inCI() {
		t.Fatalf("%s (CI must have it: scripts/deps.sh installs it)", why)
	}
	t.Skipf("%s; skipping (CI runs this)", why)
}

// needTool returns the path of a tool or skips/fails without it.
func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		skipOrFail(t, name+" not installed")
	}
	return p
}

// repoRoot is the repository root, two levels above this package.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "cmd", "ventanillad")); err != nil {
		t.Fatalf("repository root not found at %s: %v", root, err)
	}
	return root
}

var (
	binOnce sync.Once
	binDir  string
	binErr  error
)

// builtBinaries builds every command once per test process, as `make
// build` does, into a directory that lives as long as the process.
func builtBinaries(t *testing.T) string {
	t.Helper()
	needTool(t, "go")
	root := repoRoot(t)
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "mkdeb-test-bin-")
		if err != nil {
			binErr = err
			return
		}
		if binErr = BuildBinaries(root, "packaging-test", dir); binErr != nil {
			return
		}
		binDir = dir
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binDir
}

// testSpec returns a Spec for the test binaries with the given version.
func testSpec(t *testing.T, version string) *Spec {
	t.Helper()
	return &Spec{Root: repoRoot(t), BinDir: builtBinaries(t), Version: version,
		Arch: debArch(t), Date: testDate, Work: t.TempDir()}
}

func debArch(t *testing.T) string {
	if out, err := exec.Command("dpkg", "--print-architecture").Output(); err == nil {
		return string(out[:len(out)-1])
	}
	return runtime.GOARCH
}

// buildTestDeb builds a package of the test binaries with dependencies
// computed as `make deb` computes them.
func buildTestDeb(t *testing.T, version string) string {
	t.Helper()
	needTool(t, "dpkg-shlibdeps")
	path, err := BuildWithDeps(testSpec(t, version), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return path
}

func TestMain(m *testing.M) {
	helperMain()
	code := m.Run()
	for _, dir := range []string{binDir, debDir, stageDir} {
		if dir != "" {
			os.RemoveAll(dir)
		}
	}
	os.Exit(code)
}

var testDate = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
