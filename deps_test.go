package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportRules enforces DESIGN.md's layering with `go list -deps`: inspect and flows never
// import the UI or the terminal libraries, and inspect imports nothing of the project.
func TestImportRules(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("the go command is not on PATH")
	}
	for _, pattern := range []string{"./inspect/...", "./flows/..."} {
		deps := goListDeps(t, pattern)
		for _, d := range deps {
			if isUIImport(d) {
				t.Errorf("%s depends on %s: inspect and flows must not import the UI or bubbletea/bubbles/lipgloss", pattern, d)
			}
		}
	}
	for _, d := range goListDeps(t, "./inspect/...") {
		if strings.HasPrefix(d, "github.com/oboscope/oboscope/") && !strings.HasPrefix(d, "github.com/oboscope/oboscope/inspect") {
			t.Errorf("inspect depends on %s: inspect must import nothing of the project", d)
		}
	}
}

func goListDeps(t *testing.T, pattern string) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", pattern).Output()
	if err != nil {
		msg := ""
		if ee, ok := err.(*exec.ExitError); ok {
			msg = string(ee.Stderr)
		}
		t.Fatalf("go list -deps %s: %v\n%s", pattern, err, msg)
	}
	var deps []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if line != "" {
			deps = append(deps, line)
		}
	}
	return deps
}

// TestImportRuleMatcher checks the matcher itself on names that must and must not match.
func TestImportRuleMatcher(t *testing.T) {
	// The rule is exercised for real above; this guards the prefixes against typos.
	for _, must := range []string{"charm.land/bubbletea/v2", "charm.land/lipgloss/v2", "github.com/charmbracelet/bubbletea", "github.com/charmbracelet/bubbles/key",
		"github.com/charmbracelet/lipgloss", "github.com/oboscope/oboscope/ui"} {
		if !isUIImport(must) {
			t.Errorf("%s must be forbidden", must)
		}
	}
	for _, ok := range []string{"github.com/charmbracelet/x/term", "github.com/oboscope/oboscope/inspect", "github.com/oboscope/oboscope/uikit", "charm.landing/x"} {
		if isUIImport(ok) {
			t.Errorf("%s must be allowed", ok)
		}
	}
}

// isUIImport reports whether pkg is the project's UI or a terminal UI library (bubbletea, bubbles,
// lipgloss, under charm.land or github.com/charmbracelet).
func isUIImport(pkg string) bool {
	switch {
	case pkg == "github.com/oboscope/oboscope/ui", strings.HasPrefix(pkg, "github.com/oboscope/oboscope/ui/"):
		return true
	case strings.HasPrefix(pkg, "charm.land/"):
		return true
	}
	for _, lib := range []string{"bubbletea", "bubbles", "lipgloss"} {
		if strings.HasPrefix(pkg, "github.com/charmbracelet/"+lib) {
			return true
		}
	}
	return false
}
