package sandbox

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/confidential"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/modelcontextprotocol/go-sdk/oauthex"
)

// agentReport is the sample agent API's answer (CONTRACTS.md).
type agentReport struct {
	Reply      string            `json:"reply,omitempty"`
	Error      string            `json:"error,omitempty"`
	ErrorDesc  string            `json:"error_description,omitempty"`
	Downstream *downstreamReport `json:"downstream,omitempty"`
	MCP        *mcpReport        `json:"mcp,omitempty"`
}

// mcpReport is what the agent saw calling the MCP server.
type mcpReport struct {
	Status          int            `json:"status"`
	Tool            string         `json:"tool"`
	Result          map[string]any `json:"result,omitempty"`
	WWWAuthenticate string         `json:"www_authenticate,omitempty"`
	Error           string         `json:"error,omitempty"`
}

// agentPRMURL is the agent API's RFC 9728 metadata.
func (c *components) agentPRMURL() string {
	return c.s.base + "/.well-known/oauth-protected-resource/agent/api/chat"
}

// agentAudienceApp is the app whose tokens the agent API accepts: its own registration, or in
// Agent ID scenarios the blueprint the agent identity belongs to.
func (c *components) agentAudienceApp() *App {
	if strings.HasPrefix(c.s.beh.agentGrant, "agent-identity") {
		return c.s.dir.app(BlueprintAppID)
	}
	return c.s.dir.app(AgentAppID)
}

// handleAgentPRM serves the agent API's protected resource metadata.
func (c *components) handleAgentPRM(w http.ResponseWriter, _ *http.Request) {
	app := c.agentAudienceApp()
	writeJSON(w, http.StatusOK, oauthex.ProtectedResourceMetadata{
		Resource: c.s.base + "/agent/api/chat", AuthorizationServers: []string{c.s.issuerV2()},
		ScopesSupported: []string{app.primaryURI() + "/access_as_user"}, BearerMethodsSupported: []string{"header"},
		ResourceName: "Contoso Agent API",
	})
}

// handleAgent is the sample agent API: it validates the user token like a careful API (signature
// via the JWKS, issuer, audience, delegated scope), then does what a middle tier does — its own
// On-Behalf-Of exchange (or, per scenario, a mistaken one) and an MCP tool call.
func (c *components) handleAgent(w http.ResponseWriter, r *http.Request) {
	s := c.s
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		writeJSON(w, http.StatusMethodNotAllowed, agentReport{Error: "method_not_allowed", ErrorDesc: "POST a JSON body {\"message\":\"…\"}"})
		return
	}
	if s.beh.agentNoAuth {
		// A proxy or gateway in front of the agent API that drops the Authorization header:
		// the agent never sees the user's token.
		r.Header.Del("Authorization")
	}
	app := c.agentAudienceApp()
	challenge := func(status int, code, desc, extra string) {
		h := fmt.Sprintf(`Bearer resource_metadata="%s"`, c.agentPRMURL())
		if code != "" {
			h += fmt.Sprintf(`, error="%s", error_description="%s"`, code, strings.ReplaceAll(desc, `"`, `'`))
		}
		w.Header().Set("WWW-Authenticate", h+extra)
		writeJSON(w, status, agentReport{Error: code, ErrorDesc: desc})
	}
	raw, ok := bearer(r)
	if !ok && s.beh.agentAnonymous {
		// The mistake of the agent-accepts-anonymous scenario: no token, and it answers anyway.
		var in struct {
			Message string `json:"message"`
		}
		_ = json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&in)
		writeJSON(w, http.StatusOK, agentReport{Reply: fmt.Sprintf("Hello. You said %q.", in.Message)})
		return
	}
	if !ok {
		challenge(http.StatusUnauthorized, "", "", "")
		return
	}
	p, berr := s.validateBearer(raw, bearerCheck{
		audiences: append([]string{app.AppID}, app.IdentifierURIs...),
		issuers:   []string{s.issuerV2(), s.issuerV1()},
	})
	if berr != nil {
		challenge(berr.status, berr.code, berr.description, "")
		return
	}
	if _, bound := p.claims["cnf"]; bound {
		challenge(http.StatusUnauthorized, "invalid_token", "the token is bound to a key (cnf): it must be presented with its proof of possession, not as a Bearer token", "")
		return
	}
	if p.isAppOnly() {
		challenge(http.StatusUnauthorized, "invalid_token", "app-only tokens are not accepted: this API acts on behalf of a signed-in user (no scp claim, idtyp app)", "")
		return
	}
	if !containsFold(p.scopes(), "access_as_user") {
		challenge(http.StatusForbidden, "insufficient_scope", fmt.Sprintf("the token's scp %q lacks access_as_user", p.str("scp")),
			fmt.Sprintf(`, scope="%s/access_as_user"`, app.primaryURI()))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	var in struct {
		Message string `json:"message"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeJSON(w, http.StatusBadRequest, agentReport{Error: "invalid_request", ErrorDesc: "the body must be JSON {\"message\":\"…\"}"})
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 20*time.Second)
	defer cancel()
	down, mcpToken := c.agentDownstream(ctx, raw)
	rep := agentReport{Downstream: down}
	if mcpToken == "" {
		if code, claims := down.entraCode(); (code == 50076 || code == 50079) && claims != "" {
			// As Microsoft documents for a middle tier: pass the claims challenge to the client.
			w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm="", authorization_uri="%s/oauth2/v2.0/authorize", client_id="%s", error="insufficient_claims", claims="%s"`,
				s.AuthorityURL(), app.AppID, base64.StdEncoding.EncodeToString([]byte(claims))))
			rep.Error, rep.ErrorDesc = "insufficient_claims", "the downstream API requires more claims (conditional access): sign in again with the claims challenge"
			writeJSON(w, http.StatusUnauthorized, rep)
			return
		}
		rep.Error, rep.ErrorDesc = "downstream_failed", "the agent could not obtain a token for the MCP server"
		writeJSON(w, http.StatusBadGateway, rep)
		return
	}
	rep.MCP = c.callMCP(ctx, mcpToken, "whoami")
	if rep.MCP.Status != http.StatusOK {
		rep.Error, rep.ErrorDesc = "mcp_failed", "the MCP server refused the agent's call"
		writeJSON(w, http.StatusBadGateway, rep)
		return
	}
	rep.Reply = fmt.Sprintf("Hello %s. You said %q. The MCP server sees the caller as %v (scp %v).",
		p.str("name"), in.Message, rep.MCP.Result["oid"], rep.MCP.Result["scp"])
	writeJSON(w, http.StatusOK, rep)
}

