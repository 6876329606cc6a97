package sandbox

import (
	"github.com/oboscope/oboscope/flows"
)

// diagnosisScenarios are the scenarios of the failures people report from real tenants (issue 10:
// FINDINGS.md's table from prm-resource-url on), each a change to the directory or a component.
func diagnosisScenarios() []*scenarioDef {
	return []*scenarioDef{
		{
			Scenario: Scenario{Name: "prm-resource-url", Change: "the MCP server's metadata names its URL as the resource but publishes scopes under api://contoso-mcp, and the URL is no identifierUri of its app (spec clients get AADSTS9010010)",
				Expect: []string{"mcp.prm-resource-scope-mismatch"}},
			apply: func(_ *Directory, b *behaviour) { b.mcpURLIdentifier, b.mcpPRMScopes = false, "api" },
		},
		{
			Scenario: Scenario{Name: "prm-no-scopes", Change: "the MCP server's metadata has no scopes_supported",
				Expect: []string{"mcp.prm-no-scopes"}},
			apply: func(_ *Directory, b *behaviour) { b.mcpPRMScopes = "none" },
		},
		{
			Scenario: Scenario{Name: "multi-tenant-mcp", Change: "the MCP server's metadata lists https://…/organizations/v2.0 (a multi-tenant server); tokens carry the tenant's own issuer",
				Expect: []string{}},
			apply: func(_ *Directory, b *behaviour) { b.mcpPRMIssuer = "/organizations/v2.0" },
		},
		{
			Scenario: Scenario{Name: "app-id-uri-case", Change: "the client requests api://Contoso-Agent/access_as_user: Entra resolves the scope ignoring case and the agent API's v1 token carries the URI as written, but OBO compares the audience exactly (AADSTS500131)",
				Expect: []string{"obo.assertion-aud-case-mismatch"}},
			apply: func(d *Directory, _ *behaviour) { d.app(AgentAppID).AcceptedVersion = 1 },
			config: func(c *flows.Config, _ *Sandbox, _ string) {
				c.Signin.Scopes = []string{"api://Contoso-Agent/access_as_user"}
			},
		},
		{
			Scenario: Scenario{Name: "graph-token-assertion", Change: "the agent exchanges a Microsoft Graph token it holds instead of the user's token for it (AADSTS50013, signature validation)",
				Expect: []string{"obo.assertion-invalid"}},
			apply: func(_ *Directory, b *behaviour) { b.agentGrant = "graph-token" },
		},
		{
			Scenario: Scenario{Name: "no-user-assertion", Change: "a proxy in front of the agent API strips Authorization: the agent never receives the user's token and exchanges nothing",
				Expect: []string{"obo.no-user-assertion"}},
			apply: func(_ *Directory, b *behaviour) { b.agentNoAuth = true },
		},
		{
			Scenario: Scenario{Name: "certificate-not-registered", Change: "the agent signs its client assertion with a certificate that was never uploaded to its app (AADSTS700027)",
				Expect: []string{"obo.certificate-not-registered"}},
			config: func(c *flows.Config, _ *Sandbox, dir string) {
				c.OBO.Mode, c.OBO.ClientSecret = "certificate", ""
				c.OBO.CertificateFile = joinPath(dir, strayCertFile)
			},
		},
		{
			Scenario: Scenario{Name: "pop-token", Change: "the client's tokens are bound to its key (a cnf claim: proof of possession) and it sends them as Bearer",
				Expect: []string{"token.pop-bound-as-bearer"}},
			apply: func(_ *Directory, b *behaviour) { b.popUserTokens = true },
		},
		{
			Scenario: Scenario{Name: "agent-identity-no-fmi-path", Change: "the agent's blueprint sends leg 1 without fmi_path (AADSTS82008)",
				Expect: []string{"agentid.fmi-path-missing"}},
			apply:  func(_ *Directory, b *behaviour) { b.agentGrant = "agent-identity-no-fmi-path" },
			config: func(c *flows.Config, s *Sandbox, _ string) { agentIdentityConfig(c, s) },
		},
		{
			Scenario: Scenario{Name: "agent-identity-no-credential", Change: "the agent's blueprint sends leg 1 without any credential (AADSTS7000216)",
				Expect: []string{"obo.missing-client-credential"}},
			apply:  func(_ *Directory, b *behaviour) { b.agentGrant = "agent-identity-no-credential" },
			config: func(c *flows.Config, s *Sandbox, _ string) { agentIdentityConfig(c, s) },
		},
		{
			Scenario: Scenario{Name: "agent-identity-direct-token", Change: "the agent asks for its MCP token as the agent identity itself (client credentials, no blueprint T1): AADSTS82001",
				Expect: []string{"agentid.direct-client-credentials"}},
			apply:  func(_ *Directory, b *behaviour) { b.agentGrant = "agent-identity-direct" },
			config: func(c *flows.Config, s *Sandbox, _ string) { agentIdentityConfig(c, s) },
		},
		{
			Scenario: Scenario{Name: "agent-identity-wrong-identity", Change: "the agent runs its exchange as another agent identity of the blueprint than the one configured",
				Expect: []string{"agentid.wrong-agent-identity"}},
			apply:  func(_ *Directory, b *behaviour) { b.agentGrant = "agent-identity-other" },
			config: func(c *flows.Config, s *Sandbox, _ string) { agentIdentityConfig(c, s) },
		},
	}
}
