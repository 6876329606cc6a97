package inspect

// tokenRules are the token.* entries of the catalogue: problems a token shows on its own, at any hop.
var tokenRules = []Rule{
	{
		ID: "token.malformed", Severity: SeverityError, Title: "Not a decodable token",
		ExplainsRejection: true,
		Fix:               "Paste the whole access token: three base64url segments separated by dots (header.payload.signature), with nothing cut off and no quotes or line breaks inside.",
		Docs:              docsAccessTokens,
		Explanation: "Entra ID access and ID tokens are JSON Web Tokens in compact form: a base64url-encoded JSON header, a base64url-encoded JSON payload and a signature, joined by dots. " +
			"This input could not be read that way: a segment is missing or extra, a segment is not base64url, or the header or payload is not a JSON object. " +
			"It usually happens when a token is copied partially (terminal line wrapping, a truncated log line), when a refresh token or an authorization code is pasted instead, or when the value still carries quotes or URL encoding.",
	},
	{
		ID: "token.encrypted", Severity: SeverityInfo, Title: "Encrypted token (JWE): its claims cannot be read here",
		ExplainsRejection: true,
		Fix:               "Nothing to fix: only the resource the token is encrypted for can read it. Inspect the token at that resource, or use a token meant for your own API.",
		Docs:              docsAccessTokens,
		Explanation: "The token has five segments, the compact form of a JSON Web Encryption (JWE) object. Entra encrypts some tokens for their resource (for example tokens for certain Microsoft services, or SAML/OIDC apps configured with token encryption). " +
			"A client must treat access tokens as opaque; only the audience holds the key to decrypt them. oboscope shows the protected header and nothing else.",
	},
	{
		ID: "token.unsigned", Severity: SeverityError, Title: "Token is unsigned or HMAC-signed: not issued by Entra",
		ExplainsRejection: true, AboutSignature: true,
		Fix:  "Reject the token. Entra signs every token it issues with an asymmetric key (RS256); a token with alg none or a shared-secret HS* algorithm is forged or comes from another issuer.",
		Docs: docsSigningKeys,
		Explanation: "The header's alg is none (no signature at all) or an HMAC algorithm (HS256/384/512) that needs a shared secret. Entra ID never issues such tokens: it signs with RSA keys published in the tenant's JWKS. " +
			"A validator that accepts these algorithms lets anyone mint tokens (the classic 'alg none' and 'RS256 to HS256' attacks). Pin the accepted algorithms to those the issuer's metadata announces.",
	},
	{
		ID: "token.signature-invalid", Severity: SeverityError, Title: "Signature does not verify against the issuer's keys",
		ExplainsRejection: true, AboutSignature: true,
		Fix:  "Treat the token as altered. Check that you fetched the JWKS of the token's own issuer (tenant and v1/v2 metadata) and that nothing rewrote the token on the way.",
		Docs: docsSigningKeys,
		Explanation: "The key named by the header's kid exists in the key set, but the signature over header.payload does not match it. Either the token was changed after it was issued (a claim edited, a segment re-encoded), " +
			"or it was checked against the wrong key set: for example keys of another tenant, or the common keys for an app that uses app-specific signing keys.",
	},
	{
		ID: "token.kid-unknown", Severity: SeverityError, Title: "Signing key (kid) not found in the issuer's JWKS",
		ExplainsRejection: true, AboutSignature: true,
		Fix:  "Refresh the cached JWKS (Entra rolls keys); if the app has custom signing keys, load the keys with ?appid=<client id> from the app-specific metadata.",
		Docs: docsSigningKeys,
		Explanation: "Entra names the key that signed the token in the header's kid (and x5t). The key set you checked against does not contain it. " +
			"Common causes: a key cache older than Entra's key rollover, keys fetched from the wrong tenant or cloud, or an application with its own signing key (claims mapping, SAML) whose keys are only published at the metadata URL with ?appid=.",
	},
	{
		ID: "token.expired", Severity: SeverityError, Title: "Token has expired", AADSTS: []int{500133},
		ExplainsRejection: true,
		Fix:               "Acquire a new token (MSAL's AcquireTokenSilent refreshes it); never cache access tokens past exp.",
		Docs:              docsAccessTokens,
		Explanation: "The exp claim is in the past, beyond the allowed clock skew. Every API must reject it, and Entra rejects it as an OBO assertion with AADSTS500133. " +
			"Access tokens live 60–90 minutes by default (random within that range); an app that caches a token itself instead of asking MSAL each time eventually sends an expired one.",
	},
	{
		ID: "token.not-yet-valid", Severity: SeverityError, Title: "Token is not valid yet (nbf in the future)",
		ExplainsRejection: true,
		Fix:               "Fix the clock of the machine that checks the token (or the one that issued it): enable NTP time sync.",
		Docs:              docsAccessTokens,
		Explanation:       "The nbf (not before) claim lies in the future by more than the allowed skew. Entra sets nbf to the issue time, so this nearly always means the validating machine's clock is behind, or the issuer's clock is ahead.",
	},
	{
		ID: "token.clock-skew", Severity: SeverityWarning, Title: "Local clock and server clock differ by more than 5 minutes",
		Fix:  "Synchronise the clock with NTP (timedatectl set-ntp true, w32tm /resync, or the VM host's time sync).",
		Docs: docsAccessTokens,
		Explanation: "The server's Date header (or a just-issued token's iat) differs from this machine's clock by more than 5 minutes, the skew most validators allow. " +
			"Fresh tokens then look expired or not yet valid, and signed client assertions are rejected for their timestamps.",
	},
	{
		ID: "token.id-token-as-access", Severity: SeverityError, Title: "An ID token is used as an access token", AADSTS: []int{240002},
		ExplainsRejection: true,
		Fix:               "Send the access_token from the token response (requested for the API's scope), not the id_token.",
		Docs:              docsIDClaims,
		Explanation: "The token is an ID token: it has a nonce claim (or at_hash/c_hash) and no scp or roles, and its audience is the client app itself. ID tokens prove to the client who signed in; they are not meant for APIs. " +
			"Entra rejects an ID token as an OBO assertion with AADSTS240002, and APIs should reject it as a bearer token.",
	},
	{
		ID: "token.graph-token", Severity: SeverityInfo, Title: "Token for Microsoft Graph: only Graph can validate it",
		ExplainsRejection: true,
		Fix:               "Nothing to fix if it is sent to Graph. Do not validate Graph tokens in your own code; request a token for your own API's scope to call your API.",
		Docs:              docsAccessTokens,
		Explanation: "The audience is Microsoft Graph (or the header carries a nonce, which Graph tokens do). Graph signs its tokens in a special way: the header nonce is hashed before the signature is checked, so standard libraries report an invalid signature. " +
			"That is by design; the token is only for Graph. An API that receives a Graph token was sent the wrong token.",
	},
	{
		ID: "token.issuer-tenant-mismatch", Severity: SeverityError, Title: "Tenant in iss differs from tid",
		ExplainsRejection: true,
		Fix:               "Reject the token; if you validate tokens of many tenants, compare the GUID in iss with tid instead of accepting any issuer.",
		Docs:              docsMultiTenant,
		Explanation: "Entra puts the issuing tenant's GUID in iss (https://sts.windows.net/{tid}/ or https://login.microsoftonline.com/{tid}/v2.0) and the same GUID in tid. A difference means the token was altered, " +
			"or it was minted by something that imitates Entra. Multi-tenant validators must check that the issuer matches the token's tid.",
	},
	{
		ID: "token.version-mismatch", Severity: SeverityWarning, Title: "Token version is not the one expected",
		ExplainsRejection: true,
		Fix:               "Set the API to accept v2 tokens (App registrations > <API> > Manifest: requestedAccessTokenVersion (accessTokenAcceptedVersion) 2, or az ad app update --id <api app id> --set api.requestedAccessTokenVersion=2), or validate with the metadata of the version you get.",
		Docs:              docsManifest,
		Explanation: "v1.0 tokens have iss https://sts.windows.net/{tid}/ and appid; v2.0 tokens have iss https://login.microsoftonline.com/{tid}/v2.0 and azp. The resource's app registration decides which version it gets — not the endpoint the client called — and the default is v1. " +
			"A validator configured for one issuer form rejects the other, which surfaces as 'invalid issuer' 401s.",
	},
	{
		ID: "token.groups-overage", Severity: SeverityInfo, Title: "Too many groups: groups are not in the token",
		ExplainsRejection: true, PerUser: true,
		Fix:  "Read the user's groups from Microsoft Graph (/me/transitiveMemberOf or checkMemberGroups), or emit only groups assigned to the application.",
		Docs: docsGroupsOverage,
		Explanation: "The user is in more groups than fit in the token (200 for JWTs), so Entra leaves out the groups claim and adds _claim_names / _claim_sources pointing to Graph. " +
			"An authorization check that reads only the groups claim sees no groups at all for these users. A warning where the token is presented to an API (a walk, or inspect with expectations); information when the token is only inspected.",
	},
	{
		ID: "token.pop-bound-as-bearer", Severity: SeverityError, Title: "Proof-of-possession token sent as a Bearer token",
		AADSTS:            []int{530084},
		ExplainsRejection: true,
		Fix:               "Send the token with its proof-of-possession scheme (Authorization: PoP … with a signed request), or request an ordinary bearer token for this API.",
		Docs:              docsAccessClaims,
		Explanation: "A cnf (confirmation) claim binds the token to a key the client holds (a PoP token, or a device-bound token under Token Protection). Sent as Bearer, a careful API must refuse it, and Entra refuses bound sessions from unbound clients under Token Protection " +
			"(AADSTS530084, a Conditional Access Token Protection policy). The client asked for a PoP token or its broker bound it; the API expects a bearer token.",
	},
	{
		ID: "token.near-expiry", Severity: SeverityInfo, Title: "Token expires within 5 minutes",
		ExplainsRejection: true,
		Fix:               "Refresh the token (MSAL AcquireTokenSilent) before a long call chain; downstream OBO fails once it has expired.",
		Docs:              docsAccessTokens,
		Explanation:       "exp is less than 5 minutes away. A call that starts now may still reach an API or an OBO exchange after the token has expired.",
	},
	{
		ID: "token.unexpected-audience", Severity: SeverityError, Title: "Audience is not the expected one",
		ExplainsRejection: true,
		Fix:               "Request the token for the expected API: use its scope (api://<app id uri>/<scope> or <client id>/.default).",
		Docs:              docsAccessClaims,
		Explanation: "aud names the one API the token is for: its client id (v2) or its App ID URI or client id (v1). The token's aud is none of the expected values, so that API must reject it. " +
			"The usual cause is a client that asked for the wrong scope — often a Graph scope such as User.Read, which yields a Graph token.",
	},
	{
		ID: "token.missing-scope", Severity: SeverityError, Title: "An expected scope or role is missing",
		ExplainsRejection: true,
		Fix:               "Request the scope; expose it on the API (App registrations > <API> > Expose an API, or App roles for a role) and grant consent (the client's API permissions > Grant admin consent, or az ad app permission admin-consent --id <client app id>).",
		Docs:              docsProtectedAPI,
		Explanation: "Delegated permissions appear in scp (space-separated), application permissions in roles. The expected permission is in neither, so an API that checks it returns 403. " +
			"Causes: the client did not request it, consent was not granted, or the API does not expose a scope of that name.",
	},
	{
		ID: "token.unexpected-tenant", Severity: SeverityError, Title: "Token comes from another tenant",
		ExplainsRejection: true,
		Fix:               "Sign in to the expected tenant: use its tenant ID or domain in the authority instead of common/organizations.",
		Docs:              docsMultiTenant,
		Explanation:       "tid is the tenant that issued the token. It differs from the expected tenant, typically because the user signed in through /common or /organizations with an account homed elsewhere, or picked the wrong account.",
	},
	{
		ID: "token.opaque", Severity: SeverityInfo, Title: "Opaque token: not a JWT",
		ExplainsRejection: true,
		Fix:               "Nothing to read here: only its issuer can interpret it. If you expected an Entra access token for your API, request one for your API's scope.",
		Docs:              docsAccessTokens,
		Explanation:       "The value is a single segment, not a JSON Web Token. Refresh tokens, authorization codes and tokens for personal Microsoft accounts (MSA) are opaque on purpose and cannot be decoded by a client.",
	},
}
