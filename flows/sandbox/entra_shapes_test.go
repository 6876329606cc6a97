package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/confidential"

	"github.com/oboscope/oboscope/flows/report"
)

// checkEntraFields asserts an Entra error body field by field against the documented shape
// (learn.microsoft.com/entra/identity-platform/reference-error-codes): error, error_description
// "AADSTS<code>: <text>\r\nTrace ID: <trace_id>\r\nCorrelation ID: <correlation_id>\r\nTimestamp:
// <timestamp>", error_codes [code], timestamp, trace_id, correlation_id, error_uri, and suberror
// and claims when the answer carries them.
func checkEntraFields(t *testing.T, body map[string]any, oauthErr string, code int, text, suberror string, claims bool) {
	t.Helper()
	str := func(k string) string { v, _ := body[k].(string); return v }
	if str("error") != oauthErr {
		t.Errorf("error = %q, want %q", str("error"), oauthErr)
	}
	if codes, _ := body["error_codes"].([]any); len(codes) != 1 || codes[0] != float64(code) {
		t.Errorf("error_codes = %v, want [%d]", body["error_codes"], code)
	}
	want := fmt.Sprintf("AADSTS%d: %s\r\nTrace ID: %s\r\nCorrelation ID: %s\r\nTimestamp: %s", code, text, str("trace_id"), str("correlation_id"), str("timestamp"))
	if !strings.HasPrefix(str("error_description"), fmt.Sprintf("AADSTS%d: %s", code, text)) || !strings.HasSuffix(want, str("error_description")[len(fmt.Sprintf("AADSTS%d: ", code)):]) {
		t.Errorf("error_description\n got %q\nwant %q", str("error_description"), want)
	}
	if len(str("trace_id")) != 36 || len(str("correlation_id")) != 36 || len(str("timestamp")) != len("2006-01-02 15:04:05Z") {
		t.Errorf("trace_id %q correlation_id %q timestamp %q", str("trace_id"), str("correlation_id"), str("timestamp"))
	}
	if str("error_uri") != fmt.Sprintf("https://login.microsoftonline.com/error?code=%d", code) {
		t.Errorf("error_uri = %q", str("error_uri"))
	}
	if str("suberror") != suberror {
		t.Errorf("suberror = %q, want %q", str("suberror"), suberror)
	}
	if c := str("claims"); claims != (c != "") || (claims && !json.Valid([]byte(c))) {
		t.Errorf("claims = %q", c)
	}
}

