package sandbox

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/confidential"
	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"
	"github.com/golang-jwt/jwt/v5"

	"github.com/oboscope/oboscope/flows"
)

// observed is what a client saw running the chain the sandbox's config describes, the way the
// walk runs it (real MSAL Go, the go-sdk MCP client).
type observed struct {
	cfg         flows.Config
	userToken   string
	signinErr   map[string]any
	agentStatus int
	agentHeader http.Header
	agentBody   map[string]any
	oboToken    string
	oboErr      map[string]any
	mcpStatus   int
	mcpHeader   string
	mcpResult   map[string]any
}

func claimsOf(raw string) jwt.MapClaims {
	c := jwt.MapClaims{}
	_, _, _ = jwt.NewParser().ParseUnverified(raw, c)
	return c
}

// runChain runs sign-in, the agent call, the OBO hop and the MCP call for the scenario's config.
func runChain(t *testing.T, s *Sandbox) *observed {
	t.Helper()
	ctx := testCtx(t)
	dir := t.TempDir()
	if err := s.writeFiles(dir); err != nil {
		t.Fatal(err)
	}
	o := &observed{cfg: s.Config(filepath.Join(dir, CAFileName))}
	cfg := o.cfg
	switch cfg.Signin.Flow {
	case "client_credentials":
		res, err := confidentialClient(t, s, cfg.Signin.ClientID, secretCred(t, cfg.Signin.ClientSecret)).AcquireTokenByCredential(ctx, cfg.Signin.Scopes)
		if err != nil {
			o.signinErr = entraBody(t, err)
		}
		o.userToken = res.AccessToken
	case "token":
		b, err := os.ReadFile(cfg.Signin.TokenFile)
		if err != nil {
			t.Fatal(err)
		}
		o.userToken = strings.TrimSpace(string(b))
	default:
		res, err := deviceCodeSignIn(ctx, publicClient(t, s), cfg.Signin.Scopes)
		if err != nil {
			o.signinErr = entraBody(t, err)
			return o
		}
		o.userToken = res.AccessToken
	}
	if o.userToken == "" {
		return o
	}
	o.agentStatus, o.agentHeader, o.agentBody = callAgent(t, s, o.userToken)
	scopes := cfg.OBO.Scopes
	switch cfg.OBO.Mode {
	case "secret":
		res, err := confidentialClient(t, s, cfg.OBO.ClientID, secretCred(t, cfg.OBO.ClientSecret)).AcquireTokenOnBehalfOf(ctx, o.userToken, scopes)
		if err != nil {
			o.oboErr = entraBody(t, err)
		}
		o.oboToken = res.AccessToken
	case "agent_identity":
		bp := confidentialClient(t, s, cfg.OBO.BlueprintClientID, secretCred(t, cfg.OBO.BlueprintSecret))
		t1, err := bp.AcquireTokenByCredential(ctx, []string{TokenExchangeAudID + "/.default"}, confidential.WithFMIPath(cfg.OBO.AgentIdentityID))
		if err != nil {
			t.Fatalf("leg 1: %v", err)
		}
		cred := confidential.NewCredFromAssertionCallback(func(context.Context, confidential.AssertionRequestOptions) (string, error) {
			return t1.AccessToken, nil
		})
		res, err := confidentialClient(t, s, cfg.OBO.AgentIdentityID, cred).AcquireTokenOnBehalfOf(ctx, o.userToken, scopes)
		if err != nil {
			o.oboErr = entraBody(t, err)
		}
		o.oboToken = res.AccessToken
	case "passthrough":
		o.oboToken = o.userToken
	}
	if o.oboToken != "" {
		o.mcpStatus, o.mcpHeader, o.mcpResult = callMCPTool(t, s, o.oboToken, "whoami")
	}
	return o
}

// callMCPTool calls an MCP tool with the go-sdk client and a bearer token.
func callMCPTool(t *testing.T, s *Sandbox, token, tool string) (int, string, map[string]any) {
	t.Helper()
	rep := (&components{s: s}).callMCP(testCtx(t), token, tool)
	if rep.Error != "" {
		t.Logf("MCP %s: %s", tool, rep.Error)
	}
	return rep.Status, rep.WWWAuthenticate, rep.Result
}

func wantCode(t *testing.T, what string, body map[string]any, oauthErr string, code int) {
	t.Helper()
	if body == nil {
		t.Fatalf("%s: no error, want AADSTS%d", what, code)
	}
	checkEntraShape(t, body, oauthErr, code)
}

