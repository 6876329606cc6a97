package sandbox

import (
	"github.com/oboscope/oboscope/flows"
)

// mcpClientConfig points the config at the MCP-client chain: the Contoso MCP Client signs in
// straight to the MCP server, with the MCP go-sdk's client authorization. The agent-obo sections
// are left empty: this chain does not use them.
func mcpClientConfig(c *flows.Config, s *Sandbox) {
	c.Chain = flows.ChainMCPClient
	c.Signin, c.Agent, c.OBO = flows.SigninConfig{}, flows.AgentConfig{}, flows.OBOConfig{}
	c.MCP.Client = &flows.MCPClientConfig{ClientID: MCPClientAppID, DisplayName: s.dir.app(MCPClientAppID).DisplayName, RedirectURI: flows.DefaultRedirectURI}
}

// mcpClientScenarios are the scenarios of the MCP-client chain (chain: mcp-client): what VS Code,
// Claude Code or an SDK client meets against an Entra-protected MCP server.
func mcpClientScenarios() []*scenarioDef {
	no := false
	return []*scenarioDef{
		{
			Scenario: Scenario{Name: "mcp-client-healthy", Change: "chain mcp-client: an MCP client signs in straight to the MCP server (its app has its URL as an identifierUri, with scopes under it); Entra's metadata as it is (OpenID configuration only, no PKCE methods listed, no registration)",
				Expect: []string{}},
			config: func(c *flows.Config, s *Sandbox, _ string) { mcpClientConfig(c, s) },
		},
		{
			Scenario: Scenario{Name: "mcp-client-resource-mismatch", Change: "chain mcp-client: the MCP server's metadata names its URL as the resource but publishes scopes under api://contoso-mcp, and the URL is no identifierUri of its app (the spec client gets AADSTS9010010)",
				Expect: []string{"mcp.prm-resource-scope-mismatch"}},
			apply:  func(_ *Directory, b *behaviour) { b.mcpURLIdentifier, b.mcpPRMScopes = false, "api" },
			config: func(c *flows.Config, s *Sandbox, _ string) { mcpClientConfig(c, s) },
		},
		{
			Scenario: Scenario{Name: "mcp-client-refresh-no-scope", Change: "chain mcp-client: the client refreshes its token without scope, as golang.org/x/oauth2 does by itself (Entra answers AADSTS90009)",
				Expect: []string{"signin.refresh-scope-dropped"}},
			config: func(c *flows.Config, s *Sandbox, _ string) {
				mcpClientConfig(c, s)
				c.MCP.Client.RefreshScope = &no
			},
		},
		{
			Scenario: Scenario{Name: "mcp-client-needs-dcr", Change: "chain mcp-client: the client has no pre-registered client id and expects dynamic client registration, which Entra does not offer",
				Expect: []string{"mcp.as-no-registration"}},
			config: func(c *flows.Config, s *Sandbox, _ string) {
				mcpClientConfig(c, s)
				c.MCP.Client.ClientID, c.MCP.Client.DisplayName = "", ""
			},
		},
		{
			Scenario: Scenario{Name: "mcp-client-prm-no-scopes", Change: "chain mcp-client: the MCP server's metadata has no scopes_supported (its challenge still names the scope)",
				Expect: []string{"mcp.prm-no-scopes"}},
			apply:  func(_ *Directory, b *behaviour) { b.mcpPRMScopes = "none" },
			config: func(c *flows.Config, s *Sandbox, _ string) { mcpClientConfig(c, s) },
		},
		{
			Scenario: Scenario{Name: "mcp-client-multi-tenant", Change: "chain mcp-client: the MCP server's metadata lists https://…/organizations/v2.0 (a multi-tenant server), whose metadata names the issuer …/{tenantid}/v2.0; tokens carry the tenant's own issuer",
				Expect: []string{}},
			apply:  func(_ *Directory, b *behaviour) { b.mcpPRMIssuer = "/organizations/v2.0" },
			config: func(c *flows.Config, s *Sandbox, _ string) { mcpClientConfig(c, s) },
		},
	}
}
