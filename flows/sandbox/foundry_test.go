package sandbox

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// foundryItem is an output item as a client reads it.
type foundryItem struct {
	Type        string `json:"type"`
	ID          string `json:"id"`
	ServerLabel string `json:"server_label"`
	Name        string `json:"name"`
	Output      any    `json:"output"`
	Error       any    `json:"error"`
	ConsentLink string `json:"consent_link"`
	Tools       []struct {
		Name string `json:"name"`
	} `json:"tools"`
}

// foundryResult is a Responses API answer as a client reads it.
type foundryResult struct {
	status int
	ID     string         `json:"id"`
	Status string         `json:"status"`
	Error  map[string]any `json:"error"`
	Output []foundryItem  `json:"output"`
}

func (r foundryResult) item(typ string) (foundryItem, bool) {
	for _, it := range r.Output {
		if it.Type == typ {
			return it, true
		}
	}
	return foundryItem{}, false
}

// foundryUser signs alice in for https://ai.azure.com with the real MSAL Go.
func foundryUser(t *testing.T, s *Sandbox) string {
	t.Helper()
	res, err := deviceCodeSignIn(testCtx(t), publicClient(t, s), []string{FoundryAppIDURI + "/.default"})
	if err != nil {
		t.Fatalf("sign-in for ai.azure.com: %v", err)
	}
	if c := claimsOf(res.AccessToken); c["aud"] != FoundryAppIDURI || c["scp"] != "user_impersonation" || c["ver"] != "1.0" {
		t.Fatalf("user token %v", c)
	}
	return res.AccessToken
}

// respond sends one Responses API request.
func respond(t *testing.T, s *Sandbox, token string, body map[string]any) foundryResult {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequestWithContext(testCtx(t), http.MethodPost, s.ProjectEndpoint()+"/openai/v1/responses", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := s.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := foundryResult{status: resp.StatusCode}
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("answer is not JSON: %s", raw)
	}
	return r
}

func ask(agent string) map[string]any {
	return map[string]any{"input": "call whoami", "agent_reference": map[string]any{"name": agent, "type": "agent_reference"}}
}

// reported decodes the token whoami reports in an mcp_call's output.
func reported(t *testing.T, it foundryItem) map[string]any {
	t.Helper()
	var out struct {
		Token string `json:"token"`
	}
	s, _ := it.Output.(string)
	if err := json.Unmarshal([]byte(s), &out); err != nil || out.Token == "" {
		t.Fatalf("mcp_call output %q reports no token", s)
	}
	return claimsOf(out.Token + "c2ln")
}

