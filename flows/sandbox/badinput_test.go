package sandbox

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// rawPost sends a request to the sandbox and returns the status and body.
func rawPost(t *testing.T, s *Sandbox, method, u, contentType, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := s.HTTPClient().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// TestTokenEndpointBadInput sends malformed requests to /token: every answer is Entra's error
// shape with the right code, never a 5xx.
func TestTokenEndpointBadInput(t *testing.T) {
	s := startSandbox(t, "healthy")
	tok := s.TokenURL()
	form := "application/x-www-form-urlencoded"
	agentSecret := url.Values{"client_id": {AgentAppID}, "client_secret": {s.Secret("agent")}}
	with := func(base url.Values, kv ...string) string {
		v := url.Values{}
		for k, x := range base {
			v[k] = append([]string{}, x...)
		}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v.Encode()
	}
	tests := []struct {
		name, method, ct, body string
		status                 int
		err                    string
		code                   int
	}{
		{"GET", http.MethodGet, "", "", 400, "invalid_request", 900561},
		{"no grant_type", http.MethodPost, form, "client_id=" + ClientAppID, 400, "invalid_request", 900144},
		{"JSON body", http.MethodPost, "application/json", `{"grant_type":"client_credentials"}`, 400, "invalid_request", 900144},
		{"no content type", http.MethodPost, "", "grant_type=client_credentials", 400, "invalid_request", 900144},
		{"duplicate parameter", http.MethodPost, form, "grant_type=client_credentials&grant_type=client_credentials", 400, "invalid_request", 9002313},
		{"1 MB body", http.MethodPost, form, "grant_type=client_credentials&x=" + strings.Repeat("a", 1<<20), 400, "invalid_request", 9002313},
		{"bad percent encoding", http.MethodPost, form, "grant_type=%zz", 400, "invalid_request", 9002313},
		{"unknown grant", http.MethodPost, form, "grant_type=password&client_id=" + ClientAppID, 400, "unsupported_grant_type", 70003},
		{"token exchange", http.MethodPost, form, with(agentSecret, "grant_type", grantTokenExchange), 400, "unsupported_grant_type", 70003},
		{"no client_id", http.MethodPost, form, "grant_type=client_credentials&scope=x", 400, "invalid_request", 900144},
		{"unknown client", http.MethodPost, form, "grant_type=client_credentials&client_id=11111111-1111-1111-1111-111111111111&client_secret=x", 400, "unauthorized_client", 700016},
		{"client credentials without secret", http.MethodPost, form, with(url.Values{"client_id": {AgentAppID}}, "grant_type", "client_credentials", "scope", MCPAppIDURI+"/.default"), 401, "invalid_client", 7000216}, // the client_credentials wording (MicrosoftDocs/azure-docs#30777)
		{"wrong secret", http.MethodPost, form, with(url.Values{"client_id": {AgentAppID}, "client_secret": {"nope"}}, "grant_type", "client_credentials", "scope", MCPAppIDURI+"/.default"), 401, "invalid_client", 7000215},
		{"secret and assertion", http.MethodPost, form, with(agentSecret, "grant_type", "client_credentials", "client_assertion", "a.b.c", "client_assertion_type", clientAssertionType), 400, "invalid_request", 9002313},
		{"garbage client assertion", http.MethodPost, form, with(url.Values{"client_id": {AgentAppID}}, "grant_type", "client_credentials", "scope", MCPAppIDURI+"/.default", "client_assertion", "garbage", "client_assertion_type", clientAssertionType), 401, "invalid_client", 50027},
		{"wrong assertion type", http.MethodPost, form, with(url.Values{"client_id": {AgentAppID}}, "grant_type", "client_credentials", "client_assertion", "a.b.c", "client_assertion_type", "x"), 400, "invalid_request", 50027},
		{"cc scope without .default", http.MethodPost, form, with(agentSecret, "grant_type", "client_credentials", "scope", MCPAppIDURI+"/tools.call"), 400, "invalid_scope", 1002012},
		{"cc unknown resource", http.MethodPost, form, with(agentSecret, "grant_type", "client_credentials", "scope", "api://nope/.default"), 400, "invalid_resource", 500011},
		{"obo missing assertion", http.MethodPost, form, with(agentSecret, "grant_type", grantJWTBearer, "requested_token_use", "on_behalf_of", "scope", MCPAppIDURI+"/tools.call"), 400, "invalid_request", 900144},
		{"obo missing requested_token_use", http.MethodPost, form, with(agentSecret, "grant_type", grantJWTBearer, "assertion", "a.b.c"), 400, "invalid_request", 900144},
		{"obo garbage assertion", http.MethodPost, form, with(agentSecret, "grant_type", grantJWTBearer, "requested_token_use", "on_behalf_of", "assertion", "garbage", "scope", MCPAppIDURI+"/tools.call"), 400, "invalid_request", 50027},
		{"obo forged assertion", http.MethodPost, form, with(agentSecret, "grant_type", grantJWTBearer, "requested_token_use", "on_behalf_of", "assertion", forged(), "scope", MCPAppIDURI+"/tools.call"), 400, "invalid_grant", 50013},
		{"device code missing", http.MethodPost, form, "grant_type=device_code&client_id=" + ClientAppID, 400, "invalid_request", 900144},
		{"device code unknown", http.MethodPost, form, "grant_type=" + url.QueryEscape(grantDeviceCodeURN) + "&client_id=" + ClientAppID + "&device_code=nope", 400, "invalid_grant", 70000},
		{"auth code unknown", http.MethodPost, form, "grant_type=authorization_code&client_id=" + ClientAppID + "&code=nope&redirect_uri=http://localhost", 400, "invalid_grant", 9002313},
		{"refresh token unknown", http.MethodPost, form, "grant_type=refresh_token&client_id=" + ClientAppID + "&refresh_token=nope&scope=openid", 400, "invalid_grant", 9002313},
		{"unknown tenant", http.MethodPost, form, "grant_type=client_credentials", 400, "invalid_tenant", 90002},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u := tok
			if tc.name == "unknown tenant" {
				u = s.BaseURL() + "/nope.example/oauth2/v2.0/token"
			}
			status, body := rawPost(t, s, tc.method, u, tc.ct, tc.body)
			if status != tc.status {
				t.Errorf("status = %d, want %d: %s", status, tc.status, body)
			}
			var m map[string]any
			if err := json.Unmarshal(body, &m); err != nil {
				t.Fatalf("body is not JSON: %s", body)
			}
			checkEntraShape(t, m, tc.err, tc.code)
		})
	}
}

