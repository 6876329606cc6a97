package inspect

import (
	"slices"
	"strings"
	"testing"
)

const (
	mcTenantAS = "https://login.microsoftonline.com/" + testTenant + "/v2.0"
	mcServer   = "https://mcp.contoso.example/mcp"
)

// entraAttempts are the answers a spec client gets from Entra for issuer as: 404 at both
// path-inserted URLs, the OpenID configuration appended to the issuer.
func entraAttempts(as string) []MetadataAttempt {
	host, path, _ := strings.Cut(strings.TrimPrefix(as, "https://"), "/")
	return []MetadataAttempt{
		{URL: "https://" + host + "/.well-known/oauth-authorization-server/" + path, Status: 404},
		{URL: "https://" + host + "/.well-known/openid-configuration/" + path, OIDC: true, Status: 404},
		{URL: as + "/.well-known/openid-configuration", OIDC: true, Status: 200},
	}
}

func mcPRM(scopes ...string) *ResourceMetadata {
	return &ResourceMetadata{Resource: mcServer, AuthorizationServers: []string{mcTenantAS}, ScopesSupported: scopes}
}

func TestAnalyzeMCPMetadata(t *testing.T) {
	challenge := `Bearer resource_metadata="https://mcp.contoso.example/.well-known/oauth-protected-resource/mcp"`
	entraDoc := func(issuer string) *ASMetadata {
		return &ASMetadata{Issuer: issuer, AuthorizationEndpoint: "https://login.microsoftonline.com/x/oauth2/v2.0/authorize", TokenEndpoint: "https://login.microsoftonline.com/x/oauth2/v2.0/token"}
	}
	orgs := "https://login.microsoftonline.com/organizations/v2.0"
	for _, tt := range []struct {
		name string
		obs  MCPMetadataObservation
		want []string
	}{
		{"Entra as it is: OpenID configuration only, no PKCE methods listed", MCPMetadataObservation{
			PRM: mcPRM(mcServer + "/tools.call"), AuthorizationServer: mcTenantAS, Attempts: entraAttempts(mcTenantAS),
			AS: entraDoc(mcTenantAS), ASURL: mcTenantAS + "/.well-known/openid-configuration", ClientRefusal: "authorization server at … does not implement PKCE",
		}, []string{"mcp.as-metadata-oidc-only", "mcp.as-no-pkce-metadata"}},
		{"a multi-tenant authority's {tenantid} issuer", MCPMetadataObservation{
			PRM: mcPRM(mcServer + "/tools.call"), AuthorizationServer: orgs, Attempts: entraAttempts(orgs),
			AS: entraDoc("https://login.microsoftonline.com/{tenantid}/v2.0"), ASURL: orgs + "/.well-known/openid-configuration",
		}, []string{"mcp.as-metadata-oidc-only", "mcp.as-issuer-template", "mcp.as-no-pkce-metadata"}},
		{"the v1 authority, whose metadata names the sts issuer", MCPMetadataObservation{
			PRM: mcPRM(mcServer + "/tools.call"), AuthorizationServer: "https://login.microsoftonline.com/" + testTenant,
			AS: entraDoc("https://sts.windows.net/" + testTenant + "/"), ASURL: "https://login.microsoftonline.com/" + testTenant + "/.well-known/openid-configuration",
			Attempts: []MetadataAttempt{{URL: "https://login.microsoftonline.com/.well-known/oauth-authorization-server/" + testTenant, Status: 404},
				{URL: "https://login.microsoftonline.com/" + testTenant + "/.well-known/openid-configuration", OIDC: true, Status: 200}},
		}, []string{"mcp.as-metadata-oidc-only", "mcp.prm-issuer-mismatch", "mcp.as-no-pkce-metadata"}},
		{"a façade's RFC 8414 document listing S256", MCPMetadataObservation{
			PRM: mcPRM("api://contoso-mcp/tools.call"), AuthorizationServer: "https://mcp.contoso.example/entra",
			Attempts: []MetadataAttempt{{URL: "https://mcp.contoso.example/.well-known/oauth-authorization-server/entra", Status: 200}},
			AS:       &ASMetadata{Issuer: "https://mcp.contoso.example/entra", CodeChallengeMethodsSupported: []string{"S256"}}, ASURL: "https://mcp.contoso.example/.well-known/oauth-authorization-server/entra",
		}, nil},
		{"an authorization server that is no issuer", MCPMetadataObservation{
			PRM: mcPRM(mcServer + "/tools.call"), AuthorizationServer: "https://login.microsoftonline.com/" + testTenant + "/oauth2/v2.0",
			Attempts: []MetadataAttempt{{URL: "https://a/1", Status: 404}, {URL: "https://a/2", OIDC: true, Status: 404}, {URL: "https://a/3", OIDC: true, Status: 404}},
		}, []string{"mcp.prm-issuer-mismatch"}},
		{"no resource_metadata in the challenge, metadata at the well-known URL", MCPMetadataObservation{
			URL: mcServer, ProbeStatus: 401, ProbeWWWAuthenticate: `Bearer realm="mcp"`, PRM: mcPRM(mcServer + "/tools.call"), PRMURL: "https://mcp.contoso.example/.well-known/oauth-protected-resource/mcp",
		}, []string{"mcp.no-www-authenticate"}},
		{"no scopes in the metadata", MCPMetadataObservation{URL: mcServer, ProbeStatus: 401, ProbeWWWAuthenticate: challenge, PRM: mcPRM()}, []string{"mcp.prm-no-scopes"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.obs.URL == "" {
				tt.obs.URL = mcServer
			}
			fs := AnalyzeMCPMetadata(tt.obs)
			if got := findingIDs(fs); !slices.Equal(got, tt.want) {
				t.Fatalf("findings %v, want %v", got, tt.want)
			}
			for _, f := range fs {
				if f.Detail == "" || f.Title == "" || f.Fix == "" {
					t.Errorf("%s incomplete: %+v", f.ID, f)
				}
				if f.ID == "mcp.no-www-authenticate" && f.Severity != SeverityWarning {
					t.Errorf("%s: %s", f.ID, f.Severity)
				}
			}
		})
	}
}