func TestFoundryAuthModes(t *testing.T) {
	s := startSandbox(t, "healthy")
	user := foundryUser(t, s)

	// Agent identity: the blueprint's two legs give the published agent's own app-only token.
	r := respond(t, s, user, ask("contoso-agent"))
	list, _ := r.item("mcp_list_tools")
	call, ok := r.item("mcp_call")
	if r.status != 200 || r.Status != "completed" || !ok || call.Error != nil || len(list.Tools) == 0 || list.ServerLabel != FoundryServerLabel {
		t.Fatalf("agent identity: %+v", r)
	}
	if c := reported(t, call); c["azp"] != FoundryAgentIdentityID || c["xms_par_app_azp"] != FoundryBlueprintAppID || c["idtyp"] != "app" || c["aud"] != MCPAppID {
		t.Errorf("agent identity token %v", c)
	}

	// Project managed identity: app-only, with xms_mirid.
	r = respond(t, s, user, ask("contoso-agent-mi"))
	call, _ = r.item("mcp_call")
	if c := reported(t, call); c["xms_mirid"] == nil || c["azp"] != FoundryManagedIdentityID || c["xms_par_app_azp"] != nil {
		t.Errorf("managed identity token %v", c)
	}

	// Key-based, approval required: the call waits for an mcp_approval_response.
	r = respond(t, s, user, ask("contoso-agent-key"))
	appr, ok := r.item("mcp_approval_request")
	if !ok || appr.Name != "whoami" {
		t.Fatalf("key agent did not ask approval: %+v", r)
	}
	body := map[string]any{"previous_response_id": r.ID, "agent_reference": map[string]any{"name": "contoso-agent-key", "type": "agent_reference"},
		"input": []any{map[string]any{"type": "mcp_approval_response", "approval_request_id": appr.ID, "approve": true}}}
	r = respond(t, s, user, body)
	call, ok = r.item("mcp_call")
	out, _ := call.Output.(string)
	if !ok || call.Error != nil || !strings.Contains(out, `"auth":"key"`) {
		t.Errorf("key-based call: %+v", r)
	}

	// OAuth identity passthrough: consent first, then the user's own token for the MCP server.
	r = respond(t, s, user, ask("contoso-agent-passthrough"))
	consent, ok := r.item("oauth_consent_request")
	if !ok || !strings.HasPrefix(consent.ConsentLink, s.BaseURL()+"/foundry/consent?id=oauthreq_") || len(r.Output) != 1 {
		t.Fatalf("passthrough: %+v", r)
	}
	page, _ := s.HTTPClient().Get(consent.ConsentLink)
	if page.StatusCode != 200 {
		t.Errorf("consent page %d", page.StatusCode)
	}
	page.Body.Close()
	u, _ := url.Parse(consent.ConsentLink)
	req, _ := http.NewRequest(http.MethodPost, s.BaseURL()+"/foundry/consent", strings.NewReader(url.Values{"id": {u.Query().Get("id")}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := s.HTTPClient().Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("consent POST: %v %v", err, resp)
	}
	resp.Body.Close()
	r = respond(t, s, user, map[string]any{"input": "call whoami", "previous_response_id": r.ID,
		"agent_reference": map[string]any{"name": "contoso-agent-passthrough", "type": "agent_reference"}})
	call, ok = r.item("mcp_call")
	if !ok || call.Error != nil {
		t.Fatalf("after consent: %+v", r)
	}
	if c := reported(t, call); c["idtyp"] != "user" || c["azp"] != FoundryConnectionAppID || c["scp"] != "tools.call" || c["preferred_username"] != AliceUPN {
		t.Errorf("passthrough token %v", c)
	}

	// The hosted agent's runtime has no user token: its OBO request fails at the authority.
	r = respond(t, s, user, ask("contoso-hosted"))
	if r.Status != "failed" || !strings.Contains(r.Error["message"].(string), "ARA OBO token request failed with status BadRequest") {
		t.Errorf("hosted: %+v", r)
	}
}

func TestFoundryRefusals(t *testing.T) {
	s := startSandbox(t, "healthy")
	user := foundryUser(t, s)
	for _, tt := range []struct {
		name   string
		token  string
		body   map[string]any
		status int
	}{
		{"no token", "", ask("contoso-agent"), 401},
		{"a token for the agent API", agentAPIToken(t, s), ask("contoso-agent"), 401},
		{"unknown agent", user, ask("nobody"), 404},
		{"no agent", user, map[string]any{"input": "hi"}, 400},
		{"streaming", user, map[string]any{"input": "hi", "stream": true, "agent_reference": map[string]any{"name": "contoso-agent"}}, 400},
		{"unknown previous response", user, map[string]any{"input": "hi", "previous_response_id": "resp_x", "agent_reference": map[string]any{"name": "contoso-agent"}}, 404},
	} {
		if r := respond(t, s, tt.token, tt.body); r.status != tt.status || r.Error == nil {
			t.Errorf("%s: %d %+v, want %d with an error", tt.name, r.status, r, tt.status)
		}
	}
}

// agentAPIToken is alice's token for the sample agent API (not for Foundry).
func agentAPIToken(t *testing.T, s *Sandbox) string {
	res, err := deviceCodeSignIn(testCtx(t), publicClient(t, s), []string{AgentAppIDURI + "/access_as_user"})
	if err != nil {
		t.Fatal(err)
	}
	return res.AccessToken
}

func TestFoundryScenarios(t *testing.T) {
	for _, tt := range []struct {
		scenario, agent string
		check           func(t *testing.T, r foundryResult)
	}{
		{"foundry-project-identity", "contoso-agent", func(t *testing.T, r foundryResult) {
			call, _ := r.item("mcp_call")
			if c := reported(t, call); c["azp"] != FoundryProjectIdentityID {
				t.Errorf("token %v", c)
			}
		}},
		{"foundry-passthrough-wrong-audience", "contoso-agent-passthrough", func(t *testing.T, r foundryResult) {
			l, _ := r.item("mcp_list_tools")
			if e, _ := l.Error.(string); !strings.Contains(e, "Http status code: 401 (Unauthorized)") || !strings.Contains(e, "audience") {
				t.Errorf("listing: %+v", r)
			}
		}},
		{"foundry-passthrough-expired", "contoso-agent-passthrough", func(t *testing.T, r foundryResult) {
			l, _ := r.item("mcp_list_tools")
			if e, _ := l.Error.(string); !strings.Contains(e, "401") || !strings.Contains(e, "expired") {
				t.Errorf("listing: %+v", r)
			}
		}},
	} {
		t.Run(tt.scenario, func(t *testing.T) {
			s := startSandbox(t, tt.scenario)
			tt.check(t, respond(t, s, foundryUser(t, s), ask(tt.agent)))
		})
	}
}
