package flows

import (
	"context"
	"errors"
	"net/http"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"golang.org/x/oauth2"

	"github.com/oboscope/oboscope/inspect"
)

// errNoSecondSignin is what the MCP-client chain's MCP call answers when the server refuses the
// token: a client would sign in again; the walk shows the refusal instead.
var errNoSecondSignin = errors.New("the MCP server refused the token the client signed in with (a client would sign in again; oboscope shows the refusal instead)")

// presentedToken is the auth.OAuthHandler of the MCP-client chain's MCP call: the go-sdk's
// transport takes the token from it, as it takes it from the client's AuthorizationCodeHandler
// after sign-in, and a refusal is not answered with a second sign-in.
type presentedToken struct{ raw string }

func (p presentedToken) TokenSource(context.Context) (oauth2.TokenSource, error) {
	return oauth2.StaticTokenSource(&oauth2.Token{AccessToken: p.raw, TokenType: "Bearer"}), nil
}

func (presentedToken) Authorize(_ context.Context, _ *http.Request, resp *http.Response) error {
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	return errNoSecondSignin
}

// observeMCPCall calls the MCP server with the token the client signed in with, through the
// go-sdk's streamable transport and its OAuthHandler: initialize, tools/list, the configured tool.
func observeMCPCall(ctx context.Context, h *hopRun, probe probeOut, meta metadataOut, sin clientSigninOut) (mcpObs, mcpOut) {
	cfg := h.cfg
	obs := mcpObs{MCPObservation: inspect.MCPObservation{URL: cfg.MCP.URL, ProbeStatus: probe.status, ProbeWWWAuthenticate: probe.challenge(), PRM: meta.prm}}
	var out mcpOut
	if !sin.token.ok() {
		h.skip("skipped: the client has no token (see the signin hop)")
		out.unreachable = "the client has no token"
		return obs, out
	}
	var scopes []string
	if sin.oauth != nil {
		scopes = requestedScopes(sin.oauth.Scopes)
	}
	obs.exp = inspect.MCPExpectations{Audiences: mcpAudiences(cfg), RequiredScopes: scopes}
	obs.version = expectedVersion(meta.prm)
	obs.hadToken = true
	obs.Token, obs.TokenSignatureVerified = sin.token.tok, sin.token.verified
	ref := h.present("access token presented to the MCP server", RolePresented, sin.token, true)
	out.presented = &ref
	ses, err := mcpSessionWith(ctx, h, &mcp.StreamableClientTransport{
		Endpoint: cfg.MCP.URL, HTTPClient: h.client, OAuthHandler: presentedToken{raw: sin.token.raw}, MaxRetries: -1, DisableStandaloneSSE: true,
	}, cfg.MCP.Tool, cfg.MCP.Arguments, true)
	readSession(h, &obs, &out, ses, err)
	obs.explaining = h.earlier(HopSignin)
	return obs, out
}

// analyzeMCPCall checks the token's version against the server's metadata and applies the rules
// about the token presented; what the sign-in said of the token explains a refusal.
func analyzeMCPCall(h *hopRun, obs mcpObs) []inspect.Finding {
	if !obs.hadToken {
		return nil
	}
	var fs []inspect.Finding
	if obs.version != "" && obs.Token != nil {
		fs = inspect.CheckVersion(obs.Token, obs.version, "mcp", h.now())
	}
	obs.KnownProblems = inspect.ExplainingIDs(append(append([]inspect.Finding(nil), obs.explaining...), fs...))
	return append(fs, inspect.AnalyzeMCPCall(obs.MCPObservation, obs.exp)...)
}

// finishMCPCall tells the MCP call's story once its findings are known.
func finishMCPCall(h *hopRun, obs mcpObs) {
	if h.res.Status == StatusSkipped || !obs.hadToken {
		return
	}
	call := obs.MCPObservation
	call.ProbeStatus, call.PRM = 0, nil
	h.res.Story = mcpStory(call, "", nil, obs.toolNote)
	if obs.missingTool && h.res.Err == "" && !hasSeverity(h.res.Findings, inspect.SeverityError) {
		h.res.Status = StatusWarning
	}
}

// aboutMCPCall says what the MCP call hop of the mcp-client chain does, for the step-by-step view.
func aboutMCPCall(Config) string {
	return "The client calls the MCP server with its token: initialize, tools/list and the configured tool. The server must check that the token is for it."
}