// agentDownstream performs the agent's own exchange for an MCP server token, as the scenario's
// agent does it, and reports it. It returns the token to call the MCP server with ("" on failure).
func (c *components) agentDownstream(ctx context.Context, userToken string) (*downstreamReport, string) {
	s := c.s
	scopes := []string{MCPAppIDURI + "/tools.call"}
	rep := &downstreamReport{Kind: "obo", GrantType: grantJWTBearer, TokenEndpoint: s.TokenURL()}
	if err := c.clients(); err != nil {
		rep.Detail = err.Error()
		return rep, ""
	}
	switch s.beh.agentGrant {
	case "passthrough":
		return &downstreamReport{Kind: "passthrough", Passthrough: true, Token: redactToken(userToken)}, userToken
	case "token-exchange":
		rep.Kind, rep.GrantType = "token_exchange", grantTokenExchange
		secret := s.beh.agentSecret
		if secret == "" {
			secret = s.Secret("agent")
		}
		tok, err := oauthex.ExchangeToken(ctx, s.TokenURL(), &oauthex.TokenExchangeRequest{
			RequestedTokenType: "urn:ietf:params:oauth:token-type:access_token",
			Audience:           MCPAppIDURI, Resource: s.MCPURL(), Scope: scopes,
			SubjectToken: userToken, SubjectTokenType: "urn:ietf:params:oauth:token-type:access_token",
		}, &oauthex.ClientCredentials{ClientID: AgentAppID, ClientSecretAuth: &oauthex.ClientSecretAuth{ClientSecret: secret}}, s.client)
		if err != nil {
			rep.fail(err)
			return rep, ""
		}
		rep.Status, rep.Token = http.StatusOK, redactToken(tok.AccessToken)
		return rep, tok.AccessToken
	case "agent-identity", "agent-identity-user-fic", "agent-identity-no-fmi-path", "agent-identity-no-credential", "agent-identity-other":
		return c.agentIdentityOBO(ctx, userToken, scopes)
	case "agent-identity-direct":
		return c.agentIdentityDirect(ctx)
	case "graph-token":
		// The agent holds a Microsoft Graph token for the user and exchanges that instead of
		// the token it was given.
		graph, err := c.graphTokenFor(userToken)
		if err != nil {
			rep.Detail = err.Error()
			return rep, ""
		}
		userToken = graph
	}
	res, err := c.agentCCA.AcquireTokenOnBehalfOf(ctx, userToken, scopes)
	if err != nil {
		rep.fail(err)
		return rep, ""
	}
	rep.Status, rep.Token = http.StatusOK, redactToken(res.AccessToken)
	return rep, res.AccessToken
}

