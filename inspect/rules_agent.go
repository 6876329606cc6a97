package inspect

// agentRules are the agent.* entries: problems when the user's token is presented to the agent API.
var agentRules = []Rule{
	{
		ID: "agent.aud-mismatch", Severity: SeverityError, Title: "User token is not for the agent API",
		Fix:         "Have the client request the agent API's scope (api://<agent app id uri>/<scope>, listed under App registrations > <agent API> > Expose an API), not a Graph or other API scope.",
		Docs:        docsAccessClaims,
		Explanation: "The token's aud is neither the agent API's client id nor its App ID URI, so the agent API must reject it — and it cannot be used for OBO by the agent either, since OBO requires the middle tier to be the assertion's audience.",
	},
	{
		ID: "agent.missing-scope", Severity: SeverityError, Title: "User token lacks a scope the agent requires",
		Fix:         "Request the scope from the client; expose it on the agent API (App registrations > <agent API> > Expose an API > Add a scope) and grant consent (the client's API permissions > Grant admin consent).",
		Docs:        docsExposeAPI,
		Explanation: "The agent API requires a delegated scope that is not in the token's scp claim. The client requested other scopes, or consent does not cover this one.",
	},
	{
		ID: "agent.app-only-token", Severity: SeverityError, Title: "Token is app-only, not a user's token",
		Fix:         "Sign the user in with a delegated flow (device code, auth code + PKCE) to get a user token; OBO exists only for user tokens.",
		Docs:        docsOBO,
		Explanation: "The token has roles but no scp (idtyp=app): it was obtained with client credentials and represents an application, not a user. A delegated agent needs the user's token to act on their behalf; OBO with an app-only token fails.",
	},
	{
		ID: "agent.client-not-authorized", Severity: SeverityWarning, Title: "Client app is not known to or pre-authorized by the agent API",
		Fix:         "Pre-authorize the client: App registrations > <agent API> > Expose an API > Add a client application (preAuthorizedApplications), or list its app id in the Manifest's knownClientApplications.",
		Docs:        docsExposeAPI,
		Explanation: "The token's client (azp or appid) is not listed among the agent API's known or pre-authorized clients. That is allowed after user consent, but it means each user sees a consent prompt and combined consent for downstream APIs (.default with knownClientApplications) does not apply.",
	},
	{
		ID: "agent.tenant-not-allowed", Severity: SeverityError, Title: "Token's tenant is not the configured one",
		Fix:         "Sign in to the configured tenant, or add this tenant to the agent's allow-list.",
		Docs:        docsMultiTenant,
		Explanation: "tid is not the tenant the agent API accepts. A single-tenant API must refuse tokens from other tenants; a multi-tenant one must check an allow-list.",
	},
	{
		ID: "agent.no-challenge", Severity: SeverityWarning, Title: "401 without a WWW-Authenticate challenge",
		Fix:         "Answer 401 with WWW-Authenticate: Bearer (error, error_description, and resource_metadata or scope) so clients know how to get a valid token.",
		Docs:        docsRFC6750Challenge,
		Explanation: "RFC 6750 requires a 401 to carry a WWW-Authenticate: Bearer challenge. Without it a client cannot tell a missing scope from a wrong audience, and MCP clients cannot discover the authorization server.",
	},
	{
		ID: "agent.rejected", Severity: SeverityError, Title: "Agent API rejected the user token",
		Fix:         "Read the challenge and body shown: they name what the API wanted (audience, scope, issuer).",
		Docs:        docsRFC6750Challenge,
		Explanation: "The agent API answered 401 or 403 to the request that carried the user's token. The other findings at this hop say why when oboscope could tell; otherwise the API's challenge and body are the best evidence.",
	},
	{
		ID: "agent.insecure-transport", Severity: SeverityError, Title: "Token would be sent over plain http",
		Fix:         "Use an https:// URL for the agent (http is accepted only for loopback).",
		Docs:        docsAccessTokens,
		Explanation: "A bearer token is a password for its lifetime: anyone who sees it can use it. oboscope refuses to send a token over http:// to a non-loopback host.",
	},
	{
		ID: "agent.accepts-anonymous", Severity: SeverityError, Title: "Agent API answers calls without a token",
		Fix:         "Require a bearer token on every request and validate it (signature, issuer, aud, scp) before the agent acts; without one answer 401 with WWW-Authenticate: Bearer. On App Service or Container Apps: Authentication > Restrict access: Require authentication, unauthenticated requests: HTTP 401.",
		Docs:        docsProtectedAPI,
		Explanation: "The agent API answered a call that carried no Authorization header with success. Anyone who can reach it can use the agent, and whatever it does for a signed-in user it cannot do properly: without the user's token there is nothing to exchange On-Behalf-Of. Authentication belongs to the API (or the platform in front of it), not to the client's good manners.",
	},
}
