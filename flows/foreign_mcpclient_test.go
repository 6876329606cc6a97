package flows_test

import (
	"encoding/json"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/oboscope/oboscope/flows"
	"github.com/oboscope/oboscope/flows/sandbox"
)

// asMCPClient turns the healthy sandbox config tsWalk starts from into chain mcp-client: the
// Contoso MCP Client signs in straight to the server under test.
func asMCPClient(c *flows.Config) {
	c.Chain = flows.ChainMCPClient
	c.Signin, c.Agent, c.OBO = flows.SigninConfig{}, flows.AgentConfig{}, flows.OBOConfig{}
	c.MCP.Client = &flows.MCPClientConfig{ClientID: sandbox.MCPClientAppID}
	c.MCP.DownstreamTool = ""
}

// placed returns "hop:id" for every finding of a report, in hop order.
func placed(rep flows.Report) []string {
	var out []string
	for _, h := range rep.Hops {
		for _, f := range h.Findings {
			out = append(out, string(h.ID)+":"+f.ID)
		}
	}
	return out
}

// TestMCPClientAgainstTSSDKServers walks chain mcp-client against servers written with the
// TypeScript MCP SDK (requireBearerAuth + mcpAuthMetadataRouter, their answers reproduced in
// foreign_tsmcpserver_test.go). Such a server names its own URL as the resource and publishes
// api://… scopes, and its challenge repeats requireBearerAuth's requiredScopes — bare names, the
// way Entra writes scp. The findings must name what each does wrong, and nothing it does right.
func TestMCPClientAgainstTSSDKServers(t *testing.T) {
	// The scopes such servers publish, as people report them: under the MCP app's api:// URI.
	apiScopes := []string{sandbox.MCPAppIDURI + "/tools.call"}
	entra := []string{"metadata:mcp.as-metadata-oidc-only", "metadata:mcp.as-no-pkce-metadata", "registration:mcp.as-no-registration"}
	for _, tt := range []struct {
		name   string
		server tsMCP
		want   []string // besides Entra's normal behaviour (entra)
	}{
		// No requiredScopes: the Go SDK asks for scopes_supported (api://contoso-mcp/tools.call)
		// with resource=<its URL>, which is no identifierUri: AADSTS9010010; without resource
		// the sign-in works and the server takes the token.
		{"scopes checked in the verifier", tsMCP{audience: sandbox.MCPAppID, prmScopes: apiScopes}, []string{"signin:mcp.prm-resource-scope-mismatch"}},
		// requiredScopes ["tools.call"] go into the challenge, which the Go SDK reads before
		// scopes_supported: it asks for a bare scope, which Entra reads as Microsoft Graph's
		// (AADSTS9010010 with resource, 650053 without). That is the cause named; the metadata's
		// own mismatch stays a warning, since this client never sent its scopes.
		{"bare scope in the challenge", tsMCP{audience: sandbox.MCPAppID, requiredScopes: []string{"tools.call"}, prmScopes: apiScopes},
			[]string{"probe:mcp.challenge-scope-unqualified", "signin:mcp.prm-resource-scope-mismatch"}},
		// A server that skips the audience check accepts the client's token, which is for it:
		// nothing observed here is wrong with that (the agent-obo chain's passthrough probe is
		// what shows it).
		{"no audience check", tsMCP{prmScopes: apiScopes}, []string{"signin:mcp.prm-resource-scope-mismatch"}},
		{"trailing slash in the metadata's resource", tsMCP{audience: sandbox.MCPAppID, prmResource: "{base}/mcp/"},
			[]string{"metadata:mcp.prm-resource-mismatch"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rep, _ := tsWalk(t, tt.server, asMCPClient)
			got := placed(rep)
			want := append(append([]string{}, tt.want...), entra...)
			if tt.server.prmResource != "" {
				want = tt.want // the client stops at the metadata
			}
			if !sameSet(got, want) {
				t.Fatalf("findings %v, want %v", got, want)
			}
			for _, f := range hopOf(t, rep, "signin").Findings {
				if f.ID == "mcp.prm-resource-scope-mismatch" && (f.Severity == "warning") != (len(tt.server.requiredScopes) > 0) {
					t.Errorf("%s %s: %s", f.Severity, f.ID, f.Detail)
				}
			}
		})
	}
}

// TestMCPClientAgainstMetadataFacade: a server that names an issuer it hosts, whose RFC 8414
// document repeats Entra's endpoints and adds code_challenge_methods_supported (the fix of
// anthropics/claude-ai-mcp#786 for strict clients): the spec client takes it as it is, so neither
// the missing PKCE methods nor the OpenID-only metadata is reported, and the server accepting
// Entra's tokens under another issuer is no issuer mismatch.
func TestMCPClientAgainstMetadataFacade(t *testing.T) {
	apiScopes := []string{sandbox.MCPAppIDURI + "/tools.call"}
	// The façade is served by the MCP server itself (an origin of the configuration: oboscope
	// fetches metadata from a loopback address only when the configuration names it).
	var authority atomic.Value // the authority of the sandbox tsWalk starts, read by the façade's handler
	facade := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"issuer": "https://" + r.Host + "/entra", "authorization_endpoint": authority.Load().(string) + "/oauth2/v2.0/authorize",
			"token_endpoint": authority.Load().(string) + "/oauth2/v2.0/token", "jwks_uri": authority.Load().(string) + "/discovery/v2.0/keys",
			"response_types_supported": []string{"code"}, "code_challenge_methods_supported": []string{"S256"},
			"scopes_supported": []string{"api://contoso-mcp/tools.call", "offline_access"}, "token_endpoint_auth_methods_supported": []string{"none"},
		})
	}
	rep, _ := tsWalk(t, tsMCP{audience: sandbox.MCPAppID, authorizationServer: "{base}/entra", prmScopes: apiScopes,
		handlers: map[string]http.HandlerFunc{"/.well-known/oauth-authorization-server/entra": facade}}, func(c *flows.Config) {
		asMCPClient(c)
		authority.Store(c.Authority())
	})
	want := []string{"registration:mcp.as-no-registration", "signin:mcp.prm-resource-scope-mismatch"}
	if got := placed(rep); !sameSet(got, want) {
		t.Fatalf("findings %v, want %v", got, want)
	}
	if m := hopOf(t, rep, "mcp"); m.Status != flows.StatusOK {
		t.Errorf("mcp %s %q", m.Status, m.Err)
	}
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]int{}
	for _, x := range a {
		seen[x]++
	}
	for _, x := range b {
		seen[x]--
	}
	for _, n := range seen {
		if n != 0 {
			return false
		}
	}
	return true
}
