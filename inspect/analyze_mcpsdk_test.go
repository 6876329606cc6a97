package inspect_test

import (
	"strings"
	"testing"

	"github.com/oboscope/oboscope/inspect"
)

// What MCP servers written with the TypeScript MCP SDK answer (requireBearerAuth): the mcp.rejected
// finding names the cause the answers show, not only "read the challenge".
func TestAnalyzeMCPRejectedCause(t *testing.T) {
	const url = "https://mcp.contoso.example/mcp"
	md := "https://mcp.contoso.example/.well-known/oauth-protected-resource/mcp"
	prm := &inspect.ResourceMetadata{Resource: url, AuthorizationServers: []string{"https://login.microsoftonline.com/" + tid + "/v2.0"}, ScopesSupported: scopesUnder(url)}
	mcpTok := mkToken(t, map[string]any{"aud": mcpID, "azp": agentID, "scp": "tools.call"})
	user := mkToken(t, nil) // aud: the agent API
	exp := inspect.MCPExpectations{Audiences: []string{mcpID, "api://contoso-mcp"}, RequiredScopes: []string{"api://contoso-mcp/tools.call"}}
	for _, tt := range []struct {
		name                    string
		obs                     inspect.MCPObservation
		detail, fix, evidenceOf string
	}{
		{
			// requiredScopes: ['tools.admin'] while the app exposes and the agent requests tools.call.
			name: "403 insufficient_scope for a scope the token lacks",
			obs: inspect.MCPObservation{URL: url, ProbeStatus: 401, PRM: prm, Token: mcpTok, SessionOK: false,
				ProbeWWWAuthenticate: `Bearer error="invalid_token", error_description="Missing Authorization header", scope="tools.admin", resource_metadata="` + md + `"`,
				Status:               403, WWWAuthenticate: `Bearer error="insufficient_scope", error_description="Insufficient scope", scope="tools.admin", resource_metadata="` + md + `"`,
				ForeignProbeSent: true, ForeignProbeToken: user, ForeignProbeStatus: 401},
			detail:     `the MCP server answered 403 insufficient_scope: it requires tools.admin (its challenge) and the token presented has scp "tools.call"; its metadata's scopes_supported (https://mcp.contoso.example/mcp/tools.call) does not list tools.admin`,
			fix:        "Either the server requires the wrong scope (make it require what the token carries, tools.call), or the token needs tools.admin: expose it on the MCP server's app registration, add it to obo.scopes (and to the agent's own On-Behalf-Of request), and grant consent.",
			evidenceOf: "missing",
		},
		{
			// The verifier itself throws InvalidTokenError for the scope: 401, the challenge's scope.
			name: "401 invalid_token for a scope the token lacks",
			obs: inspect.MCPObservation{URL: url, ProbeStatus: 401, PRM: prm, Token: mcpTok,
				ProbeWWWAuthenticate: `Bearer error="invalid_token", error_description="Missing Authorization header", scope="tools.admin", resource_metadata="` + md + `"`,
				Status:               401, WWWAuthenticate: `Bearer error="invalid_token", error_description="token lacks scope tools.admin", scope="tools.admin", resource_metadata="` + md + `"`,
				ForeignProbeSent: true, ForeignProbeToken: user, ForeignProbeStatus: 401},
			detail:     `the MCP server answered 401 invalid_token ("token lacks scope tools.admin"); it requires tools.admin (its challenge), which the token presented lacks (scp "tools.call"); its metadata's scopes_supported (https://mcp.contoso.example/mcp/tools.call) does not list tools.admin`,
			fix:        "Either the server requires the wrong scope (make it require what the token carries, tools.call), or the token needs tools.admin: expose it on the MCP server's app registration, add it to obo.scopes (and to the agent's own On-Behalf-Of request), and grant consent.",
			evidenceOf: "missing",
		},
		{
			// The verifier's audience is the agent API's: its own token is refused, the user's
			// token (for the agent) is authenticated and refused only for scope.
			name: "401 to its own token, 403 to the agent's",
			obs: inspect.MCPObservation{URL: url, ProbeStatus: 401, PRM: prm, Token: mcpTok,
				ProbeWWWAuthenticate: `Bearer error="invalid_token", error_description="Missing Authorization header", scope="tools.call", resource_metadata="` + md + `"`,
				Status:               401, WWWAuthenticate: `Bearer error="invalid_token", error_description="unexpected \"aud\" claim value", scope="tools.call", resource_metadata="` + md + `"`,
				ForeignProbeSent: true, ForeignProbeToken: user, ForeignProbeStatus: 403},
			detail:     "the MCP server answered 401 to a token for itself (aud " + mcpID + ") but authenticated the user's token for " + agentID + " (answered 403): it validates aud against " + agentID + ", not its own id (WWW-Authenticate: Bearer error=\"invalid_token\", error_description=\"unexpected \\\"aud\\\" claim value\", scope=\"tools.call\", resource_metadata=\"" + md + "\")",
			fix:        "Set the audience the MCP server's token validation expects to its own application (" + mcpID + " or api://contoso-mcp), not " + agentID + ".",
			evidenceOf: "accepted_aud",
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got *inspect.Finding
			fs := inspect.AnalyzeMCP(tt.obs, exp)
			for i := range fs {
				if fs[i].ID == "mcp.rejected" {
					got = &fs[i]
				}
			}
			if got == nil {
				t.Fatalf("no mcp.rejected in %v", ids(fs))
			}
			if got.Detail != tt.detail {
				t.Errorf("detail\n got %s\nwant %s", got.Detail, tt.detail)
			}
			if got.Fix != tt.fix {
				t.Errorf("fix\n got %s\nwant %s", got.Fix, tt.fix)
			}
			if got.Evidence[tt.evidenceOf] == "" {
				t.Errorf("evidence %v lacks %s", got.Evidence, tt.evidenceOf)
			}
		})
	}
}