func TestAnalyzeMCPProbe(t *testing.T) {
	for _, tt := range []struct {
		name      string
		status    int
		challenge string
		answered  bool
		want      []string
	}{
		{"a qualified scope", 401, `Bearer resource_metadata="https://x/.well-known/oauth-protected-resource/mcp", scope="api://contoso-mcp/tools.call"`, false, nil},
		{"a bare scope, as requireBearerAuth writes requiredScopes", 401, `Bearer error="invalid_token", error_description="Missing Authorization header", scope="tools.call", resource_metadata="https://x/.well-known/oauth-protected-resource/mcp"`, false,
			[]string{"mcp.challenge-scope-unqualified"}},
		{"OpenID scopes only", 401, `Bearer scope="openid offline_access", resource_metadata="https://x/y"`, false, nil},
		{"no token needed", 200, "", true, []string{"mcp.no-www-authenticate"}},
		{"a 401 without a challenge is judged with the metadata", 401, "", false, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := findingIDs(AnalyzeMCPProbe(tt.status, tt.challenge, tt.answered)); !slices.Equal(got, tt.want) {
				t.Fatalf("findings %v, want %v", got, tt.want)
			}
		})
	}
}

func TestAnalyzeMCPRegistration(t *testing.T) {
	for _, tt := range []struct {
		name string
		obs  MCPRegistrationObservation
		sev  Severity // "" = no finding
	}{
		{"Entra with a pre-registered client", MCPRegistrationObservation{ASFound: true, ClientID: "0b05c0de-c11e-4000-8000-000000000008"}, SeverityInfo},
		{"Entra and no client id", MCPRegistrationObservation{ASFound: true}, SeverityWarning},
		{"dynamic registration offered", MCPRegistrationObservation{ASFound: true, RegistrationEndpoint: "https://as/register"}, ""},
		{"client ID metadata documents", MCPRegistrationObservation{ASFound: true, CIMDSupported: true}, ""},
		{"no metadata at all", MCPRegistrationObservation{}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fs := AnalyzeMCPRegistration(tt.obs)
			switch {
			case tt.sev == "" && len(fs) != 0:
				t.Fatalf("findings %v", findingIDs(fs))
			case tt.sev != "" && (len(fs) != 1 || fs[0].ID != "mcp.as-no-registration" || fs[0].Severity != tt.sev):
				t.Fatalf("findings %+v, want one mcp.as-no-registration %s", fs, tt.sev)
			}
		})
	}
}

