package inspect

// Links the foundry entries cite.
const (
	docsFoundryMCPAuth   = "https://learn.microsoft.com/en-us/azure/foundry/agents/how-to/mcp-authentication"
	docsFoundryAgentID   = "https://learn.microsoft.com/en-us/azure/foundry/agents/concepts/agent-identity"
	docsFoundryResponses = "https://learn.microsoft.com/en-us/azure/foundry/agents/how-to/tools/model-context-protocol"
)

// foundryRules are the foundry.* entries: what the Responses API of a Foundry project answered
// about the agent's MCP tool, and what the tap saw Foundry send. Foundry observations also raise
// obo.no-user-assertion and agentid.wrong-agent-identity, which sit with their sections' rules.
var foundryRules = []Rule{
	{
		ID: "foundry.agent-identity-not-user", Severity: SeverityWarning, Title: "The MCP server got an app-only token where it needs the user",
		Fix:         "Set the tool's connection to OAuth identity passthrough for per-user access, or authorize the agent identity (an app role on the MCP server's app) and stop expecting a user.",
		Docs:        docsFoundryMCPAuth,
		Explanation: "With Microsoft Entra authentication on an MCP tool, Foundry authenticates as the agent identity or the project's managed identity: an app-only token (idtyp app, roles, no scp) that names no user. The server needs the user (it requires a delegated scope, or is configured with mcp.needs_user), so either it refuses the call or it acts for no one in particular. Only OAuth identity passthrough sends a token of the user, after the user consents once per connection.",
	},
	{
		ID: "foundry.consent-pending", Severity: SeverityInfo, Title: "Foundry asks the user to consent before the tool can be used",
		Fix:         "Open the consent link Foundry returned (oauth_consent_request), sign in and consent, then send the request again (previous_response_id); oboscope re-runs with r, or check --wait-consent.",
		Docs:        docsFoundryMCPAuth,
		Explanation: "The MCP tool's connection uses OAuth identity passthrough and Foundry holds no token of this user for it yet, so the Responses API answered with an oauth_consent_request item carrying a consent_link instead of calling the tool. Consent is asked once per user and connection; after it the agent calls the tool with the user's token for the connection's audience.",
	},
	{
		ID: "foundry.tool-call-failed", Severity: SeverityError, Title: "Foundry's call to the MCP server failed",
		Fix:         "Read the MCP server's answer quoted in the detail (a 401 names a token it refused: check the tool connection's authentication and the audience it requests); oboscope tap in front of the server shows the token Foundry sent.",
		Docs:        docsFoundryResponses,
		Explanation: "An mcp_list_tools or mcp_call output item of the Responses API (or the answer's own error) carries an error: Foundry could not list or call the tools of the MCP server. Foundry performs this call itself, with the token its tool connection obtains, so oboscope sees only what Foundry reports; an HTTP 401 or 403 from the server means the token was refused.",
	},
}
