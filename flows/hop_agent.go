package flows

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/oboscope/oboscope/inspect"
)

// DefaultAgentMessage is what the agent hop sends when WalkOptions.Message is empty.
const DefaultAgentMessage = "oboscope: who am I? (a test call through the chain)"

// agentAnswer is the JSON the sample agent API (and any agent following CONTRACTS.md) answers.
type agentAnswer struct {
	Reply      string          `json:"reply"`
	Downstream json.RawMessage `json:"downstream"`
	MCP        json.RawMessage `json:"mcp"`
}

// wireExchangeReport is the JSON shape of a component's report of its own token exchange.
type wireExchangeReport struct {
	Kind          string          `json:"kind"`
	GrantType     string          `json:"grant_type"`
	TokenEndpoint string          `json:"token_endpoint"`
	Status        int             `json:"status"`
	Error         json.RawMessage `json:"error"`
	Token         string          `json:"token"`
	Passthrough   bool            `json:"passthrough"`
}

// parseExchangeReport reads a component's exchange report; nil when raw is empty or not one.
func parseExchangeReport(raw json.RawMessage) (*inspect.ExchangeReport, string) {
	if len(bytes.TrimSpace(raw)) == 0 || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return nil, ""
	}
	var wr wireExchangeReport
	if err := json.Unmarshal(raw, &wr); err != nil {
		return nil, ""
	}
	r := &inspect.ExchangeReport{Kind: wr.Kind, GrantType: wr.GrantType, TokenEndpoint: wr.TokenEndpoint, Status: wr.Status, Passthrough: wr.Passthrough}
	if len(bytes.TrimSpace(wr.Error)) > 0 && !bytes.Equal(bytes.TrimSpace(wr.Error), []byte("null")) {
		if e, err := inspect.ParseEntraError(wr.Error); err == nil {
			r.Error = e
		}
	}
	if wr.Token != "" {
		if t, err := inspect.DecodeUnverified(wr.Token); err == nil {
			r.Token = t
		}
	}
	return r, wr.Token
}