// forged is a well-formed RS256 JWT signed by nobody the sandbox knows.
func forged() string {
	h := base64.RawURLEncoding.EncodeToString([]byte(`{"typ":"JWT","alg":"RS256","kid":"nope"}`))
	p := base64.RawURLEncoding.EncodeToString([]byte(`{"aud":"` + AgentAppID + `","scp":"access_as_user","idtyp":"user"}`))
	return h + "." + p + "." + base64.RawURLEncoding.EncodeToString([]byte("sig"))
}

// TestReplayAndPKCE redeems device codes and auth codes twice and checks PKCE.
func TestReplayAndPKCE(t *testing.T) {
	s := startSandbox(t, "healthy")
	// Device code: approve, redeem, replay.
	_, dc := postForm(t, s, s.AuthorityURL()+"/oauth2/v2.0/devicecode", url.Values{"client_id": {ClientAppID}, "scope": {agentScope[0] + " openid"}})
	redeem := url.Values{"grant_type": {grantDeviceCodeURN}, "client_id": {ClientAppID}, "device_code": {dc["device_code"].(string)}}
	if st, body := postForm(t, s, s.TokenURL(), redeem); st != 200 || body["access_token"] == nil {
		t.Fatalf("first redemption: %d %v", st, body)
	}
	st, body := postForm(t, s, s.TokenURL(), redeem)
	if st != 400 {
		t.Errorf("replay status %d", st)
	}
	checkEntraShape(t, body, "invalid_grant", 70000)

	// Pending device code (no auto-approve) answers authorization_pending, then the person approves.
	s2 := startSandbox(t, "healthy", func(o *Options) { o.AutoApprove = false })
	_, dc2 := postForm(t, s2, s2.AuthorityURL()+"/oauth2/v2.0/devicecode", url.Values{"client_id": {ClientAppID}, "scope": {agentScope[0]}})
	redeem2 := url.Values{"grant_type": {"device_code"}, "client_id": {ClientAppID}, "device_code": {dc2["device_code"].(string)}}
	st, body = postForm(t, s2, s2.TokenURL(), redeem2)
	if st != 400 {
		t.Errorf("pending status %d", st)
	}
	checkEntraShape(t, body, "authorization_pending", 70016)
	st, _ = postForm(t, s2, s2.DeviceLoginURL(), url.Values{"user_code": {dc2["user_code"].(string)}, "username": {AliceUPN}})
	if st != 200 {
		t.Fatalf("devicelogin POST %d", st)
	}
	if st, body = postForm(t, s2, s2.TokenURL(), redeem2); st != 200 {
		t.Errorf("after approval: %d %v", st, body)
	}

	// Authorization code with PKCE: wrong verifier, then replay of a redeemed code.
	verifier := "a-verifier-of-enough-length-0123456789-abcdefghij"
	sum := sha256.Sum256([]byte(verifier))
	challenge := base64.RawURLEncoding.EncodeToString(sum[:])
	code := authorizeCode(t, s, challenge)
	bad := url.Values{"grant_type": {"authorization_code"}, "client_id": {ClientAppID}, "code": {code}, "redirect_uri": {"http://localhost:1234"}, "code_verifier": {"wrong"}}
	st, body = postForm(t, s, s.TokenURL(), bad)
	if st != 400 {
		t.Errorf("PKCE mismatch status %d", st)
	}
	checkEntraShape(t, body, "invalid_grant", 501481)
	code = authorizeCode(t, s, challenge)
	good := url.Values{"grant_type": {"authorization_code"}, "client_id": {ClientAppID}, "code": {code}, "redirect_uri": {"http://localhost:1234"}, "code_verifier": {verifier}}
	if st, body = postForm(t, s, s.TokenURL(), good); st != 200 {
		t.Fatalf("redeem: %d %v", st, body)
	}
	st, body = postForm(t, s, s.TokenURL(), good)
	if st != 400 {
		t.Errorf("replay status %d", st)
	}
	checkEntraShape(t, body, "invalid_grant", 54005)
}