func downstreamErr(t *testing.T, o *observed) map[string]any {
	t.Helper()
	d, _ := o.agentBody["downstream"].(map[string]any)
	if d == nil {
		t.Fatalf("agent body has no downstream: %v", o.agentBody)
	}
	if legs, ok := d["legs"].([]any); ok && len(legs) > 0 {
		last, _ := legs[len(legs)-1].(map[string]any)
		e, _ := last["error"].(map[string]any)
		return e
	}
	e, _ := d["error"].(map[string]any)
	return e
}

// TestScenarios runs every scenario's chain and asserts what a client observes — the Entra
// error codes from the MSAL errors, statuses, challenges and claims (SCENARIOS.md).
func TestScenarios(t *testing.T) {
	checks := map[string]func(t *testing.T, s *Sandbox, o *observed){
		"healthy": func(t *testing.T, s *Sandbox, o *observed) {
			if o.agentStatus != 200 || o.oboErr != nil || o.mcpStatus != 200 || o.mcpResult["aud"] != MCPAppID {
				t.Errorf("agent %d %v, obo %v, mcp %d %v", o.agentStatus, o.agentBody, o.oboErr, o.mcpStatus, o.mcpResult)
			}
			st, h, _ := callMCPTool(t, s, o.userToken, "whoami")
			if st != 401 || !strings.Contains(h, "resource_metadata=") {
				t.Errorf("passthrough probe: %d %q", st, h)
			}
			if st, _ := callAgentAnonymously(t, s); st != 401 {
				t.Errorf("agent without a token = %d; want 401", st)
			}
		},
		"wrong-audience": func(t *testing.T, _ *Sandbox, o *observed) {
			c := claimsOf(o.userToken)
			if c["aud"] != GraphAppID || c["ver"] != "1.0" {
				t.Errorf("user token = %v", c)
			}
			if o.agentStatus != 401 {
				t.Errorf("agent = %d", o.agentStatus)
			}
			// A Graph token: its signature is validated (and fails) before its audience
			// (AzureAD/azure-activedirectory-library-for-dotnet#1234).
			wantCode(t, "obo", o.oboErr, "invalid_grant", 50013)
		},
		"missing-scope": func(t *testing.T, _ *Sandbox, o *observed) {
			if o.agentStatus != 403 || !strings.Contains(o.agentHeader.Get("WWW-Authenticate"), `error="insufficient_scope"`) {
				t.Errorf("agent = %d %q", o.agentStatus, o.agentHeader.Get("WWW-Authenticate"))
			}
			if claimsOf(o.userToken)["scp"] != "Chat.Read" {
				t.Errorf("scp = %v", claimsOf(o.userToken)["scp"])
			}
		},
		"unqualified-scope": func(t *testing.T, _ *Sandbox, o *observed) {
			wantCode(t, "signin", o.signinErr, "invalid_client", 650053)
		},
		"app-only-token": func(t *testing.T, _ *Sandbox, o *observed) {
			c := claimsOf(o.userToken)
			if c["idtyp"] != "app" || c["scp"] != nil || c["roles"] == nil {
				t.Errorf("token = %v", c)
			}
			if o.agentStatus != 401 {
				t.Errorf("agent = %d", o.agentStatus)
			}
			// AzureAD/microsoft-authentication-library-for-dotnet#2130: an app-only assertion.
			wantCode(t, "obo", o.oboErr, "unauthorized_client", 7000114)
		},
		"public-client-disabled": func(t *testing.T, _ *Sandbox, o *observed) {
			wantCode(t, "signin", o.signinErr, "invalid_client", 7000218)
		},
		"guest-not-invited": func(t *testing.T, _ *Sandbox, o *observed) {
			wantCode(t, "signin", o.signinErr, "invalid_grant", 50020)
		},
		"consent-missing": func(t *testing.T, _ *Sandbox, o *observed) {
			wantCode(t, "obo", o.oboErr, "invalid_grant", 65001)
			if o.oboErr["suberror"] != "consent_required" || o.agentStatus != 502 {
				t.Errorf("suberror %v, agent %d", o.oboErr["suberror"], o.agentStatus)
			}
			wantCode(t, "agent downstream", downstreamErr(t, o), "invalid_grant", 65001)
		},
		"bad-client-secret": func(t *testing.T, _ *Sandbox, o *observed) {
			wantCode(t, "obo", o.oboErr, "invalid_client", 7000215)
			wantCode(t, "agent downstream", downstreamErr(t, o), "invalid_client", 7000215)
		},
		"expired-client-secret": func(t *testing.T, _ *Sandbox, o *observed) {
			wantCode(t, "obo", o.oboErr, "invalid_client", 7000222)
		},
		"mfa-required": func(t *testing.T, s *Sandbox, o *observed) {
			// MFA on OBO: invalid_grant, suberror basic_action and claims, as Entra sends it.
			wantCode(t, "obo", o.oboErr, "invalid_grant", 50076)
			if o.oboErr["suberror"] != "basic_action" {
				t.Errorf("suberror = %v", o.oboErr["suberror"])
			}
			claims, _ := o.oboErr["claims"].(string)
			if !strings.Contains(claims, mfaPolicyID) {
				t.Errorf("claims = %q", claims)
			}
			h := o.agentHeader.Get("WWW-Authenticate")
			if o.agentStatus != 401 || !strings.Contains(h, `error="insufficient_claims"`) ||
				!strings.Contains(h, `claims="`+base64.StdEncoding.EncodeToString([]byte(claims))+`"`) {
				t.Errorf("agent = %d %q", o.agentStatus, h)
			}
			// Signing in again with the claims satisfies the policy.
			ctx := testCtx(t)
			dc, err := publicClient(t, s).AcquireTokenByDeviceCode(ctx, agentScope, public.WithClaims(claims))
			if err != nil {
				t.Fatal(err)
			}
			res, err := dc.AuthenticationResult(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := confidentialClient(t, s, AgentAppID, secretCred(t, s.Secret("agent"))).AcquireTokenOnBehalfOf(ctx, res.AccessToken, []string{MCPAppIDURI + "/tools.call"}); err != nil {
				t.Errorf("OBO after MFA: %v", err)
			}
		},
		"token-exchange-grant": func(t *testing.T, _ *Sandbox, o *observed) {
			wantCode(t, "agent downstream", downstreamErr(t, o), "unsupported_grant_type", 70003)
			if d := o.agentBody["downstream"].(map[string]any); d["grant_type"] != grantTokenExchange || o.agentStatus != 502 {
				t.Errorf("downstream = %v", d)
			}
		},
		"v1-mcp-tokens": func(t *testing.T, s *Sandbox, o *observed) {
			c := claimsOf(o.oboToken)
			if c["ver"] != "1.0" || c["iss"] != s.issuerV1() || c["aud"] != MCPAppIDURI || c["appid"] != AgentAppID {
				t.Errorf("OBO token = %v", c)
			}
			if o.mcpStatus != 401 {
				t.Errorf("mcp = %d", o.mcpStatus)
			}
			prm := fetchJSON(t, s, s.BaseURL()+"/.well-known/oauth-protected-resource/mcp")
			if as := prm["authorization_servers"].([]any); as[0] != s.issuerV2() {
				t.Errorf("PRM = %v", prm)
			}
		},
		"passthrough": func(t *testing.T, _ *Sandbox, o *observed) {
			if o.mcpStatus != 401 || o.agentStatus != 502 {
				t.Errorf("mcp %d agent %d", o.mcpStatus, o.agentStatus)
			}
			if d := o.agentBody["downstream"].(map[string]any); d["passthrough"] != true {
				t.Errorf("downstream = %v", d)
			}
		},
		"mcp-accepts-any-audience": func(t *testing.T, s *Sandbox, o *observed) {
			if st, _, r := callMCPTool(t, s, o.userToken, "whoami"); st != 200 || r["aud"] != AgentAppID {
				t.Errorf("foreign token: %d %v", st, r)
			}
		},
		"mcp-no-resource-metadata": func(t *testing.T, s *Sandbox, _ *observed) {
			resp, err := s.HTTPClient().Post(s.MCPURL(), "application/json", strings.NewReader(`{}`))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") != "" {
				t.Errorf("unauthenticated: %d %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
			}
			for _, p := range []string{"/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource"} {
				r, _ := s.HTTPClient().Get(s.BaseURL() + p)
				r.Body.Close()
				if r.StatusCode != 404 {
					t.Errorf("%s = %d", p, r.StatusCode)
				}
			}
		},
		"mcp-resource-mismatch": func(t *testing.T, s *Sandbox, _ *observed) {
			if prm := fetchJSON(t, s, s.BaseURL()+"/.well-known/oauth-protected-resource/mcp"); prm["resource"] != s.MCPURL()+"/" {
				t.Errorf("PRM = %v", prm)
			}
		},
		"mcp-downstream-passthrough": func(t *testing.T, s *Sandbox, o *observed) {
			_, _, r := callMCPTool(t, s, o.oboToken, "graph_me")
			d, _ := r["downstream"].(map[string]any)
			g, _ := r["graph"].(map[string]any)
			if d["passthrough"] != true || g["status"] != float64(401) || r["me"] != nil {
				t.Errorf("graph_me = %v", r)
			}
		},
		"expired-user-token": func(t *testing.T, _ *Sandbox, o *observed) {
			if o.agentStatus != 401 {
				t.Errorf("agent = %d", o.agentStatus)
			}
			wantCode(t, "obo", o.oboErr, "invalid_grant", 500133)
		},
		"clock-skew": func(t *testing.T, s *Sandbox, o *observed) {
			resp, err := s.HTTPClient().Get(s.AuthorityURL() + "/v2.0/.well-known/openid-configuration")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			d, _ := http.ParseTime(resp.Header.Get("Date"))
			if skew := time.Until(d); skew < 9*60e9 || skew > 11*60e9 {
				t.Errorf("Date skew = %v", skew)
			}
			if o.agentStatus != 200 {
				t.Errorf("agent = %d", o.agentStatus)
			}
		},
		"groups-overage": func(t *testing.T, _ *Sandbox, o *observed) {
			for _, tok := range []string{o.userToken, o.oboToken} {
				c := claimsOf(tok)
				if c["groups"] != nil || c["_claim_names"] == nil || c["_claim_sources"] == nil {
					t.Errorf("token = %v", c)
				}
			}
		},
		"agent-identity": func(t *testing.T, _ *Sandbox, o *observed) {
			c := claimsOf(o.oboToken)
			if o.oboErr != nil || c["xms_par_app_azp"] != BlueprintAppID || c["azp"] != AgentIdentityID || !strings.Contains(c["xms_act_fct"].(string), "11") {
				t.Errorf("obo %v token %v", o.oboErr, c)
			}
			if o.agentStatus != 200 || o.mcpStatus != 200 {
				t.Errorf("agent %d %v mcp %d", o.agentStatus, o.agentBody, o.mcpStatus)
			}
		},
		"agent-identity-user-fic": func(t *testing.T, _ *Sandbox, o *observed) {
			wantCode(t, "agent downstream", downstreamErr(t, o), "invalid_client", 700229)
		},
		"agent-identity-wrong-aud": func(t *testing.T, _ *Sandbox, o *observed) {
			// A Graph token's signature is validated before its audience (the header nonce).
			wantCode(t, "obo", o.oboErr, "invalid_grant", 50013)
		},
		"agent-accepts-anonymous": func(t *testing.T, s *Sandbox, o *observed) {
			if o.agentStatus != 200 {
				t.Errorf("agent with the token = %d %v", o.agentStatus, o.agentBody)
			}
			if st, body := callAgentAnonymously(t, s); st != 200 || body["reply"] == nil {
				t.Errorf("agent without a token = %d %v; want an answer", st, body)
			}
		},
	}
	for name, check := range diagnosisChecks() {
		checks[name] = check
	}
	// The Foundry scenarios are walked through the Responses API (foundry_test.go), the
	// mcp-client ones walk another chain than runChain's (mcpclient_test.go checks the sandbox's
	// answers to their client).
	list := slices.DeleteFunc(Scenarios(), func(sc Scenario) bool {
		return strings.HasPrefix(sc.Name, "foundry-") || strings.HasPrefix(sc.Name, "mcp-client-")
	})
	if len(list) != len(checks) {
		t.Fatalf("%d scenarios, %d checks", len(list), len(checks))
	}
	for _, sc := range list {
		t.Run(sc.Name, func(t *testing.T) {
			check := checks[sc.Name]
			if check == nil {
				t.Fatalf("no check for %s", sc.Name)
			}
			s := startSandbox(t, sc.Name)
			check(t, s, runChain(t, s))
		})
	}
}

// callAgentAnonymously posts a message to the sample agent API without a token.
func callAgentAnonymously(t testing.TB, s *Sandbox) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.AgentURL(), strings.NewReader(`{"message":"hello"}`))
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.HTTPClient().Do(req)
	if err != nil {
		t.Fatalf("POST agent: %v", err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}
