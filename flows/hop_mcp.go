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

// hopMCP discovers the MCP server's authorization (unauthenticated probe, Protected Resource
// Metadata, authorization server metadata), calls it with the exchanged token through the MCP
// go-sdk, and probes it with the user's own token, which it must reject.
func (w *Walk) hopMCP(ctx context.Context, h *hopRun) {
	cfg := w.cfg
	if cfg.MCP.URL == "" {
		h.skip("skipped: no MCP server configured (mcp.url)")
		return
	}
	w.mu.Lock()
	oboRaw, obo, fromUser, userRaw, user := w.st.oboRaw, w.st.obo, w.st.oboFromUser, w.st.userRaw, w.st.user
	audReported := w.results[HopOBO] != nil && hasFinding(w.results[HopOBO].Findings, "obo.downstream-aud")
	w.mu.Unlock()

	w.setMCPUnreachable("")
	w.mu.Lock()
	w.st.mcpTools, w.st.mcpToolsListed = nil, false
	w.mu.Unlock()
	obs := inspect.MCPObservation{URL: cfg.MCP.URL}
	exp := inspect.MCPExpectations{Audiences: w.mcpAudiences(), RequiredScopes: cfg.OBO.Scopes, AudienceReported: audReported}
	if !sendable(cfg.MCP.URL) {
		h.fail(fmt.Sprintf("mcp: refusing to send requests to %s (not https)", cfg.MCP.URL))
		return
	}

	// 1. Unauthenticated probe.
	h.rec.setLabel("unauthenticated probe")
	status, hdr, probeMCP, err := w.postInitialize(ctx, h, "")
	if err != nil {
		h.fail(describeFailure("mcp", err, h.rec.snapshot()))
		h.res.Story = "the MCP server did not answer"
		w.setMCPUnreachable("the MCP server did not answer")
		return
	}
	obs.ProbeStatus, obs.ProbeWWWAuthenticate, obs.ProbeMCPAnswer = status, hdr.Get("WWW-Authenticate"), probeMCP

	// 2. Protected Resource Metadata, 3. authorization server metadata.
	prm, prmURL, tried := w.fetchPRM(ctx, h, obs.ProbeWWWAuthenticate)
	obs.PRM, obs.PRMURL, obs.PRMTried = prm, prmURL, tried
	var asIssuers []string
	if prm != nil {
		asIssuers = w.fetchASMetadata(ctx, h, prm.AuthorizationServers)
	}

	// 4. The MCP session with the exchanged (or passed-through) token.
	var toolNote string
	missingTool := false
	if oboRaw != "" {
		obs.Token, obs.TokenIsUserToken = obo, fromUser || oboRaw == userRaw
		obs.TokenSignatureVerified = w.signatureVerified(obo)
		h.token(presentedName(fromUser, obo), oboRaw, obo, false, "")
		_, ist, ihdr, note, err := w.mcpSession(ctx, h, oboRaw, cfg.MCP.Tool, cfg.MCP.Arguments, true)
		obs.Status, obs.WWWAuthenticate, toolNote = ist, ihdr, note
		obs.SessionOK = err == nil || !strings.HasPrefix(err.Error(), "MCP initialize")
		if !obs.SessionOK {
			w.setMCPUnreachable("the MCP session did not start")
			obs.MCPError = sessionRPCError(h.rec.snapshot(), obs.Status)
		}
		var noTool *noSuchToolError
		var toolErr *toolError
		var refused *callRefusedError
		if errors.As(err, &refused) {
			// The session was accepted, the tool call refused: that refusal is what the
			// rules read.
			obs.Status, obs.WWWAuthenticate, obs.RefusedCall = refused.Status, refused.Challenge, "tools/call "+refused.Tool
		}
		switch {
		case errors.As(err, &noTool):
			// The server works; the configuration names a tool it does not have.
			toolNote = fmt.Sprintf("%s; no tool %s: set mcp.tool to one of them", note, noTool.Tool)
			missingTool = true
		case errors.As(err, &toolErr):
			// The server works and answered the call; the tool itself refused it (often the
			// arguments: mcp.arguments).
			msg := strings.TrimPrefix(strings.TrimPrefix(toolErr.Error(), "MCP tool "+toolErr.Tool+" returned an error: "), "MCP tools/call "+toolErr.Tool+": ")
			hint := ""
			if l := strings.ToLower(msg); strings.Contains(l, "argument") || strings.Contains(l, "input") || strings.Contains(l, "-32602") {
				hint = " (check mcp.arguments)"
			}
			toolNote = fmt.Sprintf("%s; %s answered with an error%s: %s", note, toolErr.Tool, hint, oneLine(msg))
			missingTool = true
		case err != nil:
			h.fail(describeFailure("mcp", err, h.rec.snapshot()))
		}
		// The version the server's metadata promises (v2.0 issuer → v2 tokens).
		if v := expectedVersion(prm); v != "" && obo != nil {
			for _, f := range inspect.LintToken(obo, "mcp", inspect.Expectations{Version: v, Now: w.opts.Now()}) {
				if f.ID == "token.version-mismatch" {
					h.add(f)
				}
			}
		}
	}
	// 5. The passthrough probe: the user's token (for another audience) must be rejected.
	if userRaw != "" && !obs.TokenIsUserToken && user != nil && !inspect.AudienceMatches(user.Audiences, w.mcpAudiences()) {
		h.rec.setLabel("passthrough probe (user token, must be rejected)")
		st, _, answered, err := w.postInitialize(ctx, h, userRaw)
		if err == nil {
			obs.ForeignProbeSent, obs.ForeignProbeToken, obs.ForeignProbeStatus, obs.ForeignProbeMCPAnswer = true, user, st, answered
		}
	}
	// What earlier hops (and this one) already said about the presented token explains a rejection.
	if fromUser {
		obs.KnownProblems = w.knownTokenProblems(HopSignin)
	} else {
		obs.KnownProblems = w.knownTokenProblems(HopOBO)
		w.mu.Lock()
		for _, f := range w.results[HopOBO].Findings {
			if f.ID == "obo.scope-missing" {
				obs.KnownProblems = append(obs.KnownProblems, f.ID)
			}
		}
		w.mu.Unlock()
	}
	for _, f := range h.res.Findings {
		if f.Severity != inspect.SeverityInfo {
			obs.KnownProblems = append(obs.KnownProblems, f.ID)
		}
	}
	h.add(inspect.AnalyzeMCP(obs, exp)...)
	h.res.Story = mcpStory(obs, prmURL, asIssuers, toolNote)
	if missingTool && h.res.Err == "" && !hasSeverity(h.res.Findings, inspect.SeverityError) {
		h.res.Status = StatusWarning
	}
	if oboRaw == "" && len(h.res.Findings) == 0 && h.res.Err == "" {
		h.skip("discovery only: no token for the MCP server (the exchange produced none); " + h.res.Story)
	}
}

