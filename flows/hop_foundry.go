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

// maxFoundryRounds bounds the requests of one agent hop: the first, an approval of the
// configured tool, the one after consent, and one more of either.
const maxFoundryRounds = 4

// foundryAgentObs is what the agent hop observed calling a Foundry agent.
type foundryAgentObs struct {
	agentObs
	answer *foundryAnswer
}

// observeFoundryAgent calls a Foundry agent through the project's Responses API with the user's
// token, approves a call of the configured tool when Foundry asks, waits for the person's consent
// when asked to (WalkOptions.AwaitConsent), and hands on what Foundry answered: the later hops
// read its MCP steps from it.
func observeFoundryAgent(ctx context.Context, h *hopRun, user heldToken) (foundryAgentObs, agentOut) {
	cfg := h.cfg
	obs := foundryAgentObs{agentObs: agentObs{exp: inspect.AgentExpectations{
		Audiences: agentAudiences(cfg), RequiredScopes: cfg.Agent.RequiredScopes, TenantID: cfg.TenantID,
		AuthorizedClients: cfg.Agent.AuthorizedClients,
	}}}
	if !user.ok() {
		h.skip("skipped: no user token to present (sign-in did not produce one)")
		return obs, agentOut{}
	}
	u := cfg.ResponsesURL()
	obs.AgentObservation = inspect.AgentObservation{Token: user.tok, URL: u,
		KnownProblems: inspect.ExplainingIDs(h.earlier(HopSignin)), TokenSignatureVerified: user.verified}
	if !sendable(u) {
		obs.Refused = true
		h.fail(fmt.Sprintf("agent: refusing to send the token to %s (not https)", u))
		return obs, agentOut{}
	}
	h.present(tokenNoun(user.tok)+" presented to Foundry", RolePresented, user, true)
	msg := h.opts.Message
	if msg == "" {
		msg = foundryMessage(cfg)
	}
	ans := &foundryAnswer{agent: cfg.Agent.AgentName}
	obs.answer = ans
	req := responsesRequest{Input: msg, AgentReference: agentReference{Name: cfg.Agent.AgentName, Type: "agent_reference"}, ToolChoice: "required"}
	label := "Responses API (agent " + cfg.Agent.AgentName + ")"
	for n := 0; n < maxFoundryRounds; n++ {
		r, hdr, err := postResponses(ctx, h, u, user.raw, req, label)
		if err != nil {
			h.fail(describeFailure("agent", err, h.rec.snapshot()))
			break
		}
		ans.rounds = append(ans.rounds, r)
		obs.Status, obs.WWWAuthenticate = r.status, hdr.Get("WWW-Authenticate")
		if r.status < 200 || r.status >= 300 || r.answer.ID == "" {
			break
		}
		next, nextLabel, ok := foundryNext(ctx, h, r, msg)
		if !ok {
			break
		}
		next.AgentReference = req.AgentReference
		req, label = next, nextLabel
	}
	foundryAgentStory(h, obs)
	return obs, agentOut{foundry: ans}
}

// foundryNext decides the request that follows an answer: an approval of the configured tool's
// call, or — once the person consented — the same request again. ok is false when the hop is done.
func foundryNext(ctx context.Context, h *hopRun, r foundryRound, msg string) (responsesRequest, string, bool) {
	cfg := h.cfg
	var approvals []any
	for _, it := range r.items {
		if it.Type == "mcp_approval_request" && cfg.MCP.Tool != "" && it.Name == cfg.MCP.Tool {
			approvals = append(approvals, approvalResponse{Type: "mcp_approval_response", ApprovalRequestID: it.ID, Approve: true})
		}
	}
	if len(approvals) > 0 {
		return responsesRequest{Input: approvals, PreviousResponseID: r.answer.ID}, "Responses API (approve " + cfg.MCP.Tool + ")", true
	}
	for _, it := range r.items {
		if it.Type != "oauth_consent_request" || it.ConsentLink == "" {
			continue
		}
		c := ConsentRequest{Link: it.ConsentLink, ServerLabel: it.ServerLabel, Agent: cfg.Agent.AgentName, ResponseID: r.answer.ID}
		h.em.send(Event{Kind: EventConsent, Hop: h.id, Consent: &c})
		if h.opts.AwaitConsent == nil || h.opts.AwaitConsent(ctx, c) != nil || ctx.Err() != nil {
			return responsesRequest{}, "", false
		}
		return responsesRequest{Input: msg, PreviousResponseID: r.answer.ID, ToolChoice: "required"}, "Responses API (after consent)", true
	}
	return responsesRequest{}, "", false
}

