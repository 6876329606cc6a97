package flows_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// The oboscope binary, built once for the whole-process tests.
var (
	binOnce sync.Once
	binPath string
	binDir  string
	binErr  error
)

// oboscopeBinary builds ./ (the oboscope command) once into a temporary folder.
func oboscopeBinary(t testing.TB) string {
	t.Helper()
	binOnce.Do(func() {
		binDir, binErr = os.MkdirTemp("", "oboscope-bin-")
		if binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "oboscope")
		cmd := exec.Command("go", "build", "-o", binPath, "..")
		out, err := cmd.CombinedOutput()
		if err != nil {
			binErr = &buildError{out: string(out), err: err}
		}
	})
	if binErr != nil {
		t.Fatalf("building oboscope: %v", binErr)
	}
	return binPath
}

type buildError struct {
	out string
	err error
}

func (e *buildError) Error() string { return e.err.Error() + ": " + e.out }

func cleanupBinary() {
	if binDir != "" {
		os.RemoveAll(binDir)
	}
}
