package flows_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oboscope/oboscope/flows"
)

const goodYAML = `tenant_id: 0b05c0de-7e4a-4000-8000-000000000001
authority_host: https://127.0.0.1:8443
ca_file: ca.pem
signin:
  client_id: 0b05c0de-c11e-4000-8000-000000000002
  scopes: [api://contoso-agent/access_as_user]
agent:
  url: https://127.0.0.1:8443/agent/api/chat
  client_id: 0b05c0de-a9e1-4000-8000-000000000003
  app_id_uri: api://contoso-agent
  required_scopes: [access_as_user]
obo:
  mode: secret
  client_id: 0b05c0de-a9e1-4000-8000-000000000003
  client_secret_env: OBOSCOPE_TEST_SECRET
  scopes: [api://contoso-mcp/tools.call]
mcp:
  url: https://127.0.0.1:8443/mcp
  client_id: 0b05c0de-3c90-4000-8000-000000000004
  tool: whoami
`

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoadConfigYAML(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "ca.pem", "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n")
	p := writeFile(t, dir, "oboscope.yaml", goodYAML)
	cfg, err := flows.LoadConfig(p, envOf(map[string]string{"OBOSCOPE_TEST_SECRET": "s3cret-value"}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.CAFile != filepath.Join(dir, "ca.pem") {
		t.Errorf("ca_file not resolved against the file's folder: %q", cfg.CAFile)
	}
	if cfg.OBOMode() != "secret" || cfg.FlowName() != "device_code" || cfg.AgentKind() != "generic" {
		t.Errorf("defaults: %q %q %q", cfg.OBOMode(), cfg.FlowName(), cfg.AgentKind())
	}
	if !cfg.IsSandboxAuthority() || cfg.Authority() != "https://127.0.0.1:8443/0b05c0de-7e4a-4000-8000-000000000001" {
		t.Errorf("authority %q", cfg.Authority())
	}
}

func TestLoadConfigErrors(t *testing.T) {
	tests := []struct {
		name, file, content string
		env                 map[string]string
		want                []string // substrings of the error
	}{
		{"unknown key yaml", "c.yaml", strings.Replace(goodYAML, "  tool: whoami", "  tool: whoami\n  tols: x", 1), map[string]string{"OBOSCOPE_TEST_SECRET": "x"},
			[]string{"mcp.tols", "line 21", "unknown key"}},
		{"unknown top key yaml", "c.yaml", "tenant: x\n" + goodYAML, nil, []string{"tenant", "line 1", "unknown key"}},
		{"unknown key json", "c.json", `{"tenant_id":"0b05c0de-7e4a-4000-8000-000000000001","signin":{"client_id":"x","scopez":[]}}`, nil, []string{"signin.scopez", "unknown key"}},
		// W13: the key path survives JSON (nested sections, a key named like a known one elsewhere).
		{"unknown nested key json", "c.json", "{\n\"tenant_id\": \"x\",\n\"signin\": {\"scopes\": [\"a\"], \"client_id\": \"y\"},\n\"mcp\": {\"url\": \"https://x\",\n  \"arguments\": {\"toool\": 1},\n  \"toool\": \"x\"}}", nil,
			[]string{"c.json: mcp.toool (line 6): unknown key; did you mean mcp.tool?"}},
		// W14: no Go type names.
		{"wrong type json", "c.json", "{\"tenant_id\": \"x\",\n\"signin\": {\"scopes\": \"api://a/b\"}}", nil, []string{"signin.scopes (line 2): must be a list of strings, not a string"}},
		{"wrong type yaml", "c.yaml", "tenant_id: x\nsignin:\n  client_id: y\n  scopes: api://a/b\n", nil, []string{"signin.scopes (line 4): must be a list of strings, not a string"}},
		// W15: a certificate file is checked up front.
		{"certificate file without PEM", "c.yaml", strings.Replace(goodYAML, "mode: secret", "mode: certificate\n  certificate_file: ca.pem", 1), map[string]string{"OBOSCOPE_TEST_SECRET": "x"},
			[]string{"obo.certificate_file", "ca.pem holds no PEM certificate and private key"}},
		{"truncated json", "c.json", `{"tenant_id":"0b05c0de`, nil, []string{"invalid JSON"}},
		{"bad extension", "c.toml", "x", nil, []string{"use .yaml, .yml or .json"}},
		{"secret env unset", "c.yaml", goodYAML, nil, []string{"obo.client_secret_env", "OBOSCOPE_TEST_SECRET is not set"}},
		{"bad guid", "c.yaml", strings.Replace(goodYAML, "client_id: 0b05c0de-c11e-4000-8000-000000000002", "client_id: not-a-guid", 1), map[string]string{"OBOSCOPE_TEST_SECRET": "x"},
			[]string{"signin.client_id", "not a GUID"}},
		{"http non-loopback", "c.yaml", strings.Replace(goodYAML, "url: https://127.0.0.1:8443/agent/api/chat", "url: http://agent.contoso.example/chat", 1), map[string]string{"OBOSCOPE_TEST_SECRET": "x"},
			[]string{"agent.url", "clear text"}},
		{"inline secret live", "c.yaml", strings.Replace(strings.Replace(goodYAML, "client_secret_env: OBOSCOPE_TEST_SECRET", "client_secret: abcdefgh", 1), "authority_host: https://127.0.0.1:8443", "authority_host: https://login.microsoftonline.com", 1), nil,
			[]string{"obo.client_secret", "sandbox"}},
		{"missing obo scopes", "c.yaml", strings.Replace(goodYAML, "  scopes: [api://contoso-mcp/tools.call]\n", "", 1), map[string]string{"OBOSCOPE_TEST_SECRET": "x"},
			[]string{"obo.scopes", "required for mode secret"}},
		{"bad mode", "c.yaml", strings.Replace(goodYAML, "mode: secret", "mode: magic", 1), map[string]string{"OBOSCOPE_TEST_SECRET": "x"},
			[]string{"obo.mode", "magic"}},
		{"agent identity needs ids", "c.yaml", strings.Replace(goodYAML, "mode: secret", "mode: agent_identity", 1), map[string]string{"OBOSCOPE_TEST_SECRET": "x"},
			[]string{"obo.blueprint_client_id", "obo.agent_identity_id"}},
		{"empty", "c.yaml", "", nil, []string{"empty"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, dir, "ca.pem", "x")
			p := writeFile(t, dir, tt.file, tt.content)
			_, err := flows.LoadConfig(p, envOf(tt.env))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
		})
	}
}

