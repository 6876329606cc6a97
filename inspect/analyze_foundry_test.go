package inspect

import (
	"reflect"
	"testing"
	"time"
)

const (
	mcpApp        = "33333333-aaaa-bbbb-cccc-000000000004"
	ownIdentity   = "44444444-aaaa-bbbb-cccc-000000000006"
	projIdentity  = "44444444-aaaa-bbbb-cccc-000000000007"
	foundryBluept = "44444444-aaaa-bbbb-cccc-000000000005"
)

// appOnlyClaims are an app-only token for the MCP server from the client azp (no scp).
func appOnlyClaims(azp string, extra ...any) map[string]any {
	c := with(v2Claims(), "aud", mcpApp, "azp", azp, "idtyp", "app", "scp", nil, "name", nil, "preferred_username", nil,
		"roles", []any{"tools.call"})
	return with(c, extra...)
}

func agentToken(t *testing.T, azp string) *Token {
	return mustDecode(t, makeToken(t, v2Header(), appOnlyClaims(azp, "xms_par_app_azp", foundryBluept, "xms_act_fct", "3 9 11")))
}

func TestClassifyCaller(t *testing.T) {
	user := mustDecode(t, makeToken(t, v2Header(), v2Claims()))
	mi := mustDecode(t, makeToken(t, v2Header(), appOnlyClaims("55555555-0000-0000-0000-000000000001",
		"xms_mirid", "/subscriptions/x/resourcegroups/rg/providers/Microsoft.CognitiveServices/accounts/a/projects/p")))
	app := mustDecode(t, makeToken(t, v2Header(), appOnlyClaims("55555555-0000-0000-0000-000000000002")))
	for _, tt := range []struct {
		tok        *Token
		credential bool
		want       CallerKind
	}{
		{user, true, CallerUser}, {agentToken(t, ownIdentity), true, CallerAgentIdentity}, {mi, true, CallerManagedIdentity},
		{app, true, CallerApp}, {nil, true, CallerKey}, {nil, false, CallerAnonymous},
	} {
		if got := ClassifyCaller(tt.tok, tt.credential); got != tt.want {
			t.Errorf("ClassifyCaller = %s, want %s", got, tt.want)
		}
		if FoundryAuthMode(tt.want) == "" || CallerDescription(tt.want) == "" {
			t.Errorf("no auth mode for %s", tt.want)
		}
	}
}

func TestParseToolError(t *testing.T) {
	for _, tt := range []struct {
		msg     string
		status  int
		details string
	}{
		{"Error retrieving tool list from MCP server: 'contoso-mcp'. Http status code: 401 (Unauthorized). Details: invalid token: the token expired at 2026-01-01T00:00:00Z", 401, "invalid token: the token expired at 2026-01-01T00:00:00Z"},
		{"tool_server_error: MCP Connector error. Http status: 424, error details: x", 424, ""},
		{"Failed to fetch access token. Status: BadRequest.", 0, ""},
		{"", 0, ""},
	} {
		s, d := ParseToolError(tt.msg)
		if s != tt.status || d != tt.details {
			t.Errorf("ParseToolError(%q) = %d %q, want %d %q", tt.msg, s, d, tt.status, tt.details)
		}
	}
}

func TestAnalyzeFoundry(t *testing.T) {
	exp := FoundryExpectations{MCPAudiences: []string{mcpApp}, AgentIdentityID: ownIdentity, Now: fixedNow}
	expired := "Error retrieving tool list from MCP server: 'contoso-mcp'. Http status code: 401 (Unauthorized). Details: invalid token: the token expired at 2025-06-01T10:00:00Z"
	wrongAud := "Error retrieving tool list from MCP server: 'contoso-mcp'. Http status code: 401 (Unauthorized). Details: invalid token: audience \"api://contoso-agent\" is not this resource"
	ara := `Failed to fetch access token. Status: BadRequest. Details: "ARA OBO token request failed with status BadRequest"`
	user := mustDecode(t, makeToken(t, v2Header(), with(v2Claims(), "aud", mcpApp)))
	otherAud := mustDecode(t, makeToken(t, v2Header(), v2Claims()))
	tests := []struct {
		name                string
		obs                 FoundryObservation
		exp                 FoundryExpectations
		agent, obo, mcpWant []string
	}{
		{"agent identity, healthy", FoundryObservation{Calls: []FoundryToolCall{{Item: "mcp_list_tools"}, {Item: "mcp_call", Tool: "whoami"}}, Token: agentToken(t, ownIdentity)}, exp,
			nil, nil, nil},
		{"needs the user", FoundryObservation{Token: agentToken(t, ownIdentity)}, with2(exp, func(e *FoundryExpectations) { e.NeedsUser = true }),
			nil, nil, []string{"foundry.agent-identity-not-user"}},
		{"project identity", FoundryObservation{Token: agentToken(t, projIdentity)}, exp,
			nil, []string{"agentid.wrong-agent-identity"}, nil},
		{"passthrough user needs no agent identity", FoundryObservation{Token: user}, with2(exp, func(e *FoundryExpectations) { e.NeedsUser = true }),
			nil, nil, nil},
		{"consent", FoundryObservation{ConsentLinks: []string{"https://consent.example/login?data=x"}, ConsentLabel: "contoso-mcp"}, exp,
			[]string{"foundry.consent-pending"}, nil, nil},
		{"expired stored token", FoundryObservation{Calls: []FoundryToolCall{{Item: "mcp_list_tools", ServerLabel: "contoso-mcp", Error: expired}}}, exp,
			nil, nil, []string{"foundry.tool-call-failed", "token.expired"}},
		{"wrong audience, token unseen", FoundryObservation{Calls: []FoundryToolCall{{Item: "mcp_list_tools", ServerLabel: "contoso-mcp", Error: wrongAud}}}, exp,
			nil, nil, []string{"foundry.tool-call-failed"}},
		{"wrong audience, token seen", FoundryObservation{Token: otherAud}, exp, nil, nil, []string{"mcp.aud-mismatch"}},
		{"hosted agent", FoundryObservation{Error: ara, Calls: []FoundryToolCall{{Item: "mcp_call", Tool: "whoami", Error: ara}}}, exp,
			nil, []string{"obo.no-user-assertion"}, nil},
		{"error body about the tool", FoundryObservation{Error: "tool_user_error: Error retrieving tool list from MCP server: 'github'. Http status code: 424"}, exp,
			nil, nil, []string{"foundry.tool-call-failed"}},
		{"error body about the request", FoundryObservation{Error: "Agent 'x' not found"}, exp, nil, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, c := range []struct {
				hop  string
				got  []Finding
				want []string
			}{
				{"agent", AnalyzeFoundryAgent(tt.obs), tt.agent},
				{"obo", AnalyzeFoundryToolAuth(tt.obs, tt.exp), tt.obo},
				{"mcp", AnalyzeFoundryMCP(tt.obs, tt.exp), tt.mcpWant},
			} {
				if ids := findingIDs(c.got); !reflect.DeepEqual(ids, c.want) && !(len(ids) == 0 && len(c.want) == 0) {
					t.Errorf("%s: %v, want %v", c.hop, ids, c.want)
				}
				for _, f := range c.got {
					if f.Hop != c.hop || f.Title == f.ID {
						t.Errorf("%s: finding %s at %s or not catalogued", c.hop, f.ID, f.Hop)
					}
				}
			}
		})
	}
}

