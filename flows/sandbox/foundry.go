package sandbox

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// The sandbox's Foundry project: the subset of Azure AI Foundry Agent Service's Responses API
// (2026) that a client calling an agent meets — POST {project_endpoint}/openai/v1/responses with
// the user's token for https://ai.azure.com and {"input", "agent_reference": {"name", "type":
// "agent_reference"}, "previous_response_id"} — with prompt agents whose MCP tool authenticates in
// each of Foundry's ways, and a hosted agent. The agents call the sandbox's MCP server for real,
// with tokens obtained from the sandbox's authority as Foundry obtains them.

// foundryAgent is an agent of the sandbox's project.
type foundryAgent struct {
	Name   string
	Hosted bool   // a hosted agent (container code): it receives no user token
	Auth   string // the MCP tool's authentication: agent_identity | managed_identity | passthrough | key
	// Approval is require_approval "always": Foundry asks before it calls the tool.
	Approval bool
	Tool     string // the tool the agent's instructions call
}

// foundryAgents are the project's agents: one prompt agent per way its MCP tool authenticates
// (the key-based one asks approval before each call), and a hosted agent.
func foundryAgents() []foundryAgent {
	return []foundryAgent{
		{Name: "contoso-agent", Auth: "agent_identity", Tool: "whoami"},
		{Name: "contoso-agent-mi", Auth: "managed_identity", Tool: "whoami"},
		{Name: "contoso-agent-passthrough", Auth: "passthrough", Tool: "whoami"},
		{Name: "contoso-agent-key", Auth: "key", Approval: true, Tool: "whoami"},
		{Name: "contoso-hosted", Hosted: true, Auth: "agent_identity", Tool: "whoami"},
	}
}

func lookupFoundryAgent(name string) (foundryAgent, bool) {
	for _, a := range foundryAgents() {
		if a.Name == name {
			return a, true
		}
	}
	return foundryAgent{}, false
}

// foundryBehaviour is how the Foundry project behaves; scenarios change it.
type foundryBehaviour struct {
	// projectIdentity: the published contoso-agent authenticates with the project's shared agent
	// identity instead of its own.
	projectIdentity bool
	// connectionScope is the scope the passthrough connection requests ("" = the MCP server's).
	connectionScope string
	// consented: the user consented to the passthrough connection before the walk.
	consented bool
	// expired: the token Foundry stored for the user at consent is past its lifetime.
	expired bool
}

// foundryState is the project's memory: its responses (for previous_response_id and approvals),
// the consent requests it sent out and the tokens users consented to.
type foundryState struct {
	mu        sync.Mutex
	responses map[string]*foundryResponse
	pending   map[string]*consentRequest // by oauthreq id
	consents  map[string]string          // user oid → the token the connection obtained for them
	seeded    bool
}

// foundryResponse is a response the project answered.
type foundryResponse struct {
	agent     string
	user      string            // the caller's oid
	approvals map[string]string // approval request id → tool
}

// ProjectEndpoint is the Foundry project's endpoint (the agent hop appends /openai/v1/responses).
func (s *Sandbox) ProjectEndpoint() string { return s.base + "/api/projects/" + FoundryProject }

// foundryRoutes wires the project's endpoints.
func (s *Sandbox) foundryRoutes(mux *http.ServeMux) {
	mux.HandleFunc("/api/projects/{project}/openai/v1/responses", s.handleResponses)
	mux.HandleFunc("GET /foundry/consent", s.handleConsentPage)
	mux.HandleFunc("POST /foundry/consent", s.handleConsentPost)
}

// openAIError writes the Responses API's error shape.
func openAIError(w http.ResponseWriter, status int, typ, code, format string, args ...any) {
	writeJSON(w, status, map[string]any{"error": map[string]any{"message": fmt.Sprintf(format, args...), "type": typ, "code": code, "param": nil}})
}

