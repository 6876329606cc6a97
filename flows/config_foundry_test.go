package flows_test

import (
	"strings"
	"testing"

	"github.com/oboscope/oboscope/flows"
)

const foundryYAML = `tenant_id: 0b05c0de-7e4a-4000-8000-000000000001
authority_host: https://127.0.0.1:8443
signin:
  client_id: 0b05c0de-c11e-4000-8000-000000000002
  scopes: [https://ai.azure.com/.default]
agent:
  kind: foundry
  project_endpoint: https://contoso.services.ai.azure.com/api/projects/contoso
  agent_name: contoso-agent
obo:
  mode: none
mcp:
  url: https://127.0.0.1:8443/mcp
  client_id: 0b05c0de-3c90-4000-8000-000000000004
  tool: whoami
  needs_user: true
`

func TestLoadConfigFoundry(t *testing.T) {
	p := writeFile(t, t.TempDir(), "oboscope.yaml", foundryYAML)
	cfg, err := flows.LoadConfig(p, envOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.AgentKind() != flows.AgentKindFoundry || cfg.Agent.AgentName != "contoso-agent" || !cfg.MCP.NeedsUser {
		t.Errorf("foundry keys not read: %+v %+v", cfg.Agent, cfg.MCP)
	}
	if got := cfg.ResponsesURL(); got != "https://contoso.services.ai.azure.com/api/projects/contoso/openai/v1/responses" {
		t.Errorf("Responses API URL %q", got)
	}
}

func TestLoadConfigFoundryErrors(t *testing.T) {
	tests := []struct {
		name, from, to string
		want           []string
	}{
		{"no project endpoint", "  project_endpoint: https://contoso.services.ai.azure.com/api/projects/contoso\n", "",
			[]string{"agent.project_endpoint: required for kind foundry"}},
		{"no agent name", "  agent_name: contoso-agent\n", "", []string{"agent.agent_name: required for kind foundry"}},
		{"responses path given", "api/projects/contoso\n", "api/projects/contoso/openai/v1/responses\n",
			[]string{"agent.project_endpoint", "the project endpoint itself"}},
		{"http project endpoint", "https://contoso.services", "http://contoso.services", []string{"agent.project_endpoint", "clear text"}},
		{"agent name with a slash", "agent_name: contoso-agent", "agent_name: a/b", []string{"agent.agent_name", "not an agent name"}},
		{"foundry keys on a generic agent", "kind: foundry", "kind: generic\n  url: https://agent.example/chat\n  client_id: 0b05c0de-a9e1-4000-8000-000000000003",
			[]string{"agent.kind: agent.project_endpoint and agent.agent_name need kind foundry"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			y := strings.Replace(foundryYAML, tt.from, tt.to, 1)
			if y == foundryYAML {
				t.Fatalf("the test's replacement %q matched nothing", tt.from)
			}
			_, err := flows.LoadConfig(writeFile(t, t.TempDir(), "c.yaml", y), envOf(nil))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}
