package inspect_test

import (
	"encoding/base64"
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/oboscope/oboscope/inspect"
)

const (
	tid       = "0b05c0de-7e4a-4000-8000-000000000001"
	clientID  = "0b05c0de-c11e-4000-8000-000000000002"
	agentID   = "0b05c0de-a9e1-4000-8000-000000000003"
	mcpID     = "0b05c0de-3c90-4000-8000-000000000004"
	blueprint = "0b05c0de-b1e9-4000-8000-000000000005"
)

// mkToken builds an unsigned-looking compact JWS with claims over a v2 user token's defaults.
func mkToken(t *testing.T, over map[string]any) *inspect.Token {
	t.Helper()
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC).Unix()
	claims := map[string]any{
		"aud": agentID, "iss": "https://login.microsoftonline.com/" + tid + "/v2.0", "tid": tid,
		"azp": clientID, "scp": "access_as_user", "ver": "2.0", "oid": "u1", "sub": "s1", "idtyp": "user",
		"iat": now, "nbf": now, "exp": now + 3600, "uti": "uti-1", "preferred_username": "alice@contoso.example",
	}
	for k, v := range over {
		if v == nil {
			delete(claims, k)
		} else {
			claims[k] = v
		}
	}
	h, _ := json.Marshal(map[string]any{"alg": "RS256", "typ": "JWT", "kid": "k1"})
	p, _ := json.Marshal(claims)
	raw := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(p) + ".c2lnbmF0dXJl"
	tok, err := inspect.DecodeUnverified(raw)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func ids(fs []inspect.Finding) []string {
	out := []string{}
	for _, f := range fs {
		out = append(out, f.ID)
	}
	sort.Strings(out)
	return out
}

func entra(codes ...int) *inspect.EntraError {
	return &inspect.EntraError{Err: "invalid_grant", Description: "AADSTSxxxx: test", Codes: codes}
}

// entraAud is AADSTS50013 as Entra words it when the assertion's audience is wrong.
func entraAud() *inspect.EntraError {
	return &inspect.EntraError{Err: "invalid_grant", Codes: []int{50013},
		Description: "AADSTS50013: Assertion audience claim does not match the required value.\r\nTrace ID: x"}
}

