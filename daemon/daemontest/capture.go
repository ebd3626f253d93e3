package daemontest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/ventanilla-mx/ventanilla/internal/testenv"
)

var (
	captureOnce sync.Once
	captureBin  string
	captureErr  error
)

// CaptureBinary builds cmd/ventanilla-capture once per test process (into
// a temporary directory removed at exit by the OS's tmp cleaning; the file
// is small and shared by every test) and returns its path. Without a Go
// toolchain or OpenCV the test skips outside CI and fails under CI.
func CaptureBinary(tb testing.TB) string {
	tb.Helper()
	captureOnce.Do(func() {
		dir, err := os.MkdirTemp("", "ventanilla-capture-bin")
		if err != nil {
			captureErr = err
			return
		}
		captureBin = filepath.Join(dir, "ventanilla-capture")
		out, err := exec.Command("go", "build", "-o", captureBin, "github.com/ventanilla-mx/ventanilla/cmd/ventanilla-capture").CombinedOutput()
		if err != nil {
			captureErr = fmt.Errorf("go build ventanilla-capture: %v\n%s", err, out)
		}
	})
	testenv.Require(tb, "the capture binary", captureErr)
	return captureBin
}
