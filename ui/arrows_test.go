package ui

import (
	"regexp"
	"strings"
	"testing"

	"github.com/oboscope/oboscope/flows"
	"github.com/oboscope/oboscope/inspect"
)

// arrowUnder is the overview's connector line under hop n (1-based), without styles.
// The arrow's last part counts the token's life down; arrowUnder leaves it out.
func arrowUnder(t *testing.T, m *Model, n int) string {
	t.Helper()
	lines := strings.Split(screen(m), "\n")
	return lifeLeft.ReplaceAllString(strings.TrimSpace(lines[railTop+2*n]), "")
}

var lifeLeft = regexp.MustCompile(` · \d+[hms]( \d+[hms])*( left|…).*$`)

// TestOBOArrowShowsExchangedToken: the arrow under the OBO hop is the token that went on to the
// MCP server — the exchanged OBO token, never the Agent ID blueprint's T1 nor the assertion the
// exchange sent — and nothing when the exchange produced none.
func TestOBOArrowShowsExchangedToken(t *testing.T) {
	for _, c := range []struct{ scenario, want string }{
		{"agent-identity", "└─▶ OBO token (for the MCP server) · aud Contoso MCP Server · scp tools.call · user alice@contoso.example"},
		{"agent-identity-wrong-aud", "│"},
		{"healthy", "└─▶ OBO token (for the MCP server) · aud Contoso MCP Server · scp tools.call · user alice@contoso.example"},
	} {
		t.Run(c.scenario, func(t *testing.T) {
			m := sandboxModel(t, c.scenario, 120, 36)
			runWalk(t, m)
			if got := arrowUnder(t, m, 3); got != c.want {
				t.Fatalf("arrow under hop 3 %q, want %q\n%s", got, c.want, screen(m))
			}
		})
	}

	// A failed exchange that shows the assertion it sent (and T1) hands on nothing.
	user := &inspect.Token{Audiences: []string{"00000003-0000-0000-c000-000000000000"}}
	t1 := &inspect.Token{Audiences: []string{"api://AzureADTokenExchange"}, SignatureRemoved: true}
	fromSignin := &flows.TokenRef{Hop: flows.HopSignin}
	hops := []flows.HopResult{
		{ID: flows.HopSignin, Tokens: []flows.NamedToken{{Name: "user token", Role: flows.RoleObtained, HandedOn: true, Raw: "u.u.u", Token: user}}},
		{ID: flows.HopAgent, Tokens: []flows.NamedToken{{Name: "user token presented", Role: flows.RolePresented, HandedOn: true, Origin: fromSignin, Raw: "u.u.u", Token: user}}},
		{ID: flows.HopOBO, Tokens: []flows.NamedToken{{Name: "T1", Role: flows.RoleCredential, Token: t1},
			{Name: "assertion (user token)", Role: flows.RoleAssertion, Origin: fromSignin, Raw: "u.u.u", Token: user}}},
	}
	if nt, ok := handedOn(hops, 2); ok {
		t.Fatalf("the failed exchange hands on %q", nt.Name)
	}
	if nt, ok := handedOn(hops, 1); !ok || nt.Name != "user token presented" {
		t.Fatalf("the agent hop hands on %q, %v", nt.Name, ok)
	}
}

// TestAppOnlyArrowNamesTheApp: an app-only token's arrow names the app it speaks for, not just
// "app".
func TestAppOnlyArrowNamesTheApp(t *testing.T) {
	m := sandboxModel(t, "app-only-token", 120, 36)
	runWalk(t, m)
	if got, want := arrowUnder(t, m, 2), "└─▶ app-only token presented · aud Contoso Agent API · roles Agent.Invoke · app Contoso Chat Client"; got != want {
		t.Fatalf("arrow under hop 2 %q, want %q", got, want)
	}
}
