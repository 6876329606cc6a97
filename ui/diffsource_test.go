package ui

import (
	"strings"
	"testing"
)

// TestDiffSources: the Diff tab compares the Agent ID exchange's final token with the user token,
// says T1 is the blueprint's own credential rather than diffing it against the user token, and
// says a token forwarded unchanged is the same token as the hop it came from.
func TestDiffSources(t *testing.T) {
	t1Note := "This is T1, the agent blueprint's own credential (client credentials with fmi_path): it is not an exchange of the user token, so there is nothing to compare it with."

	m := sandboxModel(t, "agent-identity", 200, 36)
	d := runWalk(t, m)
	d.key("g", "down", "down", "enter", "5")
	for m.hop.tokIdx < len(m.hop.res.Tokens) && !strings.HasPrefix(m.hop.res.Tokens[m.hop.tokIdx].Name, "OBO token") {
		d.key("t")
	}
	mustContain(t, screen(m), " from user token (hop 1)  to  OBO token (for the MCP server)", "+ xms_act_fct")
	for !strings.HasPrefix(m.hop.res.Tokens[m.hop.tokIdx].Name, "T1 ") {
		d.key("t")
	}
	view := flat(screen(m))
	mustContain(t, view, t1Note, "The token this exchange produced is compared with the user token (t selects it).")
	for _, bad := range []string{"as an exchange should produce", "no longer a user's delegated token", " from "} {
		if strings.Contains(view, bad) {
			t.Fatalf("T1 is diffed against the user token (%q):\n%s", bad, view)
		}
	}

	m = sandboxModel(t, "agent-identity-wrong-aud", 200, 36)
	d = runWalk(t, m)
	d.key("g", "down", "down", "enter", "5")
	for i := 0; i < len(m.hop.res.Tokens) && !strings.HasPrefix(m.hop.res.Tokens[m.hop.tokIdx].Name, "T1 "); i++ {
		d.key("t")
	}
	mustContain(t, flat(screen(m)), t1Note, "The exchange produced no token to compare with the user token.")

	m = sandboxModel(t, "passthrough", 120, 36)
	d = runWalk(t, m)
	d.key("g", "down", "down", "down", "enter", "5")
	view = screen(m)
	mustContain(t, view, "The same token as hop 1's user token, forwarded unchanged (aud still Contoso Agent API).")
	if strings.Contains(view, "Nothing to compare") {
		t.Fatalf("passthrough says there is nothing to compare:\n%s", view)
	}
}

// flat joins a screen's lines, trimmed, with single spaces, so a test can look for a sentence
// that the screen wraps.
func flat(view string) string {
	var parts []string
	for _, l := range strings.Split(view, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			parts = append(parts, l)
		}
	}
	return strings.Join(parts, " ")
}
