package sandbox

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/auth"
)

// mcpClientCode runs /authorize as the MCP client, the way the MCP go-sdk shapes the request
// (query response mode, PKCE S256, resource when given), and returns the redirect's parameters.
func mcpClientCode(t *testing.T, s *Sandbox, scope, resource, verifier string) url.Values {
	t.Helper()
	sum := sha256.Sum256([]byte(verifier))
	q := url.Values{"client_id": {MCPClientAppID}, "response_type": {"code"}, "redirect_uri": {"http://localhost:8400/callback"},
		"scope": {scope}, "code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"}, "state": {"st"}}
	if resource != "" {
		q.Set("resource", resource)
	}
	c := *s.HTTPClient()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Get(s.AuthorityURL() + "/oauth2/v2.0/authorize?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil || loc.Query().Get("state") != "st" {
		t.Fatalf("authorize: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	return loc.Query()
}

// TestEntraMetadataAsSpecClientsMeetIt: Entra serves no RFC 8414 metadata (404 at the
// path-inserted URL), its OpenID configuration has no registration_endpoint and no
// code_challenge_methods_supported, and the MCP go-sdk's own discovery refuses it for the second
// (and refuses the multi-tenant authorities for their {tenantid} issuer).
func TestEntraMetadataAsSpecClientsMeetIt(t *testing.T) {
	s := startSandbox(t, "healthy")
	for _, p := range []string{"/.well-known/oauth-authorization-server/" + TenantID + "/v2.0", "/.well-known/openid-configuration/" + TenantID + "/v2.0"} {
		resp, err := s.HTTPClient().Get(s.BaseURL() + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", p, resp.StatusCode)
		}
	}
	d := fetchJSON(t, s, s.AuthorityURL()+"/v2.0/.well-known/openid-configuration")
	for _, f := range []string{"registration_endpoint", "code_challenge_methods_supported", "client_id_metadata_document_supported"} {
		if _, ok := d[f]; ok {
			t.Errorf("discovery has %s; Entra's has not", f)
		}
	}
	if _, err := auth.GetAuthServerMetadata(testCtx(t), s.AuthorityURL()+"/v2.0", s.HTTPClient()); err == nil || !strings.Contains(err.Error(), "does not implement PKCE") {
		t.Errorf("the go-sdk's discovery: %v, want its PKCE refusal", err)
	}
	if _, err := auth.GetAuthServerMetadata(testCtx(t), s.BaseURL()+"/organizations/v2.0", s.HTTPClient()); err == nil || !strings.Contains(err.Error(), "{tenantid}") {
		t.Errorf("the go-sdk's discovery of organizations: %v, want its issuer refusal", err)
	}
}

// TestSpecClientResourceAnswers: resource=<the server URL> with scopes under api://contoso-mcp
// is refused at /authorize with Entra's redirect error (AADSTS9010010); on the healthy server
// (its URL an identifierUri) a code redeemed with resource and no scope, as MCP clients send it,
// gets a token, while a resource of another app is refused at /token in Entra's body.
func TestSpecClientResourceAnswers(t *testing.T) {
	bad := startSandbox(t, "mcp-client-resource-mismatch")
	got := mcpClientCode(t, bad, "api://contoso-mcp/tools.call offline_access", bad.MCPURL(), "v-123456789012345678901234567890123456789012")
	if got.Get("error") != "invalid_target" || got.Get("error_codes") != "9010010" || got.Get("code") != "" ||
		!strings.HasPrefix(got.Get("error_description"), "AADSTS9010010: The resource parameter provided in the request doesn't match with the requested scopes.\r\nTrace ID: ") {
		t.Errorf("authorize with a resource the scopes do not belong to: %v", got)
	}

	s := startSandbox(t, "mcp-client-healthy")
	tokenURL := s.TokenURL()
	verifier := "v-abcdefghijabcdefghijabcdefghijabcdefghij12"
	for _, tc := range []struct {
		resource string
		status   int
	}{{s.MCPURL(), 200}, {AgentAppIDURI, 400}} {
		code := mcpClientCode(t, s, s.MCPURL()+"/tools.call offline_access", s.MCPURL(), verifier).Get("code")
		st, body := postForm(t, s, tokenURL, url.Values{"grant_type": {"authorization_code"}, "client_id": {MCPClientAppID}, "code": {code},
			"redirect_uri": {"http://localhost:8400/callback"}, "code_verifier": {verifier}, "resource": {tc.resource}})
		if st != tc.status {
			t.Fatalf("redeem with resource %s: %d %v", tc.resource, st, body)
		}
		if st == 400 {
			checkEntraShape(t, body, "invalid_target", 9010010)
		} else if body["refresh_token"] == nil || !strings.Contains(body["scope"].(string), "tools.call") {
			t.Errorf("redeemed: %v", body)
		}
	}
}

// TestRefreshWithoutScopeAsEntra: a refresh without scope at the v2 endpoint is refused as Entra
// does (invalid_request, AADSTS90009 "… is requesting a token for itself …"), one with the scopes
// works, and at the v1 endpoint resource=<the client's own App ID URI> is refused the same way.
func TestRefreshWithoutScopeAsEntra(t *testing.T) {
	s := startSandbox(t, "mcp-client-healthy")
	verifier := "v-abcdefghijabcdefghijabcdefghijabcdefghij34"
	code := mcpClientCode(t, s, s.MCPURL()+"/tools.call offline_access", s.MCPURL(), verifier).Get("code")
	st, body := postForm(t, s, s.TokenURL(), url.Values{"grant_type": {"authorization_code"}, "client_id": {MCPClientAppID}, "code": {code},
		"redirect_uri": {"http://localhost:8400/callback"}, "code_verifier": {verifier}, "resource": {s.MCPURL()}})
	rt, _ := body["refresh_token"].(string)
	if st != 200 || rt == "" {
		t.Fatalf("sign-in: %d %v", st, body)
	}
	st, body = postForm(t, s, s.TokenURL(), url.Values{"grant_type": {"refresh_token"}, "client_id": {MCPClientAppID}, "refresh_token": {rt}})
	if st != 400 {
		t.Fatalf("refresh without scope: %d %v", st, body)
	}
	checkEntraShape(t, body, "invalid_request", 90009)
	if d, _ := body["error_description"].(string); !strings.HasPrefix(d, "AADSTS90009: Application '"+MCPClientAppID+"'("+MCPClientAppID+") is requesting a token for itself. This scenario is supported only if resource is specified using the GUID based App Identifier.") {
		t.Errorf("description %q", d)
	}
	st, body = postForm(t, s, s.TokenURL(), url.Values{"grant_type": {"refresh_token"}, "client_id": {MCPClientAppID}, "refresh_token": {rt},
		"scope": {s.MCPURL() + "/tools.call offline_access"}})
	if st != 200 || body["access_token"] == nil {
		t.Fatalf("refresh with scope: %d %v", st, body)
	}
	st, body = postForm(t, s, s.AuthorityURL()+"/oauth2/token", url.Values{"grant_type": {"refresh_token"}, "client_id": {MCPClientAppID}, "refresh_token": {rt},
		"resource": {"api://" + MCPClientAppID}})
	if st != 400 {
		t.Fatalf("v1 refresh for itself by App ID URI: %d %v", st, body)
	}
	checkEntraShape(t, body, "invalid_request", 90009)
}