// handleResponses is POST {project}/openai/v1/responses.
func (s *Sandbox) handleResponses(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		openAIError(w, http.StatusMethodNotAllowed, "invalid_request_error", "method_not_allowed", "POST a Responses API request")
		return
	}
	if p := r.PathValue("project"); p != FoundryProject {
		openAIError(w, http.StatusNotFound, "invalid_request_error", "not_found", "Project '%s' not found.", p)
		return
	}
	raw, ok := bearer(r)
	if !ok {
		s.foundryUnauthorized(w, "no bearer token")
		return
	}
	p, berr := s.validateBearer(raw, bearerCheck{audiences: []string{FoundryAppIDURI, FoundryAppID}, issuers: []string{s.issuerV1(), s.issuerV2()}})
	if berr != nil {
		s.foundryUnauthorized(w, berr.description)
		return
	}
	var in struct {
		Input          json.RawMessage `json:"input"`
		AgentReference *struct {
			Name string `json:"name"`
			Type string `json:"type"`
		} `json:"agent_reference"`
		Agent *struct {
			Name string `json:"name"`
		} `json:"agent"`
		PreviousResponseID string `json:"previous_response_id"`
		Stream             bool   `json:"stream"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&in); err != nil {
		openAIError(w, http.StatusBadRequest, "invalid_request_error", "invalid_json", "The request body is not valid JSON: %v", err)
		return
	}
	name := ""
	switch {
	case in.AgentReference != nil:
		name = in.AgentReference.Name
	case in.Agent != nil:
		name = in.Agent.Name
	}
	agent, ok := lookupFoundryAgent(name)
	switch {
	case name == "":
		openAIError(w, http.StatusBadRequest, "invalid_request_error", "missing_required_parameter", "Missing agent_reference: name the agent ({\"name\": …, \"type\": \"agent_reference\"}); the sandbox project has no model deployment to call without one.")
		return
	case !ok:
		openAIError(w, http.StatusNotFound, "invalid_request_error", "not_found", "Agent '%s' not found in project '%s'.", name, FoundryProject)
		return
	case in.Stream:
		openAIError(w, http.StatusBadRequest, "invalid_request_error", "unsupported_parameter", "The sandbox's Foundry project answers without streaming: send stream false.")
		return
	}
	var prev *foundryResponse
	if in.PreviousResponseID != "" {
		s.foundry.mu.Lock()
		prev = s.foundry.responses[in.PreviousResponseID]
		s.foundry.mu.Unlock()
		if prev == nil {
			openAIError(w, http.StatusNotFound, "invalid_request_error", "not_found", "Response with id '%s' not found.", in.PreviousResponseID)
			return
		}
	}
	ctx, cancel := context.WithTimeout(r.Context(), 25*time.Second)
	defer cancel()
	id := "resp_" + strings.ToLower(randomID(24))
	run := &foundryRun{s: s, agent: agent, id: id, caller: p, callerRaw: raw, approvals: map[string]string{}}
	run.execute(ctx, in.Input, prev)
	s.foundry.mu.Lock()
	if s.foundry.responses == nil {
		s.foundry.responses = map[string]*foundryResponse{}
	}
	if len(s.foundry.responses) > 4096 {
		clear(s.foundry.responses)
	}
	s.foundry.responses[id] = &foundryResponse{agent: agent.Name, user: p.str("oid"), approvals: run.approvals}
	s.foundry.mu.Unlock()
	s.logf("foundry: %s answered %s (%s)", agent.Name, run.status, run.summary())
	writeJSON(w, http.StatusOK, run.response(in.PreviousResponseID))
}

// foundryUnauthorized is the project's answer to a missing or invalid token.
func (s *Sandbox) foundryUnauthorized(w http.ResponseWriter, why string) {
	w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer authorization_uri="%s/oauth2/v2.0/authorize", error="invalid_token", error_description="%s"`,
		s.AuthorityURL(), strings.ReplaceAll(why, `"`, `'`)))
	writeJSON(w, http.StatusUnauthorized, map[string]any{"error": map[string]any{"code": "PermissionDenied",
		"message": "Unauthorized. Access token is missing, invalid, audience is incorrect (https://ai.azure.com), or have expired: " + why}})
}