// TestEntraShapesOfRealFailures drives the authority into the answers people report from real
// tenants and checks each body field by field.
func TestEntraShapesOfRealFailures(t *testing.T) {
	s := startSandbox(t, "healthy")
	tokenURL := s.TokenURL()
	agent := url.Values{"client_id": {AgentAppID}, "client_secret": {s.Secret("agent")}}
	with := func(base url.Values, kv ...string) url.Values {
		out := url.Values{}
		for k, v := range base {
			out[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			out.Set(kv[i], kv[i+1])
		}
		return out
	}
	t.Run("resource that owns no requested scope: 9010010", func(t *testing.T) {
		st, b := postForm(t, s, tokenURL, with(agent, "grant_type", "client_credentials", "scope", MCPAppIDURI+"/.default", "resource", "https://mcp.example/other"))
		if st != 400 {
			t.Errorf("status %d", st)
		}
		checkEntraFields(t, b, "invalid_target", 9010010, "The resource parameter provided in the request doesn't match with the requested scopes.", "", false)
	})
	t.Run("resource that is an identifierUri of the scopes' app", func(t *testing.T) {
		st, b := postForm(t, s, tokenURL, with(agent, "grant_type", "client_credentials", "scope", MCPAppIDURI+"/.default", "resource", s.MCPURL()))
		if st != 200 {
			t.Errorf("status %d: %v", st, b)
		}
	})
	t.Run("resource without scope on v2: 901002", func(t *testing.T) {
		_, b := postForm(t, s, tokenURL, with(agent, "grant_type", "client_credentials", "resource", MCPAppIDURI))
		checkEntraFields(t, b, "invalid_request", 901002, "The 'resource' request parameter is not supported.", "", false)
	})
	t.Run("client_credentials without a credential: 7000216", func(t *testing.T) {
		st, b := postForm(t, s, tokenURL, url.Values{"client_id": {BlueprintAppID}, "grant_type": {"client_credentials"}, "scope": {TokenExchangeAudID + "/.default"}, "fmi_path": {AgentIdentityID}})
		if st != 401 {
			t.Errorf("status %d", st)
		}
		checkEntraFields(t, b, "invalid_client", 7000216, "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.", "", false)
	})
	t.Run("leg 1 without fmi_path: 82008", func(t *testing.T) {
		_, b := postForm(t, s, tokenURL, url.Values{"client_id": {BlueprintAppID}, "client_secret": {s.Secret("blueprint")}, "grant_type": {"client_credentials"}, "scope": {TokenExchangeAudID + "/.default"}})
		checkEntraFields(t, b, "invalid_request", 82008, "All agentic applications requesting a token exchange token must include the fmipath parameter on the token request.", "", false)
	})
	t.Run("no scope: 900144", func(t *testing.T) {
		_, b := postForm(t, s, tokenURL, with(agent, "grant_type", "client_credentials"))
		checkEntraFields(t, b, "invalid_request", 900144, "The request body must contain the following parameter: 'scope'.", "", false)
	})
	t.Run("app-only assertion: 7000114", func(t *testing.T) {
		app, err := confidentialClient(t, s, ClientAppID, secretCred(t, s.Secret("client"))).AcquireTokenByCredential(testCtx(t), []string{AgentAppIDURI + "/.default"})
		if err != nil {
			t.Fatal(err)
		}
		_, b := postForm(t, s, tokenURL, with(agent, "grant_type", grantJWTBearer, "requested_token_use", "on_behalf_of", "assertion", app.AccessToken, "scope", mcpScope))
		checkEntraFields(t, b, "unauthorized_client", 7000114, "Application '"+AgentAppID+"' is not allowed to make application on-behalf-of calls.", "", false)
	})
	t.Run("MFA on OBO: invalid_grant, basic_action, claims", func(t *testing.T) {
		s2 := startSandbox(t, "mfa-required")
		tok, _ := deviceCodeSignIn(testCtx(t), publicClient(t, s2), agentScope)
		_, err := confidentialClient(t, s2, AgentAppID, secretCred(t, s2.Secret("agent"))).AcquireTokenOnBehalfOf(testCtx(t), tok.AccessToken, []string{mcpScope})
		checkEntraFields(t, entraBody(t, err), "invalid_grant", 50076,
			"Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '"+MCPAppID+"'.", "basic_action", true)
		// What MSAL Go prints is what a person pastes: explain names the finding.
		var out bytes.Buffer
		if code := report.RunExplainQuery(report.ExplainOptions{Query: err.Error(), JSON: true}, &out, &out); code != 0 || !strings.Contains(out.String(), `"id": "obo.claims-challenge"`) {
			t.Errorf("explain of MSAL Go's %q: exit %d\n%s", err, code, out.String())
		}
	})
	t.Run("certificate not registered: 700027", func(t *testing.T) {
		pemBytes, err := strayCertPEM(s.now())
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
		_, err = confidentialClient(t, s, AgentAppID, cred).AcquireTokenByCredential(testCtx(t), []string{MCPAppIDURI + "/.default"})
		b := entraBody(t, err)
		if d, _ := b["error_description"].(string); !strings.Contains(d, "AADSTS700027: The certificate with identifier used to sign the client assertion is not registered on application.") {
			t.Errorf("description %q", d)
		}
		var out bytes.Buffer
		if code := report.RunExplainQuery(report.ExplainOptions{Query: err.Error(), JSON: true}, &out, &out); code != 0 || !strings.Contains(out.String(), `"id": "obo.certificate-not-registered"`) {
			t.Errorf("explain of MSAL Go's %q: exit %d\n%s", err, code, out.String())
		}
	})
}

// TestAuthorizeRefusesResourceAsRedirect: at /authorize, 9010010 goes back to the redirect URI
// as an error (anthropics/claude-code#73460), before anyone signs in.
func TestAuthorizeRefusesResourceAsRedirect(t *testing.T) {
	s := startSandbox(t, "prm-resource-url", func(o *Options) { o.AutoApprove = false })
	q := url.Values{"client_id": {ClientAppID}, "response_type": {"code"}, "redirect_uri": {"http://localhost:8400"},
		"scope": {mcpScope + " openid"}, "resource": {s.MCPURL()}, "state": {"st"}}
	client := *s.HTTPClient()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := client.Get(s.AuthorityURL() + "/oauth2/v2.0/authorize?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != 302 || err != nil {
		t.Fatalf("status %d Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	v := loc.Query()
	if v.Get("error") != "invalid_target" || !strings.HasPrefix(v.Get("error_description"), "AADSTS9010010: The resource parameter provided in the request doesn't match with the requested scopes.\r\nTrace ID: ") || v.Get("state") != "st" {
		t.Errorf("redirect %v", v)
	}
}

// TestNoRFC8414MetadataNorRegistration: Entra answers 404 at the path-inserted RFC 8414 URL and
// its OpenID configuration names no registration_endpoint.
func TestNoRFC8414MetadataNorRegistration(t *testing.T) {
	s := startSandbox(t, "healthy")
	for _, tenant := range []string{TenantID, "organizations"} {
		resp, err := s.HTTPClient().Get(s.base + "/.well-known/oauth-authorization-server/" + tenant + "/v2.0")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 404 {
			t.Errorf("RFC 8414 metadata for %s: %d, want 404", tenant, resp.StatusCode)
		}
	}
	if d := fetchJSON(t, s, s.AuthorityURL()+"/v2.0/.well-known/openid-configuration"); d["registration_endpoint"] != nil {
		t.Errorf("discovery has registration_endpoint %v", d["registration_endpoint"])
	}
}

// TestAgentIdentityDirectRequests: an agent identity cannot ask for tokens itself (AADSTS82001)
// nor be signed in to interactively (AADSTS82014, shown as Entra's error page).
func TestAgentIdentityDirectRequests(t *testing.T) {
	s := startSandbox(t, "agent-identity", func(o *Options) { o.AutoApprove = false })
	_, b := postForm(t, s, s.TokenURL(), url.Values{"client_id": {AgentIdentityID}, "grant_type": {"client_credentials"}, "scope": {MCPAppIDURI + "/.default"}})
	checkEntraFields(t, b, "invalid_request", 82001, "The application '"+AgentIdentityID+"' is an agent identity: it cannot request tokens directly. Its agent identity blueprint must obtain a token exchange token (client_credentials with fmi_path) for it to present as its client assertion.", "", false)
	_, b = postForm(t, s, s.TokenURL(), url.Values{"client_id": {AgentIdentityID}, "grant_type": {grantTokenExchange}, "subject_token": {"x"}})
	if firstCode(b) != 82001 {
		t.Errorf("RFC 8693 from an agent identity: %v", b)
	}
	resp, err := s.HTTPClient().Get(s.AuthorityURL() + "/oauth2/v2.0/authorize?" + url.Values{"client_id": {AgentIdentityID}, "response_type": {"code"}, "scope": {mcpScope}}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(page), "AADSTS82014: ") {
		t.Errorf("authorize for an agent identity: %d %s", resp.StatusCode, page)
	}
}

// TestCodeRedemptionPlatform: a code for a Single-page application redirect URI is redeemed only
// cross-origin (AADSTS9002327), any other only without an Origin (AADSTS9002326).
func TestCodeRedemptionPlatform(t *testing.T) {
	s := startSandbox(t, "healthy")
	code := func(redirect string) string {
		q := url.Values{"client_id": {ClientAppID}, "response_type": {"code"}, "redirect_uri": {redirect}, "scope": {agentScope[0]}, "state": {"s"}}
		client := *s.HTTPClient()
		client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		resp, err := client.Get(s.AuthorityURL() + "/oauth2/v2.0/authorize?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc, _ := url.Parse(resp.Header.Get("Location"))
		return loc.Query().Get("code")
	}
	redeem := func(c, redirect, origin string) map[string]any {
		form := url.Values{"client_id": {ClientAppID}, "grant_type": {"authorization_code"}, "code": {c}, "redirect_uri": {redirect}}
		req, _ := http.NewRequest(http.MethodPost, s.TokenURL(), strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		resp, err := s.HTTPClient().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		return m
	}
	b := redeem(code("http://localhost:8400"), "http://localhost:8400", "http://localhost:8400")
	checkEntraFields(t, b, "invalid_request", 9002326, "Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type. Request origin: 'http://localhost:8400'.", "", false)
	b = redeem(code("http://localhost:5173"), "http://localhost:5173", "")
	checkEntraFields(t, b, "invalid_request", 9002327, "Tokens issued for the 'Single-Page Application' client-type may only be redeemed via cross-origin requests.", "", false)
	if b := redeem(code("http://localhost:5173"), "http://localhost:5173", "http://localhost:5173"); b["access_token"] == nil {
		t.Errorf("SPA code redeemed cross-origin: %v", b)
	}
}

// TestPromptNoneWithoutSession: prompt=none without a session is login_required (AADSTS50058),
// even when the sandbox approves sign-ins at once, and a resource Entra accepts gets that answer.
func TestPromptNoneWithoutSession(t *testing.T) {
	s := startSandbox(t, "healthy")
	q := url.Values{"client_id": {ClientAppID}, "response_type": {"code"}, "redirect_uri": {"http://localhost"},
		"scope": {s.MCPURL() + "/tools.call"}, "resource": {s.MCPURL()}, "prompt": {"none"}, "state": {"st"}}
	client := *s.HTTPClient()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := client.Get(s.AuthorityURL() + "/oauth2/v2.0/authorize?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if v := loc.Query(); v.Get("error") != "login_required" || v.Get("code") != "" || !strings.HasPrefix(v.Get("error_description"), "AADSTS50058: ") {
		t.Errorf("redirect %v", v)
	}
}
