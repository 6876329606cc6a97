package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

const module = "github.com/oboscope/oboscope"

// TestImportRules enforces ARCHITECTURE.md's direction of imports with `go list`: inspect imports
// nothing of the project; the engine (flows) imports only inspect; the report package imports no
// terminal UI library; ui never imports the sandbox; nothing but main imports ui; and no package
// of the project imports a terminal UI library except ui.
func TestImportRules(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("the go command is not on PATH")
	}
	rules := []struct {
		pkg     string
		allowed func(imp string) bool // which project packages pkg may import
		noUI    bool                  // pkg must not depend on a terminal UI library
	}{
		{"inspect", func(string) bool { return false }, true},
		{"flows", func(imp string) bool { return imp == module+"/inspect" }, true},
		{"flows/report", func(imp string) bool { return imp == module+"/inspect" || imp == module+"/flows" }, true},
		{"flows/sandbox", func(imp string) bool { return imp == module+"/inspect" || imp == module+"/flows" }, true},
		{"ui", func(imp string) bool {
			return imp == module+"/inspect" || imp == module+"/flows" || imp == module+"/flows/report"
		}, false},
	}
	for _, r := range rules {
		for _, imp := range goList(t, "{{join .Imports \"\\n\"}}", "./"+r.pkg) {
			if strings.HasPrefix(imp, module+"/") && !r.allowed(imp) {
				t.Errorf("%s imports %s, which the direction of imports forbids (ARCHITECTURE.md)", r.pkg, imp)
			}
		}
		if r.noUI {
			for _, d := range goList(t, "{{join .Deps \"\\n\"}}", "./"+r.pkg) {
				if isUIImport(d) {
					t.Errorf("%s depends on %s: only ui may use bubbletea, bubbles or lipgloss", r.pkg, d)
				}
			}
		}
	}
	for _, p := range goList(t, "{{.ImportPath}}: {{join .Imports \" \"}}", "./...") {
		name, imports, _ := strings.Cut(p, ": ")
		if name != module && strings.Contains(" "+imports+" ", " "+module+"/ui ") {
			t.Errorf("%s imports ui: only main.go may", name)
		}
	}
}

func goList(t *testing.T, format, pattern string) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-f", format, pattern).Output()
	if err != nil {
		msg := ""
		if ee, ok := err.(*exec.ExitError); ok {
			msg = string(ee.Stderr)
		}
		t.Fatalf("go list %s: %v\n%s", pattern, err, msg)
	}
	var lines []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if line != "" {
			lines = append(lines, line)
		}
	}
	return lines
}

// TestImportRuleMatcher checks the matcher itself on names that must and must not match.
func TestImportRuleMatcher(t *testing.T) {
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
	case pkg == module+"/ui", strings.HasPrefix(pkg, module+"/ui/"):
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

// TestNoFindingIDLiterals keeps finding IDs in inspect: no other package of the project (tests
// and the sandbox's scenario table, which names the findings each scenario must raise, aside)
// spells one as a string literal. Where code needs a property of a finding, the catalogue entry
// says so.
func TestNoFindingIDLiterals(t *testing.T) {
	ids := catalogueIDs(t)
	if len(ids) == 0 {
		t.Fatal("no finding IDs read from inspect's catalogue")
	}
	for _, dir := range []string{".", "flows", "flows/report", "ui"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for id := range ids {
				if strings.Contains(string(data), `"`+id+`"`) {
					t.Errorf("%s spells the finding ID %q: decide by a catalogue property in inspect instead", f, id)
				}
			}
		}
	}
}

// catalogueIDs reads every finding ID of inspect's catalogue (the ID: "…" fields of its rules_*.go).
func catalogueIDs(t *testing.T) map[string]bool {
	t.Helper()
	files, _ := filepath.Glob("inspect/rules_*.go")
	re := regexp.MustCompile(`\bID:\s+"([a-z]+\.[a-z0-9-]+)"`)
	ids := map[string]bool{}
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		for sc.Scan() {
			for _, m := range re.FindAllStringSubmatch(sc.Text(), -1) {
				ids[m[1]] = true
			}
		}
		fh.Close()
	}
	return ids
}
