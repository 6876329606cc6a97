package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"
	"go.yaml.in/yaml/v3"

	"github.com/oboscope/oboscope/flows"
)

// TestRefreshAndClientCredentials redeems a refresh token (for another resource the user may
// use) and gets app-only tokens, with MSAL's confidential client.
func TestRefreshAndClientCredentials(t *testing.T) {
	s := startSandbox(t, "healthy")
	ctx := testCtx(t)
	_, dc := postForm(t, s, s.AuthorityURL()+"/oauth2/v2.0/devicecode", url.Values{"client_id": {ClientAppID}, "scope": {agentScope[0] + " openid offline_access"}})
	st, tok := postForm(t, s, s.TokenURL(), url.Values{"grant_type": {"device_code"}, "client_id": {ClientAppID}, "device_code": {dc["device_code"].(string)}})
	if st != 200 || tok["refresh_token"] == nil || tok["id_token"] == nil || tok["client_info"] == nil || tok["token_type"] != "Bearer" {
		t.Fatalf("device code token response: %d %v", st, tok)
	}
	st, ref := postForm(t, s, s.TokenURL(), url.Values{"grant_type": {"refresh_token"}, "client_id": {ClientAppID},
		"refresh_token": {tok["refresh_token"].(string)}, "scope": {GraphAppIDURI + "/User.Read openid"}})
	if st != 200 {
		t.Fatalf("refresh: %d %v", st, ref)
	}
	// A Graph token (header nonce) fails standard verification; only Graph's own check passes.
	raw := ref["access_token"].(string)
	if _, err := s.parseVerified(raw, false); err == nil {
		t.Error("a Graph token verified without hashing its nonce")
	}
	if p, err := s.parseVerified(raw, true); err != nil || p.audience() != GraphAppID || p.str("scp") != "User.Read" {
		t.Errorf("refreshed Graph token: %v %v", err, p)
	}

	cc := confidentialClient(t, s, ClientAppID, secretCred(t, s.Secret("client")))
	res, err := cc.AcquireTokenByCredential(ctx, []string{AgentAppIDURI + "/.default"})
	if err != nil {
		t.Fatalf("client credentials: %v", err)
	}
	c := verifyJWT(t, s, res.AccessToken)
	if c["idtyp"] != "app" || c["aud"] != AgentAppID || c["scp"] != nil {
		t.Errorf("app token = %v", c)
	}
	if roles, _ := c["roles"].([]any); len(roles) != 1 || roles[0] != "Agent.Invoke" {
		t.Errorf("roles = %v", c["roles"])
	}
}

// TestKeyRotation rotates the signing key: the JWKS then has both keys and new tokens the new kid.
func TestKeyRotation(t *testing.T) {
	s := startSandbox(t, "healthy")
	ctx := testCtx(t)
	before, err := deviceCodeSignIn(ctx, publicClient(t, s), agentScope)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RotateSigningKey(); err != nil {
		t.Fatal(err)
	}
	if keys := fetchJSON(t, s, s.AuthorityURL()+"/discovery/v2.0/keys")["keys"].([]any); len(keys) != 2 {
		t.Fatalf("JWKS has %d keys after rotation", len(keys))
	}
	after, err := deviceCodeSignIn(ctx, publicClient(t, s), agentScope)
	if err != nil {
		t.Fatal(err)
	}
	kidOf := func(raw string) string {
		p, err := s.parseVerified(raw, false)
		if err != nil {
			t.Fatalf("verify: %v", err)
		}
		return p.header["kid"].(string)
	}
	if kidOf(before.AccessToken) == kidOf(after.AccessToken) {
		t.Error("the kid did not change after rotation")
	}
	verifyJWT(t, s, before.AccessToken)
	verifyJWT(t, s, after.AccessToken)
}

