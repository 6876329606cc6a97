package ui

import (
	"strings"
	"testing"
)

// TestFailedHopWithOnlyWarnings: a hop that failed with only a warning finding (Entra's claims
// challenge, an unqualified scope) is the walk's first failure: the box shows that finding with
// its fix, x explains it, and the title bar, status line and hints say "failure", not "error"
// .
func TestFailedHopWithOnlyWarnings(t *testing.T) {
	tests := []struct {
		scenario string
		hop      string // "<n> <short title>"
		heading  string // the finding's heading line in the box
		fix      string
		id       string
	}{
		{"mfa-required", "3 OBO exchange", "│ WARN  Downstream API requires more (claims challenge)  obo.claims-challenge",
			"Fix: Return 401 with WWW-Authenticate: Bearer error=\"insufficient_claims\"", "obo.claims-challenge"},
		{"unqualified-scope", "1 Sign-in", "│ WARN  Scope is not fully qualified  signin.scope-unqualified",
			"Fix: Ask for the full scope: api://<app id uri>/<scope>", "signin.scope-unqualified"},
	}
	for _, tt := range tests {
		t.Run(tt.scenario, func(t *testing.T) {
			m := sandboxModel(t, tt.scenario, 120, 36)
			d := runWalk(t, m)
			view := screen(m)
			lines := strings.Split(view, "\n")
			if title := strings.TrimRight(lines[0], " "); !strings.HasSuffix(title, "✗ 1 hop failed  ! 1 warning") {
				t.Fatalf("title bar %q", title)
			}
			if got, want := strings.TrimRight(lines[34], " "), " ✗ walk complete · first failure at hop "+tt.hop; got != want {
				t.Fatalf("status line %q, want %q", got, want)
			}
			mustContain(t, view, "╭─ First failure · hop "+tt.hop+" · ", tt.heading, tt.fix, "x explain first failure")
			if strings.Contains(view, "First error") || strings.Contains(view, "first error") {
				t.Fatalf("a walk without an error finding speaks of an error:\n%s", view)
			}
			d.key("x")
			if m.overlay != overlayExplain || m.explain.finding.ID != tt.id {
				t.Fatalf("x did not explain %s:\n%s", tt.id, screen(m))
			}
			mustContain(t, screen(m), "Explain  "+tt.id)
		})
	}
}

// TestFirstErrorBoxHintIsTrue: the first-error box says only what is true of it — x explains
// it, y copies its fix — since enter opens the selected hop, whichever it is.
func TestFirstErrorBoxHintIsTrue(t *testing.T) {
	m := sandboxModel(t, "passthrough", 120, 36)
	d := runWalk(t, m)
	mustContain(t, screen(m), "╭─ First error · hop 4 MCP call · x explains · y copies the fix ─")
	if strings.Contains(screen(m), "enter opens it") {
		t.Fatalf("the box promises enter opens it:\n%s", screen(m))
	}
	d.key("home", "enter")
	if m.screen != screenHop || m.hop.hop != 0 {
		t.Fatalf("enter on the overview opened screen %v hop %d, want the selected hop 1", m.screen, m.hop.hop+1)
	}
}

// TestTitleBarKeepsScenarioName: when the counts need the room, the title bar drops "sandbox
// tenant · " rather than cut the scenario's name.
func TestTitleBarKeepsScenarioName(t *testing.T) {
	m := sandboxModel(t, "mfa-required", 80, 24)
	m.cfg.version = "v1.2.3"
	runWalk(t, m)
	title := strings.TrimRight(strings.Split(screen(m), "\n")[0], " ")
	if !strings.HasPrefix(title, " oboscope  scenario mfa-required ") || !strings.HasSuffix(title, "✗ 1 hop failed  ! 1 warning  v1.2.3") {
		t.Fatalf("title bar %q", title)
	}
}
