package inspect_test

import (
	"strings"
	"testing"

	"github.com/oboscope/oboscope/inspect"
)

// When the configured URL answers 404 and the metadata names another resource, the fix points at
// the configuration, not at the server's metadata.
func TestAnalyzeMCPResourceMismatchBlamesConfiguredURL(t *testing.T) {
	const resource = "https://mcp.contoso.example/mcp"
	prm := &inspect.ResourceMetadata{Resource: resource, AuthorizationServers: []string{"https://login.microsoftonline.com/" + tid + "/v2.0"}, ScopesSupported: scopesUnder(resource)}
	exp := inspect.MCPExpectations{Audiences: []string{mcpID}}
	for _, tc := range []struct {
		probe   int
		wantFix string
	}{
		{404, "Set mcp.url to " + resource},
		{401, "metadata"},
	} {
		obs := inspect.MCPObservation{URL: resource + "/", ProbeStatus: tc.probe, PRM: prm}
		var found bool
		for _, f := range inspect.AnalyzeMCP(obs, exp) {
			if f.ID != "mcp.prm-resource-mismatch" {
				continue
			}
			found = true
			if !strings.Contains(f.Fix, tc.wantFix) {
				t.Errorf("probe %d: fix %q lacks %q", tc.probe, f.Fix, tc.wantFix)
			}
		}
		if !found {
			t.Errorf("probe %d: no mcp.prm-resource-mismatch", tc.probe)
		}
	}
}