// TestDiscovery checks the OIDC discovery documents (v2 and v1) carry every required field and
// issuers of the two shapes.
func TestDiscovery(t *testing.T) {
	s := startSandbox(t, "healthy")
	for _, tc := range []struct{ path, issuer string }{
		{"/v2.0/.well-known/openid-configuration", s.issuerV2()},
		{"/.well-known/openid-configuration", s.issuerV1()},
	} {
		d := fetchJSON(t, s, s.AuthorityURL()+tc.path)
		if d["issuer"] != tc.issuer {
			t.Errorf("%s issuer = %v", tc.path, d["issuer"])
		}
		for _, f := range []string{"authorization_endpoint", "token_endpoint", "jwks_uri", "response_types_supported",
			"subject_types_supported", "id_token_signing_alg_values_supported", "device_authorization_endpoint",
			"grant_types_supported", "scopes_supported", "token_endpoint_auth_methods_supported"} {
			if d[f] == nil {
				t.Errorf("%s lacks %s", tc.path, f)
			}
		}
	}
	// The domain works as the tenant too.
	if d := fetchJSON(t, s, s.BaseURL()+"/"+TenantDomain+"/v2.0/.well-known/openid-configuration"); d["issuer"] != s.issuerV2() {
		t.Errorf("domain discovery issuer = %v", d["issuer"])
	}
}

// TestLogIsRedacted runs a whole chain and checks the request log holds no secret and no token.
func TestLogIsRedacted(t *testing.T) {
	var log safeBuffer
	s := startSandbox(t, "healthy", func(o *Options) { o.Log = &log })
	o := runChain(t, s)
	if o.agentStatus != 200 {
		t.Fatalf("agent %d", o.agentStatus)
	}
	out := log.String()
	if !strings.Contains(out, "POST /"+TenantID+"/oauth2/v2.0/token 200") {
		t.Errorf("log lacks the token request:\n%s", out)
	}
	for _, secret := range []string{s.Secret("agent"), s.Secret("mcp"), s.Secret("client"), o.userToken, o.oboToken, "eyJ"} {
		if secret != "" && strings.Contains(out, secret) {
			t.Errorf("log contains a secret or token %.12s…", secret)
		}
	}
}

// safeBuffer is a bytes.Buffer safe for the sandbox's concurrent logging.
type safeBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *safeBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *safeBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestWriteConfig writes YAML and JSON configs that decode into flows.Config with relative paths
// and the CA beside them; the expired-user-token scenario writes its token file too.
func TestWriteConfig(t *testing.T) {
	s := startSandbox(t, "expired-user-token")
	dir := t.TempDir()
	for _, name := range []string{"oboscope.yaml", "oboscope.json"} {
		path := filepath.Join(dir, name)
		ca, err := s.WriteConfig(path)
		if err != nil {
			t.Fatal(err)
		}
		if pem, _ := os.ReadFile(ca); !bytes.Equal(pem, s.CAPEM()) {
			t.Error("CA file differs from CAPEM")
		}
		data, _ := os.ReadFile(path)
		var cfg flows.Config
		if strings.HasSuffix(name, ".json") {
			err = json.Unmarshal(data, &cfg)
		} else {
			err = yaml.Unmarshal(data, &cfg)
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if cfg.CAFile != CAFileName || cfg.Signin.TokenFile != userTokenFile || cfg.Signin.Flow != "token" ||
			cfg.AuthorityHost != s.BaseURL() || cfg.TenantID != TenantID || cfg.OBO.ClientSecret != s.Secret("agent") {
			t.Errorf("%s = %+v", name, cfg)
		}
	}
	tok, err := os.ReadFile(filepath.Join(dir, userTokenFile))
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.parseVerified(strings.TrimSpace(string(tok)), false)
	if err != nil || !p.time("exp").Before(time.Now()) {
		t.Errorf("token file: %v, exp %v", err, p.time("exp"))
	}
	if _, err := s.WriteConfig(filepath.Join(dir, "oboscope.txt")); err == nil {
		t.Error("a .txt config was accepted")
	}
}

// TestStartRefusesNonLoopback checks --addr is loopback only, and only the loopback addresses the
// TLS certificate names (127.0.0.2 is loopback, but no client could verify it).
func TestStartRefusesNonLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", "10.1.2.3:8443", "example.com:443", "nonsense", "127.0.0.2:0", "[::ffff:7f00:2]:0"} {
		if s, err := Start(context.Background(), Options{Addr: addr}); err == nil {
			_ = s.Close()
			t.Errorf("Start(%q) succeeded", addr)
		}
	}
	if _, err := Start(context.Background(), Options{Scenario: "no-such-scenario"}); err == nil {
		t.Error("unknown scenario accepted")
	}
}