// foundryRun is one response being produced.
type foundryRun struct {
	s         *Sandbox
	agent     foundryAgent
	id        string
	caller    *parsedToken
	callerRaw string
	items     []map[string]any
	status    string // completed | failed
	err       map[string]any
	approvals map[string]string
}

// add appends an output item, naming the agent and the response that created it.
func (r *foundryRun) add(item map[string]any) {
	item["created_by"] = map[string]any{"agent": r.agentRef(), "response_id": r.id}
	r.items = append(r.items, item)
}

func (r *foundryRun) agentRef() map[string]any {
	return map[string]any{"type": "agent_reference", "name": r.agent.Name, "version": "1"}
}

// message adds the agent's text answer.
func (r *foundryRun) message(text string) {
	r.add(map[string]any{"type": "message", "id": "msg_" + strings.ToLower(randomID(20)), "role": "assistant", "status": "completed",
		"content": []any{map[string]any{"type": "output_text", "text": text, "annotations": []any{}}}})
}

// fail ends the response as failed with an error.
func (r *foundryRun) fail(code, msg string) {
	r.status = "failed"
	r.err = map[string]any{"code": code, "message": msg}
}

// response is the Responses API's answer.
func (r *foundryRun) response(previous string) map[string]any {
	var prev any
	if previous != "" {
		prev = previous
	}
	var e any
	if r.err != nil {
		e = r.err
	}
	return map[string]any{"id": r.id, "object": "response", "created_at": r.s.now().Unix(), "status": r.status, "error": e,
		"incomplete_details": nil, "agent_reference": r.agentRef(), "previous_response_id": prev, "output": r.items}
}

// summary names the output items for the request log (types only: never their content).
func (r *foundryRun) summary() string {
	var types []string
	for _, it := range r.items {
		types = append(types, fmt.Sprint(it["type"]))
	}
	return strings.Join(types, ", ")
}

// execute runs the agent: a hosted agent's code, or a prompt agent whose instructions call its
// tool — after the approval asked before, when the input approves it.
func (r *foundryRun) execute(ctx context.Context, input json.RawMessage, prev *foundryResponse) {
	r.status = "completed"
	if r.agent.Hosted {
		r.hosted(ctx)
		return
	}
	approved := approvedCalls(input, prev)
	tok, ok := r.toolToken(ctx)
	if !ok {
		return
	}
	if len(approved) == 0 {
		if !r.listTools(ctx, tok) {
			return
		}
		if r.agent.Approval {
			aid := "mcpr_" + strings.ToLower(randomID(24))
			r.approvals[aid] = r.agent.Tool
			r.add(map[string]any{"type": "mcp_approval_request", "id": aid, "server_label": FoundryServerLabel, "name": r.agent.Tool, "arguments": "{}"})
			return
		}
		approved = []string{r.agent.Tool}
	}
	for _, tool := range approved {
		r.callTool(ctx, tok, tool)
	}
}

// approvedCalls are the tools the input approves (mcp_approval_response items naming an approval
// request of the previous response).
func approvedCalls(input json.RawMessage, prev *foundryResponse) []string {
	if prev == nil {
		return nil
	}
	var items []struct {
		Type              string `json:"type"`
		ApprovalRequestID string `json:"approval_request_id"`
		Approve           bool   `json:"approve"`
	}
	if json.Unmarshal(input, &items) != nil {
		return nil
	}
	var out []string
	for _, it := range items {
		if tool, ok := prev.approvals[it.ApprovalRequestID]; ok && it.Type == "mcp_approval_response" && it.Approve {
			out = append(out, tool)
		}
	}
	return out
}
