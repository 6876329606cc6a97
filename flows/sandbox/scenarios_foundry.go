package sandbox

import (
	"github.com/oboscope/oboscope/flows"
)

// foundryConfig points the config at an agent of the sandbox's Foundry project: the user signs in
// for https://ai.azure.com, the agent hop calls the Responses API, and Foundry — not oboscope —
// obtains the MCP tool's token and calls the MCP server. The agent identity expected is the
// published contoso-agent's own.
func foundryConfig(c *flows.Config, s *Sandbox, agent string) {
	c.Signin.Scopes = []string{FoundryAppIDURI + "/.default"}
	c.Agent = flows.AgentConfig{
		Kind: "foundry", ProjectEndpoint: s.ProjectEndpoint(), AgentName: agent,
		DisplayName: "Azure AI Foundry", ClientID: FoundryAppID, AppIDURI: FoundryAppIDURI,
		RequiredScopes: []string{"user_impersonation"},
	}
	c.OBO = flows.OBOConfig{Mode: "none", AgentIdentityID: FoundryAgentIdentityID, BlueprintClientID: FoundryBlueprintAppID,
		DisplayName: s.dir.app(FoundryAgentIdentityID).DisplayName}
	c.MCP.DownstreamTool = ""
}

// foundryScenarioDefs are the Foundry scenarios of FINDINGS.md, in its order.
func foundryScenarioDefs() []*scenarioDef {
	return []*scenarioDef{
		{
			Scenario: Scenario{Name: "foundry-agent-identity", Change: "a Foundry prompt agent whose MCP tool authenticates with its agent identity (the blueprint's two legs, then an app-only token): app-only by design",
				Expect: []string{}},
			config: func(c *flows.Config, s *Sandbox, _ string) { foundryConfig(c, s, "contoso-agent") },
		},
		{
			Scenario: Scenario{Name: "foundry-expects-user", Change: "as foundry-agent-identity, but the MCP server needs the user (mcp.needs_user): the agent identity's app-only token names no one",
				Expect: []string{"foundry.agent-identity-not-user"}},
			config: func(c *flows.Config, s *Sandbox, _ string) {
				foundryConfig(c, s, "contoso-agent")
				c.MCP.NeedsUser = true
			},
		},
		{
			Scenario: Scenario{Name: "foundry-passthrough", Change: "the MCP tool uses OAuth identity passthrough: Foundry asks the user's consent first (consent_link), then sends the user's token",
				Expect: []string{"foundry.consent-pending"}},
			config: func(c *flows.Config, s *Sandbox, _ string) {
				foundryConfig(c, s, "contoso-agent-passthrough")
				c.MCP.NeedsUser = true
			},
		},
		{
			Scenario: Scenario{Name: "foundry-passthrough-wrong-audience", Change: "the passthrough connection requests a token for the agent API (api://contoso-agent) instead of the MCP server; the user consented before",
				Expect: []string{"foundry.tool-call-failed"}},
			apply: func(_ *Directory, b *behaviour) {
				b.foundry.connectionScope, b.foundry.consented = AgentAppIDURI+"/access_as_user", true
			},
			config: func(c *flows.Config, s *Sandbox, _ string) { foundryConfig(c, s, "contoso-agent-passthrough") },
		},
		{
			Scenario: Scenario{Name: "foundry-passthrough-expired", Change: "the token Foundry stored for the user at consent is past its lifetime, and Foundry presents it",
				Expect: []string{"token.expired"}},
			apply:  func(_ *Directory, b *behaviour) { b.foundry.consented, b.foundry.expired = true, true },
			config: func(c *flows.Config, s *Sandbox, _ string) { foundryConfig(c, s, "contoso-agent-passthrough") },
		},
		{
			Scenario: Scenario{Name: "foundry-project-identity", Change: "the published contoso-agent's MCP tool authenticates with the project's shared agent identity instead of its own",
				Expect: []string{"agentid.wrong-agent-identity"}},
			apply:  func(_ *Directory, b *behaviour) { b.foundry.projectIdentity = true },
			config: func(c *flows.Config, s *Sandbox, _ string) { foundryConfig(c, s, "contoso-agent") },
		},
		{
			Scenario: Scenario{Name: "foundry-hosted-no-user", Change: "a hosted agent whose tool needs the user's token: hosted agents receive none, so the runtime's On-Behalf-Of request has no assertion",
				Expect: []string{"obo.no-user-assertion"}},
			config: func(c *flows.Config, s *Sandbox, _ string) { foundryConfig(c, s, "contoso-hosted") },
		},
	}
}
