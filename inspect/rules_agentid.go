package inspect

// agentIDRules are the agentid.* entries: problems particular to the two legs of the Agent ID flow
// (the blueprint's T1 request with fmi_path, then the agent identity's exchange).
var agentIDRules = []Rule{
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
		ID: "agentid.fmi-path-missing", Severity: SeverityError, Title: "Blueprint token request lacks fmi_path", AADSTS: []int{82008},
		Fix:  "Pass fmi_path=<agent identity client id> (MSAL WithFMIPath) on the blueprint's client_credentials request for api://AzureADTokenExchange/.default.",
		Docs: docsAgentOBO,
		Explanation: "The blueprint's first leg must name the agent identity it acts for with fmi_path, in the POST body; without it (or with an empty one) Entra answers AADSTS82008 " +
			"'All agentic applications requesting a token exchange token must include the fmipath parameter on the token request.' (microsoft/Agent365-Samples#116 shows an empty fmi_path; #230 the error).",
	},
	{
		ID: "agentid.direct-client-credentials", Severity: SeverityError, Title: "Agent identity asked for a token directly instead of through its blueprint",
		AADSTS: []int{82001},
		Fix:    "Get T1 from the blueprint (client_credentials for api://AzureADTokenExchange/.default with fmi_path=<agent identity>), then have the agent identity present T1 as its client_assertion; do not send RFC 8693 token exchange.",
		Docs:   docsAgentOBO,
		Explanation: "An agent identity has no credential of its own: it authenticates with the T1 its blueprint obtains. Requesting a token as the agent identity directly (client credentials), or with an RFC 8693 token-exchange grant, is refused with AADSTS82001 " +
			"(community-documented in microsoft/skills#195; Microsoft's error reference does not list it yet).",
	},
	{
		ID: "agentid.no-interactive-consent", Severity: SeverityError, Title: "Consent was asked of a user for an agent identity",
		AADSTS:      []int{82014},
		Fix:         "Grant the permission to the agent identity by admin consent (an oauth2PermissionGrant) or through inheritable permissions on its blueprint; agent identities cannot be consented interactively.",
		Docs:        docsAgentOBO,
		Explanation: "Agent identities cannot initiate /authorize flows, so a user cannot consent for them: Entra answers AADSTS82014 (MicrosoftDocs/entra-docs#2036). Permissions must be granted by an administrator or inherited from the blueprint.",
	},
	{
		ID: "agentid.wrong-tenant", Severity: SeverityError, Title: "Leg 1 was sent to another tenant than the agent identity's",
		AADSTS: []int{700211},
		Fix:    "Send the blueprint's leg 1 to the tenant where the agent identity lives (its home tenant, for a multi-tenant blueprint), so that T1's issuer is the one its federated credential trusts.",
		Docs:   docsAgentOBO,
		Explanation: "The agent identity trusts T1 only from its own tenant's issuer. A T1 obtained in another tenant fails with AADSTS700211 'No matching federated identity record found for presented assertion issuer' " +
			"(microsoft/skills#195: step 1 must target the agent identity's home tenant, not the blueprint's).",
	},
	{
		ID: "agentid.wrong-agent-identity", Severity: SeverityWarning, Title: "Token speaks for another agent identity than the one configured",
		Fix:  "Give the agent its own agent identity and use it, or fix the configuration (obo.agent_identity_id) to name the identity the agent really uses.",
		Docs: docsAgentClaims,
		Explanation: "An Agent ID token names the acting agent identity in appid/azp and its blueprint in xms_par_app_azp. When these are another identity than the one configured, the agent runs as someone else: " +
			"for example a published Foundry agent that still authenticates with the project's shared identity, so its permissions and audit trail are the project's, not its own.",
	},
	{
		ID: "agentid.not-agent-token", Severity: SeverityInfo, Title: "Expected an Agent ID token, got an ordinary one",
		Fix:         "Check the blueprint and agent identity setup: the token should carry xms_par_app_azp and an agent facet (11) in xms_act_fct or xms_sub_fct.",
		Docs:        docsAgentClaims,
		Explanation: "Agent ID tokens carry xms_par_app_azp (the blueprint's app id) and facet claims with the value 11 (agent identity). This token has neither, so it was issued to an ordinary application.",
	},
}
