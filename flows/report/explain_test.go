package report_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/oboscope/oboscope/flows/report"
	"github.com/oboscope/oboscope/inspect"
)

// TestExplainHTTPStatus: `explain 401` lists the findings about 401 answers (the agent
// API's and MCP server's refusals) instead of calling it an unknown AADSTS code.
func TestExplainHTTPStatus(t *testing.T) {
	tests := []struct {
		q      string
		code   int
		out    string
		stderr string
	}{
		{"401", 0, "HTTP 401: findings that involve 401 answers (oboscope explain ID for one):\n" +
			"  token.version-mismatch                 warning  Token version is not the one expected\n" +
			"  agent.no-challenge                     warning  401 without a WWW-Authenticate challenge\n" +
			"  agent.rejected                         error    Agent API rejected the user token\n" +
			"  agent.accepts-anonymous                error    Agent API answers calls without a token\n" +
			"  obo.claims-challenge                   warning  Downstream API requires more (claims challenge)\n" +
			"  mcp.no-www-authenticate                error    MCP server's 401 has no usable Bearer challenge\n" +
			"  mcp.rejected                           error    MCP server rejected the exchanged token\n" +
			"  mcp.challenge-scope-unqualified        error    MCP server's challenge names a scope without its resource\n" +

			"  foundry.tool-call-failed               error    Foundry's call to the MCP server failed\n", ""},
		{"HTTP 403", 0, "HTTP 403: findings that involve 403 answers (oboscope explain ID for one):\n" +
			"  token.missing-scope                    error    An expected scope or role is missing\n" +
			"  agent.rejected                         error    Agent API rejected the user token\n" +
			"  mcp.insufficient-scope-status          warning  Missing scope not answered with 403 insufficient_scope\n" +
			"  mcp.rejected                           error    MCP server rejected the exchanged token\n" +
			"  foundry.tool-call-failed               error    Foundry's call to the MCP server failed\n", ""},
		{"418", 2, "", "oboscope: explain: no finding is about HTTP 418 answers; sections are authority, token, signin, agent, obo, agentid, mcp and foundry (for Entra's AADSTS418: https://login.microsoftonline.com/error?code=418)\n"},
		{"AADSTS401", 2, "", "oboscope: explain: AADSTS401 is not in oboscope's catalogue; Microsoft's lookup: https://login.microsoftonline.com/error?code=401\n"},
	}
	for _, tt := range tests {
		var out, errb bytes.Buffer
		code := report.RunExplain(tt.q, &out, &errb)
		if code != tt.code || out.String() != tt.out || errb.String() != tt.stderr {
			t.Errorf("explain %s: exit %d\nstdout %q\nstderr %q\nwant %d\nstdout %q\nstderr %q", tt.q, code, out.String(), errb.String(), tt.code, tt.out, tt.stderr)
		}
	}
}

// TestClosestNames: the "did you mean" of unknown names (scenarios).
func TestClosestNames(t *testing.T) {
	names := []string{"healthy", "wrong-audience", "passthrough", "mfa-required", "v1-mcp-tokens", "consent-missing"}
	tests := []struct{ q, want string }{
		{"wrong-audiance", "wrong-audience"},
		{"HEALTHY", "healthy"},
		{"mfa", "mfa-required"},
		{"passtrough", "passthrough"},
		{"zzzzzzzz", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := strings.Join(inspect.Closest(tt.q, names, 3), ", "); got != tt.want {
			t.Errorf("ClosestNames(%q) = %q, want %q", tt.q, got, tt.want)
		}
	}
}

// TestExplainPasted: a pasted Entra error is explained with what was recognised, the code's
// meaning and the findings; a token is linted; nothing recognised exits 2.
func TestExplainPasted(t *testing.T) {
	var out, errb bytes.Buffer
	q := "ServerError: invalid_client: 7000218 - [2020-09-25 07:40:47Z]: AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'."
	if code := report.RunExplainQuery(report.ExplainOptions{Query: q}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for _, want := range []string{"Recognised: msal-node\n", "  AADSTS7000218 InvalidClient (credential missing): ", "error obo.missing-client-credential — ",
		"  fix: Give the middle tier", "(oboscope explain obo.missing-client-credential for more)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	errb.Reset()
	if code := report.RunExplainQuery(report.ExplainOptions{Query: "-", Stdin: strings.NewReader("the weather is fine today")}, &out, &errb); code != 2 ||
		!strings.Contains(errb.String(), "recognised nothing") {
		t.Errorf("exit %d stderr %q", code, errb.String())
	}
	out.Reset()
	errb.Reset()
	// A header.payload. token with an ID token's shape: recognised and linted.
	tok := "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJhdWQiOiJ4IiwiaXNzIjoiaHR0cHM6Ly9sb2dpbi5taWNyb3NvZnRvbmxpbmUuY29tL3QvdjIuMCIsImV4cCI6MX0."
	if code := report.RunExplainQuery(report.ExplainOptions{Query: tok, JSON: true}, &out, &errb); code != 0 || !strings.Contains(out.String(), `"token"`) {
		t.Errorf("token: exit %d\n%s%s", code, out.String(), errb.String())
	}
}
