package flows

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
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
	Detail        string          `json:"detail"`
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
	r := &inspect.ExchangeReport{Kind: wr.Kind, GrantType: wr.GrantType, TokenEndpoint: wr.TokenEndpoint, Status: wr.Status, Passthrough: wr.Passthrough, Detail: wr.Detail}
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

// agentOut is what the agent hop hands on: the agent API's report of its own exchange (nil when
// it sent none).
type agentOut struct {
	report *inspect.ExchangeReport
	// foundry is what a Foundry agent's Responses API answered (agent.kind foundry), nil otherwise.
	foundry *foundryAnswer
}

// agentObs is what the agent hop observed.
type agentObs struct {
	inspect.AgentObservation
	exp inspect.AgentExpectations
}

// observeAgent presents the user token to the agent API and records its answer.
func observeAgent(ctx context.Context, h *hopRun, user heldToken) (agentObs, agentOut) {
	cfg := h.cfg
	obs := agentObs{exp: inspect.AgentExpectations{
		Audiences:         agentAudiences(cfg),
		RequiredScopes:    cfg.Agent.RequiredScopes,
		TenantID:          cfg.TenantID,
		AuthorizedClients: cfg.Agent.AuthorizedClients,
	}}
	if !user.ok() {
		h.skip("skipped: no user token to present (sign-in did not produce one)")
		return obs, agentOut{}
	}
	tok := user.tok
	obs.AgentObservation = inspect.AgentObservation{Token: tok, URL: cfg.Agent.URL,
		KnownProblems: inspect.ExplainingIDs(h.earlier(HopSignin)), TokenSignatureVerified: user.verified}
	if !sendable(cfg.Agent.URL) {
		obs.Refused = true
		h.fail(fmt.Sprintf("agent: refusing to send the token to %s (not https)", cfg.Agent.URL))
		return obs, agentOut{}
	}
	presented := h.present(tokenNoun(tok)+" presented", RolePresented, user, true)
	msg := h.opts.Message
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
		return obs, agentOut{}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cfg.Agent.URL, bytes.NewReader(body))
	if err != nil {
		h.fail("agent: " + err.Error())
		return obs, agentOut{}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+user.raw)
	h.rec.setLabel("agent call")
	resp, err := h.client.Do(req)
	if err != nil {
		h.fail(describeFailure("agent", err, h.rec.snapshot()))
		h.res.Story = "no answer from the agent API"
		return obs, agentOut{}
	}
	respBody, rerr := io.ReadAll(resp.Body) // the transport caps it (MaxResponseBody), with an error naming the cap
	resp.Body.Close()
	obs.Status = resp.StatusCode
	obs.WWWAuthenticate = resp.Header.Get("WWW-Authenticate")
	if rerr != nil {
		h.fail(describeFailure("agent", rerr, h.rec.snapshot()))
		return obs, agentOut{}
	}
	var ans agentAnswer
	var rep *inspect.ExchangeReport
	jsonErr := json.Unmarshal(respBody, &ans)
	if jsonErr == nil {
		if rep, _ = parseExchangeReport(ans.Downstream); rep != nil && rep.Token != nil {
			name := "agent's own exchanged token (reported, signature removed)"
			if rep.Passthrough || strings.EqualFold(rep.Kind, "passthrough") {
				name = "token the agent forwarded without an exchange (reported, signature removed)"
			}
			h.record(NamedToken{Name: name, Role: RoleReported, Token: rep.Token, From: &presented,
				VerifyErr: "reported by the agent without its signature", ReportedBy: "the agent API"})
		}
	}
	if rep == nil && resp.StatusCode >= 400 && resp.StatusCode != 401 && resp.StatusCode != 403 {
		// An agent that does not follow CONTRACTS.md may still relay Entra's answer to its own
		// token request in its error body, as apps commonly do.
		if e := relayedEntraError(respBody); e != nil {
			rep = &inspect.ExchangeReport{Error: e}
		} else if text := string(respBody); inspect.SaysNoUserAssertion(text) {
			// Hosts say so in words ("ARA OBO token request failed"), with no Entra error.
			rep = &inspect.ExchangeReport{Detail: shortBody(text)}
		}
	}
	agentStory(h, obs, resp, respBody, ans, jsonErr, rep)
	obs.AnonymousProbeSent, obs.AnonymousStatus = true, probeAgentAnonymously(ctx, h, body)
	return obs, agentOut{report: rep}
}