// A 401 to the exchanged token is not blamed on the server's audience when the foreign token was
// refused too, or came from another issuer.
func TestAnalyzeMCPRejectedAudienceNeedsEvidence(t *testing.T) {
	const url = "https://mcp.contoso.example/mcp"
	mcpTok := mkToken(t, map[string]any{"aud": mcpID, "scp": "tools.call"})
	otherIssuer := mkToken(t, map[string]any{"iss": "https://sts.windows.net/" + tid + "/", "ver": "1.0"})
	exp := inspect.MCPExpectations{Audiences: []string{mcpID}}
	for _, tt := range []struct {
		name    string
		foreign *inspect.Token
		status  int
	}{{"foreign refused too", mkToken(t, nil), 401}, {"foreign from another issuer", otherIssuer, 403}} {
		obs := inspect.MCPObservation{URL: url, ProbeStatus: 401, ProbeWWWAuthenticate: `Bearer resource_metadata="x"`,
			PRM: &inspect.ResourceMetadata{Resource: url, ScopesSupported: scopesUnder(url)}, Token: mcpTok, Status: 401, ForeignProbeSent: true, ForeignProbeToken: tt.foreign, ForeignProbeStatus: tt.status}
		for _, f := range inspect.AnalyzeMCP(obs, exp) {
			if f.ID == "mcp.rejected" && f.Fix != "Read the challenge shown: it names what the server wanted." {
				t.Errorf("%s: fix %q", tt.name, f.Fix)
			}
		}
	}
}

// Metadata found only by falling back past the challenge's resource_metadata URL: the mismatch
// says where it was found and that the challenge's URL serves none.
func TestAnalyzeMCPMetadataFoundPastTheChallenge(t *testing.T) {
	const url = "http://127.0.0.1:7001/mcp"
	obs := inspect.MCPObservation{URL: url, ProbeStatus: 401,
		ProbeWWWAuthenticate: `Bearer error="invalid_token", resource_metadata="http://127.0.0.1:7001/.well-known/oauth-protected-resource/mcp"`,
		PRM:                  &inspect.ResourceMetadata{Resource: "http://127.0.0.1:7001/", ScopesSupported: scopesUnder("http://127.0.0.1:7001/")}, PRMURL: "http://127.0.0.1:7001/.well-known/oauth-protected-resource",
		PRMTried: []string{"http://127.0.0.1:7001/.well-known/oauth-protected-resource/mcp (404)", "http://127.0.0.1:7001/.well-known/oauth-protected-resource (200)"}}
	fs := inspect.AnalyzeMCP(obs, inspect.MCPExpectations{})
	if len(fs) != 1 || fs[0].ID != "mcp.prm-resource-mismatch" {
		t.Fatalf("findings %v", ids(fs))
	}
	want := `the metadata's resource is "http://127.0.0.1:7001/" but the server URL used is "http://127.0.0.1:7001/mcp" (found at http://127.0.0.1:7001/.well-known/oauth-protected-resource; the challenge's resource_metadata http://127.0.0.1:7001/.well-known/oauth-protected-resource/mcp serves none)`
	if fs[0].Detail != want {
		t.Fatalf("detail\n got %s\nwant %s", fs[0].Detail, want)
	}
}

