package inspect

// Links the MCP-client chain's entries cite.
const (
	docsMCPAuth1125  = "https://modelcontextprotocol.io/specification/2025-11-25/basic/authorization"
	docsAuthCodeFlow = "https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow"
	docsRefreshFlow  = "https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow#refresh-the-access-token"
)

// mcpClientRules are the entries of the MCP-client chain (chain: mcp-client): what an MCP client
// meets at Entra's authorization server — its metadata, client registration, and the refresh an
// hour later. They sit beside analyze_mcpclient.go, which raises them.
var mcpClientRules = []Rule{
	{
		ID: "mcp.challenge-scope-unqualified", Severity: SeverityError, Title: "MCP server's challenge names a scope without its resource",
		AADSTS: []int{650053},
		Fix: "Name the scope fully qualified in the challenge (scope=\"api://<app id uri>/tools.call\", as in scopes_supported) and keep checking the bare name in the token's scp, which is how Entra writes it. " +
			"The TypeScript SDK's requireBearerAuth repeats requiredScopes in its challenge: check the scope in the token verifier and leave requiredScopes out, or list the qualified names there and map scp to them.",
		Docs: docsMCPAuth1125,
		Explanation: "MCP 2025-11-25 has clients ask for the scope the 401's WWW-Authenticate names first, and only without one for scopes_supported; the Go MCP SDK does so. A server that names a bare scope there (scope=\"tools.call\", " +
			"often because Entra's scp carries bare names and the server's check doubles as its challenge) sends clients to ask Entra for it, and Entra reads a bare scope as Microsoft Graph's: " +
			"AADSTS650053 'asked for scope … that doesn't exist on the resource 00000003-…' or a Graph token, and with resource=<the server URL> AADSTS9010010 (anthropics/claude-ai-mcp#514).",
	},
	{
		ID: "mcp.as-metadata-oidc-only", Severity: SeverityInfo, Title: "Authorization server serves OpenID configuration only (no RFC 8414 metadata)",
		Fix:  "Nothing to fix on Entra: clients must fall back to OpenID Connect discovery, as the MCP specification requires. A client that stops after the RFC 8414 URL needs updating.",
		Docs: docsMCPAuth1125,
		Explanation: "The MCP specification has clients look for the authorization server's metadata at the RFC 8414 URL (/.well-known/oauth-authorization-server with the issuer's path inserted), then at OpenID Connect discovery. " +
			"Entra serves no RFC 8414 document: that URL answers 404, and only {authority}/v2.0/.well-known/openid-configuration answers. This is Entra's normal behaviour, not a mistake of the MCP server; clients of MCP 2025-03-26 that try only RFC 8414 cannot sign in.",
	},
	{
		ID: "mcp.as-no-pkce-metadata", Severity: SeverityInfo, Title: "Authorization server metadata does not advertise PKCE",
		Fix: "Nothing to fix on Entra, which supports S256 PKCE without saying so. Use a client that assumes S256 when code_challenge_methods_supported is absent (the TypeScript MCP SDK, VS Code), " +
			"or, for strict clients, have the MCP server name an issuer it hosts whose RFC 8414 document repeats Entra's endpoints and adds code_challenge_methods_supported: [\"S256\"].",
		Docs: docsMCPAuth1125,
		Explanation: "Entra's OpenID configuration has no code_challenge_methods_supported, although Entra supports PKCE with S256. MCP 2025-11-25 tells clients to refuse an authorization server whose metadata does not list it, and strict clients do: " +
			"the Go MCP SDK (\"authorization server … does not implement PKCE\"), the C# MCP SDK since #1700, claude.ai connectors (anthropics/claude-ai-mcp#786). The TypeScript SDK assumes S256 since #992 (after #832, about Azure). " +
			"oboscope shows the Go SDK's refusal, then continues as the TypeScript SDK does, so the rest of the chain is still walked.",
	},
	{
		ID: "mcp.as-issuer-template", Severity: SeverityInfo, Title: "Authorization server metadata names a tenant template as its issuer",
		Fix: "Nothing to fix for a multi-tenant server: Entra's …/organizations/v2.0 and …/common/v2.0 metadata names the issuer …/{tenantid}/v2.0 and every token carries the tenant's own issuer. " +
			"For clients that compare issuers strictly, list the tenant's own authority (https://login.microsoftonline.com/<tid>/v2.0) in authorization_servers when the server serves one tenant.",
		Docs: docsMultiTenant,
		Explanation: "RFC 8414 §3.3 has clients refuse metadata whose issuer differs from the URL they asked. Entra's multi-tenant authorities answer with the template https://login.microsoftonline.com/{tenantid}/v2.0, so strict clients refuse them: " +
			"the Go MCP SDK (\"metadata issuer … does not match issuer URL …\"), Codex (openai/codex#38973), OIDC libraries (MicrosoftDocs/azure-docs#38427). MSAL and lenient clients read {tenantid} as a template. " +
			"oboscope shows the refusal, then continues reading the template as the authority asked.",
	},
	{
		ID: "mcp.as-no-registration", Severity: SeverityInfo, Title: "Authorization server offers no client registration (no DCR, no client ID metadata documents)",
		Fix: "Register the MCP client in Entra (a public client with its loopback redirect URI, pre-authorized on the MCP server's app) and configure its client id in the client " +
			"(mcp.client.client_id here; the OAuth client id setting of VS Code, Claude Code, mcp-remote …).",
		Docs: docsMCPAuth1125,
		Explanation: "An MCP client needs a client id. The MCP specification offers three ways: a client ID metadata document (the authorization server says client_id_metadata_document_supported), a pre-registered client, or dynamic client registration (a registration_endpoint). " +
			"Entra offers neither metadata documents nor dynamic registration, so only a pre-registered client works. It is information when the client has a client id, and a warning when it has none: it cannot sign in at all.",
	},
	{
		ID: "signin.refresh-scope-dropped", Severity: SeverityError, Title: "Refresh request carries no scope",
		AADSTS: []int{90009, 650053, 65001},
		Fix:    "Send the original scopes (resource scopes, offline_access) on every refresh_token request; with golang.org/x/oauth2, through the token source the client builds (the go-sdk's NewTokenSource hook).",
		Docs:   docsRefreshFlow,
		Explanation: "RFC 6749 §6 makes scope optional on a refresh, and many OAuth libraries (golang.org/x/oauth2, the TypeScript MCP SDK) send none. Entra's v2 endpoint needs it: without scope it takes the client itself as the resource and answers " +
			"AADSTS90009 'Application … is requesting a token for itself' (modelcontextprotocol/typescript-sdk#2718, punkpeye/mcp-remote#357, anthropics/claude-ai-mcp#228, bluesky/tiled#1384), " +
			"or resolves what is left against Microsoft Graph (AADSTS650053, 65001; anthropics/claude-code#89438). The sign-in works and every call fails about an hour later, when the first token expires.",
	},
	{
		ID: "signin.refresh-resource-v1", Severity: SeverityError, Title: "Refresh uses the v1 resource parameter",
		AADSTS: []int{90009},
		Fix:    "Refresh at the v2 endpoint with scope=<the scopes>; when the app requests a token for itself, write the scope with its client id (GUID): <client id>/.default.",
		Docs:   docsRefreshFlow,
		Explanation: "A refresh that names the resource with the v1 parameter resource=<App ID URI> instead of v2 scopes fails when the client and the resource are one app registration, which is how many MCP servers behind Entra are set up: " +
			"Entra answers AADSTS90009 'Application … is requesting a token for itself. This scenario is supported only if resource is specified using the GUID based App Identifier' (DuendeArchive/IdentityModel#528).",
	},
}