// probeAgentAnonymously sends the agent API the same call without a token, as the MCP hop probes
// its server: an API that answers it acts for anyone. It returns the answer's status (0: none).
func probeAgentAnonymously(ctx context.Context, h *hopRun, body []byte) int {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.cfg.Agent.URL, bytes.NewReader(body))
	if err != nil {
		return 0
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	h.rec.setLabel("probe without a token (must be refused)")
	resp, err := h.client.Do(req)
	if err != nil {
		return 0
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<20))
	resp.Body.Close()
	return resp.StatusCode
}

// agentStory tells what the agent API answered, and fails or warns the hop where the answer says
// the chain broke.
func agentStory(h *hopRun, obs agentObs, resp *http.Response, respBody []byte, ans agentAnswer, jsonErr error, rep *inspect.ExchangeReport) {
	cfg, tok, name := h.cfg, obs.Token, agentName(h.cfg)
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300 && len(bytes.TrimSpace(respBody)) == 0:
		// Not broken JSON: no answer at all. Whether the token was accepted is unknown.
		h.res.Status = StatusWarning
		h.res.Story = fmt.Sprintf("%s answered %d with an empty body, not the agent's JSON", name, resp.StatusCode)
	case resp.StatusCode >= 200 && resp.StatusCode < 300 && jsonErr != nil && looksHTML(Exchange{ResponseHeaders: resp.Header, ResponseBody: string(respBody)}):
		// A web server's or proxy's page: the agent API itself may never have seen the token.
		h.res.Status = StatusWarning
		h.res.Story = fmt.Sprintf("%s answered %d with an HTML page (%s), not the agent's JSON: is a proxy or web server answering at agent.url?",
			name, resp.StatusCode, htmlTitle(string(respBody)))
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		if jsonErr != nil && strings.Contains(strings.ToLower(resp.Header.Get("Content-Type")), "json") {
			h.fail(fmt.Sprintf("agent: %s answered %d with invalid or truncated JSON", hostOfURL(cfg.Agent.URL), resp.StatusCode))
		}
		reply := oneLine(ans.Reply)
		h.res.Story = fmt.Sprintf("%s accepted the %s and answered %d", name, tokenNoun(tok), resp.StatusCode)
		if reply != "" {
			h.res.Story += ": " + RedactText(reply, nil)
		}
	case resp.StatusCode == 401 && inspect.IsClaimsChallenge(obs.WWWAuthenticate):
		h.res.ClaimsChallenge = inspect.ChallengeClaims(obs.WWWAuthenticate)
		// The documented middle-tier behaviour: the user must sign in again with the claims.
		h.res.Status = StatusWarning
		h.res.Story = name + " relayed a claims challenge from its own exchange (401 insufficient_claims): sign in again with the claims"
	case resp.StatusCode == 401 || resp.StatusCode == 403:
		// A rejection fails the hop even when an earlier finding explains it (and agent.rejected
		// is therefore not raised again).
		h.res.Status = StatusFailed
		h.res.Story = fmt.Sprintf("%s rejected the %s with %d", name, tokenNoun(tok), resp.StatusCode)
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
		h.res.Story = fmt.Sprintf("%s accepted the %s, but its own exchange failed (see the obo hop)", name, tokenNoun(tok))
	default:
		h.fail(describeFailure("agent", nil, h.rec.snapshot()))
		h.res.Story = fmt.Sprintf("%s answered %d", name, resp.StatusCode)
	}
}

// analyzeAgent applies the agent rules to what the agent hop observed.
func analyzeAgent(_ *hopRun, obs agentObs) []inspect.Finding {
	if obs.Token == nil {
		return nil
	}
	return inspect.AnalyzeAgent(obs.AgentObservation, obs.exp)
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

// agentName is the agent API's display name, or "the agent API".
func agentName(cfg Config) string { return valueOr(cfg.Agent.DisplayName, "the agent API") }

// aboutAgent says what the agent hop does, for the step-by-step view.
func aboutAgent(_ Config) string {
	return "The client calls the agent API with the user token as its Bearer token. The agent must check the token's audience and scope before acting; then oboscope calls it once without a token, which it must refuse."
}
