package inspect_test

import (
	"slices"
	"testing"

	"github.com/oboscope/oboscope/inspect"
)

// TestAnalyzeMCPMetadataAgainstEntra: the rules about what Entra makes of a PRM — a resource that
// is not the App ID URI owning the scopes (confirmed, refuted or unknown by the authorization
// request), no usable scopes, and multi-tenant authorities as templates of the token's issuer.
func TestAnalyzeMCPMetadataAgainstEntra(t *testing.T) {
	const url = "https://mcp.contoso.example/mcp"
	tok := mkToken(t, map[string]any{"aud": mcpID, "azp": agentID, "scp": "tools.call"})
	prm := func(scopes []string, as ...string) *inspect.ResourceMetadata {
		if len(as) == 0 {
			as = []string{"https://login.microsoftonline.com/" + tid + "/v2.0"}
		}
		return &inspect.ResourceMetadata{Resource: url, AuthorizationServers: as, ScopesSupported: scopes}
	}
	refused := &inspect.ResourceProbe{Status: 302, Location: "http://localhost/?error=invalid_target", Error: "invalid_target", Codes: []int{9010010},
		Description: "AADSTS9010010: The resource parameter provided in the request doesn't match with the requested scopes."}
	accepted := &inspect.ResourceProbe{Status: 302, Location: "http://localhost/?error=login_required", Error: "login_required", Codes: []int{50058}}
	page := &inspect.ResourceProbe{Status: 200}
	api := []string{"api://contoso-mcp/tools.call"}
	tests := []struct {
		name  string
		prm   *inspect.ResourceMetadata
		probe *inspect.ResourceProbe
		want  []string
		sev   inspect.Severity
	}{
		{"scopes under the resource", prm(scopesUnder(url)), nil, []string{}, ""},
		{"scopes under api://, refused (9010010)", prm(api), refused, []string{"mcp.prm-resource-scope-mismatch"}, inspect.SeverityError},
		{"scopes under api://, accepted (another identifierUri)", prm(api), accepted, []string{}, ""},
		{"scopes under api://, a sign-in page", prm(api), page, []string{"mcp.prm-resource-scope-mismatch"}, inspect.SeverityWarning},
		{"scopes under api://, not probed", prm(api), nil, []string{"mcp.prm-resource-scope-mismatch"}, inspect.SeverityWarning},
		{"no scopes", prm(nil), nil, []string{"mcp.prm-no-scopes"}, inspect.SeverityWarning},
		{"only OpenID scopes", prm([]string{"openid", "offline_access"}), nil, []string{"mcp.prm-no-scopes"}, inspect.SeverityWarning},
		{"organizations authority", prm(scopesUnder(url), "https://login.microsoftonline.com/organizations/v2.0"), nil, []string{}, ""},
		{"common authority", prm(scopesUnder(url), "https://login.microsoftonline.com/common/v2.0"), nil, []string{}, ""},
		{"consumers authority", prm(scopesUnder(url), "https://login.microsoftonline.com/consumers/v2.0"), nil, []string{}, ""},
		{"another tenant", prm(scopesUnder(url), "https://login.microsoftonline.com/11111111-1111-1111-1111-111111111111/v2.0"), nil, []string{"mcp.prm-issuer-mismatch"}, inspect.SeverityError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obs := inspect.MCPObservation{URL: url, ProbeStatus: 401, ProbeWWWAuthenticate: `Bearer resource_metadata="x"`, PRM: tt.prm,
				ResourceProbe: tt.probe, Token: tok, TokenSignatureVerified: true, Status: 200, SessionOK: true}
			fs := inspect.AnalyzeMCP(obs, inspect.MCPExpectations{Audiences: []string{mcpID}})
			if got := ids(fs); !slices.Equal(got, tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			if len(fs) > 0 && fs[0].Severity != tt.sev {
				t.Errorf("severity %s, want %s", fs[0].Severity, tt.sev)
			}
		})
	}
}

// TestParseAuthorizeRedirect reads Entra's authorize redirect errors (query or fragment).
func TestParseAuthorizeRedirect(t *testing.T) {
	e, d, codes, code := inspect.ParseAuthorizeRedirect("http://localhost:8400/?error=invalid_target&error_description=AADSTS9010010%3a+The+resource+parameter+provided+in+the+request+doesn%27t+match+with+the+requested+scopes.&state=st")
	if e != "invalid_target" || !slices.Equal(codes, []int{9010010}) || code || d == "" {
		t.Errorf("got %q %q %v %v", e, d, codes, code)
	}
	if _, _, _, code := inspect.ParseAuthorizeRedirect("http://localhost/#code=abc&state=x"); !code {
		t.Error("a code in the fragment not seen")
	}
}