func TestAnalyzeMCPClientSignin(t *testing.T) {
	refused := &ResourceProbe{Resource: mcServer, Scopes: []string{"api://contoso-mcp/tools.call", "offline_access"}, Status: 302,
		Location: "http://localhost:8400/callback?error=invalid_target", Error: "invalid_target",
		Description: "AADSTS9010010: The resource parameter provided in the request doesn't match with the requested scopes.\r\nTrace ID: x", Codes: []int{9010010}}
	accepted := &ResourceProbe{Scopes: refused.Scopes, Status: 302, Location: "http://localhost:8400/callback?code=%5Bredacted%5D", Code: true}
	bare := *refused
	bare.Scopes = []string{"tools.call", "offline_access"}
	graph650053 := &EntraError{Err: "invalid_client", Codes: []int{650053}, Description: "AADSTS650053: The application 'x' asked for scope 'tools.call' that doesn't exist on the resource '00000003-0000-0000-c000-000000000000'."}
	for _, tt := range []struct {
		name   string
		obs    MCPClientSigninObservation
		want   []string
		sev    Severity
		detail string
	}{
		{"resource refused, accepted without it", MCPClientSigninObservation{PRM: mcPRM("api://contoso-mcp/tools.call"), Requested: refused.Scopes, ScopesFrom: "scopes_supported",
			Resource: mcServer, Spec: refused, WithoutResource: accepted},
			[]string{"mcp.prm-resource-scope-mismatch"}, SeverityError, "the same request without resource was accepted"},
		{"resource not sent (send_resource: false)", MCPClientSigninObservation{PRM: mcPRM("api://contoso-mcp/tools.call"), Requested: refused.Scopes, Spec: accepted},
			[]string{"mcp.prm-resource-scope-mismatch"}, SeverityWarning, "not confirmed"},
		{"a bare scope taken from the challenge, reported at the probe", MCPClientSigninObservation{PRM: mcPRM("api://contoso-mcp/tools.call"), Requested: bare.Scopes,
			ScopesFrom: "its challenge", Resource: mcServer, Spec: &bare, Error: graph650053, KnownProblems: []string{"mcp.challenge-scope-unqualified"}},
			[]string{"mcp.prm-resource-scope-mismatch"}, SeverityWarning, "alone explains Entra's refusal"},
		{"a redirect URI not registered", MCPClientSigninObservation{Requested: []string{mcServer + "/tools.call"}, Resource: mcServer,
			Error: &EntraError{Err: "invalid_request", Codes: []int{50011}, Description: "AADSTS50011: The redirect URI …"}},
			[]string{"signin.redirect-uri-mismatch"}, SeverityError, "AADSTS50011"},
		{"no resource scope to ask for (the metadata published none)", MCPClientSigninObservation{PRM: mcPRM(), Requested: []string{"offline_access"}, ScopesFrom: "scopes_supported",
			Resource: mcServer, Spec: &ResourceProbe{Resource: mcServer, Scopes: []string{"offline_access"}, Error: "invalid_target", Codes: []int{9010010}}}, nil, "", ""},
		{"healthy", MCPClientSigninObservation{PRM: mcPRM(mcServer + "/tools.call"), Requested: []string{mcServer + "/tools.call"}, Resource: mcServer, Spec: accepted}, nil, "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fs := AnalyzeMCPClientSignin(tt.obs)
			if got := findingIDs(fs); !slices.Equal(got, tt.want) {
				t.Fatalf("findings %v, want %v", got, tt.want)
			}
			if len(fs) > 0 && (fs[0].Severity != tt.sev || !strings.Contains(fs[0].Detail, tt.detail)) {
				t.Errorf("%s %s: %s", fs[0].Severity, fs[0].ID, fs[0].Detail)
			}
		})
	}
}

