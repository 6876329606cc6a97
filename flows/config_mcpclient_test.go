package flows_test

import (
	"strings"
	"testing"

	"github.com/oboscope/oboscope/flows"
)

const mcpClientYAML = `chain: mcp-client
tenant_id: 0b05c0de-7e4a-4000-8000-000000000001
authority_host: https://login.microsoftonline.com
mcp:
  url: https://mcp.contoso.example/mcp
  client_id: 0b05c0de-3c90-4000-8000-000000000004
  client:
    client_id: aebc6443-996d-45c2-90f0-388ff96faa56
    redirect_uri: http://127.0.0.1:33418/
    send_resource: false
`

// TestMCPClientConfig: a config of chain mcp-client needs no signin, agent or obo section; its
// mcp.client keys are checked by name, and the chain picks the profile's hops.
func TestMCPClientConfig(t *testing.T) {
	cfg, err := flows.ParseConfig([]byte(mcpClientYAML), ".yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("valid mcp-client config refused: %v", err)
	}
	if c := cfg.MCP.Client; c == nil || c.SendResource == nil || *c.SendResource || c.RefreshScope != nil || c.RedirectURI != "http://127.0.0.1:33418/" {
		t.Fatalf("mcp.client %+v", c)
	}
	var ids []string
	for _, h := range flows.HopsFor(cfg) {
		ids = append(ids, string(h.ID))
	}
	if strings.Join(ids, " ") != "probe metadata registration signin mcp refresh downstream" {
		t.Errorf("hops %v", ids)
	}
	for _, tt := range []struct {
		name, edit, key, problem string
	}{
		{"unknown chain", "chain: mcp-clients", "chain", `"mcp-clients" is not one of agent-obo, mcp-client`},
		{"no MCP server", "mcp:\n  url: https://mcp.contoso.example/mcp\n", "mcp.url", ""},
		{"a redirect URI oboscope cannot listen on", "redirect_uri: https://vscode.dev/redirect", "mcp.client.redirect_uri", "must be a loopback http URL with a port"},
		{"a redirect URI without a port", "redirect_uri: http://localhost/callback", "mcp.client.redirect_uri", "with a port"},
		{"a client id that is no GUID", "client_id: vscode", "mcp.client.client_id", "neither a GUID nor an https URL"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			doc := mcpClientYAML
			switch {
			case strings.HasPrefix(tt.edit, "chain:"):
				doc = strings.Replace(doc, "chain: mcp-client", tt.edit, 1)
			case strings.HasPrefix(tt.edit, "redirect_uri:"):
				doc = strings.Replace(doc, "redirect_uri: http://127.0.0.1:33418/", tt.edit, 1)
			case strings.HasPrefix(tt.edit, "client_id:"):
				doc = strings.Replace(doc, "client_id: aebc6443-996d-45c2-90f0-388ff96faa56", tt.edit, 1)
			default:
				doc = doc[:strings.Index(doc, "mcp:")] + "mcp:\n  client_id: 0b05c0de-3c90-4000-8000-000000000004\n"
			}
			c, err := flows.ParseConfig([]byte(doc), ".yaml")
			if err == nil {
				err = c.Validate()
			}
			if err == nil || !strings.Contains(err.Error(), tt.key) || !strings.Contains(err.Error(), tt.problem) {
				t.Fatalf("error %v, want %s: %s", err, tt.key, tt.problem)
			}
		})
	}
	if _, err := flows.ParseConfig([]byte(strings.Replace(mcpClientYAML, "send_resource", "sendresource", 1)), ".yaml"); err == nil || !strings.Contains(err.Error(), "did you mean mcp.client.send_resource?") {
		t.Errorf("unknown key: %v", err)
	}
}