func TestConfigEnvFills(t *testing.T) {
	dir := t.TempDir()
	y := strings.Replace(goodYAML, "tenant_id: 0b05c0de-7e4a-4000-8000-000000000001\n", "", 1)
	y = strings.Replace(y, "  client_id: 0b05c0de-a9e1-4000-8000-000000000003\n  client_secret_env: OBOSCOPE_TEST_SECRET\n", "", 1)
	y = strings.Replace(y, "ca_file: ca.pem\n", "", 1)
	p := writeFile(t, dir, "c.yml", y)
	cfg, err := flows.LoadConfig(p, envOf(map[string]string{
		"AZURE_TENANT_ID": "0b05c0de-7e4a-4000-8000-000000000001", "AZURE_CLIENT_ID": "0b05c0de-a9e1-4000-8000-000000000003", "AZURE_CLIENT_SECRET": "from-env"}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.TenantID != "0b05c0de-7e4a-4000-8000-000000000001" || cfg.OBO.ClientID != "0b05c0de-a9e1-4000-8000-000000000003" || cfg.OBO.ClientSecretEnv != "AZURE_CLIENT_SECRET" {
		t.Fatalf("env not applied: %+v", cfg)
	}
	var ce *flows.ConfigError
	if err := (flows.Config{}).Validate(); !errors.As(err, new(flows.ConfigErrors)) && !errors.As(err, &ce) {
		t.Fatalf("empty config: %v", err)
	}
}

func TestLoadConfigJSON(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "tok.jwt", "x")
	p := writeFile(t, dir, "c.json", `{
  "tenant_id": "contoso.onmicrosoft.com",
  "signin": {"flow": "token", "token_file": "tok.jwt"},
  "agent": {"kind": "foundry", "project_endpoint": "https://ai.example/api/projects/p", "agent_name": "contoso-agent"},
  "obo": {"mode": "passthrough"},
  "mcp": {"url": "https://mcp.example/mcp", "app_id_uri": "api://contoso-mcp", "tool": "whoami", "arguments": {"x": 1}}
}`)
	cfg, err := flows.LoadConfig(p, envOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Signin.TokenFile != filepath.Join(dir, "tok.jwt") || cfg.AgentKind() != "foundry" || cfg.OBOMode() != "passthrough" || cfg.IsSandboxAuthority() {
		t.Fatalf("%+v", cfg)
	}
	if cfg.Authority() != "https://login.microsoftonline.com/contoso.onmicrosoft.com" {
		t.Fatalf("authority %q", cfg.Authority())
	}
}

// TestExampleConfig keeps the README's example configuration valid.
func TestExampleConfig(t *testing.T) {
	cfg, err := flows.LoadConfig(filepath.Join("testdata", "example.yaml"), envOf(map[string]string{"OBOSCOPE_OBO_SECRET": "from-env"}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Authority() != "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000" || cfg.IsSandboxAuthority() || cfg.OBOMode() != "secret" {
		t.Fatalf("%+v", cfg)
	}
}