// TestStartAddressInUse: a busy --addr is named as such, with what to do.
func TestStartAddressInUse(t *testing.T) {
	s, err := Start(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	addr := strings.TrimPrefix(s.BaseURL(), "https://")
	_, err = Start(context.Background(), Options{Addr: addr})
	want := "sandbox: " + addr + " is already in use (another sandbox?): pick another --addr, or leave it out for a free port: "
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("err = %v; want prefix %q", err, want)
	}
}

// TestStartForWalkAndCommands covers StartForWalk, RunScenarios and RunCommand's shutdown.
func TestStartForWalkAndCommands(t *testing.T) {
	cfg, stop, err := StartForWalk(context.Background(), "expired-user-token")
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.CAPEM) == 0 || cfg.Signin.Flow != "token" {
		t.Errorf("cfg = %+v", cfg)
	}
	if _, err := os.Stat(cfg.Signin.TokenFile); err != nil {
		t.Errorf("token file: %v", err)
	}
	stop()
	if _, err := os.Stat(cfg.Signin.TokenFile); !os.IsNotExist(err) {
		t.Errorf("token file left behind: %v", err)
	}

	var out, errOut bytes.Buffer
	if code := RunScenarios(true, &out, &errOut); code != 0 {
		t.Fatalf("scenarios --json exit %d: %s", code, errOut.String())
	}
	var list []Scenario
	if err := json.Unmarshal(out.Bytes(), &list); err != nil || len(list) != len(Scenarios()) || list[0].Name != "healthy" || list[0].Expect == nil {
		t.Errorf("scenarios --json = %s (%v)", out.String(), err)
	}
	out.Reset()
	if RunScenarios(false, &out, &errOut) != 0 || !strings.Contains(out.String(), "obo.consent-required") {
		t.Errorf("scenarios table = %s", out.String())
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	out.Reset()
	dir := t.TempDir()
	go func() {
		done <- RunCommand(ctx, CommandOptions{Addr: "127.0.0.1:0", Scenario: "healthy", WriteConfig: filepath.Join(dir, "c.yaml")}, &out, &bytes.Buffer{})
	}()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(filepath.Join(dir, "c.yaml")); err == nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("sandbox exit %d", code)
	}
	if code := RunCommand(context.Background(), CommandOptions{Addr: "192.168.0.1:443"}, &bytes.Buffer{}, &bytes.Buffer{}); code != 2 {
		t.Errorf("non-loopback exit %d, want 2", code)
	}
}

// TestGraphSubset calls graph_me (the MCP server's own OBO to Graph), /v1.0/applications and
// /oidc/userinfo with a Graph token; the registrations list never carries a secret value.
func TestGraphSubset(t *testing.T) {
	s := startSandbox(t, "healthy")
	ctx := testCtx(t)
	pc := publicClient(t, s)
	user, err := deviceCodeSignIn(ctx, pc, agentScope)
	if err != nil {
		t.Fatal(err)
	}
	obo, err := confidentialClient(t, s, AgentAppID, secretCred(t, s.Secret("agent"))).AcquireTokenOnBehalfOf(ctx, user.AccessToken, []string{MCPAppIDURI + "/tools.call"})
	if err != nil {
		t.Fatal(err)
	}
	st, _, r := callMCPTool(t, s, obo.AccessToken, "graph_me")
	me, _ := r["me"].(map[string]any)
	d, _ := r["downstream"].(map[string]any)
	if st != 200 || me["userPrincipalName"] != AliceUPN || d["kind"] != "obo" || d["status"] != float64(200) || d["passthrough"] != false {
		t.Fatalf("graph_me: %d %v", st, r)
	}
	// The refresh token MSAL cached at sign-in is redeemed for Graph.
	graph, err := pc.AcquireTokenSilent(ctx, []string{GraphAppIDURI + "/User.Read"}, public.WithSilentAccount(user.Account))
	if err != nil {
		t.Fatalf("silent Graph token: %v", err)
	}
	for _, path := range []string{"/v1.0/applications", "/oidc/userinfo", "/v1.0/me"} {
		req, _ := http.NewRequest(http.MethodGet, s.BaseURL()+path, nil)
		req.Header.Set("Authorization", "Bearer "+graph.AccessToken)
		resp, err := s.HTTPClient().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("%s: %d %s", path, resp.StatusCode, body)
		}
		for _, secret := range []string{s.Secret("agent"), s.Secret("client"), s.Secret("mcp"), s.Secret("blueprint")} {
			if strings.Contains(string(body), secret) {
				t.Errorf("%s leaks a secret value", path)
			}
		}
		if path == "/v1.0/applications" && !strings.Contains(string(body), `"requestedAccessTokenVersion":2`) {
			t.Errorf("applications lacks the accepted version: %.300s", body)
		}
	}
}