func TestAnalyzeSignin(t *testing.T) {
	tests := []struct {
		name string
		obs  inspect.SigninObservation
		want []string
	}{
		{"healthy", inspect.SigninObservation{RequestedScopes: []string{"api://contoso-agent/access_as_user", "openid", "offline_access"}, Token: mkToken(t, nil)}, []string{}},
		{"graph permission is fine bare", inspect.SigninObservation{RequestedScopes: []string{"User.Read"}}, []string{}},
		{"unqualified", inspect.SigninObservation{RequestedScopes: []string{"access_as_user"}}, []string{"signin.scope-unqualified"}},
		{"span resources", inspect.SigninObservation{RequestedScopes: []string{"api://contoso-agent/access_as_user", "api://contoso-mcp/tools.call"}}, []string{"signin.scopes-span-resources"}},
		{"span with graph", inspect.SigninObservation{RequestedScopes: []string{"api://contoso-agent/access_as_user", "User.Read"}}, []string{"signin.scopes-span-resources"}},
		{"public client", inspect.SigninObservation{Error: entra(7000218)}, []string{"signin.public-client-disabled"}},
		{"redirect", inspect.SigninObservation{Error: entra(50011)}, []string{"signin.redirect-uri-mismatch"}},
		{"app not found", inspect.SigninObservation{Error: entra(700016)}, []string{"signin.app-not-found"}},
		{"resource not found", inspect.SigninObservation{Error: entra(500011)}, []string{"signin.resource-not-found"}},
		{"guest", inspect.SigninObservation{Error: entra(50020)}, []string{"signin.user-not-in-tenant"}},
		{"CA", inspect.SigninObservation{Error: entra(53003)}, []string{"signin.conditional-access"}},
		{"SPA redirect redeemed cross-origin", inspect.SigninObservation{Error: entra(9002326)}, []string{"signin.redirect-platform-mismatch"}},
		{"SPA redirect redeemed by a server", inspect.SigninObservation{Error: entra(9002327)}, []string{"signin.redirect-platform-mismatch"}},
		{"public client with a secret", inspect.SigninObservation{Error: entra(700025)}, []string{"obo.public-client-secret"}},
		{"resource refused", inspect.SigninObservation{Error: entra(9010010)}, []string{"mcp.prm-resource-scope-mismatch"}},
		{"MFA", inspect.SigninObservation{Error: entra(50076)}, []string{"signin.conditional-access"}},
		{"consent", inspect.SigninObservation{Error: entra(65001)}, []string{"signin.consent-required"}},
		{"700022", inspect.SigninObservation{Error: entra(700022)}, []string{"signin.scopes-span-resources"}},
		{"unknown code", inspect.SigninObservation{Error: entra(90002)}, []string{}},
		{"650053 and bare scope once", inspect.SigninObservation{RequestedScopes: []string{"access_as_user"}, Error: entra(650053)}, []string{"signin.scope-unqualified"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ids(inspect.AnalyzeSignin(tt.obs))
			if !slices.Equal(got, tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestAnalyzeAgent(t *testing.T) {
	exp := inspect.AgentExpectations{Audiences: []string{agentID, "api://contoso-agent"}, RequiredScopes: []string{"access_as_user"}, TenantID: tid}
	tests := []struct {
		name string
		obs  inspect.AgentObservation
		exp  inspect.AgentExpectations
		want []string
	}{
		{"healthy", inspect.AgentObservation{Token: mkToken(t, nil), Status: 200}, exp, []string{}},
		{"v1 aud app id uri", inspect.AgentObservation{Token: mkToken(t, map[string]any{"aud": "api://contoso-agent"}), Status: 200}, exp, []string{}},
		{"graph aud", inspect.AgentObservation{Token: mkToken(t, map[string]any{"aud": "00000003-0000-0000-c000-000000000000", "scp": "User.Read"}), Status: 401, WWWAuthenticate: `Bearer error="invalid_token"`}, exp, []string{"agent.aud-mismatch"}},
		{"missing scope", inspect.AgentObservation{Token: mkToken(t, map[string]any{"scp": "other"}), Status: 403, WWWAuthenticate: `Bearer error="insufficient_scope"`}, exp, []string{"agent.missing-scope"}},
		{"app only", inspect.AgentObservation{Token: mkToken(t, map[string]any{"scp": nil, "roles": []string{"Agent.Invoke"}, "idtyp": "app"}), Status: 200}, exp, []string{"agent.app-only-token"}},
		{"client not authorized", inspect.AgentObservation{Token: mkToken(t, map[string]any{"azp": "11111111-1111-1111-1111-111111111111"}), Status: 200},
			inspect.AgentExpectations{Audiences: exp.Audiences, AuthorizedClients: []string{clientID}}, []string{"agent.client-not-authorized"}},
		{"client authorized", inspect.AgentObservation{Token: mkToken(t, nil), Status: 200}, inspect.AgentExpectations{Audiences: exp.Audiences, AuthorizedClients: []string{clientID}}, []string{}},
		{"tenant", inspect.AgentObservation{Token: mkToken(t, map[string]any{"tid": "0b05c0de-fab0-4000-8000-000000000099"}), Status: 200}, exp, []string{"agent.tenant-not-allowed"}},
		{"tenant domain not checked", inspect.AgentObservation{Token: mkToken(t, map[string]any{"tid": "0b05c0de-fab0-4000-8000-000000000099"}), Status: 200}, inspect.AgentExpectations{Audiences: exp.Audiences, TenantID: "contoso.example"}, []string{}},
		{"401 no challenge", inspect.AgentObservation{Token: mkToken(t, nil), Status: 401}, exp, []string{"agent.no-challenge", "agent.rejected"}},
		{"401 explained by an earlier finding", inspect.AgentObservation{Token: mkToken(t, nil), Status: 401, WWWAuthenticate: `Bearer error="invalid_token"`, KnownProblems: []string{"token.expired"}}, exp, []string{}},
		{"relayed claims challenge", inspect.AgentObservation{Token: mkToken(t, nil), Status: 401, WWWAuthenticate: `Bearer error="insufficient_claims", claims="eyJhY2Nlc3NfdG9rZW4iOnt9fQ=="`}, exp, []string{}},
		{"401 unexplained", inspect.AgentObservation{Token: mkToken(t, nil), Status: 401, WWWAuthenticate: `Bearer error="invalid_token"`}, exp, []string{"agent.rejected"}},
		{"403 no challenge is only rejected", inspect.AgentObservation{Token: mkToken(t, nil), Status: 403}, exp, []string{"agent.rejected"}},
		{"insecure", inspect.AgentObservation{Token: mkToken(t, nil), Refused: true, URL: "http://agent.example/"}, exp, []string{"agent.insecure-transport"}},
		{"500 is not a rejection", inspect.AgentObservation{Token: mkToken(t, nil), Status: 502}, exp, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ids(inspect.AnalyzeAgent(tt.obs, tt.exp))
			if !slices.Equal(got, tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestAnalyzeOBO(t *testing.T) {
	mcpTok := mkToken(t, map[string]any{"aud": mcpID, "azp": agentID, "scp": "tools.call"})
	exp := inspect.OBOExpectations{MiddleTier: []string{agentID, "api://contoso-agent"}, DownstreamAudiences: []string{mcpID, "api://contoso-mcp"}}
	scopes := []string{"api://contoso-mcp/tools.call"}
	tests := []struct {
		name string
		obs  inspect.OBOObservation
		exp  inspect.OBOExpectations
		want []string
	}{
		{"healthy", inspect.OBOObservation{Mode: "secret", Assertion: mkToken(t, nil), Performed: true, Result: mcpTok, RequestedScopes: scopes}, exp, []string{}},
		{"aud mismatch from Entra", inspect.OBOObservation{Mode: "secret", Assertion: mkToken(t, map[string]any{"aud": "api://other"}), Performed: true, Error: entraAud()}, exp, []string{"obo.assertion-aud-mismatch"}},
		{"50013 with the middle tier's audience", inspect.OBOObservation{Mode: "secret", Assertion: mkToken(t, nil), Performed: true, Error: entraAud()}, exp, []string{}},
		{"50013 signature failure (a Graph token)", inspect.OBOObservation{Mode: "secret", Assertion: mkToken(t, nil), Performed: true,
			Error: &inspect.EntraError{Err: "invalid_grant", Codes: []int{50013}, Description: "AADSTS50013: Assertion contains an invalid signature. [Reason - The provided signature value did not match the expected signature value., Thumbprint of key used by client: 'EFF6']"}},
			exp, []string{"obo.assertion-invalid"}},
		{"50013 time range", inspect.OBOObservation{Mode: "secret", Assertion: mkToken(t, nil), Performed: true,
			Error: &inspect.EntraError{Err: "invalid_grant", Codes: []int{50013}, Description: "AADSTS50013: Assertion is not within its valid time range."}},
			exp, []string{}}, // the assertion's own lint reports its expiry where it was obtained
		{"500131 case only", inspect.OBOObservation{Mode: "secret", Assertion: mkToken(t, map[string]any{"aud": "api://Contoso-Agent"}), Performed: true, Error: entra(500131)},
			inspect.OBOExpectations{MiddleTier: []string{"0b05c0de-a9e1-4000-8000-000000000003", "api://contoso-agent"}}, []string{"obo.assertion-aud-case-mismatch"}},
		{"case only, not sent", inspect.OBOObservation{Mode: "none", Assertion: mkToken(t, map[string]any{"aud": "api://CONTOSO-agent"})},
			inspect.OBOExpectations{MiddleTier: []string{"api://contoso-agent"}}, []string{"obo.assertion-aud-case-mismatch"}},
		{"MFA as Entra sends it on OBO", inspect.OBOObservation{Mode: "secret", Assertion: mkToken(t, nil), Performed: true,
			Error: &inspect.EntraError{Err: "invalid_grant", Suberror: "basic_action", Codes: []int{50076}, Claims: `{"access_token":{"capolids":{"essential":true,"values":["p"]}}}`}}, exp, []string{"obo.claims-challenge"}},
		{"claims with another code", inspect.OBOObservation{Mode: "secret", Assertion: mkToken(t, nil), Performed: true,
			Error: &inspect.EntraError{Err: "invalid_grant", Codes: []int{53000}, Claims: `{"access_token":{"xms_cc":{"values":["cp1"]}}}`}}, exp, []string{"obo.claims-challenge"}},
		{"certificate not registered", inspect.OBOObservation{Mode: "certificate", Assertion: mkToken(t, nil), Performed: true, Error: entra(700027)}, exp, []string{"obo.certificate-not-registered"}},
		{"public client secret", inspect.OBOObservation{Mode: "secret", Assertion: mkToken(t, nil), Performed: true, Error: entra(700025)}, exp, []string{"obo.public-client-secret"}},
		{"aud mismatch from Entra, no expectation", inspect.OBOObservation{Mode: "secret", Assertion: mkToken(t, nil), Performed: true, Error: entra(500131)}, inspect.OBOExpectations{}, []string{"obo.assertion-aud-mismatch"}},
		{"aud mismatch from the assertion", inspect.OBOObservation{Mode: "none", Assertion: mkToken(t, map[string]any{"aud": "00000003-0000-0000-c000-000000000000"})}, exp, []string{"obo.assertion-aud-mismatch"}},
		{"app-only assertion for the middle tier", inspect.OBOObservation{Mode: "secret", Assertion: mkToken(t, map[string]any{"scp": nil, "roles": []string{"x"}, "idtyp": "app"}), Performed: true, Error: entra(7000114)}, exp, []string{"obo.app-only-assertion"}},
		{"app-only assertion for another aud", inspect.OBOObservation{Mode: "secret", Assertion: mkToken(t, map[string]any{"aud": "api://other", "scp": nil, "roles": []string{"x"}, "idtyp": "app"}), Performed: true, Error: entra(7000114)}, exp, []string{"obo.app-only-assertion", "obo.assertion-aud-mismatch"}},
		{"consent", inspect.OBOObservation{Mode: "secret", Assertion: mkToken(t, nil), Performed: true, Error: entra(65001)}, exp, []string{"obo.consent-required"}},
		{"bad secret", inspect.OBOObservation{Mode: "secret", Assertion: mkToken(t, nil), Performed: true, Error: entra(7000215)}, exp, []string{"obo.invalid-client-secret"}},
		{"expired secret", inspect.OBOObservation{Mode: "secret", Assertion: mkToken(t, nil), Performed: true, Error: entra(7000222)}, exp, []string{"obo.client-secret-expired"}},
		{"missing credential", inspect.OBOObservation{Mode: "secret", Assertion: mkToken(t, nil), Performed: true, Error: entra(7000218)}, exp, []string{"obo.missing-client-credential"}},
		{"claims challenge", inspect.OBOObservation{Mode: "secret", Assertion: mkToken(t, nil), Performed: true,
			Error: &inspect.EntraError{Err: "interaction_required", Codes: []int{50076}, Claims: `{"access_token":{"capolids":{"essential":true,"values":["x"]}}}`}}, exp, []string{"obo.claims-challenge"}},
		{"claims without code", inspect.OBOObservation{Mode: "secret", Assertion: mkToken(t, nil), Performed: true,
			Error: &inspect.EntraError{Err: "interaction_required", Claims: `{}`}}, exp, []string{"obo.claims-challenge"}},
		{"wrong grant reported by agent", inspect.OBOObservation{Mode: "none", Assertion: mkToken(t, nil),
			AgentReport: &inspect.ExchangeReport{GrantType: inspect.GrantTokenExchange, Status: 400, Error: entra(70003)}}, exp, []string{"obo.wrong-grant"}},
		{"scope not found", inspect.OBOObservation{Mode: "secret", Assertion: mkToken(t, nil), Performed: true, Error: entra(65005)}, exp, []string{"obo.scope-not-found"}},
		{"downstream aud", inspect.OBOObservation{Mode: "secret", Assertion: mkToken(t, nil), Performed: true, Result: mkToken(t, map[string]any{"aud": "00000003-0000-0000-c000-000000000000", "scp": "tools.call"}), RequestedScopes: scopes}, exp, []string{"obo.downstream-aud"}},
		{"scope missing", inspect.OBOObservation{Mode: "secret", Assertion: mkToken(t, nil), Performed: true, Result: mkToken(t, map[string]any{"aud": mcpID, "scp": "other"}), RequestedScopes: scopes}, exp, []string{"obo.scope-missing"}},
		{"passthrough: no assertion rules", inspect.OBOObservation{Mode: "passthrough", Assertion: mkToken(t, map[string]any{"aud": "x"})}, exp, []string{}},
		{"agent id healthy", inspect.OBOObservation{Mode: "agent_identity", Assertion: mkToken(t, map[string]any{"aud": blueprint}), Performed: true, Leg1Performed: true, Leg1FMIPath: "a",
			Result: mkToken(t, map[string]any{"aud": mcpID, "scp": "tools.call", "xms_par_app_azp": blueprint, "xms_act_fct": "11"}), RequestedScopes: scopes},
			inspect.OBOExpectations{MiddleTier: []string{blueprint}, DownstreamAudiences: exp.DownstreamAudiences}, []string{}},
		{"agent id not agent token", inspect.OBOObservation{Mode: "agent_identity", Assertion: mkToken(t, map[string]any{"aud": blueprint}), Performed: true, Leg1Performed: true, Leg1FMIPath: "a", Result: mcpTok, RequestedScopes: scopes},
			inspect.OBOExpectations{MiddleTier: []string{blueprint}, DownstreamAudiences: exp.DownstreamAudiences}, []string{"agentid.not-agent-token"}},
		{"agent id wrong aud", inspect.OBOObservation{Mode: "agent_identity", Assertion: mkToken(t, map[string]any{"aud": "00000003-0000-0000-c000-000000000000"}), Performed: true, Leg1Performed: true, Leg1FMIPath: "a", Error: entraAud()},
			inspect.OBOExpectations{MiddleTier: []string{blueprint}}, []string{"agentid.assertion-aud-not-blueprint"}},
		{"agent id user FIC", inspect.OBOObservation{Mode: "agent_identity", Assertion: mkToken(t, map[string]any{"aud": blueprint}), Performed: true, Error: entra(700229)},
			inspect.OBOExpectations{MiddleTier: []string{blueprint}}, []string{"agentid.user-token-as-credential"}},
		{"agent id fmi path missing", inspect.OBOObservation{Mode: "agent_identity", Assertion: mkToken(t, map[string]any{"aud": blueprint}), Performed: true, Leg1Performed: true, Leg1Error: entra(90002)},
			inspect.OBOExpectations{MiddleTier: []string{blueprint}}, []string{"agentid.fmi-path-missing"}},
		{"agent id 82008", inspect.OBOObservation{Mode: "agent_identity", Assertion: mkToken(t, map[string]any{"aud": blueprint}), Performed: true, Leg1Performed: true, Leg1FMIPath: "x", Leg1Error: entra(82008)},
			inspect.OBOExpectations{MiddleTier: []string{blueprint}}, []string{"agentid.fmi-path-missing"}},
		{"agent id leg 1 without credential", inspect.OBOObservation{Mode: "agent_identity", Assertion: mkToken(t, map[string]any{"aud": blueprint}), Performed: true, Leg1Performed: true, Leg1FMIPath: "x", Leg1Error: entra(7000216)},
			inspect.OBOExpectations{MiddleTier: []string{blueprint}}, []string{"obo.missing-client-credential"}},
		{"agent id direct request", inspect.OBOObservation{Mode: "agent_identity", Assertion: mkToken(t, map[string]any{"aud": blueprint}), Performed: true, Error: entra(82001)},
			inspect.OBOExpectations{MiddleTier: []string{blueprint}}, []string{"agentid.direct-client-credentials"}},
		{"agent id interactive consent", inspect.OBOObservation{Mode: "agent_identity", Assertion: mkToken(t, map[string]any{"aud": blueprint}), Performed: true, Error: entra(82014)},
			inspect.OBOExpectations{MiddleTier: []string{blueprint}}, []string{"agentid.no-interactive-consent"}},
		{"agent id wrong tenant", inspect.OBOObservation{Mode: "agent_identity", Assertion: mkToken(t, map[string]any{"aud": blueprint}), Performed: true, Error: entra(700211)},
			inspect.OBOExpectations{MiddleTier: []string{blueprint}}, []string{"agentid.wrong-tenant"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ids(inspect.AnalyzeOBO(tt.obs, tt.exp))
			if !slices.Equal(got, tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestAnalyzeMCP(t *testing.T) {
	const url = "https://mcp.contoso.example/mcp"
	okPRM := &inspect.ResourceMetadata{Resource: url, AuthorizationServers: []string{"https://login.microsoftonline.com/" + tid + "/v2.0"}, ScopesSupported: scopesUnder(url)}
	chal := `Bearer resource_metadata="https://mcp.contoso.example/.well-known/oauth-protected-resource/mcp"`
	mcpTok := mkToken(t, map[string]any{"aud": mcpID, "azp": agentID, "scp": "tools.call"})
	user := mkToken(t, nil)
	exp := inspect.MCPExpectations{Audiences: []string{mcpID, "api://contoso-mcp"}, RequiredScopes: []string{"api://contoso-mcp/tools.call"}}
	base := func(mod func(o *inspect.MCPObservation)) inspect.MCPObservation {
		o := inspect.MCPObservation{URL: url, ProbeStatus: 401, ProbeWWWAuthenticate: chal, PRM: okPRM, Token: mcpTok, Status: 200, SessionOK: true,
			ForeignProbeSent: true, ForeignProbeToken: user, ForeignProbeStatus: 401}
		if mod != nil {
			mod(&o)
		}
		return o
	}
	tests := []struct {
		name string
		obs  inspect.MCPObservation
		exp  inspect.MCPExpectations
		want []string
	}{
		{"healthy", base(nil), exp, []string{}},
		{"no challenge no prm", base(func(o *inspect.MCPObservation) { o.ProbeWWWAuthenticate = ""; o.PRM = nil }), exp, []string{"mcp.no-resource-metadata", "mcp.no-www-authenticate"}},
		{"challenge without resource_metadata", base(func(o *inspect.MCPObservation) { o.ProbeWWWAuthenticate = `Bearer realm="x"` }), exp, []string{"mcp.no-www-authenticate"}},
		{"resource mismatch", base(func(o *inspect.MCPObservation) {
			p := *okPRM
			p.Resource = url + "/"
			o.PRM = &p
		}), exp, []string{"mcp.prm-resource-mismatch"}},
		{"issuer mismatch v1", base(func(o *inspect.MCPObservation) {
			o.Token = mkToken(t, map[string]any{"aud": "api://contoso-mcp", "scp": "tools.call", "iss": "https://sts.windows.net/" + tid + "/", "ver": "1.0"})
		}), exp, []string{"mcp.prm-issuer-mismatch"}},
		{"unqualified scopes", base(func(o *inspect.MCPObservation) {
			p := *okPRM
			p.ScopesSupported = []string{"tools.call"}
			o.PRM = &p
		}), exp, []string{"mcp.prm-unqualified-scopes"}},
		{"passthrough rejected", base(func(o *inspect.MCPObservation) {
			o.Token, o.TokenIsUserToken, o.Status, o.WWWAuthenticate, o.ForeignProbeSent = user, true, 401, `Bearer error="invalid_token"`, false
		}), exp, []string{"mcp.aud-mismatch", "mcp.token-passthrough"}},
		{"aud already reported at obo", base(func(o *inspect.MCPObservation) {
			o.Token, o.Status = user, 401
		}), inspect.MCPExpectations{Audiences: exp.Audiences, AudienceReported: true}, []string{}},
		{"rejected, explained by a known problem", base(func(o *inspect.MCPObservation) {
			o.Status, o.KnownProblems = 401, []string{"token.version-mismatch"}
		}), exp, []string{}},
		{"rejected, unexplained", base(func(o *inspect.MCPObservation) { o.Status = 401 }), exp, []string{"mcp.rejected"}},
		{"accepts foreign token (probe)", base(func(o *inspect.MCPObservation) { o.ForeignProbeStatus, o.ForeignProbeMCPAnswer = 200, true }), exp, []string{"mcp.accepts-foreign-token"}},
		// W2: a server that takes nothing, or needs nothing, proves nothing about aud checking.
		{"foreign probe 200 but no MCP answer (HTML page)", base(func(o *inspect.MCPObservation) { o.ForeignProbeStatus = 200 }), exp, []string{}},
		{"403 to everything, probe included", base(func(o *inspect.MCPObservation) {
			o.ProbeStatus, o.ProbeWWWAuthenticate, o.PRM, o.Status, o.SessionOK, o.ForeignProbeStatus = 403, "", nil, 403, false, 403
		}), exp, []string{"mcp.no-resource-metadata", "mcp.no-www-authenticate", "mcp.rejected"}},
		{"HTML 200 to everything", base(func(o *inspect.MCPObservation) {
			o.ProbeStatus, o.ProbeWWWAuthenticate, o.PRM, o.Token, o.SessionOK, o.ForeignProbeStatus = 200, "", nil, user, false, 200
		}), exp, []string{"mcp.aud-mismatch", "mcp.no-resource-metadata"}},
		{"open server: no token needed", base(func(o *inspect.MCPObservation) {
			o.ProbeStatus, o.ProbeMCPAnswer, o.ProbeWWWAuthenticate, o.PRM, o.Token = 200, true, "", nil, user
			o.ForeignProbeSent = false
		}), exp, []string{"mcp.aud-mismatch", "mcp.no-resource-metadata", "mcp.no-www-authenticate"}},
		{"foreign token answered 403: authenticated", base(func(o *inspect.MCPObservation) { o.ForeignProbeStatus = 403 }), exp, []string{"mcp.accepts-foreign-token"}},
		{"accepts foreign token (main)", base(func(o *inspect.MCPObservation) { o.Token, o.ForeignProbeSent = user, false }), exp, []string{"mcp.accepts-foreign-token", "mcp.aud-mismatch"}},
		{"missing scope answered 401", base(func(o *inspect.MCPObservation) {
			o.Token = mkToken(t, map[string]any{"aud": mcpID, "scp": "other"})
			o.Status, o.WWWAuthenticate = 401, `Bearer error="invalid_token"`
		}), exp, []string{"mcp.insufficient-scope-status", "mcp.rejected"}}, // the status, and the cause of the rejection
		{"missing scope answered 403 insufficient_scope", base(func(o *inspect.MCPObservation) {
			o.Token = mkToken(t, map[string]any{"aud": mcpID, "scp": "other"})
			o.Status, o.WWWAuthenticate = 403, `Bearer error="insufficient_scope", scope="tools.call"`
		}), exp, []string{"mcp.rejected"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ids(inspect.AnalyzeMCP(tt.obs, tt.exp))
			if !slices.Equal(got, tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestAnalyzeDownstream(t *testing.T) {
	in := mkToken(t, map[string]any{"aud": mcpID, "uti": "in"})
	graph := mkToken(t, map[string]any{"aud": "00000003-0000-0000-c000-000000000000", "uti": "out"})
	tests := []struct {
		name string
		obs  inspect.DownstreamObservation
		want []string
	}{
		{"none", inspect.DownstreamObservation{}, []string{}},
		{"own OBO", inspect.DownstreamObservation{Report: &inspect.ExchangeReport{Kind: "obo", Status: 200, Token: graph}, Incoming: in}, []string{}},
		{"passthrough flag", inspect.DownstreamObservation{Report: &inspect.ExchangeReport{Kind: "passthrough", Passthrough: true, Token: in}, Incoming: in}, []string{"mcp.downstream-passthrough"}},
		{"same token", inspect.DownstreamObservation{Report: &inspect.ExchangeReport{Kind: "obo", Token: in}, Incoming: in}, []string{"mcp.downstream-passthrough"}},
		{"consent error", inspect.DownstreamObservation{Report: &inspect.ExchangeReport{Kind: "obo", Status: 400, Error: entra(65001)}, Incoming: in}, []string{"obo.consent-required"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ids(inspect.AnalyzeDownstream(tt.obs))
			if !slices.Equal(got, tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestClockSkew(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	if _, ok := inspect.ClockSkew("signin", "h", now.Add(4*time.Minute), now, 0); ok {
		t.Fatal("4 minutes is within the allowed skew")
	}
	f, ok := inspect.ClockSkew("signin", "h", now.Add(10*time.Minute), now, 0)
	if !ok || f.ID != "token.clock-skew" || f.Hop != "signin" {
		t.Fatalf("got %+v %v", f, ok)
	}
}

func TestEveryRaisedIDIsCatalogued(t *testing.T) {
	for _, id := range []string{"signin.public-client-disabled", "signin.redirect-uri-mismatch", "signin.scope-unqualified", "signin.scopes-span-resources",
		"signin.app-not-found", "signin.resource-not-found", "signin.user-not-in-tenant", "signin.conditional-access", "signin.consent-required",
		"agent.aud-mismatch", "agent.missing-scope", "agent.app-only-token", "agent.client-not-authorized", "agent.tenant-not-allowed", "agent.no-challenge",
		"agent.rejected", "agent.insecure-transport", "obo.assertion-aud-mismatch", "obo.app-only-assertion", "obo.consent-required", "obo.invalid-client-secret",
		"obo.client-secret-expired", "obo.missing-client-credential", "obo.claims-challenge", "obo.wrong-grant", "obo.scope-not-found", "obo.downstream-aud",
		"obo.scope-missing", "agentid.user-token-as-credential", "agentid.assertion-aud-not-blueprint", "agentid.fmi-path-missing", "agentid.not-agent-token",
		"mcp.no-www-authenticate", "mcp.no-resource-metadata", "mcp.prm-resource-mismatch", "mcp.prm-issuer-mismatch", "mcp.prm-unqualified-scopes",
		"mcp.aud-mismatch", "mcp.token-passthrough", "mcp.accepts-foreign-token", "mcp.insufficient-scope-status", "mcp.rejected", "mcp.downstream-passthrough"} {
		if _, ok := inspect.LookupRule(id); !ok {
			t.Errorf("%s is not in the catalogue", id)
		}
	}
}

// scopesUnder is scopes_supported as a healthy MCP server publishes it: under its own resource
// URL, which is an identifierUri of its app.
func scopesUnder(resource string) []string {
	return []string{strings.TrimSuffix(resource, "/") + "/tools.call"}
}