// A token for another API answered 403 (not 401) was authenticated by the server.
func TestAnalyzeMCPForeignTokenAnswered403(t *testing.T) {
	const url = "https://mcp.contoso.example/mcp"
	user := mkToken(t, nil)
	obs := inspect.MCPObservation{URL: url, ProbeStatus: 401, ProbeWWWAuthenticate: `Bearer resource_metadata="x"`, PRM: &inspect.ResourceMetadata{Resource: url, AuthorizationServers: []string{user.Issuer}, ScopesSupported: scopesUnder(url)},
		Token: user, TokenIsUserToken: true, Status: 403, WWWAuthenticate: `Bearer error="insufficient_scope", scope="tools.call"`}
	got := ids(inspect.AnalyzeMCP(obs, inspect.MCPExpectations{Audiences: []string{mcpID}}))
	if strings.Join(got, " ") != "mcp.accepts-foreign-token mcp.aud-mismatch mcp.token-passthrough" {
		t.Fatalf("findings %v", got)
	}
}

// An agent API whose validator refuses the audience of a token that is for it (jose's
// `unexpected "aud" claim value` for a v2 token whose aud is the client id, while the validator
// expects the App ID URI) gets a fix naming both identifiers.
func TestAnalyzeAgentRejectsItsOwnAudience(t *testing.T) {
	tok := mkToken(t, nil) // aud: the agent's client id, v2
	exp := inspect.AgentExpectations{Audiences: []string{agentID, "api://contoso-agent"}}
	for _, tt := range []struct {
		challenge string
		specific  bool
	}{
		{`Bearer error="invalid_token", error_description="unexpected 'aud' claim value"`, true},
		{`Bearer error="invalid_token", error_description="IDX10214: Audience validation failed."`, true},
		{`Bearer error="invalid_token", error_description="jwt expired"`, false},
		{``, false},
	} {
		fs := inspect.AnalyzeAgent(inspect.AgentObservation{Token: tok, Status: 401, WWWAuthenticate: tt.challenge}, exp)
		var rej *inspect.Finding
		for i := range fs {
			if fs[i].ID == "agent.rejected" {
				rej = &fs[i]
			}
		}
		if rej == nil {
			t.Fatalf("%q: no agent.rejected in %v", tt.challenge, ids(fs))
		}
		wantFix := "Make the agent API's token validation accept " + agentID + " as the audience: Entra puts the client id in v2 tokens and the App ID URI in v1 tokens, so accept both (" + agentID + " and api://contoso-agent)."
		if got := rej.Fix == wantFix; got != tt.specific {
			t.Errorf("%q: fix %q", tt.challenge, rej.Fix)
		}
		if tt.specific && !strings.HasSuffix(rej.Detail, "; yet the token's aud "+agentID+" is the agent API's own (v2.0 token): its validator expects another audience") {
			t.Errorf("%q: detail %q", tt.challenge, rej.Detail)
		}
	}
}

