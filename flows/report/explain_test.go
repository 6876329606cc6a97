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
			"  obo.claims-challenge                   warning  Downstream API requires more (claims challenge)\n" +
			"  mcp.no-www-authenticate                error    MCP server's 401 has no usable Bearer challenge\n" +
			"  mcp.rejected                           error    MCP server rejected the exchanged token\n", ""},
		{"HTTP 403", 0, "HTTP 403: findings that involve 403 answers (oboscope explain ID for one):\n" +
			"  token.missing-scope                    error    An expected scope or role is missing\n" +
			"  agent.rejected                         error    Agent API rejected the user token\n" +
			"  mcp.insufficient-scope-status          warning  Missing scope not answered with 403 insufficient_scope\n" +
			"  mcp.rejected                           error    MCP server rejected the exchanged token\n", ""},
		{"418", 2, "", "oboscope: explain: no finding is about HTTP 418 answers; sections are authority, token, signin, agent, obo, agentid and mcp (for Entra's AADSTS418: https://login.microsoftonline.com/error?code=418)\n"},
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
