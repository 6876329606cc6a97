package flows

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/oboscope/oboscope/inspect"
)

// This file is the part of Azure AI Foundry's Responses API the agent hop speaks (2026): a POST to
// {project_endpoint}/openai/v1/responses with the user's token for https://ai.azure.com and a
// body naming the agent by an agent_reference; the answer's output items tell what Foundry did
// with the agent's MCP tool — mcp_list_tools, mcp_approval_request, mcp_call (each with its
// error), oauth_consent_request (with its consent_link) — and the message the agent wrote.

// responsesRequest is the body of a Responses API request to a Foundry agent.
type responsesRequest struct {
	Input              any            `json:"input"`
	AgentReference     agentReference `json:"agent_reference"`
	PreviousResponseID string         `json:"previous_response_id,omitempty"`
	// ToolChoice "required" asks the agent to use a tool, as Microsoft's sample does when it
	// sends the request again after consent.
	ToolChoice string `json:"tool_choice,omitempty"`
}

// agentReference names a Foundry agent: {"name": …, "type": "agent_reference"}.
type agentReference struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// approvalResponse approves one mcp_approval_request (an input item of the next request).
type approvalResponse struct {
	Type              string `json:"type"` // mcp_approval_response
	ApprovalRequestID string `json:"approval_request_id"`
	Approve           bool   `json:"approve"`
}

// responsesAnswer is the part of a Responses API answer the hop reads.
type responsesAnswer struct {
	ID     string            `json:"id"`
	Status string            `json:"status"` // completed | failed | incomplete | in_progress
	Error  json.RawMessage   `json:"error"`
	Output []json.RawMessage `json:"output"`
}

// outputItem is one output item, every kind the hop reads in one shape (fields a kind lacks stay
// empty).
type outputItem struct {
	Type        string          `json:"type"`
	ID          string          `json:"id"`
	ServerLabel string          `json:"server_label"`
	Name        string          `json:"name"`      // mcp_call, mcp_approval_request: the tool
	Arguments   json.RawMessage `json:"arguments"` // a JSON string of the arguments
	Output      json.RawMessage `json:"output"`    // mcp_call: the tool's output (a string)
	Error       json.RawMessage `json:"error"`     // a string, an object {code, message, type}, or null
	Status      string          `json:"status"`
	Tools       []struct {
		Name string `json:"name"`
	} `json:"tools"` // mcp_list_tools
	ConsentLink string `json:"consent_link"` // oauth_consent_request
	Content     []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	} `json:"content"` // message
}

// errorText reads an error that is a string, an object with a message (and a code), or null.
func errorText(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var o struct {
		Code    any    `json:"code"`
		Message string `json:"message"`
		Type    string `json:"type"`
	}
	if json.Unmarshal(raw, &o) == nil && (o.Message != "" || o.Code != nil) {
		code := ""
		if o.Code != nil {
			code = fmt.Sprint(o.Code)
		}
		switch {
		case code != "" && o.Message != "":
			return code + ": " + o.Message
		case o.Message != "":
			return o.Message
		}
		return code
	}
	return string(raw)
}

// stringValue reads a JSON string, or keeps any other JSON as its text.
func stringValue(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(bytes.TrimSpace(raw))
}

// foundryRound is one request of the agent hop to the Responses API and what it answered.
type foundryRound struct {
	status int // HTTP status; 0 when no answer arrived
	answer responsesAnswer
	items  []outputItem
	err    string // the answer's error: its error field, or the error body of a non-2xx answer
}

// foundryAnswer is everything the agent hop learnt from the Responses API, across its requests
// (the first, an approval, the one after consent): what the later hops read.
type foundryAnswer struct {
	agent  string
	rounds []foundryRound
}

// last is the last request's round.
func (a *foundryAnswer) last() foundryRound {
	if a == nil || len(a.rounds) == 0 {
		return foundryRound{}
	}
	return a.rounds[len(a.rounds)-1]
}

// items are the output items of every round, in order.
func (a *foundryAnswer) items() []outputItem {
	if a == nil {
		return nil
	}
	var out []outputItem
	for _, r := range a.rounds {
		out = append(out, r.items...)
	}
	return out
}

