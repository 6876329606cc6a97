package inspect

// ruleCatalogue is every finding rule, in catalogue order. Each hop's entries sit in
// rules_<hop>.go beside the analyzer that raises them (rules_token.go beside lint.go). It is
// read-only after package initialisation; Rules and LookupRule hand out copies.
var ruleCatalogue = concatRules(tokenRules, tokenLifetimeRules, signinRules, agentRules, oboRules, agentIDRules, mcpRules, mcpClientRules, foundryRules, authorityRules)

// ruleIndex maps a finding ID to its position in ruleCatalogue. Read-only.
var ruleIndex = indexRules(ruleCatalogue)

func concatRules(groups ...[]Rule) []Rule {
	var out []Rule
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

func indexRules(rs []Rule) map[string]int {
	m := make(map[string]int, len(rs))
	for i, r := range rs {
		m[r.ID] = i
	}
	return m
}

// Links to Microsoft Learn and the specifications that the catalogue cites.
const (
	docsAccessTokens     = "https://learn.microsoft.com/en-us/entra/identity-platform/access-tokens"
	docsAccessClaims     = "https://learn.microsoft.com/en-us/entra/identity-platform/access-token-claims-reference"
	docsIDClaims         = "https://learn.microsoft.com/en-us/entra/identity-platform/id-token-claims-reference"
	docsOptionalClaims   = "https://learn.microsoft.com/en-us/entra/identity-platform/optional-claims-reference"
	docsSigningKeys      = "https://learn.microsoft.com/en-us/entra/identity-platform/signing-key-rollover"
	docsManifest         = "https://learn.microsoft.com/en-us/entra/identity-platform/reference-microsoft-graph-app-manifest"
	docsGroupsOverage    = "https://learn.microsoft.com/en-us/security/zero-trust/develop/configure-tokens-group-claims-app-roles"
	docsErrorCodes       = "https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes"
	docsDeviceCode       = "https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-device-code"
	docsRedirectURI      = "https://learn.microsoft.com/en-us/entra/identity-platform/reply-url"
	docsScopes           = "https://learn.microsoft.com/en-us/entra/identity-platform/scopes-oidc"
	docsPermissions      = "https://learn.microsoft.com/en-us/entra/identity-platform/permissions-consent-overview"
	docsGuests           = "https://learn.microsoft.com/en-us/entra/external-id/b2b-quickstart-add-guest-users-portal"
	docsCADev            = "https://learn.microsoft.com/en-us/entra/identity-platform/v2-conditional-access-dev-guide"
	docsClaimsChallenge  = "https://learn.microsoft.com/en-us/entra/identity-platform/claims-challenge"
	docsOBO              = "https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-on-behalf-of-flow"
	docsCredentials      = "https://learn.microsoft.com/en-us/entra/identity-platform/how-to-add-credentials"
	docsMultiTenant      = "https://learn.microsoft.com/en-us/entra/identity-platform/howto-convert-app-to-be-multi-tenant"
	docsProtectedAPI     = "https://learn.microsoft.com/en-us/entra/identity-platform/scenario-protected-web-api-verification-scope-app-roles"
	docsExposeAPI        = "https://learn.microsoft.com/en-us/entra/identity-platform/quickstart-configure-app-expose-web-apis"
	docsAgentOBO         = "https://learn.microsoft.com/en-us/entra/agent-id/identity-platform/agent-on-behalf-of-oauth-flow"
	docsAgentClaims      = "https://learn.microsoft.com/en-us/entra/agent-id/identity-platform/agent-token-claims"
	docsMCPAuth          = "https://modelcontextprotocol.io/specification/2025-06-18/basic/authorization"
	docsRFC9728          = "https://www.rfc-editor.org/rfc/rfc9728"
	docsRFC6750Challenge = "https://www.rfc-editor.org/rfc/rfc6750#section-3"
	docsMCPSecurity      = "https://modelcontextprotocol.io/specification/2025-06-18/basic/security_best_practices"
)