// A TS SDK challenge quotes jose's message unescaped (error_description="unexpected "iss" claim
// value"): the validator's complaint is still read, and the fix names the token's issuer.
func TestAnalyzeMCPValidatorRefusesIssuer(t *testing.T) {
	const url = "https://mcp.contoso.example/mcp"
	mcpTok := mkToken(t, map[string]any{"aud": mcpID, "scp": "tools.call"})
	prm := &inspect.ResourceMetadata{Resource: url, AuthorizationServers: []string{mcpTok.Issuer}, ScopesSupported: scopesUnder(url)}
	obs := inspect.MCPObservation{URL: url, ProbeStatus: 401, ProbeWWWAuthenticate: `Bearer error="invalid_token", error_description="Missing Authorization header", resource_metadata="x"`,
		PRM: prm, Token: mcpTok, Status: 401,
		WWWAuthenticate: `Bearer error="invalid_token", error_description="unexpected "iss" claim value", scope="tools.call", resource_metadata="x"`}
	fs := inspect.AnalyzeMCP(obs, inspect.MCPExpectations{Audiences: []string{mcpID}})
	if len(fs) != 1 || fs[0].ID != "mcp.rejected" {
		t.Fatalf("findings %v", ids(fs))
	}
	if !strings.HasSuffix(fs[0].Detail, "; the token's iss is "+mcpTok.Issuer+" (a v2.0 token from Entra), the issuer the server's own metadata lists: its validator expects another issuer") ||
		!strings.HasPrefix(fs[0].Fix, "Make the MCP server's token validation accept the issuer "+mcpTok.Issuer+":") || fs[0].Evidence["claim"] != "iss" {
		t.Fatalf("finding %+v", fs[0])
	}
}

// The TS SDK's expectedResource refuses every Entra token ("Token was not issued for this
// resource"): the finding says Entra's aud is the app, never the URL.
func TestAnalyzeMCPExpectedResource(t *testing.T) {
	const url = "https://mcp.contoso.example/mcp"
	mcpTok := mkToken(t, map[string]any{"aud": mcpID, "scp": "tools.call"})
	obs := inspect.MCPObservation{URL: url, ProbeStatus: 401, ProbeWWWAuthenticate: `Bearer error="invalid_token", resource_metadata="x"`,
		PRM: &inspect.ResourceMetadata{Resource: url, AuthorizationServers: []string{mcpTok.Issuer}, ScopesSupported: scopesUnder(url)}, Token: mcpTok, Status: 401,
		WWWAuthenticate: `Bearer error="invalid_token", error_description="Token was not issued for this resource", scope="tools.call", resource_metadata="x"`}
	fs := inspect.AnalyzeMCP(obs, inspect.MCPExpectations{Audiences: []string{mcpID, "api://contoso-mcp"}})
	if len(fs) != 1 || fs[0].ID != "mcp.rejected" {
		t.Fatalf("findings %v", ids(fs))
	}
	if !strings.Contains(fs[0].Detail, "Entra never puts the server's URL ("+url+") in aud") ||
		fs[0].Fix != "Check aud against the MCP server's application ("+mcpID+" or api://contoso-mcp), not against its URL: with the TypeScript MCP SDK, drop expectedResource or have the verifier report resource = the server URL once aud matches the app." {
		t.Fatalf("finding %+v", fs[0])
	}
}

// A 403 without a challenge whose body was a JSON-RPC error is the MCP transport's, not a
// rejection of the token; the same 403 without that body is one.
func TestAnalyzeMCP403FromTheTransport(t *testing.T) {
	const url = "https://mcp.contoso.example/mcp"
	mcpTok := mkToken(t, map[string]any{"aud": mcpID, "scp": "tools.call"})
	for _, tt := range []struct {
		mcpError string
		want     string
	}{{"Invalid Host header: 127.0.0.1:7001", ""}, {"", "mcp.rejected"}} {
		obs := inspect.MCPObservation{URL: url, ProbeStatus: 401, ProbeWWWAuthenticate: `Bearer resource_metadata="x"`,
			PRM: &inspect.ResourceMetadata{Resource: url, AuthorizationServers: []string{mcpTok.Issuer}, ScopesSupported: scopesUnder(url)}, Token: mcpTok, Status: 403, MCPError: tt.mcpError}
		if got := strings.Join(ids(inspect.AnalyzeMCP(obs, inspect.MCPExpectations{Audiences: []string{mcpID}})), " "); got != tt.want {
			t.Errorf("MCP error %q: findings %q, want %q", tt.mcpError, got, tt.want)
		}
	}
}

