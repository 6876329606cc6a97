package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runArgs runs one command line on empty input and returns its exit code and output.
func runArgs(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// TestDidYouMean: an unknown command or flag names the nearest one, and a report format is
// taken in any case, a wrong one with its nearest.
func TestDidYouMean(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"chek"}, `oboscope: unknown command "chek"; did you mean check? (oboscope --help lists the commands)`},
		{[]string{"scenaros"}, `did you mean scenarios?`},
		{[]string{"check", "--fromat", "json"}, "oboscope: check: unknown flag --fromat; did you mean --format?"},
		{[]string{"check", "--sandbox", "--format", "Markdwn"}, `not "Markdwn"; did you mean markdown?`},
	}
	for _, tt := range tests {
		code, out, errs := runArgs(tt.args...)
		if code != 2 || out != "" || !strings.Contains(errs, tt.want) {
			t.Errorf("oboscope %s: exit %d, stderr %q; want 2 and %q", strings.Join(tt.args, " "), code, errs, tt.want)
		}
	}
	if code, out, errs := runArgs("scenarios", "--json"); code != 0 || !strings.Contains(out, "agent-accepts-anonymous") {
		t.Fatalf("scenarios: %d %q", code, errs)
	}
}

// TestExplainWithoutArgumentShowsUsage: `oboscope explain` alone says what it accepts.
func TestExplainWithoutArgumentShowsUsage(t *testing.T) {
	code, _, errs := runArgs("explain")
	for _, want := range []string{"explain takes one of:", "Usage:", "oboscope explain [ID | CODE | TEXT | -]", "oboscope explain AADSTS9010010"} {
		if code != 2 || !strings.Contains(errs, want) {
			t.Fatalf("explain: exit %d, stderr lacks %q:\n%s", code, want, errs)
		}
	}
}

// TestEveryHelpHasExamples: every command's --help shows examples.
func TestEveryHelpHasExamples(t *testing.T) {
	for _, cmd := range []string{"", "check", "inspect", "sandbox", "scenarios", "explain", "tap"} {
		args := append(strings.Fields(cmd), "--help")
		code, out, _ := runArgs(args...)
		if code != 0 || !strings.Contains(out, "Examples:") {
			t.Errorf("oboscope %s --help has no examples (exit %d)", cmd, code)
		}
	}
}

// TestTUIFlags: the TUI's own flags are checked before anything starts, and without a terminal
// the walk points to check.
func TestTUIFlags(t *testing.T) {
	if _, _, errs := runArgs("--export-dir", filepath.Join(t.TempDir(), "nope")); !strings.Contains(errs, "--export-dir") || !strings.Contains(errs, "no such folder") {
		t.Fatalf("a missing --export-dir: %q", errs)
	}
	if _, _, errs := runArgs("--pace", "-2s"); !strings.Contains(errs, "--pace must be a positive duration") {
		t.Fatalf("a negative --pace: %q", errs)
	}
	code, _, errs := runArgs("--sandbox", "--step")
	if code != 2 || !strings.Contains(errs, "needs a terminal") || !strings.Contains(errs, "oboscope check") {
		t.Fatalf("the TUI without a terminal: exit %d %q", code, errs)
	}
}

// TestScenarioWithImplicitConfig: in a folder with an oboscope.yaml, --scenario is refused with
// the reason and the way out.
func TestScenarioWithImplicitConfig(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "oboscope.yaml"), []byte("tenant_id: contoso.example\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	wd, _ := os.Getwd()
	t.Cleanup(func() { _ = os.Chdir(wd) })
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	code, _, errs := runArgs("--scenario", "wrong-audience")
	if code != 2 || !strings.Contains(errs, "--scenario needs the sandbox (./oboscope.yaml is in this folder and was picked up: add --sandbox") {
		t.Fatalf("exit %d %q", code, errs)
	}
}