func with2(e FoundryExpectations, f func(*FoundryExpectations)) FoundryExpectations {
	f(&e)
	return e
}

func TestAnalyzeTap(t *testing.T) {
	exp := TapExpectations{Audiences: []string{mcpApp}, Scopes: []string{"api://contoso-mcp/tools.call"}, AgentIdentityID: ownIdentity, Now: fixedNow}
	mcpUser := mustDecode(t, makeToken(t, v2Header(), with(v2Claims(), "aud", mcpApp, "scp", "tools.call")))
	expired := mustDecode(t, makeToken(t, v2Header(), with(v2Claims(), "aud", mcpApp, "scp", "tools.call", "exp", fixedNow.Add(-time.Hour).Unix())))
	agentUser := mustDecode(t, makeToken(t, v2Header(), v2Claims()))
	tests := []struct {
		name string
		obs  TapObservation
		exp  TapExpectations
		want []string
	}{
		{"user for the MCP server", TapObservation{As: "mcp", Token: mcpUser, Credential: true, Status: 200}, exp, nil},
		{"agent identity", TapObservation{As: "mcp", Token: agentToken(t, ownIdentity), Credential: true, Status: 200}, exp, nil},
		{"project identity", TapObservation{As: "mcp", Token: agentToken(t, projIdentity), Credential: true, Status: 200}, exp, []string{"agentid.wrong-agent-identity"}},
		{"app-only where the user is needed", TapObservation{As: "mcp", Token: agentToken(t, ownIdentity), Credential: true, Status: 403,
			WWWAuthenticate: `Bearer error="insufficient_scope", scope="api://contoso-mcp/tools.call"`}, exp, []string{"foundry.agent-identity-not-user"}},
		{"wrong audience accepted", TapObservation{As: "mcp", Token: agentUser, Credential: true, Status: 200}, exp, []string{"mcp.aud-mismatch", "mcp.accepts-foreign-token"}},
		{"wrong audience refused", TapObservation{As: "mcp", Token: agentUser, Credential: true, Status: 401, WWWAuthenticate: `Bearer resource_metadata="https://x/.well-known/oauth-protected-resource/mcp"`}, exp,
			[]string{"mcp.aud-mismatch"}},
		{"expired", TapObservation{As: "mcp", Token: expired, Credential: true, Status: 401, WWWAuthenticate: `Bearer resource_metadata="x"`}, exp, []string{"token.expired"}},
		{"key refused without challenge", TapObservation{As: "mcp", Credential: true, Status: 401}, exp, []string{"mcp.no-www-authenticate", "mcp.rejected"}},
		{"anonymous probe", TapObservation{As: "mcp", Status: 401, WWWAuthenticate: `Bearer resource_metadata="x"`}, exp, nil},
		{"no config: only the token", TapObservation{As: "mcp", Token: agentUser, Credential: true, Status: 200}, TapExpectations{Now: fixedNow}, nil},
		{"agent API: wrong audience", TapObservation{As: "agent", Token: mcpUser, Credential: true, Status: 401, WWWAuthenticate: `Bearer error="invalid_token"`},
			TapExpectations{Audiences: []string{"22222222-aaaa-bbbb-cccc-000000000001"}, Now: fixedNow}, []string{"agent.aud-mismatch"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ids := findingIDs(AnalyzeTap(tt.obs, tt.exp))
			if !reflect.DeepEqual(ids, tt.want) && !(len(ids) == 0 && len(tt.want) == 0) {
				t.Errorf("%v, want %v", ids, tt.want)
			}
		})
	}
}
