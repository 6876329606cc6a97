package sandbox

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestIndependentClients runs clients nobody on this project wrote against a sandbox: MSAL for
// Python, msal-node and the TypeScript MCP SDK (scripts in testdata/). They are not vendored, so
// the test runs only when asked:
//
//	OBOSCOPE_INDEPENDENT=1 OBOSCOPE_NODE_DIR=/path/with/node_modules go test ./flows/sandbox -run TestIndependentClients -v
//
// (python3-msal from Debian; `npm install @azure/msal-node @modelcontextprotocol/sdk` in
// OBOSCOPE_NODE_DIR). A client that is not installed is skipped, not failed.
func TestIndependentClients(t *testing.T) {
	if os.Getenv("OBOSCOPE_INDEPENDENT") != "1" {
		t.Skip("set OBOSCOPE_INDEPENDENT=1 to run MSAL for Python / msal-node / the TypeScript MCP SDK")
	}
	s := startSandbox(t, "healthy")
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "oboscope.json")
	caPath, err := s.WriteConfig(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	scripts, _ := filepath.Abs("testdata")
	nodeDir := os.Getenv("OBOSCOPE_NODE_DIR")
	runs := []struct {
		name, cwd string
		cmd       []string
		env       string
		want      []string
	}{
		{"msal-python", dir, []string{"/usr/bin/python3", filepath.Join(scripts, "msal-python-check.py"), cfgPath}, "REQUESTS_CA_BUNDLE=" + caPath,
			[]string{"device code  ok", "OBO          ok", "client creds ok", "[7000215]"}},
		{"msal-node", nodeDir, []string{"node", filepath.Join(scripts, "msal-node-check.mjs"), cfgPath}, "NODE_EXTRA_CA_CERTS=" + caPath,
			[]string{"device code  ok", "OBO          ok", "client creds ok", "refused as expected"}},
		{"typescript-mcp-sdk", nodeDir, []string{"node", filepath.Join(scripts, "ts-mcp-check.mjs"), cfgPath}, "NODE_EXTRA_CA_CERTS=" + caPath,
			[]string{"unauthenticated: 401", "tools: graph_me, whoami", `"aud":"` + MCPAppID, "graph_me: " + AliceUPN}},
	}
	for _, r := range runs {
		t.Run(r.name, func(t *testing.T) {
			if _, err := exec.LookPath(r.cmd[0]); err != nil || (r.cwd == "" && r.name != "msal-python") {
				t.Skipf("%s not available", r.name)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, r.cmd[0], r.cmd[1:]...)
			cmd.Dir = r.cwd
			cmd.Env = append(os.Environ(), r.env)
			out, err := cmd.CombinedOutput()
			if err != nil && (strings.Contains(string(out), "No module named") || strings.Contains(string(out), "Cannot find module")) {
				t.Skipf("%s not installed: %s", r.name, out)
			}
			if err != nil {
				t.Fatalf("%s: %v\n%s", r.name, err, out)
			}
			for _, w := range r.want {
				if !strings.Contains(string(out), w) {
					t.Errorf("%s output lacks %q:\n%s", r.name, w, out)
				}
			}
			t.Logf("%s:\n%s", r.name, out)
		})
	}
}