// signatureVerified reports whether an earlier hop verified t's signature against its issuer's
// keys.
func (w *Walk) signatureVerified(t *inspect.Token) bool {
	if t == nil {
		return false
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, id := range []HopID{HopSignin, HopOBO} {
		if r := w.results[id]; r != nil {
			for _, nt := range r.Tokens {
				if nt.Token == t && nt.Verified {
					return true
				}
			}
		}
	}
	return false
}

// setMCPUnreachable records why the mcp hop got no session ("" when it did).
func (w *Walk) setMCPUnreachable(why string) {
	w.mu.Lock()
	w.st.mcpUnreachable = why
	w.mu.Unlock()
}

// presentedName names the token the mcp hop presents: the exchanged token, or the signin hop's
// token passed through (a user's or an app-only one).
func presentedName(fromUser bool, t *inspect.Token) string {
	if fromUser {
		return tokenNoun(t) + " passed through to the MCP server"
	}
	return "OBO token presented to the MCP server"
}

func hasFinding(fs []inspect.Finding, id string) bool {
	for _, f := range fs {
		if f.ID == id {
			return true
		}
	}
	return false
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
func (w *Walk) postInitialize(ctx context.Context, h *hopRun, bearer string) (int, http.Header, bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.cfg.MCP.URL, strings.NewReader(initializeProbe))
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
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	answered := resp.StatusCode >= 200 && resp.StatusCode < 300 && isJSONRPCResult(resp.Header.Get("Content-Type"), body)
	// A session the probe may have opened is closed again.
	if sid := resp.Header.Get("Mcp-Session-Id"); sid != "" && resp.StatusCode < 300 {
		if del, err := http.NewRequestWithContext(ctx, http.MethodDelete, w.cfg.MCP.URL, nil); err == nil {
			del.Header.Set("Mcp-Session-Id", sid)
			if bearer != "" {
				del.Header.Set("Authorization", "Bearer "+bearer)
			}
			if r, err := h.client.Do(del); err == nil {
				io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
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
func (w *Walk) fetchPRM(ctx context.Context, h *hopRun, challenge string) (*inspect.ResourceMetadata, string, []string) {
	var candidates []string
	if c, ok := inspect.ParseBearerChallenge(challenge); ok && c.Param("resource_metadata") != "" {
		candidates = append(candidates, c.Param("resource_metadata"))
	}
	u, err := url.Parse(w.cfg.MCP.URL)
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
		err := w.getJSON(ctx, h, c, &prm)
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
func (w *Walk) fetchASMetadata(ctx context.Context, h *hopRun, servers []string) []string {
	var issuers []string
	for i, as := range servers {
		if i >= 3 || !sendable(as) {
			continue
		}
		h.rec.setLabel("authorization server metadata")
		var meta struct {
			Issuer string `json:"issuer"`
		}
		if err := w.getJSON(ctx, h, strings.TrimSuffix(as, "/")+"/.well-known/openid-configuration", &meta); err == nil && meta.Issuer != "" {
			issuers = append(issuers, meta.Issuer)
			continue
		}
		if u, err := url.Parse(as); err == nil {
			alt := u.Scheme + "://" + u.Host + "/.well-known/oauth-authorization-server" + strings.TrimSuffix(u.EscapedPath(), "/")
			if err := w.getJSON(ctx, h, alt, &meta); err == nil && meta.Issuer != "" {
				issuers = append(issuers, meta.Issuer)
			}
		}
	}
	return issuers
}
