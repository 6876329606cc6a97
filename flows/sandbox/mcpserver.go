package sandbox

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/modelcontextprotocol/go-sdk/oauthex"
)

// mcpScope is the fully qualified scope the MCP server requires.
const mcpScope = MCPAppIDURI + "/tools.call"

// mcpPRMURL is where the MCP server's protected resource metadata lives (RFC 9728 §3.1: the
// well-known path with the resource's path appended).
func (c *components) mcpPRMURL() string {
	return c.s.base + "/.well-known/oauth-protected-resource/mcp"
}

// handleMCPPRM serves the MCP server's protected resource metadata, unless the scenario removed it.
func (c *components) handleMCPPRM(w http.ResponseWriter, r *http.Request) {
	s := c.s
	if !s.beh.mcpPRM {
		http.NotFound(w, r)
		return
	}
	resource := s.MCPURL()
	if o := s.beh.mcpPRMResource; o != "" {
		resource = o
		if strings.HasPrefix(o, "/") {
			resource = s.base + o
		}
	}
	issuer := s.issuerV2()
	if o := s.beh.mcpPRMIssuer; o != "" {
		issuer = s.base + o
	}
	auth.ProtectedResourceMetadataHandler(&oauthex.ProtectedResourceMetadata{
		Resource:               resource,
		AuthorizationServers:   []string{issuer},
		ScopesSupported:        c.mcpPublishedScopes(),
		BearerMethodsSupported: []string{"header"},
		ResourceName:           "Contoso MCP Server",
	}).ServeHTTP(w, r)
}

// mcpPublishedScopes are the scopes the MCP server's metadata publishes: under its URL (the
// healthy server, whose app has that URL as an identifierUri), under api://contoso-mcp (the
// prm-resource-url scenario) or none (prm-no-scopes).
func (c *components) mcpPublishedScopes() []string {
	switch c.s.beh.mcpPRMScopes {
	case "api":
		return []string{mcpScope}
	case "none":
		return nil
	}
	return []string{c.s.MCPURL() + "/tools.call"}
}

// mcpRequiredScope is the scope the MCP server requires, as its metadata writes it (api://…
// when it publishes none).
func (c *components) mcpRequiredScope() string {
	if ps := c.mcpPublishedScopes(); len(ps) > 0 {
		return ps[0]
	}
	return mcpScope
}

// mcpHandler returns the handler built at start.
func (c *components) mcpHandler() http.Handler { return c.mcp }

// buildMCP builds the sample MCP server: streamable HTTP (stateless, JSON responses) behind the
// go-sdk's RequireBearerToken with a verifier that checks signature, issuer, audience and scope.
func (c *components) buildMCP() http.Handler {
	s := c.s
	server := mcp.NewServer(&mcp.Implementation{Name: "contoso-mcp", Title: "Contoso MCP Server", Version: "1.0.0"}, nil)
	mcp.AddTool(server, &mcp.Tool{Name: "whoami", Description: "Report who the validated caller is (claims summary of the bearer token)."}, c.toolWhoami)
	mcp.AddTool(server, &mcp.Tool{
		Name:         "graph_me",
		Description:  "Call Microsoft Graph /me on behalf of the caller (the server's own OBO) and report what it obtained, redacted.",
		OutputSchema: graphMeSchema(),
	}, c.toolGraphMe)
	streamable := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return server },
		&mcp.StreamableHTTPOptions{Stateless: true, JSONResponse: true})
	opts := &auth.RequireBearerTokenOptions{ResourceMetadataURL: c.mcpPRMURL(), Scopes: []string{c.mcpRequiredScope()}}
	if !s.beh.mcpCheckAudience {
		// A naive server: it checks the signature and the issuer, nothing about what the token is for.
		opts.Scopes = nil
	}
	if !s.beh.mcpPRM {
		// A server that forgot RFC 9728: no metadata, and a bare 401 without a challenge.
		opts = nil
	}
	return auth.RequireBearerToken(c.verifyMCPToken, opts)(streamable)
}

