package sandbox

import (
	"slices"
	"time"

	"github.com/oboscope/oboscope/flows"
)

// Scenario is a named change to the sandbox's directory or to one of its components (or, where
// the mistake is the client's, to the config the sandbox writes), with the finding IDs the walk
// must raise when it runs against it.
type Scenario struct {
	Name   string   `json:"name"`
	Change string   `json:"change"`
	Expect []string `json:"expect"`
}

// behaviour is how the sandbox's components behave; scenarios change it.
type behaviour struct {
	signinUser               string        // who approves device codes and authorize requests automatically
	agentSecret              string        // the secret the agent holds ("" = the registered value)
	agentGrant               string        // obo | token-exchange | passthrough | agent-identity | agent-identity-user-fic
	mcpCheckAudience         bool          // the MCP server validates aud
	mcpPRM                   bool          // the MCP server serves RFC 9728 metadata and challenges
	mcpPRMResource           string        // PRM resource override ("" = the MCP URL)
	mcpDownstreamPassthrough bool          // graph_me forwards the incoming token to Graph
	clockOffset              time.Duration // the sandbox clock's offset from the real one
	// mcpURLIdentifier: the MCP server's app has its URL as an identifierUri (set at start, when
	// the port is known), so spec clients sending resource=<URL> succeed.
	mcpURLIdentifier bool
	mcpPRMScopes     string // url (scopes under the server URL) | api (under api://contoso-mcp) | none
	mcpPRMIssuer     string // the PRM's authorization server ("" = the tenant's v2 issuer; a path is under the base)
	popUserTokens    bool   // user tokens issued to the client app carry cnf (bound to a key)
	agentNoAuth      bool   // a proxy in front of the agent API strips Authorization
	foundry          foundryBehaviour
	agentAnonymous   bool // the agent API answers calls that carry no token
}

func defaultBehaviour() behaviour {
	return behaviour{signinUser: AliceUPN, agentGrant: "obo", mcpCheckAudience: true, mcpPRM: true, mcpURLIdentifier: true, mcpPRMScopes: "url"}
}

// scenarioDef is a scenario with what it changes.
type scenarioDef struct {
	Scenario
	apply  func(d *Directory, b *behaviour)              // directory and component changes
	config func(c *flows.Config, s *Sandbox, dir string) // client-side changes (dir: where files go)
}

// userTokenFile is the name of the token file the expired-user-token scenario writes.
const userTokenFile = "oboscope-sandbox-user-token.jwt"

// agentIdentityConfig points the config at the Agent ID setup: the user signs in for the
// blueprint, and the OBO hop runs the two legs.
func agentIdentityConfig(c *flows.Config, s *Sandbox) {
	c.Signin.Scopes = []string{"api://" + BlueprintAppID + "/access_as_user"}
	c.Agent.ClientID = BlueprintAppID
	c.Agent.DisplayName = s.dir.app(BlueprintAppID).DisplayName
	c.Agent.AppIDURI = "api://" + BlueprintAppID
	c.Agent.AuthorizedClients = []string{ClientAppID}
	c.OBO = flows.OBOConfig{
		Mode: "agent_identity", ClientID: AgentIdentityID, DisplayName: s.dir.app(AgentIdentityID).DisplayName,
		BlueprintClientID: BlueprintAppID,
		BlueprintSecret:   s.Secret("blueprint"), AgentIdentityID: AgentIdentityID,
		Scopes: []string{MCPAppIDURI + "/tools.call"},
	}
}