// of returns the items of one type from every round.
func (a *foundryAnswer) of(typ string) []outputItem {
	var out []outputItem
	for _, it := range a.items() {
		if it.Type == typ {
			out = append(out, it)
		}
	}
	return out
}

// pendingConsent returns the oauth_consent_request items of the last answer.
func (a *foundryAnswer) pendingConsent() []outputItem {
	var out []outputItem
	for _, it := range a.last().items {
		if it.Type == "oauth_consent_request" && it.ConsentLink != "" {
			out = append(out, it)
		}
	}
	return out
}

// text is what the agent wrote (its message items), one line.
func (a *foundryAnswer) text() string {
	var parts []string
	for _, it := range a.of("message") {
		for _, c := range it.Content {
			if c.Text != "" {
				parts = append(parts, c.Text)
			}
		}
	}
	return oneLine(strings.Join(parts, " "))
}

// parseRound reads one answer of the Responses API.
func parseRound(status int, body []byte) foundryRound {
	r := foundryRound{status: status}
	if err := json.Unmarshal(body, &r.answer); err != nil {
		if status < 200 || status >= 300 {
			r.err = oneLine(shortBody(string(body)))
		}
		return r
	}
	r.err = errorText(r.answer.Error)
	for _, raw := range r.answer.Output {
		var it outputItem
		if json.Unmarshal(raw, &it) == nil && it.Type != "" {
			r.items = append(r.items, it)
		}
	}
	if r.err == "" && (status < 200 || status >= 300) {
		r.err = oneLine(shortBody(string(body)))
	}
	return r
}

// reportedToken is the token the MCP server reports receiving from Foundry: the `token` (header
// and payload, signature removed) of a JSON object a tool call put out — the sandbox's whoami
// does, as any server may. The configured tool's call is preferred.
func (a *foundryAnswer) reportedToken(tool string) *inspect.Token {
	var found *inspect.Token
	for _, it := range a.of("mcp_call") {
		if errorText(it.Error) != "" {
			continue
		}
		var out struct {
			Token string `json:"token"`
		}
		if json.Unmarshal([]byte(stringValue(it.Output)), &out) != nil || out.Token == "" {
			continue
		}
		tok, err := inspect.DecodeUnverified(StripSignature(out.Token))
		if err != nil || tok.Format != inspect.FormatJWS {
			continue
		}
		if it.Name == tool {
			return tok
		}
		if found == nil {
			found = tok
		}
	}
	return found
}

// reportedKey reports whether the MCP server says Foundry called it with a key (its whoami's
// "auth": "key"): a key-based connection, no Entra token.
func (a *foundryAnswer) reportedKey() bool {
	for _, it := range a.of("mcp_call") {
		var out struct {
			Auth string `json:"auth"`
		}
		if errorText(it.Error) == "" && json.Unmarshal([]byte(stringValue(it.Output)), &out) == nil && out.Auth == "key" {
			return true
		}
	}
	return false
}

// observation is the Responses API's answer as inspect's foundry rules read it.
func (a *foundryAnswer) observation(tool string) inspect.FoundryObservation {
	var obs inspect.FoundryObservation
	if a == nil {
		return obs
	}
	for _, it := range a.pendingConsent() {
		obs.ConsentLinks = append(obs.ConsentLinks, it.ConsentLink)
		obs.ConsentLabel = it.ServerLabel
	}
	for _, it := range a.items() {
		switch it.Type {
		case "mcp_list_tools":
			obs.Calls = append(obs.Calls, inspect.FoundryToolCall{Item: it.Type, ServerLabel: it.ServerLabel, Error: errorText(it.Error)})
		case "mcp_call":
			obs.Calls = append(obs.Calls, inspect.FoundryToolCall{Item: it.Type, ServerLabel: it.ServerLabel, Tool: it.Name, Error: errorText(it.Error)})
		}
	}
	obs.Error = a.last().err
	obs.Token = a.reportedToken(tool)
	return obs
}