// postResponses sends one Responses API request with the user's bearer token and reads the answer.
func postResponses(ctx context.Context, h *hopRun, u, bearer string, body responsesRequest, label string) (foundryRound, http.Header, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return foundryRound{}, nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(b))
	if err != nil {
		return foundryRound{}, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+bearer)
	h.rec.setLabel(label)
	resp, err := h.client.Do(req)
	if err != nil {
		return foundryRound{}, nil, err
	}
	defer resp.Body.Close()
	respBody, err := io.ReadAll(resp.Body) // the transport caps it (MaxResponseBody), with an error naming the cap
	if err != nil {
		return foundryRound{}, nil, err
	}
	return parseRound(resp.StatusCode, respBody), resp.Header, nil
}

// foundryMessage is the probe the agent hop sends a Foundry agent: it asks for the configured
// tool, so that Foundry calls the MCP server.
func foundryMessage(cfg Config) string {
	if cfg.MCP.Tool == "" {
		return DefaultAgentMessage
	}
	return fmt.Sprintf("oboscope: call the %s tool and tell me what it returns (a test call through the chain)", cfg.MCP.Tool)
}

// foundryAgentStory tells what the Foundry agent answered and fails the hop when the Responses API
// refused the call.
func foundryAgentStory(h *hopRun, obs foundryAgentObs) {
	ans, name := obs.answer, "Foundry agent "+h.cfg.Agent.AgentName
	last := ans.last()
	switch {
	case len(ans.rounds) == 0:
		h.res.Story = "no answer from the Foundry project"
	case last.status == 401 || last.status == 403:
		h.res.Status = StatusFailed
		h.res.Story = fmt.Sprintf("the Foundry project refused the %s with %d", tokenNoun(obs.Token), last.status)
		if last.err != "" {
			h.res.Story += ": " + last.err
		}
	case last.status < 200 || last.status >= 300:
		h.fail(fmt.Sprintf("agent: the Responses API answered %d: %s", last.status, valueOr(last.err, "no error message")))
		h.res.Story = fmt.Sprintf("%s: the Responses API answered %d", name, last.status)
	default:
		h.res.Story = fmt.Sprintf("%s accepted the %s: %s", name, tokenNoun(obs.Token), foundrySteps(ans))
		if last.err != "" && last.answer.Status == "failed" {
			h.res.Story += "; the response failed: " + last.err
		}
	}
}

// foundrySteps says in a few words what Foundry did with the agent's MCP tool.
func foundrySteps(ans *foundryAnswer) string {
	var parts []string
	pending := map[string]bool{}
	for _, it := range ans.pendingConsent() {
		pending[it.ID] = true
	}
	for _, it := range ans.items() {
		e := errorText(it.Error)
		switch it.Type {
		case "mcp_list_tools":
			if e != "" {
				parts = append(parts, fmt.Sprintf("listing the tools of %s failed", valueOr(it.ServerLabel, "the MCP server")))
			} else {
				parts = append(parts, fmt.Sprintf("listed %d tools of %s", len(it.Tools), valueOr(it.ServerLabel, "the MCP server")))
			}
		case "mcp_approval_request":
			parts = append(parts, "asked approval to call "+it.Name)
		case "mcp_call":
			if e != "" {
				parts = append(parts, "calling "+it.Name+" failed")
			} else {
				parts = append(parts, "called "+it.Name)
			}
		case "oauth_consent_request":
			if pending[it.ID] {
				parts = append(parts, "asks the user's consent for "+valueOr(it.ServerLabel, "the tool")+" ("+it.ConsentLink+")")
			} else {
				parts = append(parts, "the user consented to "+valueOr(it.ServerLabel, "the tool"))
			}
		}
	}
	if len(parts) == 0 {
		parts = append(parts, "it used no MCP tool")
	}
	if t := ans.text(); t != "" && len(ans.pendingConsent()) == 0 {
		parts = append(parts, "it answered: "+RedactText(truncateRunes(t, 160), nil))
	}
	return strings.Join(parts, ", ")
}

// truncateRunes cuts s to n runes, marking the cut.
func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// analyzeFoundryAgent applies the agent rules to the user token and the Responses API's status,
// and the foundry rules to its answer.
func analyzeFoundryAgent(h *hopRun, obs foundryAgentObs) []inspect.Finding {
	var fs []inspect.Finding
	if obs.Token != nil {
		fs = inspect.AnalyzeAgent(obs.AgentObservation, obs.exp)
	}
	return append(fs, inspect.AnalyzeFoundryAgent(obs.answer.observation(h.cfg.MCP.Tool))...)
}

// aboutFoundryAgent says what the Foundry agent hop does, for the step-by-step view.
func aboutFoundryAgent(Config) string {
	return "The client calls the Foundry agent through its project's Responses API with the user's token for https://ai.azure.com; Foundry runs the agent, which calls its MCP tool with the token its tool connection obtains (agent identity, managed identity, OAuth identity passthrough or a key)."
}
