package sandbox

import (
	"net/http"
	"strings"
	"testing"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/confidential"
	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"
)

var agentScope = []string{AgentAppIDURI + "/access_as_user"}

// TestHealthyChain drives the whole chain with real MSAL Go: device code sign-in, the agent API
// (which does its own OBO and MCP call), the walk-side OBO, and Graph via the MCP server.
func TestHealthyChain(t *testing.T) {
	s := startSandbox(t, "healthy")
	ctx := testCtx(t)
	res, err := deviceCodeSignIn(ctx, publicClient(t, s), agentScope)
	if err != nil {
		t.Fatalf("device code: %v", err)
	}
	claims := verifyJWT(t, s, res.AccessToken)
	for k, want := range map[string]any{
		"aud": AgentAppID, "iss": s.issuerV2(), "azp": ClientAppID, "scp": "access_as_user", "ver": "2.0",
		"tid": TenantID, "preferred_username": AliceUPN, "idtyp": "user", "oid": "0b05c0de-0000-4000-8000-000000000101",
		"azpacr": "0", // a public client: no credential
	} {
		if claims[k] != want {
			t.Errorf("user token %s = %v, want %v", k, claims[k], want)
		}
	}
	if res.Account.PreferredUsername != AliceUPN {
		t.Errorf("account = %q", res.Account.PreferredUsername)
	}

	status, _, body := callAgent(t, s, res.AccessToken)
	if status != http.StatusOK {
		t.Fatalf("agent status %d: %v", status, body)
	}
	down := body["downstream"].(map[string]any)
	if down["kind"] != "obo" || down["status"] != float64(200) || down["passthrough"] != false {
		t.Errorf("downstream = %v", down)
	}
	mcpRep := body["mcp"].(map[string]any)
	result := mcpRep["result"].(map[string]any)
	if mcpRep["status"] != float64(200) || result["aud"] != MCPAppID || result["azp"] != AgentAppID || result["scp"] != "tools.call" {
		t.Errorf("mcp = %v", mcpRep)
	}

	cc := confidentialClient(t, s, AgentAppID, secretCred(t, s.Secret("agent")))
	obo, err := cc.AcquireTokenOnBehalfOf(ctx, res.AccessToken, []string{MCPAppIDURI + "/tools.call"})
	if err != nil {
		t.Fatalf("OBO: %v", err)
	}
	oc := verifyJWT(t, s, obo.AccessToken)
	if oc["aud"] != MCPAppID || oc["azp"] != AgentAppID || oc["azpacr"] != "1" || oc["scp"] != "tools.call" || oc["oid"] != claims["oid"] {
		t.Errorf("OBO token claims = %v", oc)
	}
	if strings.Contains(body["downstream"].(map[string]any)["token"].(string), obo.AccessToken) {
		t.Error("the agent report leaks a full token")
	}
}

// TestOBOWithCertificate exchanges with a certificate client assertion (PS256, x5t#S256).
func TestOBOWithCertificate(t *testing.T) {
	s := startSandbox(t, "healthy")
	ctx := testCtx(t)
	res, err := deviceCodeSignIn(ctx, publicClient(t, s), agentScope)
	if err != nil {
		t.Fatal(err)
	}
	pemBytes, err := s.AgentCertificatePEM()
	if err != nil {
		t.Fatal(err)
	}
	certs, key, err := confidential.CertFromPEM(pemBytes, "")
	if err != nil {
		t.Fatal(err)
	}
	cred, err := confidential.NewCredFromCert(certs, key)
	if err != nil {
		t.Fatal(err)
	}
	obo, err := confidentialClient(t, s, AgentAppID, cred).AcquireTokenOnBehalfOf(ctx, res.AccessToken, []string{MCPAppIDURI + "/tools.call"})
	if err != nil {
		t.Fatalf("OBO with certificate: %v", err)
	}
	if c := verifyJWT(t, s, obo.AccessToken); c["azpacr"] != "2" || c["aud"] != MCPAppID { // a certificate
		t.Errorf("claims = %v", c)
	}
}

// TestInteractiveAuthCodePKCE signs in with AcquireTokenInteractive: MSAL's loopback listener
// receives the sandbox's form_post page, submitted here the way a browser would.
func TestInteractiveAuthCodePKCE(t *testing.T) {
	s := startSandbox(t, "healthy")
	ctx := testCtx(t)
	open := func(u string) error {
		go func() {
			resp, err := s.HTTPClient().Get(u)
			if err != nil {
				t.Errorf("authorize: %v", err)
				return
			}
			defer resp.Body.Close()
			if err := submitFormPost(s, resp); err != nil {
				t.Errorf("form_post: %v", err)
			}
		}()
		return nil
	}
	pc := publicClient(t, s)
	res, err := pc.AcquireTokenInteractive(ctx, agentScope, public.WithOpenURL(open))
	if err != nil {
		t.Fatalf("interactive: %v", err)
	}
	if c := verifyJWT(t, s, res.AccessToken); c["aud"] != AgentAppID || c["scp"] != "access_as_user" {
		t.Errorf("claims = %v", c)
	}
	// Refresh: a silent request for another scope of the API redeems the cached refresh token.
	silent, err := pc.AcquireTokenSilent(ctx, []string{AgentAppIDURI + "/Chat.Read"}, public.WithSilentAccount(res.Account))
	if err != nil {
		t.Fatalf("silent refresh: %v", err)
	}
	if c := verifyJWT(t, s, silent.AccessToken); c["scp"] != "Chat.Read" {
		t.Errorf("refreshed claims = %v", c)
	}
}
