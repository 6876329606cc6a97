package inspect

// oboRules are the obo.* and agentid.* entries: problems in the On-Behalf-Of exchange, including
// the two legs of the Agent ID flow.
var oboRules = []Rule{
	{
		ID: "obo.assertion-aud-mismatch", Severity: SeverityError, Title: "OBO assertion is not for the middle tier",
		AADSTS: []int{50013, 500131}, Community: true, CommunityCodes: []int{500131},
		Fix:  "The middle tier (the OBO client) must be the assertion's audience: the client must request the middle tier's own scope (api://<middle tier app id uri>/<scope>, under App registrations > <middle tier> > Expose an API).",
		Docs: docsOBO,
		Explanation: "In OBO the middle tier exchanges the token it received; Entra accepts only a token whose aud is that middle tier's client id or App ID URI. Here the assertion was for another resource (AADSTS50013 'assertion audience does not match'; " +
			"AADSTS500131 'assertion audience does not match the client app' is community-observed for the same case). Typical cause: the client sent a Graph token to the agent.",
	},
	{
		ID: "obo.app-only-assertion", Severity: SeverityError, Title: "OBO assertion is an app-only token",
		Fix:         "OBO needs a user's token. For app-to-app calls use the client credentials grant with the middle tier's own identity.",
		Docs:        docsOBO,
		Explanation: "The assertion has no user: roles instead of scp, idtyp=app. On-Behalf-Of means on behalf of a user, so Entra cannot exchange an application's token.",
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
		ID: "obo.missing-client-credential", Severity: SeverityError, Title: "OBO request carried no client credential", AADSTS: []int{7000218},
		Fix:         "Give the middle tier a secret or certificate (App registrations > <app> > Certificates & secrets, or az ad app credential reset --id <app id> --append) and configure it: OBO is a confidential-client flow.",
		Docs:        docsOBO,
		Explanation: "The token request had neither client_secret nor client_assertion (AADSTS7000218). Only confidential clients can perform OBO.",
	},
	{
		ID: "obo.claims-challenge", Severity: SeverityWarning, Title: "Downstream API requires more (claims challenge)", AADSTS: []int{50076, 50079},
		Fix:         "Return 401 with WWW-Authenticate: Bearer error=\"insufficient_claims\", claims=\"…\" to the client; the client signs in again with those claims (WithClaims).",
		Docs:        docsClaimsChallenge,
		Explanation: "Entra answered interaction_required with a claims value: a Conditional Access policy on the downstream API needs something (usually MFA) the user's session lacks. The middle tier cannot interact with the user, so it must relay the challenge to the client.",
	},
	{
		ID: "obo.wrong-grant", Severity: SeverityError, Title: "Token exchange grant (RFC 8693) sent instead of OBO",
		AADSTS: []int{70003}, Community: true, CommunityCodes: []int{70003},
		Fix:         "Use grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer with requested_token_use=on_behalf_of (MSAL AcquireTokenOnBehalfOf).",
		Docs:        docsOBO,
		Explanation: "Entra does not implement RFC 8693 token exchange for OBO; it answers unsupported_grant_type (AADSTS70003, community-observed for this case). Entra's OBO is the jwt-bearer grant.",
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
	{
		ID: "agentid.user-token-as-credential", Severity: SeverityError, Title: "User token used as the agent identity's credential",
		AADSTS:      []int{700229},
		Fix:         "Get T1 with the blueprint's client_credentials grant and fmi_path=<agent identity id>, and use T1 (not the user's token) as client_assertion.",
		Docs:        docsAgentOBO,
		Explanation: "In the Agent ID OBO flow the agent identity authenticates with a federated credential (T1) that its blueprint obtains from Entra. A user's token was passed as that credential instead, which Entra refuses (AADSTS700229).",
	},
	{
		ID: "agentid.assertion-aud-not-blueprint", Severity: SeverityError, Title: "User token is not for the agent blueprint",
		AADSTS: []int{50013}, Community: true, CommunityCodes: []int{50013},
		Fix:         "Have the client request a scope of the blueprint (api://<blueprint app id>/…) so the user token's aud is the blueprint.",
		Docs:        docsAgentOBO,
		Explanation: "In the Agent ID OBO flow, the user token (Tc) must have the agent blueprint as its audience. Here it is for another resource, and the exchange fails with AADSTS50013 (community-observed for this flow).",
	},
	{
		ID: "agentid.fmi-path-missing", Severity: SeverityError, Title: "Blueprint token request lacks fmi_path",
		Fix:         "Pass fmi_path=<agent identity client id> (MSAL WithFMIPath) on the blueprint's client_credentials request for api://AzureADTokenExchange/.default.",
		Docs:        docsAgentOBO,
		Explanation: "The blueprint's first leg must name the agent identity it acts for with fmi_path; without it the resulting token cannot serve as the agent identity's credential.",
	},
	{
		ID: "agentid.not-agent-token", Severity: SeverityInfo, Title: "Expected an Agent ID token, got an ordinary one",
		Fix:         "Check the blueprint and agent identity setup: the token should carry xms_par_app_azp and an agent facet (11) in xms_act_fct or xms_sub_fct.",
		Docs:        docsAgentClaims,
		Explanation: "Agent ID tokens carry xms_par_app_azp (the blueprint's app id) and facet claims with the value 11 (agent identity). This token has neither, so it was issued to an ordinary application.",
	},
}