// TestV1EndpointAndUnknownParams uses the v1 token endpoint with `resource`, HTTP Basic client
// authentication and unknown telemetry parameters (ignored, RFC 6749 §3.2). The resource decides
// the token version, not the endpoint.
func TestV1EndpointAndUnknownParams(t *testing.T) {
	s := startSandbox(t, "healthy")
	form := url.Values{"grant_type": {"client_credentials"}, "resource": {MCPAppIDURI},
		"x-client-SKU": {"MSAL.Python"}, "x-client-Ver": {"1.0"}, "client-request-id": {newGUID()}}
	req, _ := http.NewRequest(http.MethodPost, s.AuthorityURL()+"/oauth2/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(AgentAppID, s.Secret("agent"))
	resp, err := s.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&body)
	if resp.StatusCode != 200 {
		t.Fatalf("v1 client credentials: %d %v", resp.StatusCode, body)
	}
	if c := verifyJWT(t, s, body["access_token"].(string)); c["ver"] != "2.0" || c["aud"] != MCPAppID || c["azp"] != AgentAppID {
		t.Errorf("claims = %v", c)
	}
}

// TestMultiTenantAuthorities signs in through /organizations and /common, as multi-tenant apps
// and tools that default to them do: the single sandbox tenant answers.
func TestMultiTenantAuthorities(t *testing.T) {
	s := startSandbox(t, "healthy")
	for _, tenant := range []string{"organizations", "common"} {
		d := fetchJSON(t, s, s.BaseURL()+"/"+tenant+"/v2.0/.well-known/openid-configuration")
		if d["issuer"] != s.BaseURL()+"/{tenantid}/v2.0" {
			t.Errorf("%s issuer = %v", tenant, d["issuer"])
		}
		pc, err := public.New(ClientAppID, public.WithAuthority(s.BaseURL()+"/"+tenant),
			public.WithInstanceDiscovery(false), public.WithHTTPClient(s.HTTPClient()))
		if err != nil {
			t.Fatal(err)
		}
		res, err := deviceCodeSignIn(testCtx(t), pc, agentScope)
		if err != nil {
			t.Fatalf("%s: %v", tenant, err)
		}
		if c := verifyJWT(t, s, res.AccessToken); c["tid"] != TenantID || c["iss"] != s.issuerV2() {
			t.Errorf("%s claims = %v", tenant, c)
		}
	}
}

// TestSecretOverrides runs the chain with canary secrets: they are the ones the directory checks,
// and neither the request log nor the agent's report carries them.
func TestSecretOverrides(t *testing.T) {
	canary := "CANARY~agent.secret.7f3a"
	var log safeBuffer
	s := startSandbox(t, "healthy", func(o *Options) {
		o.Secrets = map[string]string{"agent": canary}
		o.Log = &log
	})
	o := runChain(t, s)
	if o.cfg.OBO.ClientSecret != canary || o.oboErr != nil || o.agentStatus != 200 {
		t.Fatalf("obo secret %q, obo err %v, agent %d", o.cfg.OBO.ClientSecret, o.oboErr, o.agentStatus)
	}
	report, _ := json.Marshal(o.agentBody)
	if strings.Contains(log.String(), canary) || strings.Contains(string(report), canary) {
		t.Error("the canary secret leaked into the log or the agent report")
	}
	if _, err := confidentialClient(t, s, AgentAppID, secretCred(t, defaultSecret("agent"))).AcquireTokenByCredential(testCtx(t), []string{MCPAppIDURI + "/.default"}); err == nil {
		t.Error("the default secret still works after an override")
	}
}
