package ui

import (
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/golang-jwt/jwt/v5"
)

// TestPasteTokenResponseOverWalk: a JSON token response pasted over the walk (az account
// get-access-token's output, an OAuth token response) is inspected as the token it holds (QA U8).
func TestPasteTokenResponseOverWalk(t *testing.T) {
	m := sandboxModel(t, "healthy", 120, 36)
	runWalk(t, m)
	tok := userToken(t, nil)
	for _, doc := range []string{
		"{\n  \"accessToken\": \"" + tok + "\",\n  \"tokenType\": \"Bearer\"\n}\n",
		`{"token_type":"Bearer","expires_in":3599,"access_token":"` + tok + `"}`,
	} {
		m.Update(tea.PasteMsg{Content: doc})
		if m.token.err != nil {
			t.Fatalf("pasted %q: %v", doc[:20], m.token.err)
		}
		if m.token.tok == nil || m.token.tok.Raw != tok {
			t.Fatalf("pasted %q: the token inspected is not the one the response holds", doc[:20])
		}
		mustContain(t, screen(m), "pasted token · esc returns to the walk", "user alice@contoso.example", "Inspecting the pasted token")
		press(m, "esc")
	}
}

// TestPasteOverWalk inspects a pasted token on top of the walk; esc returns to it.
func TestPasteOverWalk(t *testing.T) {
	m := sandboxModel(t, "healthy", 120, 36)
	runWalk(t, m)
	now := walkNow()
	m.Update(tea.PasteMsg{Content: userToken(t, jwt.MapClaims{"iat": now.Add(-6 * time.Minute).Unix(),
		"nbf": now.Add(-6 * time.Minute).Unix(), "exp": now.Add(54 * time.Minute).Unix()})})
	view := screen(m)
	mustContain(t, view, "pasted token · esc returns to the walk", "1 Claims", "alice@contoso.example")
	requireWalkGolden(t, m)
	m.Update(keyMsg("esc"))
	mustContain(t, screen(m), "The chain")
}

// TestPasteEntraErrorOverWalk: an Entra error pasted over the walk is explained as `oboscope
// explain -` explains it: the first finding's explanation, and what was recognised.
func TestPasteEntraErrorOverWalk(t *testing.T) {
	m := sandboxModel(t, "healthy", 120, 36)
	runWalk(t, m)
	m.Update(tea.PasteMsg{Content: "AADSTS9010010: The resource parameter provided in the request doesn't match with the requested scopes."})
	mustContain(t, screen(m), "mcp.prm-resource-scope-mismatch", "Recognised log-line · AADSTS9010010")
	press(m, "esc")
	mustContain(t, screen(m), "The chain")
}
