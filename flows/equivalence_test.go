package flows_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oboscope/oboscope/flows/sandbox"
)

// runBinary runs the oboscope binary and returns its report (JSON), exit code and stderr.
func runBinary(t *testing.T, args ...string) (checkReport, int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, oboscopeBinary(t), args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("oboscope %v: %v", args, err)
	}
	var rep checkReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("oboscope %v: not JSON (%v): %s\n%s", args, err, out.String(), errb.String())
	}
	return rep, code, errb.String()
}

// startSandboxProcess runs `oboscope sandbox --scenario S --auto-approve --write-config F` and
// waits until it serves; the returned function stops it (SIGINT, by its own pid).
func startSandboxProcess(t *testing.T, scenario, cfgPath string) func() {
	t.Helper()
	cmd := exec.Command(oboscopeBinary(t), "sandbox", "--scenario", scenario, "--auto-approve", "--write-config", cfgPath)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		ok := false
		for sc.Scan() {
			if !ok && strings.Contains(sc.Text(), "Serving until interrupted") {
				ok = true
				ready <- true
			}
		}
		if !ok {
			ready <- false
		}
	}()
	select {
	case ok := <-ready:
		if !ok {
			cmd.Wait()
			t.Fatalf("sandbox %s did not start: %s", scenario, errb.String())
		}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("sandbox %s did not start in time", scenario)
	}
	return func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	}
}

// TestEquivalence is the proof that findings come from observation: a sandbox in one process and
// `check --config` in another report the same finding IDs as `check --sandbox`, for every scenario.
func TestEquivalence(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs every scenario twice")
	}
	for _, sc := range sandbox.Scenarios() {
		t.Run(sc.Name, func(t *testing.T) {
			embedded, codeA, _ := runBinary(t, "check", "--sandbox", "--scenario", sc.Name, "--format", "json")
			cfgPath := filepath.Join(t.TempDir(), "oboscope.yaml")
			stop := startSandboxProcess(t, sc.Name, cfgPath)
			separate, codeB, stderr := runBinary(t, "check", "--config", cfgPath, "--format", "json")
			stop()
			a, b := embedded.placedFindings(), separate.placedFindings()
			if !slices.Equal(a, b) {
				t.Fatalf("%s: check --sandbox raised %v but sandbox + check --config raised %v (%s)", sc.Name, a, b, stderr)
			}
			if codeA != codeB {
				t.Fatalf("%s: exit codes differ: %d vs %d", sc.Name, codeA, codeB)
			}
			if embedded.Mode != "sandbox" || embedded.Scenario != sc.Name {
				t.Fatalf("mode/scenario: %q %q", embedded.Mode, embedded.Scenario)
			}
		})
	}
}