// A 401 blaming the key set for a token oboscope verified names the server's keys as the cause;
// for a token oboscope could not verify, it does not.
func TestAnalyzeMCPServerKeys(t *testing.T) {
	const url = "https://mcp.contoso.example/mcp"
	mcpTok := mkToken(t, map[string]any{"aud": mcpID, "scp": "tools.call"})
	for _, verified := range []bool{true, false} {
		obs := inspect.MCPObservation{URL: url, ProbeStatus: 401, ProbeWWWAuthenticate: `Bearer resource_metadata="x"`,
			PRM: &inspect.ResourceMetadata{Resource: url, AuthorizationServers: []string{mcpTok.Issuer}, ScopesSupported: scopesUnder(url)}, Token: mcpTok, TokenSignatureVerified: verified, Status: 401,
			WWWAuthenticate: `Bearer error="invalid_token", error_description="no applicable key found in the JSON Web Key Set"`}
		fs := inspect.AnalyzeMCP(obs, inspect.MCPExpectations{Audiences: []string{mcpID}})
		if len(fs) != 1 || fs[0].ID != "mcp.rejected" {
			t.Fatalf("findings %v", ids(fs))
		}
		if got := strings.HasPrefix(fs[0].Fix, "Have the MCP server take its signing keys from the issuer's jwks_uri"); got != verified {
			t.Errorf("verified %v: fix %q", verified, fs[0].Fix)
		}
	}
}

// A resource that differs from the URL only by the root's "/" is a warning; any other difference
// stays an error.
func TestAnalyzeMCPRootSlash(t *testing.T) {
	for _, tt := range []struct {
		resource, url string
		sev           inspect.Severity
	}{
		{"https://mcp.contoso.example/", "https://mcp.contoso.example", inspect.SeverityWarning},
		{"https://mcp.contoso.example", "https://mcp.contoso.example/", inspect.SeverityWarning},
		{"https://mcp.contoso.example/mcp/", "https://mcp.contoso.example/mcp", inspect.SeverityError},
		{"https://mcp.contoso.example/", "https://mcp.contoso.example/mcp", inspect.SeverityError},
		{"https://localhost/", "https://mcp.contoso.example", inspect.SeverityError},
	} {
		obs := inspect.MCPObservation{URL: tt.url, ProbeStatus: 401, ProbeWWWAuthenticate: `Bearer resource_metadata="x"`, PRM: &inspect.ResourceMetadata{Resource: tt.resource, ScopesSupported: scopesUnder(tt.resource)}}
		fs := inspect.AnalyzeMCP(obs, inspect.MCPExpectations{})
		if len(fs) != 1 || fs[0].ID != "mcp.prm-resource-mismatch" || fs[0].Severity != tt.sev {
			t.Errorf("%s vs %s: %+v", tt.resource, tt.url, fs)
		}
	}
}

// A v2 token whose issuer the metadata does not list: the fix names that issuer; a v1 token keeps
// the catalogue's fix (make the API accept v2 tokens).
func TestAnalyzeMCPIssuerFix(t *testing.T) {
	const url = "https://mcp.contoso.example/mcp"
	v2 := mkToken(t, map[string]any{"aud": mcpID, "scp": "tools.call"})
	v1 := mkToken(t, map[string]any{"aud": "api://contoso-mcp", "scp": "tools.call", "iss": "https://sts.windows.net/" + tid + "/", "ver": "1.0"})
	rule, _ := inspect.LookupRule("mcp.prm-issuer-mismatch")
	for _, tt := range []struct {
		tok *inspect.Token
		fix string
	}{
		{v2, "List the token's issuer " + v2.Issuer + " in authorization_servers — Entra's v2.0 issuer, /v2.0 suffix included."},
		{v1, rule.Fix},
	} {
		obs := inspect.MCPObservation{URL: url, ProbeStatus: 401, ProbeWWWAuthenticate: `Bearer resource_metadata="x"`, Token: tt.tok, Status: 200, SessionOK: true,
			PRM: &inspect.ResourceMetadata{Resource: url, AuthorizationServers: []string{"https://login.microsoftonline.com/" + tid}, ScopesSupported: scopesUnder(url)}}
		fs := inspect.AnalyzeMCP(obs, inspect.MCPExpectations{})
		if len(fs) != 1 || fs[0].ID != "mcp.prm-issuer-mismatch" || fs[0].Fix != tt.fix {
			t.Errorf("v%s: %+v", tt.tok.Version, fs)
		}
	}
}