// verifyMCPToken is the MCP server's token verifier. It expects v2 tokens (its PRM lists the v2
// issuer) for its own audience; the mcp-accepts-any-audience scenario skips the audience check.
func (c *components) verifyMCPToken(_ context.Context, raw string, _ *http.Request) (*auth.TokenInfo, error) {
	s := c.s
	if raw == s.Secret("mcp-key") {
		// A key a Foundry connection stores (key-based authentication): no user, no Entra token.
		// It grants the tool permission under either of the server's identifiers.
		return &auth.TokenInfo{Scopes: []string{mcpScope, s.MCPURL() + "/tools.call"}, Expiration: time.Now().Add(time.Hour), UserID: "key",
			Extra: map[string]any{"claims": map[string]any{}, "raw": "", "key": true}}, nil
	}
	chk := bearerCheck{issuers: []string{s.issuerV2()}}
	if s.beh.mcpCheckAudience {
		chk.audiences = append([]string{MCPAppID}, s.dir.app(MCPAppID).IdentifierURIs...)
	}
	p, berr := s.validateBearer(raw, chk)
	if berr != nil {
		return nil, fmt.Errorf("%w: %s", auth.ErrInvalidToken, berr.description)
	}
	// The token's scp names permissions; the server's required scope is written under either
	// of its app's identifiers.
	var scopes []string
	for _, sc := range append(p.scopes(), p.roles()...) {
		scopes = append(scopes, MCPAppIDURI+"/"+sc, s.MCPURL()+"/"+sc)
	}
	if !s.beh.mcpPRM && s.beh.mcpCheckAudience && !containsFold(scopes, c.mcpRequiredScope()) {
		return nil, fmt.Errorf("%w: the token lacks %s", auth.ErrInvalidToken, mcpScope)
	}
	// The go-sdk compares Expiration with the real clock, while exp was judged (in validateBearer)
	// on the sandbox's clock, which a scenario or a test may shift: carry the time left over to
	// the real clock so both agree.
	expiration := time.Now().Add(p.time("exp").Sub(s.now()))
	return &auth.TokenInfo{
		Scopes: scopes, Expiration: expiration, UserID: p.str("oid"),
		Extra: map[string]any{"claims": p.claims, "raw": raw},
	}, nil
}

// whoamiOut is the whoami tool's structured result.
type whoamiOut struct {
	Aud           string `json:"aud"`
	Scp           string `json:"scp"`
	Azp           string `json:"azp"`
	Oid           string `json:"oid"`
	Tid           string `json:"tid"`
	Iss           string `json:"iss"`
	Ver           string `json:"ver"`
	Name          string `json:"name,omitempty"`
	Idtyp         string `json:"idtyp,omitempty"`
	ParentAppAzp  string `json:"xms_par_app_azp,omitempty"`
	ActorFacets   string `json:"xms_act_fct,omitempty"`
	PreferredName string `json:"preferred_username,omitempty"`
	// Token is the token the server received, without its signature (header.payload.): what it
	// reports of its caller, as a component reports its exchanges; Auth is "key" for a key.
	Token string `json:"token,omitempty"`
	Auth  string `json:"auth,omitempty"`
}

// callerOf returns the validated caller's claims and raw token from the request.
func callerOf(req *mcp.CallToolRequest) (*parsedToken, string) {
	if req.Extra == nil || req.Extra.TokenInfo == nil {
		return &parsedToken{claims: map[string]any{}}, ""
	}
	claims, _ := req.Extra.TokenInfo.Extra["claims"].(map[string]any)
	raw, _ := req.Extra.TokenInfo.Extra["raw"].(string)
	if claims == nil {
		claims = map[string]any{}
	}
	return &parsedToken{claims: claims, raw: raw}, raw
}

