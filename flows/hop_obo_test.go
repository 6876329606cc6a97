package flows_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/oboscope/oboscope/flows"
	"github.com/oboscope/oboscope/flows/sandbox"
)

// TestFailedOBOShowsAssertion: when Entra refuses the exchange, the obo hop holds the
// assertion it sent (the user token, aud the Graph in wrong-audience: the cause of AADSTS50013);
// a successful exchange holds only its result.
func TestFailedOBOShowsAssertion(t *testing.T) {
	tests := []struct{ scenario, want, aud string }{
		{"wrong-audience", "obo: assertion (user token)", "00000003-0000-0000-c000-000000000000"},
		{"bad-client-secret", "obo: assertion (user token)", "0b05c0de-a9e1-4000-8000-000000000003"},
		{"healthy", "obo: OBO token (for the MCP server)", "0b05c0de-3c90-4000-8000-000000000004"},
	}
	for _, tt := range tests {
		t.Run(tt.scenario, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			s, err := sandbox.Start(ctx, sandbox.Options{Scenario: tt.scenario, AutoApprove: true})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			w := flows.NewWalk(s.Config(""), flows.WalkOptions{HTTPClient: s.HTTPClient(), Mode: "sandbox", Scenario: tt.scenario, AutoApproved: true})
			collect(w.Run(ctx))
			w.Close()
			rep := w.Report()
			if got := tokenNames(rep)[2]; got != tt.want {
				t.Fatalf("obo hop tokens %q, want %q", got, tt.want)
			}
			tk := rep.Hops[2].Tokens[0]
			if aud := strings.Join(tk.Token.Audiences, " "); aud != tt.aud {
				t.Errorf("obo hop token aud %q, want %q", aud, tt.aud)
			}
			if tt.scenario != "healthy" && tk.Raw != rep.Hops[0].Tokens[0].Raw {
				t.Errorf("the assertion shown is not the token the sign-in produced")
			}
		})
	}
}

// TestClaimsChallengeStory: the obo story of a claims challenge says what to do, true
// in the headless check as in the TUI, instead of "re-sign-in with the claims is offered".
func TestClaimsChallengeStory(t *testing.T) {
	out := sandboxText(t, "mfa-required")
	want := "\n   Entra asks for a fresh sign-in satisfying a claims challenge: sign in again with the claims (oboscope's TUI does it: press a)\n"
	if !strings.Contains(out, want) || strings.Contains(out, "is offered") {
		t.Fatalf("mfa-required check output lacks %q:\n%s", want, out)
	}
}

// TestOBOStoryWithAgentFailure: when oboscope's exchange works but the agent API reports
// its own failed, the failed obo hop's story says both.
func TestOBOStoryWithAgentFailure(t *testing.T) {
	out := sandboxText(t, "token-exchange-grant")
	if !strings.Contains(out, "oboscope's exchange as Contoso Agent API worked (a token for Contoso MCP Server") ||
		!strings.Contains(out, "; but the agent API reports its own exchange failed: AADSTS70003") {
		t.Fatalf("obo story:\n%s", out)
	}
}