func TestAnalyzeRefresh(t *testing.T) {
	mcpTok := mustDecode(t, makeToken(t, v2Header(), v2Claims()))
	graph := v2Claims()
	graph["aud"], graph["scp"] = "00000003-0000-0000-c000-000000000000", "User.Read"
	graphTok := mustDecode(t, makeToken(t, v2Header(), graph))
	e90009 := &EntraError{Err: "invalid_request", Codes: []int{90009}, Description: "AADSTS90009: Application 'a'(a) is requesting a token for itself."}
	for _, tt := range []struct {
		name string
		obs  RefreshObservation
		want []string
		code int
	}{
		{"no scope, refused", RefreshObservation{Sent: true, Error: e90009, Before: mcpTok}, []string{"signin.refresh-scope-dropped"}, 90009},
		{"no scope, a Graph token back", RefreshObservation{Sent: true, Before: mcpTok, After: graphTok}, []string{"signin.refresh-scope-dropped"}, 0},
		{"no scope, accepted as before (an authorization server that keeps the scopes)", RefreshObservation{Sent: true, Before: mcpTok, After: mcpTok}, nil, 0},
		{"the scopes sent", RefreshObservation{Sent: true, Scope: "api://contoso-agent/access_as_user offline_access", Before: mcpTok, After: mcpTok}, nil, 0},
		{"v1 resource for itself", RefreshObservation{Sent: true, Resource: "api://a", Error: e90009, Before: mcpTok}, []string{"signin.refresh-resource-v1"}, 90009},
		{"scopes sent, MFA asked", RefreshObservation{Sent: true, Scope: "api://x/y", Error: &EntraError{Err: "invalid_grant", Codes: []int{50076}, Description: "AADSTS50076: …"}},
			[]string{"signin.conditional-access"}, 50076},
		{"no refresh sent", RefreshObservation{}, nil, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fs := AnalyzeRefresh(tt.obs)
			if got := findingIDs(fs); !slices.Equal(got, tt.want) {
				t.Fatalf("findings %v, want %v", got, tt.want)
			}
			if len(fs) > 0 && fs[0].AADSTS != tt.code && tt.code != 0 {
				t.Errorf("AADSTS %d, want %d", fs[0].AADSTS, tt.code)
			}
		})
	}
}

func TestAnalyzeMCPCall(t *testing.T) {
	c := v2Claims()
	c["aud"] = "44444444-0000-0000-0000-00000000000c"
	tok := mustDecode(t, makeToken(t, v2Header(), c))
	facade := &ResourceMetadata{Resource: mcServer, AuthorizationServers: []string{"https://mcp.contoso.example/entra"}}
	exp := MCPExpectations{Audiences: []string{"44444444-0000-0000-0000-00000000000c"}}
	if fs := AnalyzeMCPCall(MCPObservation{URL: mcServer, ProbeStatus: 401, PRM: facade, Token: tok, Status: 200, SessionOK: true}, exp); len(fs) != 0 {
		t.Errorf("accepted through a façade: %v", findingIDs(fs))
	}
	fs := AnalyzeMCPCall(MCPObservation{URL: mcServer, ProbeStatus: 401, PRM: facade, Token: tok, Status: 401}, exp)
	if got := findingIDs(fs); !slices.Equal(got, []string{"mcp.prm-issuer-mismatch"}) {
		t.Errorf("refused, issuer not listed: %v", got)
	}
	exp.Audiences = []string{"api://other"}
	if got := findingIDs(AnalyzeMCPCall(MCPObservation{URL: mcServer, ProbeStatus: 401, Token: tok, Status: 401}, exp)); !slices.Equal(got, []string{"mcp.aud-mismatch"}) {
		t.Errorf("another audience: %v", got)
	}
}

// TestMCPClientRulesComplete: every entry of the MCP-client chain's catalogue has a title, a fix,
// an explanation and a link, and every AADSTS code it names is catalogued.
func TestMCPClientRulesComplete(t *testing.T) {
	for _, r := range mcpClientRules {
		if r.Title == "" || r.Fix == "" || r.Explanation == "" || !strings.HasPrefix(r.Docs, "https://") {
			t.Errorf("%s is incomplete", r.ID)
		}
		for _, c := range r.AADSTS {
			if _, ok := LookupAADSTS(c); !ok {
				t.Errorf("%s: AADSTS%d not catalogued", r.ID, c)
			}
		}
	}
}