func (c *components) toolWhoami(_ context.Context, req *mcp.CallToolRequest, _ map[string]any) (*mcp.CallToolResult, whoamiOut, error) {
	p, raw := callerOf(req)
	out := whoamiOut{
		Aud: p.audience(), Scp: p.str("scp"), Azp: p.clientApp(), Oid: p.str("oid"), Tid: p.str("tid"),
		Iss: p.str("iss"), Ver: p.str("ver"), Name: p.str("name"), Idtyp: p.str("idtyp"),
		ParentAppAzp: p.str("xms_par_app_azp"), ActorFacets: p.str("xms_act_fct"), PreferredName: p.str("preferred_username"),
		Token: redactToken(raw),
	}
	if req.Extra != nil && req.Extra.TokenInfo != nil && req.Extra.TokenInfo.Extra["key"] == true {
		out.Auth = "key"
	}
	return nil, out, nil
}

// graphMeSchema is graph_me's output schema, written out: a schema inferred from graphMeOut would
// hold boolean `true` sub-schemas (for its free-form fields), which strict clients such as the
// TypeScript MCP SDK reject.
func graphMeSchema() map[string]any {
	return map[string]any{
		"type":     "object",
		"required": []string{"me", "downstream"},
		"properties": map[string]any{
			"me":         map[string]any{"type": []string{"object", "null"}, "description": "Graph's /me, or null when the call failed"},
			"downstream": map[string]any{"type": "object", "description": "the server's own exchange: kind obo|passthrough, grant_type, token_endpoint, status, error, token (signature removed), passthrough"},
			"graph":      map[string]any{"type": "object", "description": "the Graph request: url, status, error"},
		},
	}
}

// graphMeOut is the graph_me tool's structured result.
type graphMeOut struct {
	Me         any               `json:"me"` // Graph's /me, or null
	Downstream *downstreamReport `json:"downstream"`
	Graph      *graphCall        `json:"graph,omitempty"`
}

// graphCall is the Graph request the MCP server made.
type graphCall struct {
	URL    string `json:"url"`
	Status int    `json:"status"`
	Error  any    `json:"error,omitempty"` // Graph's error JSON, or a transport error
}

// toolGraphMe does the MCP server's own On-Behalf-Of exchange to Graph (or, in the
// mcp-downstream-passthrough scenario, forwards the incoming token) and calls /v1.0/me.
func (c *components) toolGraphMe(ctx context.Context, req *mcp.CallToolRequest, _ map[string]any) (*mcp.CallToolResult, graphMeOut, error) {
	s := c.s
	_, raw := callerOf(req)
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	out := graphMeOut{}
	var graphToken string
	if s.beh.mcpDownstreamPassthrough {
		out.Downstream = &downstreamReport{Kind: "passthrough", Passthrough: true, Token: redactToken(raw)}
		graphToken = raw
	} else {
		rep := &downstreamReport{Kind: "obo", GrantType: grantJWTBearer, TokenEndpoint: s.TokenURL()}
		out.Downstream = rep
		if err := c.clients(); err != nil {
			rep.Detail = err.Error()
			return nil, out, nil
		}
		res, err := c.mcpCCA.AcquireTokenOnBehalfOf(ctx, raw, []string{GraphAppIDURI + "/User.Read"})
		if err != nil {
			rep.fail(err)
			return nil, out, nil
		}
		rep.Status, rep.Token, graphToken = http.StatusOK, redactToken(res.AccessToken), res.AccessToken
	}
	gc := &graphCall{URL: s.GraphURL() + "/v1.0/me"}
	out.Graph = gc
	hreq, err := http.NewRequestWithContext(ctx, http.MethodGet, gc.URL, nil)
	if err != nil {
		return nil, out, nil
	}
	hreq.Header.Set("Authorization", "Bearer "+graphToken)
	resp, err := s.client.Do(hreq)
	if err != nil {
		gc.Error = map[string]string{"transport": err.Error()}
		return nil, out, nil
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	gc.Status = resp.StatusCode
	if resp.StatusCode == http.StatusOK {
		var me map[string]any
		_ = json.Unmarshal(body, &me)
		out.Me = me
	} else {
		var e any
		if json.Unmarshal(body, &e) != nil {
			e = strings.TrimSpace(string(body))
		}
		gc.Error = e
	}
	return nil, out, nil
}