// hopAgent presents the user token to the agent API and records its answer.
func (w *Walk) hopAgent(ctx context.Context, h *hopRun) {
	w.mu.Lock()
	raw, tok := w.st.userRaw, w.st.user
	w.st.agentReport, w.st.agentClaims = nil, ""
	w.mu.Unlock()
	if raw == "" {
		h.skip("skipped: no user token to present (sign-in did not produce one)")
		return
	}
	cfg := w.cfg
	obs := inspect.AgentObservation{Token: tok, URL: cfg.Agent.URL, KnownProblems: w.knownTokenProblems(HopSignin), TokenSignatureVerified: w.signatureVerified(tok)}
	exp := inspect.AgentExpectations{
		Audiences:         w.agentAudiences(),
		RequiredScopes:    cfg.Agent.RequiredScopes,
		TenantID:          cfg.TenantID,
		AuthorizedClients: cfg.Agent.AuthorizedClients,
	}
	u, err := url.Parse(cfg.Agent.URL)
	if err != nil || (u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname()))) {
		obs.Refused = true
		h.add(inspect.AnalyzeAgent(obs, exp)...)
		h.fail(fmt.Sprintf("agent: refusing to send the token to %s (not https)", cfg.Agent.URL))
		return
	}
	h.token(tokenNoun(tok)+" presented", raw, tok, false, "")
	msg := w.opts.Message
	if msg == "" {
		msg = DefaultAgentMessage
	}
	var payload any = map[string]string{"message": msg}
	if cfg.Agent.Body != nil {
		payload = cfg.Agent.Body
	}
	body, err := json.Marshal(payload)
	if err != nil {
		h.fail("agent: agent.body cannot be sent as JSON: " + err.Error())
		return
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cfg.Agent.URL, bytes.NewReader(body))
	if err != nil {
		h.fail("agent: " + err.Error())
		return
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+raw)
	h.rec.setLabel("agent call")
	resp, err := h.client.Do(req)
	if err != nil {
		h.add(inspect.AnalyzeAgent(obs, exp)...)
		h.fail(describeFailure("agent", err, h.rec.snapshot()))
		h.res.Story = "no answer from the agent API"
		return
	}
	respBody, rerr := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	resp.Body.Close()
	obs.Status = resp.StatusCode
	obs.WWWAuthenticate = resp.Header.Get("WWW-Authenticate")
	h.add(inspect.AnalyzeAgent(obs, exp)...)
	if rerr != nil {
		h.fail(describeFailure("agent", rerr, h.rec.snapshot()))
		return
	}
	var ans agentAnswer
	var rep *inspect.ExchangeReport
	jsonErr := json.Unmarshal(respBody, &ans)
	if jsonErr == nil {
		if rep, _ = parseExchangeReport(ans.Downstream); rep != nil {
			w.mu.Lock()
			w.st.agentReport = rep
			w.mu.Unlock()
			if rep.Token != nil {
				name := "agent's own exchanged token (reported, signature removed)"
				if rep.Passthrough || strings.EqualFold(rep.Kind, "passthrough") {
					name = "token the agent forwarded without an exchange (reported, signature removed)"
				}
				h.token(name, "", rep.Token, false, "reported by the agent without its signature")
			}
		}
	}
	if rep == nil && resp.StatusCode >= 400 && resp.StatusCode != 401 && resp.StatusCode != 403 {
		// An agent that does not follow CONTRACTS.md may still relay Entra's answer to its own
		// token request in its error body, as apps commonly do.
		if e := relayedEntraError(respBody); e != nil {
			rep = &inspect.ExchangeReport{Error: e}
			w.mu.Lock()
			w.st.agentReport = rep
			w.mu.Unlock()
		}
	}
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300 && len(bytes.TrimSpace(respBody)) == 0:
		// Not broken JSON: no answer at all. Whether the token was accepted is unknown.
		h.res.Status = StatusWarning
		h.res.Story = fmt.Sprintf("%s answered %d with an empty body, not the agent's JSON", w.agentName(), resp.StatusCode)
	case resp.StatusCode >= 200 && resp.StatusCode < 300 && jsonErr != nil && looksHTML(Exchange{ResponseHeaders: resp.Header, ResponseBody: string(respBody)}):
		// A web server's or proxy's page: the agent API itself may never have seen the token.
		h.res.Status = StatusWarning
		h.res.Story = fmt.Sprintf("%s answered %d with an HTML page (%s), not the agent's JSON: is a proxy or web server answering at agent.url?",
			w.agentName(), resp.StatusCode, htmlTitle(string(respBody)))
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		if jsonErr != nil && strings.Contains(strings.ToLower(resp.Header.Get("Content-Type")), "json") {
			h.fail(fmt.Sprintf("agent: %s answered %d with invalid or truncated JSON", hostOfURL(cfg.Agent.URL), resp.StatusCode))
		}
		reply := oneLine(ans.Reply)
		h.res.Story = fmt.Sprintf("%s accepted the %s and answered %d", w.agentName(), tokenNoun(tok), resp.StatusCode)
		if reply != "" {
			h.res.Story += ": " + RedactText(reply, nil)
		}
	case resp.StatusCode == 401 && inspect.IsClaimsChallenge(obs.WWWAuthenticate):
		if claims := challengeClaims(obs.WWWAuthenticate); claims != "" {
			w.mu.Lock()
			w.st.agentClaims = claims
			w.mu.Unlock()
		}
		// The documented middle-tier behaviour: the user must sign in again with the claims.
		h.res.Status = StatusWarning
		h.res.Story = w.agentName() + " relayed a claims challenge from its own exchange (401 insufficient_claims): sign in again with the claims"
	case resp.StatusCode == 401 || resp.StatusCode == 403:
		// A rejection fails the hop even when an earlier finding explains it (and agent.rejected
		// is therefore not raised again).
		h.res.Status = StatusFailed
		h.res.Story = fmt.Sprintf("%s rejected the %s with %d", w.agentName(), tokenNoun(tok), resp.StatusCode)
		if c := challengeError(obs.WWWAuthenticate); c != "" {
			h.res.Story += " (" + c + ")"
		} else if len(bytes.TrimSpace(respBody)) > 0 {
			// No challenge to read: the body is all the agent said.
			h.res.Story += " " + shortBody(string(respBody))
		}
	case rep != nil && rep.Error != nil:
		// The agent took the token but its own exchange failed: the obo hop says why.
		e := rep.Error
		h.fail(fmt.Sprintf("agent: the agent API answered %d: its own token exchange failed (%s)", resp.StatusCode, valueOr(firstLine(e.Description), e.Err)))
		h.res.Story = fmt.Sprintf("%s accepted the %s, but its own exchange failed (see the obo hop)", w.agentName(), tokenNoun(tok))
	default:
		h.fail(describeFailure("agent", nil, h.rec.snapshot()))
		h.res.Story = fmt.Sprintf("%s answered %d", w.agentName(), resp.StatusCode)
	}
}

func tokenNoun(t *inspect.Token) string {
	if t != nil && appOnlyToken(t) {
		return "app-only token"
	}
	return "user token"
}

// challengeError summarises a Bearer challenge: error and error_description.
func challengeError(h string) string {
	if h == "" {
		return ""
	}
	c, ok := inspect.ParseBearerChallenge(h)
	if !ok {
		return ""
	}
	s := c.Param("error")
	if d := c.Param("error_description"); d != "" {
		s += ": " + firstLine(d)
	}
	return s
}

// challengeClaims returns the claims of a Bearer challenge (base64 per Microsoft's claims
// challenge format, or plain JSON), decoded; "" when there are none.
func challengeClaims(h string) string {
	c, ok := inspect.ParseBearerChallenge(h)
	if !ok || c.Param("claims") == "" {
		return ""
	}
	v := c.Param("claims")
	if strings.HasPrefix(strings.TrimSpace(v), "{") {
		return v
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(v); err == nil && json.Valid(b) {
			return string(b)
		}
	}
	return ""
}

// knownTokenProblems returns the IDs of error and warning token.* findings (other than the
// clock's) raised at hop: they are about the token that hop obtained, and explain its rejection
// later on.
func (w *Walk) knownTokenProblems(hop HopID) []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var ids []string
	for _, f := range w.results[hop].Findings {
		if strings.HasPrefix(f.ID, "token.") && f.ID != "token.clock-skew" && f.Severity != inspect.SeverityInfo {
			ids = append(ids, f.ID)
		}
	}
	return ids
}

// agentName is the agent API's display name, or "the agent API".
func (w *Walk) agentName() string { return valueOr(w.cfg.Agent.DisplayName, "the agent API") }
