package ui

import (
	"strings"
	"testing"
)

// TestVerifyNotesRead: the Summary's verify notes are plain sentences: a token verified where it
// was obtained says so by hop, and T1's note says what it is.
func TestVerifyNotesRead(t *testing.T) {
	m := sandboxModel(t, "agent-identity", 200, 40)
	d := runWalk(t, m)
	d.key("g", "down", "down", "down", "enter")
	view := screen(m)
	mustContain(t, view, "     Signature verified at hop 3, where this token was obtained.")
	if strings.Contains(view, "(the same ") {
		t.Fatalf("a note in parentheses:\n%s", view)
	}
	d.key("[")
	view = screen(m)
	mustContain(t, view, "     Not verified: T1 is a credential that only Entra checks, and oboscope keeps it only without its signature.")
	if strings.Contains(view, "Entra only: not verified, never kept whole") {
		t.Fatalf("T1's note is the raw phrase:\n%s", view)
	}
}

// TestPresentedTokenVerifiedEarlier: the agent call presents the very token sign-in verified, and
// its Summary says so instead of "not verified".
func TestPresentedTokenVerifiedEarlier(t *testing.T) {
	m := sandboxModel(t, "healthy", 120, 36)
	d := runWalk(t, m)
	d.key("down", "enter")
	view := screen(m)
	mustContain(t, view, "user token presented", "Signature verified at hop 1, where this token was obtained.")
	if strings.Contains(view, "decoded only") {
		t.Fatalf("the presented token is said to be unverified:\n%s", view)
	}
}