// scenarioDefs lists every scenario of FINDINGS.md, in its order.
func scenarioDefs() []*scenarioDef {
	return append(append([]*scenarioDef{
		{Scenario: Scenario{Name: "healthy", Change: "nothing: every registration, consent and credential is right"}},
		{
			Scenario: Scenario{Name: "wrong-audience", Change: "the client requests Microsoft Graph User.Read instead of the agent's scope",
				Expect: []string{"agent.aud-mismatch", "obo.assertion-aud-mismatch"}},
			config: func(c *flows.Config, _ *Sandbox, _ string) {
				c.Signin.Scopes = []string{GraphAppIDURI + "/User.Read"}
			},
		},
		{
			Scenario: Scenario{Name: "missing-scope", Change: "the client requests the agent API's Chat.Read scope, not access_as_user which the agent requires",
				Expect: []string{"agent.missing-scope"}},
			config: func(c *flows.Config, _ *Sandbox, _ string) {
				c.Signin.Scopes = []string{AgentAppIDURI + "/Chat.Read"}
			},
		},
		{
			Scenario: Scenario{Name: "unqualified-scope", Change: "the client requests access_as_user without the App ID URI (Entra reads it as a Graph scope)",
				Expect: []string{"signin.scope-unqualified"}},
			config: func(c *flows.Config, _ *Sandbox, _ string) { c.Signin.Scopes = []string{"access_as_user"} },
		},
		{
			Scenario: Scenario{Name: "app-only-token", Change: "the client signs in with client credentials (an app-only token) instead of a user",
				Expect: []string{"agent.app-only-token", "obo.app-only-assertion"}},
			config: func(c *flows.Config, s *Sandbox, _ string) {
				c.Signin.Flow = "client_credentials"
				c.Signin.Scopes = []string{AgentAppIDURI + "/.default"}
				c.Signin.ClientSecret = s.Secret("client")
			},
		},
		{
			Scenario: Scenario{Name: "public-client-disabled", Change: "the client app's \"Allow public client flows\" is off",
				Expect: []string{"signin.public-client-disabled"}},
			apply: func(d *Directory, _ *behaviour) { d.app(ClientAppID).PublicClient = false },
		},
		{
			Scenario: Scenario{Name: "guest-not-invited", Change: "the person signing in (dana@fabrikam.example) is from another tenant and was never invited",
				Expect: []string{"signin.user-not-in-tenant"}},
			apply: func(_ *Directory, b *behaviour) { b.signinUser = DanaUPN },
		},
		{
			Scenario: Scenario{Name: "consent-missing", Change: "no consent grant for the agent API to call the MCP API, and the client is not a known client of the agent API",
				Expect: []string{"obo.consent-required"}},
			apply: func(d *Directory, _ *behaviour) {
				d.Grants = slices.DeleteFunc(d.Grants, func(g Grant) bool { return g.ClientID == AgentAppID && g.ResourceID == MCPAppID })
				d.app(AgentAppID).KnownClients = nil
			},
		},
		{
			Scenario: Scenario{Name: "bad-client-secret", Change: "the agent holds its secret's ID instead of the secret's value",
				Expect: []string{"obo.invalid-client-secret"}},
			apply: func(_ *Directory, b *behaviour) { b.agentSecret = agentSecretKeyID },
		},
		{
			Scenario: Scenario{Name: "expired-client-secret", Change: "the agent API's client secret expired yesterday",
				Expect: []string{"obo.client-secret-expired"}},
			apply: func(d *Directory, _ *behaviour) {
				a := d.app(AgentAppID)
				a.Secrets[0].End = time.Now().Add(-24 * time.Hour)
			},
		},
		{
			Scenario: Scenario{Name: "mfa-required", Change: "a conditional access policy requires MFA of every user for the MCP API",
				Expect: []string{"obo.claims-challenge"}},
			apply: func(d *Directory, _ *behaviour) { d.Policies[0].Users = []string{"All"} },
		},
		{
			Scenario: Scenario{Name: "token-exchange-grant", Change: "the sample agent sends an RFC 8693 token exchange instead of Entra's jwt-bearer OBO",
				Expect: []string{"obo.wrong-grant"}},
			apply: func(_ *Directory, b *behaviour) { b.agentGrant = "token-exchange" },
		},
		{
			Scenario: Scenario{Name: "v1-mcp-tokens", Change: "the MCP API's accessTokenAcceptedVersion is 1 (v1 tokens) while the MCP server validates v2 and lists the v2 issuer",
				Expect: []string{"token.version-mismatch", "mcp.prm-issuer-mismatch"}},
			apply: func(d *Directory, _ *behaviour) { d.app(MCPAppID).AcceptedVersion = 1 },
		},
		{
			Scenario: Scenario{Name: "passthrough", Change: "the MCP connection forwards the user token as-is (obo.mode passthrough, like Foundry's 'OAuth passthrough')",
				Expect: []string{"mcp.aud-mismatch", "mcp.token-passthrough"}},
			apply: func(_ *Directory, b *behaviour) { b.agentGrant = "passthrough" },
			config: func(c *flows.Config, _ *Sandbox, _ string) {
				c.OBO = flows.OBOConfig{Mode: "passthrough", DisplayName: c.OBO.DisplayName}
			},
		},
		{
			Scenario: Scenario{Name: "mcp-accepts-any-audience", Change: "the MCP server validates only signature and issuer: it skips the audience (and so the scope) checks",
				Expect: []string{"mcp.accepts-foreign-token"}},
			apply: func(_ *Directory, b *behaviour) { b.mcpCheckAudience = false },
		},
		{
			Scenario: Scenario{Name: "mcp-no-resource-metadata", Change: "the MCP server serves no protected resource metadata and answers 401 without a challenge",
				Expect: []string{"mcp.no-www-authenticate", "mcp.no-resource-metadata"}},
			apply: func(_ *Directory, b *behaviour) { b.mcpPRM = false },
		},
		{
			Scenario: Scenario{Name: "mcp-resource-mismatch", Change: "the MCP server's metadata names the resource with a trailing slash (…/mcp/), not the URL it serves",
				Expect: []string{"mcp.prm-resource-mismatch"}},
			apply: func(_ *Directory, b *behaviour) { b.mcpPRMResource = "/mcp/" },
		},
		{
			Scenario: Scenario{Name: "mcp-downstream-passthrough", Change: "the MCP server forwards the incoming token to Graph instead of doing its own OBO",
				Expect: []string{"mcp.downstream-passthrough"}},
			apply: func(_ *Directory, b *behaviour) { b.mcpDownstreamPassthrough = true },
		},
		{
			Scenario: Scenario{Name: "expired-user-token", Change: "the user token presented is validly signed but expired an hour ago (signin.flow token)",
				Expect: []string{"token.expired"}},
			config: func(c *flows.Config, _ *Sandbox, dir string) {
				c.Signin.Flow = "token"
				c.Signin.TokenFile = joinPath(dir, userTokenFile)
			},
		},
		{
			Scenario: Scenario{Name: "clock-skew", Change: "the sandbox clock runs 10 minutes ahead (Date headers and token times)",
				Expect: []string{"token.clock-skew"}},
			apply: func(_ *Directory, b *behaviour) { b.clockOffset = 10 * time.Minute },
		},
		{
			Scenario: Scenario{Name: "groups-overage", Change: "the person signing in (erin@contoso.example) is in 250 groups",
				Expect: []string{"token.groups-overage"}},
			apply: func(_ *Directory, b *behaviour) { b.signinUser = ErinUPN },
		},
		{
			Scenario: Scenario{Name: "agent-identity", Change: "the agent is an Agent ID agent identity: blueprint T1 (client_credentials + fmi_path), then OBO as the agent identity",
				Expect: []string{}},
			apply:  func(_ *Directory, b *behaviour) { b.agentGrant = "agent-identity" },
			config: func(c *flows.Config, s *Sandbox, _ string) { agentIdentityConfig(c, s) },
		},
		{
			Scenario: Scenario{Name: "agent-identity-user-fic", Change: "the agent presents the user's token as the agent identity's credential instead of the blueprint's T1",
				Expect: []string{"agentid.user-token-as-credential"}},
			apply:  func(_ *Directory, b *behaviour) { b.agentGrant = "agent-identity-user-fic" },
			config: func(c *flows.Config, s *Sandbox, _ string) { agentIdentityConfig(c, s) },
		},
		{
			Scenario: Scenario{Name: "agent-identity-wrong-aud", Change: "the user token is for Microsoft Graph, not for the agent identity blueprint",
				Expect: []string{"agentid.assertion-aud-not-blueprint"}},
			apply: func(_ *Directory, b *behaviour) { b.agentGrant = "agent-identity" },
			config: func(c *flows.Config, s *Sandbox, _ string) {
				agentIdentityConfig(c, s)
				c.Signin.Scopes = []string{GraphAppIDURI + "/User.Read"}
			},
		},
		{
			Scenario: Scenario{Name: "agent-accepts-anonymous", Change: "the agent API answers calls that carry no token (its authentication check is missing)",
				Expect: []string{"agent.accepts-anonymous"}},
			apply: func(_ *Directory, b *behaviour) { b.agentAnonymous = true },
		},
	}, diagnosisScenarios()...), append(mcpClientScenarios(), foundryScenarioDefs()...)...)
}

// Scenarios lists every sandbox scenario.
func Scenarios() []Scenario {
	defs := scenarioDefs()
	out := make([]Scenario, len(defs))
	for i, d := range defs {
		out[i] = d.Scenario
		if out[i].Expect == nil {
			out[i].Expect = []string{}
		}
	}
	return out
}

// LookupScenario finds a scenario by name.
func LookupScenario(name string) (Scenario, bool) {
	d, ok := lookupDef(name)
	if !ok {
		return Scenario{}, false
	}
	return d.Scenario, true
}

func lookupDef(name string) (*scenarioDef, bool) {
	for _, d := range scenarioDefs() {
		if d.Name == name {
			if d.Expect == nil {
				d.Expect = []string{}
			}
			return d, true
		}
	}
	return nil, false
}

// Scenario is the scenario this sandbox runs.
func (s *Sandbox) Scenario() Scenario { return s.scenario.Scenario }
