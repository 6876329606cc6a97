package flows_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/oboscope/oboscope/flows"
)

const (
	testMCP      = "0b05c0de-3c90-4000-8000-000000000004"
	testIdentity = "0b05c0de-a1d0-4000-8000-0000000000f6"
)

// fakeFoundry is a Responses API written for the test: each request gets the next answer, and
// every request body is kept.
type fakeFoundry struct {
	mu      sync.Mutex
	answers []string // output arrays, as JSON
	status  int
	bodies  []map[string]any
	auth    []string
}

func (f *fakeFoundry) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.URL.Path != "/api/projects/contoso/openai/v1/responses" || r.Method != http.MethodPost {
		http.NotFound(w, r)
		return
	}
	var body map[string]any
	b, _ := io.ReadAll(r.Body)
	_ = json.Unmarshal(b, &body)
	f.bodies = append(f.bodies, body)
	f.auth = append(f.auth, r.Header.Get("Authorization"))
	w.Header().Set("Content-Type", "application/json")
	if f.status != 0 {
		w.WriteHeader(f.status)
		w.Write([]byte(`{"error":{"code":"401","message":"Unauthorized. Access token is missing, invalid, audience is incorrect (https://ai.azure.com), or have expired."}}`))
		return
	}
	out := "[]"
	if n := len(f.bodies) - 1; n < len(f.answers) {
		out = f.answers[n]
	}
	w.Write([]byte(`{"id":"resp_` + string(rune('a'+len(f.bodies))) + `","object":"response","status":"completed","output":` + out + `}`))
}

// foundryWalk walks a Foundry agent served by f with a user token for https://ai.azure.com.
func foundryWalk(t *testing.T, f *fakeFoundry, opts flows.WalkOptions, tweak func(*flows.Config)) flows.Report {
	t.Helper()
	srv := quietTLSServer(f)
	t.Cleanup(srv.Close)
	cfg := tokenConfig(t, "https://login.microsoftonline.com", "", certPEM(srv))
	cfg.Signin.TokenFile = writeFile(t, t.TempDir(), "t.jwt", fakeJWT(t, map[string]any{"aud": "https://ai.azure.com", "scp": "user_impersonation", "ver": "1.0"}))
	cfg.Agent = flows.AgentConfig{Kind: "foundry", ProjectEndpoint: srv.URL + "/api/projects/contoso", AgentName: "contoso-agent", RequiredScopes: []string{"user_impersonation"}}
	cfg.MCP = flows.MCPConfig{ClientID: testMCP, Tool: "whoami"}
	cfg.OBO = flows.OBOConfig{Mode: "none", AgentIdentityID: testIdentity}
	if tweak != nil {
		tweak(&cfg)
	}
	w := flows.NewWalk(cfg, opts)
	defer w.Close()
	collect(w.Run(context.Background()))
	return w.Report()
}

// placedSorted returns "hop:id" of every finding of a report, sorted.
func placedSorted(r flows.Report) []string {
	out := placed(r)
	slices.Sort(out)
	return out
}

// whoamiOutput is an mcp_call output reporting the token the server received.
func whoamiOutput(t *testing.T, claims map[string]any) string {
	parts := strings.Split(fakeJWT(t, claims), ".")
	out, _ := json.Marshal(map[string]any{"aud": claims["aud"], "token": parts[0] + "." + parts[1] + "."})
	s, _ := json.Marshal(string(out))
	return string(s)
}