// authorizeCode runs /authorize (query response mode) and returns the code from the redirect.
func authorizeCode(t *testing.T, s *Sandbox, challenge string) string {
	t.Helper()
	q := url.Values{"client_id": {ClientAppID}, "response_type": {"code"}, "redirect_uri": {"http://localhost:1234"},
		"scope": {agentScope[0] + " openid offline_access"}, "code_challenge": {challenge}, "code_challenge_method": {"S256"}, "state": {"st"}}
	c := *s.HTTPClient()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Get(s.AuthorityURL() + "/oauth2/v2.0/authorize?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil || loc.Query().Get("code") == "" || loc.Query().Get("state") != "st" {
		t.Fatalf("authorize: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	return loc.Query().Get("code")
}

// TestOtherEndpointsBadInput covers discovery, devicecode, authorize, devicelogin, Graph, the
// agent API and the MCP server with bad input: 4xx with the right shape, never 5xx.
func TestOtherEndpointsBadInput(t *testing.T) {
	s := startSandbox(t, "healthy")
	form := "application/x-www-form-urlencoded"
	tests := []struct {
		name, method, path, ct, body string
		status                       int
		code                         int // AADSTS code expected in an Entra JSON body (0: not Entra JSON)
	}{
		{"unknown discovery path", "GET", "/" + TenantID + "/v2.0/.well-known/oauth-authorization-server", "", "", 404, 0},
		{"RFC 8414 insertion path", "GET", "/.well-known/oauth-authorization-server/" + TenantID + "/v2.0", "", "", 404, 0},
		{"root PRM", "GET", "/.well-known/oauth-protected-resource", "", "", 404, 0},
		{"unknown tenant discovery", "GET", "/nope.example/v2.0/.well-known/openid-configuration", "", "", 400, 90002},
		{"devicecode no client", "POST", "/" + TenantID + "/oauth2/v2.0/devicecode", form, "scope=openid", 400, 900144},
		{"devicecode unknown client", "POST", "/" + TenantID + "/oauth2/v2.0/devicecode", form, "client_id=nope&scope=openid", 400, 700016},
		{"devicecode no scope", "POST", "/" + TenantID + "/oauth2/v2.0/devicecode", form, "client_id=" + ClientAppID, 400, 900144},
		{"devicecode two resources", "POST", "/" + TenantID + "/oauth2/v2.0/devicecode", form, "client_id=" + ClientAppID + "&scope=" + url.QueryEscape(agentScope[0]+" "+MCPAppIDURI+"/tools.call"), 400, 28000},
		{"devicecode unknown resource", "POST", "/" + TenantID + "/oauth2/v2.0/devicecode", form, "client_id=" + ClientAppID + "&scope=" + url.QueryEscape("api://nope/x"), 400, 500011},
		{"devicecode 1 MB", "POST", "/" + TenantID + "/oauth2/v2.0/devicecode", form, "client_id=" + ClientAppID + "&x=" + strings.Repeat("b", 1<<20), 400, 9002313},
		{"devicecode GET", "GET", "/" + TenantID + "/oauth2/v2.0/devicecode", "", "", 400, 900561},
		{"devicelogin missing code", "POST", "/devicelogin", form, "username=" + AliceUPN, 400, 0},
		{"devicelogin unknown code", "POST", "/devicelogin", form, "user_code=NOPE&username=" + AliceUPN, 400, 0},
		{"devicelogin 1 MB", "POST", "/devicelogin", form, "user_code=" + strings.Repeat("c", 1<<20), 400, 0},
		{"authorize no client", "GET", "/" + TenantID + "/oauth2/v2.0/authorize", "", "", 400, 0},
		{"authorize bad redirect", "GET", "/" + TenantID + "/oauth2/v2.0/authorize?client_id=" + ClientAppID + "&redirect_uri=https://evil.example/cb&response_type=code&scope=openid", "", "", 400, 0},
		{"graph no token", "GET", "/v1.0/me", "", "", 401, 0},
		{"graph garbage token", "GET", "/v1.0/me", "", "", 401, 0},
		{"agent GET", "GET", "/agent/api/chat", "", "", 405, 0},
		{"agent no token", "POST", "/agent/api/chat", "application/json", `{"message":"x"}`, 401, 0},
		{"mcp no token", "POST", "/mcp", "application/json", `{}`, 401, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, s.BaseURL()+tc.path, strings.NewReader(tc.body))
			if tc.ct != "" {
				req.Header.Set("Content-Type", tc.ct)
			}
			if tc.name == "graph garbage token" {
				req.Header.Set("Authorization", "Bearer garbage")
			}
			if strings.HasPrefix(tc.name, "devicelogin") {
				req.Header.Set("Accept", "text/html")
			}
			resp, err := s.HTTPClient().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.status {
				t.Errorf("status = %d, want %d: %.300s", resp.StatusCode, tc.status, body)
			}
			if tc.code != 0 {
				var m map[string]any
				if err := json.Unmarshal(body, &m); err != nil {
					t.Fatalf("not JSON: %s", body)
				}
				if firstCode(m) != tc.code {
					t.Errorf("code = %d, want %d: %s", firstCode(m), tc.code, body)
				}
			}
		})
	}
}
