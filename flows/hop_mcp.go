package flows

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/oboscope/oboscope/inspect"
)

// initializeProbe is the JSON-RPC initialize request of the unauthenticated and foreign probes.
const initializeProbe = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"oboscope-probe","version":"1"}}}`

// mcpOut is what the mcp hop hands on to the downstream hop: why no MCP session started ("" when
// one did or none was tried: the downstream hop does not knock on the same door again), the tools
// the server listed (listed: the list arrived, possibly empty) and where the presented token is.
type mcpOut struct {
	unreachable string
	tools       []string
	listed      bool
	presented   *TokenRef
}

// mcpObs is what the mcp hop observed.
type mcpObs struct {
	inspect.MCPObservation
	exp         inspect.MCPExpectations
	version     string // the token version the server's metadata promises ("" unknown)
	explaining  []inspect.Finding
	prmURL      string
	asIssuers   []string
	toolNote    string
	missingTool bool
	hadToken    bool
}

// observeMCP discovers the MCP server's authorization (unauthenticated probe, Protected Resource
// Metadata, authorization server metadata), calls it with the exchanged token through the MCP
// go-sdk, and probes it with the user's own token, which it must reject.
func observeMCP(ctx context.Context, h *hopRun, user heldToken, obo oboOut) (mcpObs, mcpOut) {
	cfg := h.cfg
	obs := mcpObs{MCPObservation: inspect.MCPObservation{URL: cfg.MCP.URL},
		exp: inspect.MCPExpectations{Audiences: mcpAudiences(cfg), RequiredScopes: cfg.OBO.Scopes, AudienceReported: inspect.ReportsAudience(h.earlier(HopOBO))}}
	var out mcpOut
	if cfg.MCP.URL == "" {
		h.skip("skipped: no MCP server configured (mcp.url)")
		return obs, out
	}
	if !sendable(cfg.MCP.URL) {
		h.fail(fmt.Sprintf("mcp: refusing to send requests to %s (not https)", cfg.MCP.URL))
		return obs, out
	}

	// 1. Unauthenticated probe.
	h.rec.setLabel("unauthenticated probe")
	status, hdr, probeMCP, err := postInitialize(ctx, h, "")
	if err != nil {
		h.fail(describeFailure("mcp", err, h.rec.snapshot()))
		h.res.Story = "the MCP server did not answer"
		out.unreachable = "the MCP server did not answer"
		return obs, out
	}
	obs.ProbeStatus, obs.ProbeWWWAuthenticate, obs.ProbeMCPAnswer = status, hdr.Get("WWW-Authenticate"), probeMCP

	// 2. Protected Resource Metadata, 3. authorization server metadata.
	prm, prmURL, tried := fetchPRM(ctx, h, obs.ProbeWWWAuthenticate)
	obs.PRM, obs.PRMURL, obs.PRMTried, obs.prmURL = prm, prmURL, tried, prmURL
	if prm != nil {
		obs.asIssuers = fetchASMetadata(ctx, h, prm.AuthorizationServers)
		obs.ResourceProbe = probeResource(ctx, h, prm)
	}
	obs.version = expectedVersion(prm)

	// 4. The MCP session with the exchanged (or passed-through) token.
	tok := obo.token
	if tok.ok() {
		obs.hadToken = true
		obs.Token, obs.TokenIsUserToken = tok.tok, obo.fromUser || tok.raw == user.raw
		obs.TokenSignatureVerified = tok.verified
		ref := h.present(presentedName(obo.fromUser, tok.tok), RolePresented, tok, true)
		out.presented = &ref
		ses, err := mcpSession(ctx, h, tok.raw, cfg.MCP.Tool, cfg.MCP.Arguments, true)
		readSession(h, &obs, &out, ses, err)
	}
	// 5. The passthrough probe: the user's token (for another audience) must be rejected.
	if user.ok() && !obs.TokenIsUserToken && user.tok != nil && !inspect.AudienceMatches(user.tok.Audiences, mcpAudiences(cfg)) {
		h.rec.setLabel("passthrough probe (user token, must be rejected)")
		st, _, answered, err := postInitialize(ctx, h, user.raw)
		if err == nil {
			obs.ForeignProbeSent, obs.ForeignProbeToken, obs.ForeignProbeStatus, obs.ForeignProbeMCPAnswer = true, user.tok, st, answered
		}
	}
	// What earlier hops already said about the presented token explains a rejection.
	if obo.fromUser {
		obs.explaining = h.earlier(HopSignin)
	} else {
		obs.explaining = h.earlier(HopOBO)
	}
	return obs, out
}

// readSession reads what an MCP session with the token showed into the hop's observation and
// output: the tools listed, the answer's status and challenge, whether the session started, and
// what went wrong.
func readSession(h *hopRun, obs *mcpObs, out *mcpOut, ses session, err error) {
	out.tools, out.listed = ses.tools, ses.listed
	obs.Status, obs.WWWAuthenticate, obs.toolNote = ses.status, ses.challenge, ses.note
	obs.SessionOK = err == nil || !strings.HasPrefix(err.Error(), "MCP initialize")
	if !obs.SessionOK {
		out.unreachable = "the MCP session did not start"
		obs.MCPError = sessionRPCError(h.rec.snapshot(), obs.Status)
	}
	readSessionError(h, obs, ses.note, err)
}

// readSessionError reads what went wrong in the MCP session: a refused tool call, a tool the server
// does not have, a tool that answered with an error, or a failure of the session itself.
func readSessionError(h *hopRun, obs *mcpObs, note string, err error) {
	var noTool *noSuchToolError
	var toolErr *toolError
	var refused *callRefusedError
	if errors.As(err, &refused) {
		// The session was accepted, the tool call refused: that refusal is what the rules read.
		obs.Status, obs.WWWAuthenticate, obs.RefusedCall = refused.Status, refused.Challenge, "tools/call "+refused.Tool
	}
	switch {
	case errors.As(err, &noTool):
		// The server works; the configuration names a tool it does not have.
		obs.toolNote = fmt.Sprintf("%s; no tool %s: set mcp.tool to one of them", note, noTool.Tool)
		obs.missingTool = true
	case errors.As(err, &toolErr):
		// The server works and answered the call; the tool itself refused it (often the
		// arguments: mcp.arguments).
		msg := strings.TrimPrefix(strings.TrimPrefix(toolErr.Error(), "MCP tool "+toolErr.Tool+" returned an error: "), "MCP tools/call "+toolErr.Tool+": ")
		hint := ""
		if l := strings.ToLower(msg); strings.Contains(l, "argument") || strings.Contains(l, "input") || strings.Contains(l, "-32602") {
			hint = " (check mcp.arguments)"
		}
		obs.toolNote = fmt.Sprintf("%s; %s answered with an error%s: %s", note, toolErr.Tool, hint, oneLine(msg))
		obs.missingTool = true
	case err != nil:
		h.fail(describeFailure("mcp", err, h.rec.snapshot()))
	}
}

// analyzeMCP checks the presented token's version against the server's metadata and applies the
// mcp rules; what earlier hops and this one already said about the token explains a rejection.
func analyzeMCP(h *hopRun, obs mcpObs) []inspect.Finding {
	var fs []inspect.Finding
	if obs.version != "" && obs.Token != nil {
		fs = inspect.CheckVersion(obs.Token, obs.version, "mcp", h.now())
	}
	if obs.ProbeStatus == 0 && !obs.hadToken {
		return fs
	}
	obs.KnownProblems = inspect.ExplainingIDs(append(append([]inspect.Finding(nil), obs.explaining...), fs...))
	return append(fs, inspect.AnalyzeMCP(obs.MCPObservation, obs.exp)...)
}

// finishMCP tells the mcp hop's story once its findings are known.
func finishMCP(h *hopRun, obs mcpObs) {
	if h.res.Status == StatusSkipped || obs.ProbeStatus == 0 {
		return
	}
	h.res.Story = mcpStory(obs.MCPObservation, obs.prmURL, obs.asIssuers, obs.toolNote)
	if obs.missingTool && h.res.Err == "" && !hasSeverity(h.res.Findings, inspect.SeverityError) {
		h.res.Status = StatusWarning
	}
	if !obs.hadToken && len(h.res.Findings) == 0 && h.res.Err == "" {
		h.skip("discovery only: no token for the MCP server (the exchange produced none); " + h.res.Story)
	}
}

// presentedName names the token the mcp hop presents: the exchanged token, or the signin hop's
// token passed through (a user's or an app-only one).
func presentedName(fromUser bool, t *inspect.Token) string {
	if fromUser {
		return tokenNoun(t) + " passed through to the MCP server"
	}
	return "OBO token presented to the MCP server"
}

// sendable reports whether a token may go to u: https, or http to loopback only.
func sendable(u string) bool {
	p, err := url.Parse(u)
	return err == nil && (p.Scheme == "https" || (p.Scheme == "http" && isLoopback(p.Hostname())))
}

func expectedVersion(p *inspect.ResourceMetadata) string {
	if p == nil {
		return ""
	}
	for _, as := range p.AuthorizationServers {
		switch {
		case strings.HasSuffix(strings.TrimSuffix(as, "/"), "/v2.0"):
			return "2.0"
		case strings.Contains(as, "sts.windows.net"):
			return "1.0"
		}
	}
	return ""
}

func mcpStory(obs inspect.MCPObservation, prmURL string, as []string, toolNote string) string {
	var parts []string
	switch {
	case obs.ProbeStatus == 401 && obs.ProbeWWWAuthenticate != "":
		parts = append(parts, "without a token: 401 with a challenge")
	case obs.ProbeStatus != 0:
		parts = append(parts, fmt.Sprintf("without a token: %d", obs.ProbeStatus))
	}
	if obs.PRM != nil {
		// The URLs tried before it (the challenge's own, first) served none.
		var not []string
		for _, t := range obs.PRMTried {
			u, outcome, _ := strings.Cut(t, " (")
			if u == prmURL {
				break
			}
			not = append(not, prmPath(u)+": "+strings.TrimSuffix(outcome, ")"))
		}
		s := "metadata at " + prmPath(prmURL)
		if len(not) > 0 {
			s += " (not at " + strings.Join(not, ", ") + ")"
		}
		parts = append(parts, s)
	}
	if len(as) > 0 {
		parts = append(parts, "issuer "+strings.Join(as, ", "))
	}
	if obs.RefusedCall != "" {
		s := "with the token: session started"
		if toolNote != "" {
			s += ", " + toolNote
		}
		parts = append(parts, fmt.Sprintf("%s; %s refused (%d)", s, obs.RefusedCall, obs.Status))
	} else if obs.Status != 0 {
		s := fmt.Sprintf("with the token: %d", obs.Status)
		if obs.MCPError != "" {
			s += fmt.Sprintf(" (MCP error: %s)", oneLine(obs.MCPError))
		}
		if toolNote != "" {
			s += ", " + toolNote
		}
		parts = append(parts, s)
	}
	if obs.ForeignProbeSent {
		switch fp := obs.ForeignProbeStatus; {
		case fp == 401:
			parts = append(parts, "the user's own token rejected (401)")
		case fp >= 200 && fp < 300 && obs.ForeignProbeMCPAnswer && obs.ProbeMCPAnswer:
			parts = append(parts, fmt.Sprintf("the user's own token answered %d too (the server needs no token)", fp))
		case fp >= 200 && fp < 300 && obs.ForeignProbeMCPAnswer:
			parts = append(parts, fmt.Sprintf("the user's own token accepted (%d)", fp))
		case fp == 403 && obs.ProbeStatus == 401:
			parts = append(parts, "the user's own token authenticated, refused only for a permission (403)")
		default:
			parts = append(parts, fmt.Sprintf("the user's own token answered %d", fp))
		}
	}
	return strings.Join(parts, "; ")
}

// sessionRPCError returns the JSON-RPC error message of the MCP session's POST answered with
// status, "" when that answer was no JSON-RPC error (an authorization layer's own body).
func sessionRPCError(xs []Exchange, status int) string {
	for i := len(xs) - 1; i >= 0; i-- {
		x := xs[i]
		if x.Method != http.MethodPost || x.Status != status || !strings.HasPrefix(x.Label, "MCP ") {
			continue
		}
		var m struct {
			JSONRPC string `json:"jsonrpc"`
			Error   *struct {
				Message string `json:"message"`
			} `json:"error"`
		}
		if json.Unmarshal([]byte(x.ResponseBody), &m) == nil && m.JSONRPC == "2.0" && m.Error != nil {
			return m.Error.Message
		}
		return ""
	}
	return ""
}

// prmPath shortens a metadata URL to its path for a story.
func prmPath(u string) string {
	if p, err := url.Parse(u); err == nil && p.Path != "" {
		return p.Path
	}
	return u
}

// postInitialize sends one JSON-RPC initialize, with bearer when non-empty, and returns the status
// and headers of the answer and whether it carried a JSON-RPC result (a real MCP answer).
func postInitialize(ctx context.Context, h *hopRun, bearer string) (int, http.Header, bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.cfg.MCP.URL, strings.NewReader(initializeProbe))
	if err != nil {
		return 0, nil, false, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("MCP-Protocol-Version", "2025-06-18")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := h.client.Do(req)
	if err != nil {
		return 0, nil, false, err
	}
	body, rerr := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	// A body cut short (the exchange records why) cannot show a JSON-RPC result; the status stands.
	answered := rerr == nil && resp.StatusCode >= 200 && resp.StatusCode < 300 && isJSONRPCResult(resp.Header.Get("Content-Type"), body)
	// A session the probe may have opened is closed again.
	if sid := resp.Header.Get("Mcp-Session-Id"); sid != "" && resp.StatusCode < 300 {
		if del, err := http.NewRequestWithContext(ctx, http.MethodDelete, h.cfg.MCP.URL, nil); err == nil {
			del.Header.Set("Mcp-Session-Id", sid)
			if bearer != "" {
				del.Header.Set("Authorization", "Bearer "+bearer)
			}
			// Closing the probe's session is courtesy: its outcome is recorded, and changes nothing.
			if r, err := h.client.Do(del); err == nil {
				if _, err := io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20)); err != nil {
					r.Body.Close()
					return resp.StatusCode, resp.Header, answered, nil
				}
				r.Body.Close()
			}
		}
	}
	return resp.StatusCode, resp.Header, answered, nil
}

// isJSONRPCResult reports whether body (JSON, or an SSE stream of JSON events) holds a JSON-RPC
// answer with a result.
func isJSONRPCResult(contentType string, body []byte) bool {
	isResult := func(b []byte) bool {
		var m struct {
			JSONRPC string          `json:"jsonrpc"`
			Result  json.RawMessage `json:"result"`
		}
		return json.Unmarshal(b, &m) == nil && m.JSONRPC == "2.0" && len(m.Result) > 0 && string(m.Result) != "null"
	}
	if !strings.HasPrefix(strings.ToLower(contentType), "text/event-stream") {
		return isResult(body)
	}
	for _, line := range strings.Split(string(body), "\n") {
		if d, ok := strings.CutPrefix(strings.TrimRight(line, "\r"), "data:"); ok && isResult([]byte(strings.TrimSpace(d))) {
			return true
		}
	}
	return false
}

// fetchPRM looks for RFC 9728 metadata: the challenge's resource_metadata URL, then
// /.well-known/oauth-protected-resource/<path>, then the root well-known URL. It returns the
// metadata and the URL it came from, and every URL tried with what it answered ("URL (404)").
func fetchPRM(ctx context.Context, h *hopRun, challenge string) (*inspect.ResourceMetadata, string, []string) {
	var candidates []string
	if c, ok := inspect.ParseBearerChallenge(challenge); ok && c.Param("resource_metadata") != "" {
		candidates = append(candidates, c.Param("resource_metadata"))
	}
	u, err := url.Parse(h.cfg.MCP.URL)
	if err == nil {
		root := u.Scheme + "://" + u.Host + "/.well-known/oauth-protected-resource"
		if p := strings.TrimSuffix(u.EscapedPath(), "/"); p != "" {
			candidates = append(candidates, root+p)
		}
		candidates = append(candidates, root)
	}
	var tried []string
	seen := map[string]bool{}
	for _, c := range candidates {
		if seen[c] || !sendable(c) {
			continue
		}
		seen[c] = true
		h.rec.setLabel("protected resource metadata")
		before := h.rec.headCount()
		var prm inspect.ResourceMetadata
		err := getJSON(ctx, h, c, &prm)
		if err == nil && prm.Resource != "" {
			return &prm, c, append(tried, c+" (200)")
		}
		outcome := "no answer"
		if xs := h.rec.snapshot(); len(xs) > 0 && strings.HasPrefix(xs[len(xs)-1].Err, "timed out") {
			outcome = "timed out"
		}
		for _, x := range h.rec.headsSince(before) {
			if x.Method == http.MethodGet {
				outcome = fmt.Sprint(x.Status)
			}
		}
		switch {
		case outcome != "200":
		case err != nil:
			outcome = "200, not JSON"
		default:
			outcome = "200, no resource"
		}
		tried = append(tried, c+" ("+outcome+")")
	}
	return nil, "", tried
}

// fetchASMetadata reads each authorization server's metadata (Entra serves OpenID configuration
// only; RFC 8414 is tried second) and returns the issuers found.
func fetchASMetadata(ctx context.Context, h *hopRun, servers []string) []string {
	var issuers []string
	for i, as := range servers {
		if i >= 3 || !sendable(as) {
			continue
		}
		h.rec.setLabel("authorization server metadata")
		var meta struct {
			Issuer string `json:"issuer"`
		}
		if err := getJSON(ctx, h, strings.TrimSuffix(as, "/")+"/.well-known/openid-configuration", &meta); err == nil && meta.Issuer != "" {
			issuers = append(issuers, meta.Issuer)
			continue
		}
		if u, err := url.Parse(as); err == nil {
			alt := u.Scheme + "://" + u.Host + "/.well-known/oauth-authorization-server" + strings.TrimSuffix(u.EscapedPath(), "/")
			if err := getJSON(ctx, h, alt, &meta); err == nil && meta.Issuer != "" {
				issuers = append(issuers, meta.Issuer)
			}
		}
	}
	return issuers
}

// aboutMCP says what the mcp hop does, for the step-by-step view.
func aboutMCP(_ Config) string {
	return "oboscope calls the MCP server as the agent: first without a token (it must answer 401 and point to its metadata), then with the exchanged token; last with the user's own token, which it must refuse."
}