func TestFoundryAgentHop(t *testing.T) {
	agentToken := map[string]any{"aud": testMCP, "azp": testIdentity, "idtyp": "app", "scp": nil, "roles": []string{"tools.call"},
		"xms_par_app_azp": "0b05c0de-b1e9-4000-8000-0000000000f5", "xms_act_fct": "3 9 11"}
	listOK := `{"type":"mcp_list_tools","id":"mcpl_1","server_label":"contoso-mcp","tools":[{"name":"whoami","input_schema":{}}],"error":null}`
	call := func(out string) string {
		return `{"type":"mcp_call","id":"mcp_1","server_label":"contoso-mcp","name":"whoami","arguments":"{}","output":` + out + `,"error":null,"status":"completed"}`
	}
	msg := `{"type":"message","role":"assistant","content":[{"type":"output_text","text":"done"}]}`
	tests := []struct {
		name    string
		answers []string
		tweak   func(*flows.Config)
		want    []string
	}{
		{"agent identity", []string{"[" + listOK + "," + call(whoamiOutput(t, agentToken)) + "," + msg + "]"}, nil, nil},
		{"agent identity where the user is needed", []string{"[" + listOK + "," + call(whoamiOutput(t, agentToken)) + "]"},
			func(c *flows.Config) { c.MCP.NeedsUser = true }, []string{"mcp:foundry.agent-identity-not-user"}},
		{"another agent identity", []string{"[" + listOK + "," + call(whoamiOutput(t, with(agentToken, "azp", "0b05c0de-a1d0-4000-8000-0000000000f7"))) + "]"},
			nil, []string{"obo:agentid.wrong-agent-identity"}},
		{"listing refused", []string{`[{"type":"mcp_list_tools","id":"mcpl_1","server_label":"contoso-mcp","tools":[],"error":"Error retrieving tool list from MCP server: 'contoso-mcp'. Http status code: 401 (Unauthorized). Details: invalid token: the token expired at 2026-01-01T00:00:00Z"}]`},
			nil, []string{"mcp:foundry.tool-call-failed", "mcp:token.expired"}},
		{"approval of the configured tool", []string{`[` + listOK + `,{"type":"mcp_approval_request","id":"mcpr_1","server_label":"contoso-mcp","name":"whoami","arguments":"{}"}]`,
			"[" + call(whoamiOutput(t, agentToken)) + "]"}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeFoundry{answers: tt.answers}
			rep := foundryWalk(t, f, flows.WalkOptions{}, tt.tweak)
			if got := placedSorted(rep); !slices.Equal(got, tt.want) {
				t.Fatalf("findings %v, want %v (stories: %q / %q / %q)", got, tt.want, rep.Hops[1].Story, rep.Hops[2].Story, rep.Hops[3].Story)
			}
			b := f.bodies[0]
			ref, _ := b["agent_reference"].(map[string]any)
			if ref["name"] != "contoso-agent" || ref["type"] != "agent_reference" || !strings.Contains(b["input"].(string), "whoami") {
				t.Errorf("request body %v", b)
			}
			if !strings.HasPrefix(f.auth[0], "Bearer eyJ") {
				t.Errorf("the user's token was not sent: %q", f.auth[0])
			}
			if len(tt.answers) == 2 {
				in, _ := f.bodies[1]["input"].([]any)
				if f.bodies[1]["previous_response_id"] != "resp_b" || len(in) != 1 || in[0].(map[string]any)["approval_request_id"] != "mcpr_1" {
					t.Errorf("approval request %v", f.bodies[1])
				}
			}
		})
	}
}

func TestFoundryConsent(t *testing.T) {
	consent := `[{"type":"oauth_consent_request","id":"oauthreq_1","created_by":{},"server_label":"contoso-mcp","consent_link":"https://consent.example/login?data=x"}]`
	userToken := map[string]any{"aud": testMCP, "scp": "tools.call"}
	after := `[{"type":"mcp_call","id":"mcp_1","server_label":"contoso-mcp","name":"whoami","arguments":"{}","output":` + whoamiOutput(t, userToken) + `,"error":null}]`

	// Without anyone to consent, the consent stays pending and the later hops say why.
	var seen []flows.ConsentRequest
	rep := foundryWalk(t, &fakeFoundry{answers: []string{consent}}, flows.WalkOptions{}, nil)
	if got := placedSorted(rep); !slices.Equal(got, []string{"agent:foundry.consent-pending"}) {
		t.Fatalf("findings %v", got)
	}
	if rep.Hops[2].Status != flows.StatusSkipped || !strings.Contains(rep.Hops[2].Story, "consent") {
		t.Errorf("obo hop: %s %q", rep.Hops[2].Status, rep.Hops[2].Story)
	}

	// When the person consents, the hop asks again and the consent is no longer pending.
	f := &fakeFoundry{answers: []string{consent, after}}
	rep = foundryWalk(t, f, flows.WalkOptions{AwaitConsent: func(_ context.Context, c flows.ConsentRequest) error {
		seen = append(seen, c)
		return nil
	}}, nil)
	if got := placedSorted(rep); len(got) != 0 {
		t.Fatalf("findings after consent %v", got)
	}
	if len(seen) != 1 || seen[0].Link != "https://consent.example/login?data=x" || seen[0].ServerLabel != "contoso-mcp" {
		t.Errorf("consent requests %+v", seen)
	}
	if len(f.bodies) != 2 || f.bodies[1]["previous_response_id"] != "resp_b" {
		t.Errorf("second request %v", f.bodies)
	}
	if !strings.Contains(rep.Hops[2].Story, "OAuth identity passthrough") {
		t.Errorf("obo story %q", rep.Hops[2].Story)
	}
}

func TestFoundryRefusesUserToken(t *testing.T) {
	rep := foundryWalk(t, &fakeFoundry{status: 401}, flows.WalkOptions{}, nil)
	if rep.Hops[1].Status != flows.StatusFailed || !strings.Contains(rep.Hops[1].Story, "refused") {
		t.Fatalf("agent hop %s %q", rep.Hops[1].Status, rep.Hops[1].Story)
	}
	if got := placedSorted(rep); !slices.Contains(got, "agent:agent.no-challenge") && !slices.Contains(got, "agent:agent.rejected") {
		t.Errorf("findings %v", got)
	}
}

// with copies claims with more set.
func with(claims map[string]any, kv ...any) map[string]any {
	out := map[string]any{}
	for k, v := range claims {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}
