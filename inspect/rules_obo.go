package inspect

// oboRules are the obo.* and agentid.* entries: problems in the On-Behalf-Of exchange, including
// the two legs of the Agent ID flow.
var oboRules = []Rule{
	{
		ID: "obo.assertion-aud-mismatch", Severity: SeverityError, Title: "OBO assertion is not for the middle tier",
		AADSTS: []int{500131, 50013},
		Fix:    "The middle tier (the OBO client) must be the assertion's audience: the client must request the middle tier's own scope (api://<middle tier app id uri>/<scope>, under App registrations > <middle tier> > Expose an API).",
		Docs:   docsOBO,
		Explanation: "In OBO the middle tier exchanges the token it received; Entra accepts only a token whose aud is that middle tier's client id or one of its App ID URIs, compared exactly. " +
			"Here the assertion was for another resource. Entra answers AADSTS500131 'Assertion audience does not match the Client app presenting the assertion. The audience in the assertion was … and the expected audience is …' (documented in Microsoft's error lookup); " +
			"older answers carried AADSTS50013 'Assertion audience claim does not match the required value'. AADSTS50013 has other causes too (a signature that fails, an expired assertion), so it means this finding only when its description speaks of the audience. " +
			"Typical cause: the client sent a Graph token, or a token for another API, to the agent.",
	},
	{
		ID: "obo.assertion-aud-case-mismatch", Severity: SeverityError, Title: "OBO assertion's audience differs from the App ID URI only in case",
		AADSTS: []int{500131},
		Fix:    "Request the middle tier's scope with its App ID URI exactly as registered, case included (or use the GUID form api://<client id>/…), so that the token's aud is what Entra compares.",
		Docs:   docsOBO,
		Explanation: "Entra resolves a requested scope's App ID URI ignoring case, and a v1 token's aud carries the URI as the client wrote it; but the OBO exchange compares the assertion's aud with the middle tier's registered identifiers exactly. " +
			"So a token for api://Contoso-Agent is issued and accepted by many APIs, yet refused at OBO with AADSTS500131 when the registration says api://contoso-agent. " +
			"Public reports (OfficeDev/microsoft-teams-apps-company-communicator#214) fixed AADSTS500131 by writing the URI in the case registered.",
	},
	{
		ID: "obo.assertion-invalid", Severity: SeverityError, Title: "OBO assertion failed Entra's validation (not an audience problem)",
		AADSTS: []int{50013},
		Fix:    "Send the access token the client obtained for the middle tier, as issued by this tenant: not a Microsoft Graph token (its signature cannot be validated by anyone but Graph), not a token of another tenant or issuer, not a modified one.",
		Docs:   docsOBO,
		Explanation: "AADSTS50013 'Assertion failed signature validation' or 'Assertion contains an invalid signature' means Entra could not validate the assertion itself. " +
			"The usual cause is a Microsoft Graph token used as the assertion: Graph tokens carry a nonce in their header and their signature only validates for Graph " +
			"(AzureAD/azure-activedirectory-library-for-dotnet#1234: 'The provided signature value did not match the expected signature value'). Other causes: a token from another issuer or tenant, a truncated or altered token. " +
			"When the description speaks of the audience instead, it is obo.assertion-aud-mismatch; of the time range, token.expired.",
	},
	{
		ID: "obo.no-user-assertion", Severity: SeverityError, Title: "The middle tier had no user token to exchange",
		Fix:  "Forward the user's bearer token to the middle tier unchanged (check proxies, API gateways and hosting layers that strip or consume Authorization). A hosted agent, or one called by a service principal, has no user token and cannot do OBO: use the agent's own identity, or an OAuth identity passthrough connection.",
		Docs: docsOBO,
		Explanation: "On-Behalf-Of exchanges the user's token that reached the middle tier. When no Authorization header reaches it (a proxy or gateway strips it, an app-service authentication layer consumes it), or the caller is an application rather than a user, there is nothing to exchange. " +
			"oboscope sees it when the agent API answers a request that carried a token as if none came (a Bearer challenge without an error, RFC 6750 §3.1), or reports an exchange it could not start for want of a user assertion. " +
			"Foundry hosted agents report it as 'Failed to fetch access token. Status: BadRequest. Details: \"ARA OBO token request failed with status BadRequest\"' (Azure/azure-sdk-for-python#46696), and their hosting adapter drops the incoming Authorization header (Azure/azure-sdk-for-python#45797). The phrase is matched as people report it; Microsoft documents no code for it.",
	},
	{
		ID: "obo.app-only-assertion", Severity: SeverityError, Title: "OBO assertion is an app-only token", AADSTS: []int{7000114},
		Fix:  "OBO needs a user's token. For app-to-app calls use the client credentials grant with the middle tier's own identity.",
		Docs: docsOBO,
		Explanation: "The assertion has no user: roles instead of scp, idtyp=app. On-Behalf-Of means on behalf of a user, so Entra cannot exchange an application's token: it answers unauthorized_client, " +
			"AADSTS7000114 'Application … is not allowed to make application on-behalf-of calls' (AzureAD/microsoft-authentication-library-for-dotnet#2130; microsoft/mcp#2192 for MCP servers called by service principals).",
	},
	{
		ID: "obo.consent-required", Severity: SeverityError, Title: "Consent missing for the downstream API", AADSTS: []int{65001},
		Fix:         "Consent the middle tier to the downstream API: App registrations > <middle tier> > API permissions > add it > Grant admin consent (or az ad app permission admin-consent --id <middle tier app id>); or list the client in its knownClientApplications and sign in with .default.",
		Docs:        docsOBO,
		Explanation: "The user (or an admin) has not consented to the middle tier calling the downstream API on their behalf (AADSTS65001). OBO cannot show a consent prompt, so consent must be obtained at sign-in or granted by an admin.",
	},
	{
		ID: "obo.invalid-client-secret", Severity: SeverityError, Title: "Middle tier's client secret is wrong", AADSTS: []int{7000215},
		Fix:         "Use the secret's Value (shown once at creation), not its Secret ID; if it is lost, create a new one (Certificates & secrets > New client secret, or az ad app credential reset --id <app id> --append).",
		Docs:        docsCredentials,
		Explanation: "Entra did not accept the client secret (AADSTS7000215 'invalid client secret provided'). The most frequent cause is pasting the secret's ID (a GUID) instead of its value.",
	},
	{
		ID: "obo.client-secret-expired", Severity: SeverityError, Title: "Middle tier's client secret has expired", AADSTS: []int{7000222},
		Fix:         "Create a new secret (App registrations > <middle tier> > Certificates & secrets > New client secret, or az ad app credential reset --id <app id> --append), deploy it and remove the expired one; better, a certificate or a federated credential.",
		Docs:        docsCredentials,
		Explanation: "The secret is past its end date (AADSTS7000222). Secrets last at most 24 months.",
	},
	{
		ID: "obo.missing-client-credential", Severity: SeverityError, Title: "Token request carried no client credential", AADSTS: []int{7000218, 7000216},
		Fix:  "Give the middle tier (or the Agent ID blueprint, for leg 1) a secret, certificate or federated credential (App registrations > <app> > Certificates & secrets, or az ad app credential reset --id <app id> --append) and send it; OBO and client credentials are confidential-client flows.",
		Docs: docsOBO,
		Explanation: "The token request had neither client_secret nor client_assertion: AADSTS7000218 'The request body must contain the following parameter: 'client_assertion' or 'client_secret'' on OBO, " +
			"AADSTS7000216 ''client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type' on client credentials, such as the Agent ID blueprint's leg 1. Only confidential clients can perform these flows.",
	},
	{
		ID: "obo.certificate-not-registered", Severity: SeverityError, Title: "Client assertion signed with a certificate the app does not have", AADSTS: []int{700027},
		Fix:  "Upload the certificate's public part to the app registration (Certificates & secrets), or, for subject name + issuer (SNI) apps, send the chain in x5c (MSAL WithX5C / sendX5C).",
		Docs: docsCredentials,
		Explanation: "Entra looks the client assertion's x5t / x5t#S256 thumbprint up among the app's key credentials and answers invalid_client, AADSTS700027 'The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: …]' " +
			"(older: 'Client assertion contains an invalid signature'). Causes: a renewed certificate not uploaded, the wrong certificate deployed, or an SNI app whose client did not send x5c (AzureAD/microsoft-authentication-library-for-js#8339).",
	},
	{
		ID: "obo.public-client-secret", Severity: SeverityError, Title: "A public client sent a client secret or assertion", AADSTS: []int{700025},
		Fix:  "Remove the credential from the public client's requests, or make the app confidential: register its redirect URI under 'Web' rather than 'Mobile and desktop applications', turn 'Allow public client flows' off, and keep the secret on a server.",
		Docs: docsCredentials,
		Explanation: "Entra refuses credentials from an app it treats as a public client: AADSTS700025 'Client is public so neither 'client_assertion' nor 'client_secret' should be presented.' Whether a request counts as public follows the platform its redirect URI is registered under " +
			"(harishkrupo/oauth2ms#19, sonichi/sutando#2705: 'Mobile and desktop applications' means public). A secret in a desktop, mobile or CLI app is not secret.",
	},
	{
		ID: "obo.claims-challenge", Severity: SeverityWarning, Title: "Downstream API requires more (claims challenge)", AADSTS: []int{50076, 50079},
		Fix:  "Return 401 with WWW-Authenticate: Bearer error=\"insufficient_claims\", claims=\"…\" to the client; the client signs in again with those claims (WithClaims).",
		Docs: docsClaimsChallenge,
		Explanation: "Entra's answer carried a claims value: a Conditional Access policy on the downstream API needs something the user's session lacks. On OBO Entra sends MFA as invalid_grant with suberror basic_action, AADSTS50076 and claims " +
			"(not interaction_required); continuous access evaluation, device compliance (AADSTS53000) and Token Protection (AADSTS530084) challenges carry other codes, so any answer with claims is one. " +
			"The middle tier cannot interact with the user, so it must relay the challenge to the client. A policy on the location is not satisfied by signing in again from the same place.",
	},
	{
		ID: "obo.wrong-grant", Severity: SeverityError, Title: "Token exchange grant (RFC 8693) sent instead of OBO",
		AADSTS: []int{70003}, Community: true, CommunityCodes: []int{70003},
		Fix:  "Use grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer with requested_token_use=on_behalf_of (MSAL AcquireTokenOnBehalfOf).",
		Docs: docsOBO,
		Explanation: "Entra does not implement RFC 8693 token exchange for OBO; Entra's OBO is the jwt-bearer grant. Which code it answers is unconfirmed: unsupported_grant_type AADSTS70003 is what an unknown grant type gets, " +
			"and Agent ID developers report AADSTS82001 for an RFC 8693 request from an agent identity (microsoft/skills#195). oboscope raises this finding from the request it saw, not from the code.",
	},
	{
		ID: "obo.scope-not-found", Severity: SeverityError, Title: "Downstream scope not found", AADSTS: []int{500011, 65005, 70011},
		Fix:         "Check the downstream scope's App ID URI and name; expose the scope on the downstream API (App registrations > <API> > Expose an API > Add a scope).",
		Docs:        docsExposeAPI,
		Explanation: "The scope the middle tier asked for does not exist: the resource is not in the tenant (AADSTS500011), the app does not list that permission (AADSTS65005), or the scope string is invalid (AADSTS70011).",
	},
	{
		ID: "obo.downstream-aud", Severity: SeverityError, Title: "Exchanged token is not for the MCP server",
		ExplainsRejection: true,
		Fix:               "Have the middle tier request the MCP server's scope (api://<mcp app id uri>/<scope>, under App registrations > <MCP server> > Expose an API) in its OBO request.",
		Docs:              docsOBO,
		Explanation:       "The token the OBO exchange produced has an audience other than the MCP server, so the MCP server must reject it.",
	},
	{
		ID: "obo.scope-missing", Severity: SeverityWarning, Title: "Exchanged token lacks a requested scope",
		ExplainsRejection: true,
		Fix:               "Grant consent for the scope: App registrations > <middle tier> > API permissions > Grant admin consent (or az ad app permission admin-consent --id <middle tier app id>), or combined consent through knownClientApplications.",
		Docs:              docsPermissions,
		Explanation:       "Entra issued the token without one of the requested scopes, typically because consent covers only some of them.",
	},
}