// agentIdentityOBO runs the Agent ID two legs: the blueprint's client_credentials with fmi_path
// (T1), then the agent identity's OBO with T1 as its client assertion. In the user-FIC scenario
// the agent mistakenly presents the user's token as the credential instead.
func (c *components) agentIdentityOBO(ctx context.Context, userToken string, scopes []string) (*downstreamReport, string) {
	s := c.s
	rep := &downstreamReport{Kind: "agent_identity", GrantType: grantJWTBearer, TokenEndpoint: s.TokenURL()}
	leg1 := downstreamReport{Kind: "agent_identity_t1", GrantType: "client_credentials", TokenEndpoint: s.TokenURL()}
	var t1 string
	identity := AgentIdentityID
	if s.beh.agentGrant == "agent-identity-other" {
		identity = OtherAgentIdentityID
	}
	var leg1opts []confidential.AcquireByCredentialOption
	if s.beh.agentGrant != "agent-identity-no-fmi-path" {
		leg1opts = append(leg1opts, confidential.WithFMIPath(identity))
	}
	switch s.beh.agentGrant {
	case "agent-identity-user-fic":
		t1 = userToken
		leg1.Detail = "skipped: the agent presents the user's token as its credential"
	case "agent-identity-no-credential":
		// The blueprint's leg 1 without its secret, as a hand-written request would send it.
		c.leg1WithoutCredential(ctx, &leg1, identity)
		rep.Legs = legs(leg1)
		rep.Status, rep.Error, rep.Detail = leg1.Status, leg1.Error, leg1.Detail
		return rep, ""
	default:
		res, err := c.blueprint.AcquireTokenByCredential(ctx, []string{TokenExchangeAudID + "/.default"}, leg1opts...)
		if err != nil {
			leg1.fail(err)
			rep.Legs = legs(leg1)
			rep.Status, rep.Error, rep.Detail = leg1.Status, leg1.Error, leg1.Detail
			return rep, ""
		}
		leg1.Status, leg1.Token, t1 = http.StatusOK, redactToken(res.AccessToken), res.AccessToken
	}
	cred := confidential.NewCredFromAssertionCallback(func(context.Context, confidential.AssertionRequestOptions) (string, error) {
		return t1, nil
	})
	agentApp, err := confidential.New(s.AuthorityURL(), identity, cred,
		confidential.WithInstanceDiscovery(false), confidential.WithHTTPClient(s.client))
	leg2 := downstreamReport{Kind: "agent_identity_obo", GrantType: grantJWTBearer, TokenEndpoint: s.TokenURL()}
	var res confidential.AuthResult
	if err == nil {
		res, err = agentApp.AcquireTokenOnBehalfOf(ctx, userToken, scopes)
	}
	if err != nil {
		leg2.fail(err)
		rep.Legs = legs(leg1, leg2)
		rep.Status, rep.Error, rep.Detail = leg2.Status, leg2.Error, leg2.Detail
		return rep, ""
	}
	leg2.Status, leg2.Token = http.StatusOK, redactToken(res.AccessToken)
	rep.Legs = legs(leg1, leg2)
	rep.Status, rep.Token = http.StatusOK, leg2.Token
	return rep, res.AccessToken
}

// callMCP calls one tool of the sample MCP server with the go-sdk client and a bearer token,
// recording the HTTP status and challenge of the server's answer.
func (c *components) callMCP(ctx context.Context, token, tool string) *mcpReport {
	rec := &recordingTransport{base: c.s.client.Transport, token: token}
	rep := &mcpReport{Tool: tool}
	client := mcp.NewClient(&mcp.Implementation{Name: "contoso-agent", Version: "1.0.0"}, nil)
	session, err := client.Connect(ctx, &mcp.StreamableClientTransport{
		Endpoint: c.s.MCPURL(), HTTPClient: &http.Client{Transport: rec, Timeout: 20 * time.Second},
		DisableStandaloneSSE: true, MaxRetries: -1,
	}, nil)
	if err != nil {
		rep.Status, rep.WWWAuthenticate = rec.result()
		rep.Error = err.Error()
		return rep
	}
	defer session.Close()
	res, err := session.CallTool(ctx, &mcp.CallToolParams{Name: tool, Arguments: map[string]any{}})
	rep.Status, rep.WWWAuthenticate = rec.result()
	if err != nil {
		rep.Error = err.Error()
		return rep
	}
	if res.IsError {
		rep.Error = "the tool reported an error"
	}
	if m, ok := res.StructuredContent.(map[string]any); ok {
		rep.Result = m
	} else if b, err := json.Marshal(res.StructuredContent); err == nil {
		_ = json.Unmarshal(b, &rep.Result)
	}
	return rep
}

// recordingTransport adds the bearer token and remembers the last status and challenge.
type recordingTransport struct {
	base  http.RoundTripper
	token string

	mu     sync.Mutex
	status int
	chal   string
}

func (t *recordingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+t.token)
	resp, err := t.base.RoundTrip(r)
	if err == nil {
		t.mu.Lock()
		// A failure status sticks: later requests (session close) must not hide it.
		if t.status == 0 || t.status < 300 {
			t.status = resp.StatusCode
			t.chal = resp.Header.Get("WWW-Authenticate")
		}
		t.mu.Unlock()
	}
	return resp, err
}

func (t *recordingTransport) result() (int, string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.status, t.chal
}

// bearer extracts a bearer token from the Authorization header.
func bearer(r *http.Request) (string, bool) {
	f := strings.Fields(r.Header.Get("Authorization"))
	if len(f) != 2 || !strings.EqualFold(f[0], "Bearer") {
		return "", false
	}
	return f[1], true
}
