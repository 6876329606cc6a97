package inspect

// mcpRules are the mcp.* entries: problems at the MCP server and its own downstream call.
var mcpRules = []Rule{
	{
		ID: "mcp.no-www-authenticate", Severity: SeverityError, Title: "MCP server's 401 has no usable Bearer challenge",
		Fix:         "Answer unauthenticated requests with 401 and WWW-Authenticate: Bearer resource_metadata=\"https://…/.well-known/oauth-protected-resource…\".",
		Docs:        docsMCPAuth,
		Explanation: "The MCP authorization spec requires a 401 with a WWW-Authenticate Bearer challenge carrying resource_metadata, which is how clients find the Protected Resource Metadata and the authorization server. This server's 401 has no challenge, or one without resource_metadata. It is an error when clients cannot find the metadata at all; a warning when the challenge only lacks resource_metadata and the metadata is served at the well-known URI, where clients following the 2025-11-25 revision look next (older clients still stop).",
	},
	{
		ID: "mcp.no-resource-metadata", Severity: SeverityError, Title: "No Protected Resource Metadata",
		Fix:         "Serve RFC 9728 metadata (resource, authorization_servers, scopes_supported) at /.well-known/oauth-protected-resource/<path> and name it in the challenge.",
		Docs:        docsRFC9728,
		Explanation: "Neither the challenge's resource_metadata URL nor the well-known paths returned Protected Resource Metadata. MCP clients cannot discover which authorization server and scopes to use.",
	},
	{
		ID: "mcp.prm-resource-mismatch", Severity: SeverityError, Title: "PRM resource differs from the server URL",
		Fix:         "Make the metadata's resource exactly the URL clients use (same scheme, host, port and path; no trailing slash).",
		Docs:        docsRFC9728,
		Explanation: "RFC 9728 requires clients to check that the metadata's resource equals the URL they called; a difference (even a trailing slash) makes compliant clients stop. It is a warning, not an error, when the two differ only by the root's \"/\" (https://host and https://host/ are one URL, and the TypeScript SDK writes the second): then only clients that compare the strings, such as the Go SDK, refuse it.",
	},
	{
		ID: "mcp.prm-issuer-mismatch", Severity: SeverityError, Title: "PRM authorization server does not match the token issuer",
		Fix:  "List https://login.microsoftonline.com/<tid>/v2.0 in authorization_servers and make the MCP API accept v2 tokens (az ad app update --id <mcp app id> --set api.requestedAccessTokenVersion=2).",
		Docs: docsRFC9728,
		Explanation: "The metadata's authorization_servers do not include the issuer of the tokens the server actually receives — typically the server announces the v2.0 issuer while its app registration yields v1 tokens (https://sts.windows.net/{tid}/). " +
			"A multi-tenant server that lists https://login.microsoftonline.com/common/v2.0, /organizations/v2.0 or /consumers/v2.0 is not a mismatch: Entra issues every token with the tenant's own issuer, so those authorities are templates for it.",
	},
	{
		ID: "mcp.prm-resource-scope-mismatch", Severity: SeverityError, Title: "PRM resource is not the App ID URI that owns its scopes",
		AADSTS: []int{9010010, 901002},
		Fix: "Add the server URL as an identifierUri of the MCP server's app registration (an https identifierUri must be on a domain the tenant verified) and publish scopes_supported under it (https://host/mcp/tools.call), " +
			"or use a client that omits the resource parameter (e.g. mcp-remote's --disable-resource-parameter).",
		Docs: docsMCPAuth,
		Explanation: "MCP clients that follow the specification send resource=<the PRM's resource> (RFC 8707) with the scopes of scopes_supported. Entra v2 accepts resource only when it is an identifierUri of the app that owns those scopes; " +
			"otherwise it answers invalid_target, AADSTS9010010 'The resource parameter provided in the request doesn't match with the requested scopes' — at /authorize as a redirect error, and at /token. Where the resource parameter is refused outright it answers AADSTS901002 " +
			"'The 'resource' request parameter is not supported' (microsoft/vscode#254009). The most reported failure of Entra-protected MCP servers: anthropics/claude-code#73460 and #89438, microsoft/azure-devops-mcp#1511 and #1601, microsoft/powerbi-modeling-mcp#68, TracecatHQ/tracecat#2466. " +
			"oboscope confirms it with one authorization request shaped as a spec client's (no sign-in happens); when Entra's answer cannot tell (a sign-in page), the finding is a warning.",
	},
	{
		ID: "mcp.prm-no-scopes", Severity: SeverityWarning, Title: "PRM publishes no usable scopes",
		AADSTS: []int{900144},
		Fix:    "Publish the fully qualified scopes in scopes_supported (https://host/mcp/tools.call, or api://<app id uri>/tools.call).",
		Docs:   docsRFC9728,
		Explanation: "Without scopes_supported (or with only OpenID scopes) a client has nothing to ask Entra for: it sends no scope, which Entra refuses with AADSTS900144 'The request body must contain the following parameter: 'scope'', " +
			"or only openid/profile, which yields a Microsoft Graph token the MCP server must reject.",
	},
	{
		ID: "mcp.prm-unqualified-scopes", Severity: SeverityWarning, Title: "PRM scopes are not fully qualified",
		Fix:         "List scopes as api://<app id uri>/<scope> in scopes_supported.",
		Docs:        docsRFC9728,
		Explanation: "Entra needs fully qualified scopes; a client that requests a bare scope from scopes_supported gets a Graph token or an error.",
	},
	{
		ID: "mcp.aud-mismatch", Severity: SeverityError, Title: "Token sent to the MCP server is not for it",
		Fix:         "Do an OBO exchange for the MCP server's scope before calling it.",
		Docs:        docsMCPAuth,
		Explanation: "The token's aud is not the MCP server's client id or App ID URI. The MCP spec requires servers to reject tokens not issued for them.",
	},
	{
		ID: "mcp.token-passthrough", Severity: SeverityError, Title: "The user's token was passed through to the MCP server",
		Fix:         "Exchange the token with OBO (or use the agent's own identity); never forward the token you received.",
		Docs:        docsMCPSecurity,
		Explanation: "The token sent to the MCP server is the very token the user gave the agent. The MCP specification forbids token passthrough: it breaks audience restriction and hides who is calling.",
	},
	{
		ID: "mcp.accepts-foreign-token", Severity: SeverityError, Title: "MCP server accepted a token meant for another API",
		Fix:         "Validate aud (and iss) on every request: accept only tokens whose aud is the server's own client id or App ID URI.",
		Docs:        docsMCPAuth,
		Explanation: "oboscope sent a validly signed token whose aud is another API and the server accepted it. Such a server can be called with any token stolen from any other API of the tenant (confused deputy).",
	},
	{
		ID: "mcp.insufficient-scope-status", Severity: SeverityWarning, Title: "Missing scope not answered with 403 insufficient_scope",
		Fix:         "Answer 403 with WWW-Authenticate: Bearer error=\"insufficient_scope\", scope=\"…\".",
		Docs:        docsMCPAuth,
		Explanation: "RFC 6750 and the MCP spec answer a token lacking a scope with 403 and error insufficient_scope, so clients can request more scopes (step-up).",
	},
	{
		ID: "mcp.rejected", Severity: SeverityError, Title: "MCP server rejected the exchanged token",
		Fix:         "Read the challenge shown: it names what the server wanted.",
		Docs:        docsMCPAuth,
		Explanation: "The MCP server answered 401 or 403 to the request carrying the OBO token. Other findings at this hop say why when oboscope could tell.",
	},
	{
		ID: "mcp.downstream-passthrough", Severity: SeverityError, Title: "MCP server forwarded the incoming token downstream",
		Fix:         "The MCP server must do its own OBO exchange for the downstream API (Graph) instead of forwarding its incoming token.",
		Docs:        docsMCPSecurity,
		Explanation: "The MCP server called its downstream API with the token it received. That token is for the MCP server; forwarding it is token passthrough, which the MCP specification forbids.",
	},
}
