package inspect

// signinRules are the signin.* entries: problems at the user's sign-in.
var signinRules = []Rule{
	{
		ID: "signin.public-client-disabled", Severity: SeverityError, Title: "Public client flows are not allowed for this app",
		AADSTS: []int{7000218}, Community: true, CommunityCodes: []int{7000218},
		Fix:  "In the client app's registration: Authentication > Advanced settings > Allow public client flows: Yes (or az ad app update --id <client id> --is-fallback-public-client true).",
		Docs: docsDeviceCode,
		Explanation: "Device code and other public-client flows send no client secret. Entra allows that only when the app registration is marked as a public client; otherwise it asks for a credential and answers AADSTS7000218 " +
			"(\"the request body must contain client_assertion or client_secret\"). That this code is what device-code sign-in returns for a non-public app is community-observed, not documented.",
	},
	{
		ID: "signin.redirect-uri-mismatch", Severity: SeverityError, Title: "Redirect URI is not registered", AADSTS: []int{50011},
		Fix:  "Register the exact redirect URI the app sends (scheme, host, port, path, trailing slash) under its platform: App registrations > <client> > Authentication > Add a platform (Mobile and desktop for http://localhost), or az ad app update --id <client id> --public-client-redirect-uris <every uri>.",
		Docs: docsRedirectURI,
		Explanation: "Entra sends the authorization response only to a redirect URI registered on the app. The request's redirect_uri matches none of them (AADSTS50011). " +
			"MSAL's interactive flow uses http://localhost with a random port, which must be registered under 'Mobile and desktop applications'.",
	},
	{
		ID: "signin.redirect-platform-mismatch", Severity: SeverityError, Title: "Redirect URI registered under another platform than the client's",
		AADSTS: []int{9002326, 9002327},
		Fix:    "Register the redirect URI under the platform the client is: 'Single-page application' for code redeemed from a browser (cross-origin), 'Mobile and desktop applications' for native and CLI clients, 'Web' for a server.",
		Docs:   docsRedirectURI,
		Explanation: "Entra ties a redirect URI to a platform and checks how the code is redeemed: AADSTS9002326 'Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type' when a browser redeems a code of a Web or native registration, " +
			"AADSTS9002327 'Tokens issued for the 'Single-Page Application' client-type may only be redeemed via cross-origin requests' the other way round. MCP clients running in a browser or an Electron shell hit the first.",
	},
	{
		ID: "signin.scope-unqualified", Severity: SeverityWarning, Title: "Scope is not fully qualified",
		AADSTS: []int{650053}, Community: true, CommunityCodes: []int{650053},
		Fix:  "Ask for the full scope: api://<app id uri>/<scope> (or <client id>/<scope>); the App ID URI is under App registrations > <API> > Expose an API.",
		Docs: docsScopes,
		Explanation: "A bare scope such as access_as_user has no resource prefix, so Entra assumes Microsoft Graph and either issues a Graph token or fails because Graph has no such permission (AADSTS650053 'scope … doesn't exist on the resource' — community-observed). " +
			"Only OpenID scopes (openid, profile, email, offline_access) and Graph's own permissions may be written without a prefix.",
	},
	{
		ID: "signin.scopes-span-resources", Severity: SeverityError, Title: "One request asks for scopes of several resources",
		AADSTS: []int{28000, 700022}, Community: true, CommunityCodes: []int{28000},
		Fix:  "Request one resource per token request; for consent up front use .default and list the client in the API's knownClientApplications.",
		Docs: docsScopes,
		Explanation: "An access token has exactly one audience, so Entra refuses scopes that belong to two resources in one request (AADSTS28000 (community-observed) or AADSTS700022 'invalid scope … only one resource'). " +
			"Ask for each API's scopes in its own request; MSAL caches each token separately.",
	},
	{
		ID: "signin.app-not-found", Severity: SeverityError, Title: "Client app not found in the tenant", AADSTS: []int{700016},
		Fix:         "Check the client id and the tenant in the authority (az ad app show --id <client id>, signed in to that tenant); a single-tenant app signs in only in its home tenant, a multi-tenant app must be consented in the target tenant.",
		Docs:        docsErrorCodes,
		Explanation: "Entra found no application with this client id in the tenant the request went to (AADSTS700016). The id is mistyped, the app lives in another tenant, or it is single-tenant and the user signed in through another tenant.",
	},
	{
		ID: "signin.resource-not-found", Severity: SeverityError, Title: "Requested API not found in the tenant", AADSTS: []int{500011},
		Fix:         "Check the scope's App ID URI (App registrations > <API> > Expose an API); for an API of another tenant, have an admin consent to it, which creates its service principal here (or az ad sp create --id <api app id>).",
		Docs:        docsErrorCodes,
		Explanation: "The resource named in the scope has no service principal in this tenant (AADSTS500011 'resource principal … was not found'). Either the App ID URI is wrong, or the API is multi-tenant and was never provisioned here through consent.",
	},
	{
		ID: "signin.user-not-in-tenant", Severity: SeverityError, Title: "User is not a member or guest of this tenant", AADSTS: []int{50020},
		Fix:         "Invite the user as a B2B guest (Entra admin center > Users > New user > Invite external user), sign in to the user's home tenant, or use an authority that accepts the account type.",
		Docs:        docsGuests,
		Explanation: "The account that signed in has no user object in the tenant the authority names (AADSTS50020). External users must be invited first; personal accounts need an app and authority that accept them.",
	},
	{
		ID: "signin.conditional-access", Severity: SeverityError, Title: "Blocked by Conditional Access", AADSTS: []int{53003, 50076, 50079},
		Fix:         "Meet the policy (MFA, compliant device, location), or pass the claims challenge from the error back to MSAL (WithClaims) in an interactive sign-in.",
		Docs:        docsCADev,
		Explanation: "A Conditional Access policy applies to the user, app or resource. AADSTS53003 means access is blocked outright; AADSTS50076/50079 mean strong authentication (MFA) is required and the error carries a claims challenge to satisfy it interactively.",
	},
	{
		ID: "signin.consent-required", Severity: SeverityError, Title: "Consent is missing at sign-in", AADSTS: []int{65001},
		Fix:         "Grant consent: the user consents in an interactive sign-in, or an admin grants it for the tenant (App registrations > <client> > API permissions > Grant admin consent, or az ad app permission admin-consent --id <client id>).",
		Docs:        docsPermissions,
		Explanation: "The user or an admin has not consented to the permissions the client requests (AADSTS65001). Device code and other non-interactive flows cannot show a consent prompt, so consent must be granted first.",
	},
}