// TestAnalyzeAgentDiagnoses: a token that did not reach the agent (its challenge names no error)
// and a proof-of-possession token presented as Bearer.
func TestAnalyzeAgentDiagnoses(t *testing.T) {
	exp := inspect.AgentExpectations{Audiences: []string{agentID, "api://contoso-agent"}, RequiredScopes: []string{"access_as_user"}, TenantID: tid}
	tests := []struct {
		name string
		obs  inspect.AgentObservation
		want []string
	}{
		{"challenge without error: the token never arrived", inspect.AgentObservation{Token: mkToken(t, nil), Status: 401, WWWAuthenticate: `Bearer resource_metadata="https://agent/.well-known/oauth-protected-resource"`},
			[]string{"obo.no-user-assertion"}},
		{"challenge with invalid_token: the token arrived", inspect.AgentObservation{Token: mkToken(t, nil), Status: 401, WWWAuthenticate: `Bearer error="invalid_token"`},
			[]string{"agent.rejected"}},
		{"known problem explains it", inspect.AgentObservation{Token: mkToken(t, nil), Status: 401, WWWAuthenticate: `Bearer realm=""`, KnownProblems: []string{"token.expired"}},
			[]string{}},
		{"PoP token as Bearer", inspect.AgentObservation{Token: mkToken(t, map[string]any{"cnf": map[string]any{"kid": "k"}}), Status: 401, WWWAuthenticate: `Bearer error="invalid_token"`},
			[]string{"token.pop-bound-as-bearer"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ids(inspect.AnalyzeAgent(tt.obs, exp)); !slices.Equal(got, tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// TestWrongAgentIdentity: an Agent ID token for another agent identity than configured.
func TestWrongAgentIdentity(t *testing.T) {
	const blueprint, mine, other = "b1", "a1", "a2"
	agentTok := func(azp string) *inspect.Token {
		return mkToken(t, map[string]any{"aud": mcpID, "azp": azp, "scp": "tools.call", "xms_par_app_azp": blueprint, "xms_act_fct": "11"})
	}
	exp := inspect.OBOExpectations{MiddleTier: []string{blueprint}, AgentIdentity: mine}
	base := inspect.OBOObservation{Mode: "agent_identity", Assertion: mkToken(t, map[string]any{"aud": blueprint}), Performed: true, Leg1Performed: true, Leg1FMIPath: mine}
	own := base
	own.Result = agentTok(mine)
	if got := ids(inspect.AnalyzeOBO(own, exp)); len(got) != 0 {
		t.Errorf("own identity: %v", got)
	}
	rep := base
	rep.Result = agentTok(mine)
	rep.AgentReport = &inspect.ExchangeReport{Kind: "agent_identity", Token: agentTok(other)}
	fs := inspect.AnalyzeOBO(rep, exp)
	if got := ids(fs); !slices.Equal(got, []string{"agentid.wrong-agent-identity"}) || fs[0].Severity != inspect.SeverityWarning {
		t.Errorf("the agent's token for another identity: %v", fs)
	}
}

// TestDiagnoseEntraErrorBranches: one code, several causes, told apart by the description.
func TestDiagnoseEntraErrorBranches(t *testing.T) {
	tests := []struct {
		name string
		e    inspect.EntraError
		want []string
	}{
		{"50013 signature", inspect.EntraError{Codes: []int{50013}, Description: "AADSTS50013: Assertion failed signature validation. [Reason - The key was not found.]"}, []string{"obo.assertion-invalid"}},
		{"50013 audience", inspect.EntraError{Codes: []int{50013}, Description: "AADSTS50013: Assertion audience claim does not match the required value."}, []string{"obo.assertion-aud-mismatch"}},
		{"50013 time range", inspect.EntraError{Codes: []int{50013}, Description: "AADSTS50013: Assertion is not within its valid time range."}, []string{"token.expired"}},
		{"500131 case only", inspect.EntraError{Codes: []int{500131}, Description: "AADSTS500131: Assertion audience does not match the Client app presenting the assertion. The audience in the assertion was 'api://Contoso-Agent' and the expected audience is 'api://contoso-agent' or one of"}, []string{"obo.assertion-aud-case-mismatch"}},
		{"50076 without claims at sign-in", inspect.EntraError{Err: "interaction_required", Codes: []int{50076}, Description: "AADSTS50076: Due to a configuration change"}, []string{"signin.conditional-access"}},
		{"50076 on OBO", inspect.EntraError{Err: "invalid_grant", Suberror: "basic_action", Codes: []int{50076}, Claims: `{"access_token":{"capolids":{"essential":true,"values":["p"]}}}`}, []string{"obo.claims-challenge"}},
		{"53000 with claims", inspect.EntraError{Err: "invalid_grant", Codes: []int{53000}, Claims: `{"access_token":{"deviceid":{"essential":true}}}`}, []string{"obo.claims-challenge"}},
		{"900144 scope", inspect.EntraError{Codes: []int{900144}, Description: "AADSTS900144: The request body must contain the following parameter: 'scope'."}, []string{"mcp.prm-no-scopes"}},
		{"900144 grant_type", inspect.EntraError{Codes: []int{900144}, Description: "AADSTS900144: The request body must contain the following parameter: 'grant_type'."}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := tt.e
			if got := ids(inspect.DiagnoseEntraError(&e)); !slices.Equal(got, tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}
