package inspect

// claimMeanings explains every claim of Microsoft's access-token and ID-token claim references,
// the optional claims reference, the Agent ID claims and the registered JWT / OpenID Connect
// claims, in oboscope's own words. Read-only.
var claimMeanings = map[string]string{
	// Registered JWT claims and the core of every Entra token.
	"aud":                      "Audience: the one API (resource) the token is for — its client ID, or in v1 tokens also its App ID URI. An API must reject tokens with any other aud.",
	"iss":                      "Issuer: the security token service that issued the token, with the tenant's GUID in the path (v1: https://sts.windows.net/{tid}/, v2: https://login.microsoftonline.com/{tid}/v2.0).",
	"iat":                      "Issued at: when the token was issued (seconds since 1970, shown as a time).",
	"nbf":                      "Not before: the token must not be accepted before this time.",
	"exp":                      "Expiration: the token must not be accepted after this time (allowing a few minutes of clock skew).",
	"sub":                      "Subject: who the token is about. Pairwise: the same user has a different sub for every application, so use oid (with tid) to identify a user across apps.",
	"jti":                      "JWT ID: a unique identifier of this token, for replay detection.",
	"tid":                      "Tenant ID: the directory the token was issued in (for guests: the resource tenant, not their home tenant).",
	"oid":                      "Object ID: the immutable ID of the user or service principal in this tenant — the key to store per-user data and to check authorization.",
	"ver":                      "Token version: 1.0 or 2.0. The API's app registration (accessTokenAcceptedVersion) decides it, not the endpoint the client used.",
	"idp":                      "Identity provider that authenticated the subject. Absent or equal to iss for members of the tenant; another tenant's issuer for guests; live.com for personal Microsoft accounts.",
	"aio":                      "An opaque value Entra uses internally to reuse the token; ignore it.",
	"rh":                       "An opaque value Entra uses to revalidate tokens; ignore it.",
	"uti":                      "Token identifier Entra uses internally (a unique token ID); useful to correlate with sign-in logs.",
	"acr":                      "Authentication context class (v1): \"1\" for a normal authentication; \"0\" means the authentication did not meet ISO/IEC 29115.",
	"amr":                      "Authentication methods used: pwd (password), mfa, rsa (key, e.g. Authenticator), otp, fed (federated), wia (Windows integrated), ngcmfa (Windows Hello / passkey), and so on.",
	"appid":                    "Application ID of the client that requested the token (v1 tokens; v2 tokens use azp).",
	"azp":                      "Authorized party: application ID of the client that requested the token (v2 tokens; v1 tokens use appid). After OBO it is the middle tier.",
	"appidacr":                 "How the client authenticated when it requested the token (v1): 0 public client (no credential), 1 client secret, 2 certificate or client assertion.",
	"azpacr":                   "How the client authenticated when it requested the token (v2): 0 public client (no credential), 1 client secret, 2 certificate or client assertion.",
	"scp":                      "Scopes: the delegated permissions the user (or admin) consented to for this client at this API, space-separated. Present only in user tokens.",
	"roles":                    "Roles: application permissions granted to the client (app-only tokens), or app roles assigned to the user or their groups.",
	"wids":                     "Directory roles of the user, as role template IDs (e.g. 62e90394-… is Global Administrator). Emitted when the app requests it.",
	"groups":                   "Object IDs of the groups the user belongs to (only when the app's groupMembershipClaims asks for them, and at most 200 in a JWT).",
	"hasgroups":                "Set to true instead of listing groups when a user has too many for an implicit-flow token: read them from Microsoft Graph.",
	"_claim_names":             "Groups overage: names claims (groups) that were left out because they do not fit, pointing into _claim_sources.",
	"_claim_sources":           "Groups overage: where to fetch the left-out claims (a Microsoft Graph endpoint).",
	"idtyp":                    "Identity type: user for a token issued to a user, app for an app-only token (client credentials). Emitted when requested as an optional claim; always present in Agent ID tokens.",
	"name":                     "The subject's display name. For display only: not unique, can change.",
	"preferred_username":       "The user's primary username (often the UPN or email) in v2 tokens. For display only: mutable, do not authorize with it.",
	"unique_name":              "A display username for the user (v1 tokens). Mutable: do not authorize with it.",
	"upn":                      "User principal name of the user. Mutable, and absent for some guests and personal accounts.",
	"email":                    "The user's email address, when the user has one. Mutable and not always verified: never authorize with it.",
	"given_name":               "The user's first name.",
	"family_name":              "The user's last name.",
	"ipaddr":                   "The IP address the user authenticated from.",
	"onprem_sid":               "The user's on-premises Active Directory security identifier, for hybrid apps.",
	"pwd_exp":                  "When the user's password expires (v1).",
	"pwd_url":                  "Where the user can change their password (v1).",
	"in_corp":                  "Signals that the client signs in from the corporate network (named locations).",
	"nickname":                 "An additional name for the user, separate from first or last name.",
	"platf":                    "The device platform (for device-based Conditional Access).",
	"deviceid":                 "The ID of the device the user signed in from (when the device is registered).",
	"ctry":                     "The user's country or region (two-letter code).",
	"tenant_ctry":              "The country or region of the resource tenant.",
	"tenant_region_scope":      "The region of the resource tenant (e.g. NA, EU).",
	"acct":                     "The user's account status in the tenant: 0 member, 1 guest.",
	"auth_time":                "When the user last authenticated (entered credentials), as opposed to when this token was issued.",
	"login_hint":               "An opaque, reliable login hint to pass to a later sign-in to pick this account.",
	"sid":                      "Session ID of the user's sign-in session, for front-channel sign-out.",
	"verified_primary_email":   "The user's primary email addresses that the directory has verified.",
	"verified_secondary_email": "The user's secondary email addresses that the directory has verified.",
	"vnet":                     "The virtual network the request came from (VNET-injected clients).",
	"fwd":                      "The requesting client's IP address when behind a proxy, as forwarded.",
	"xms_cc":                   "Client capabilities: cp1 means the client can handle claims challenges (Continuous Access Evaluation).",
	"xms_edov":                 "Whether the user's email domain is verified by the domain owner (true/false).",
	"xms_pdl":                  "The user's preferred data location (multi-geo tenants).",
	"xms_pl":                   "The user's preferred language.",
	"xms_tpl":                  "The tenant's preferred language.",
	"xms_ssm":                  "An internal Entra value (session state); ignore it.",
	"xms_tdbr":                 "The data boundary of the tenant (e.g. EU), when the tenant has one.",
	"xms_mirid":                "The Azure resource ID of the managed identity the token was issued to.",
	"xms_az_rid":               "The Azure resource ID of the resource that requested the token (managed identity or workload).",
	"xms_az_nwperimid":         "The network security perimeter ID the request came through.",
	"xms_ftd":                  "An opaque value Entra uses internally (federation/token data); ignore it.",
	"xms_st":                   "The subject type of the original subject in a federated or token-exchange flow.",
	"xms_rd":                   "An opaque value Entra uses internally for token refresh; ignore it.",
	"xms_tcdt":                 "When the tenant was created (seconds since 1970); Microsoft services use it internally.",
	"signin_state":             "Sign-in state markers: kmsi (stay signed in), inknownntwk (from a trusted network), dvc_mngd (managed device), dvc_cmp (compliant device), dvc_dmjd (domain joined).",
	"puid":                     "An internal identifier of the user used by Microsoft services (personal or work account); not for your authorization.",
	"altsecid":                 "Alternate security ID of a user who signed in with an account from another tenant or a personal account (v1).",
	"enfpolids":                "IDs of the policies Entra enforced on this sign-in.",
	"cloud_instance_name":      "The Microsoft cloud the account lives in (e.g. microsoftonline.com), for national-cloud aware clients.",
	"cloud_instance_host_name": "The login host of the account's cloud.",
	"cloud_graph_host_name":    "The Azure AD Graph host of the account's cloud (legacy).",
	"msgraph_host":             "The Microsoft Graph host of the account's cloud (e.g. graph.microsoft.com).",
	"xms_pftexp":               "When the user's password expires, for apps that warn about it (seconds since 1970).",
	"xms_ae":                   "An internal Entra value; ignore it.",
	"ztdid":                    "The device identity used for Windows Autopilot.",
	"cnf":                      "Confirmation: binds the token to a key the client holds (proof of possession), e.g. a jwk thumbprint.",
	"nonce":                    "A value the client sent in the sign-in request and checks in the ID token, against replay. Its presence marks an ID token.",
	"at_hash":                  "Access token hash: lets the client check the access token that came with this ID token.",
	"c_hash":                   "Code hash: lets the client check the authorization code that came with this ID token.",
	"acrs":                     "Authentication context IDs the user satisfied (Conditional Access authentication contexts, c1…c99).",
	"tenant_id":                "Tenant ID (alternative name used by some services).",
	"app_displayname":          "Display name of the client application (added by some Microsoft resources).",
	"xms_mfd":                  "An internal Entra value; ignore it.",
	"xms_idrel":                "Agent ID: identity relationship facets — how the subject relates to the tenant (space-separated numbers).",
	// Agent ID.
	"xms_par_app_azp": "Agent ID: the application ID of the agent identity blueprint (the parent app) behind this agent identity.",
	"xms_act_fct":     "Agent ID: actor facets — what kind of entity is acting (space-separated numbers; 11 agent identity, 13 agent user, 15 agentic app builder).",
	"xms_sub_fct":     "Agent ID: subject facets — what kind of entity the token is about (space-separated numbers; 11 agent identity, 13 agent user, 15 agentic app builder).",
	"xms_tnt_fct":     "Agent ID: tenant facets — the context of the tenant the agent works in (space-separated numbers).",
	// OpenID Connect standard claims that also appear in tokens of other issuers.
	"email_verified":        "Whether the issuer verified the email address.",
	"middle_name":           "The user's middle name.",
	"profile":               "URL of the user's profile page.",
	"picture":               "URL of the user's profile picture.",
	"website":               "URL of the user's web site.",
	"gender":                "The user's gender.",
	"birthdate":             "The user's birthday.",
	"zoneinfo":              "The user's time zone.",
	"locale":                "The user's locale (language and country).",
	"phone_number":          "The user's phone number.",
	"phone_number_verified": "Whether the issuer verified the phone number.",
	"address":               "The user's postal address.",
	"updated_at":            "When the user's information was last updated.",
	"act":                   "Actor (RFC 8693): the party acting on behalf of the subject in a delegation chain.",
	"may_act":               "Who may act on behalf of the subject (RFC 8693).",
	"client_id":             "The client that requested the token (RFC 9068).",
	"scope":                 "Scopes granted to the token, space-separated (RFC 9068; Entra uses scp).",
	// Azure AD B2C.
	"tfp":     "Azure AD B2C: the policy (user flow) that issued the token (v1 name).",
	"acr_b2c": "Azure AD B2C: the user flow.",
	"emails":  "Azure AD B2C: the user's email addresses.",
	"newUser": "Azure AD B2C: true when the user signed up in this flow.",
}

// timeClaims are the claims whose value is a NumericDate, seconds since 1970 (Unix time). Read-only.
var timeClaims = map[string]bool{
	"iat": true, "nbf": true, "exp": true, // RFC 7519
	"auth_time":  true, // OpenID Connect: when the user last authenticated
	"updated_at": true, // OpenID Connect: when the user's information was last updated
	"pwd_exp":    true, // Entra v1: when the user's password expires
	"xms_pftexp": true, // Entra: when the user's password expires
	"xms_tcdt":   true, // Entra: when the tenant was created
}

// IsTimeClaim reports whether claim name holds a Unix time (seconds since 1970), so that a
// presentation may show it as a date.
func IsTimeClaim(name string) bool { return timeClaims[name] }

// volatileClaims change in every newly issued token and say nothing about an exchange: validity
// times and Entra's internal per-token values. Read-only.
var volatileClaims = map[string]bool{"iat": true, "nbf": true, "exp": true, "aio": true, "uti": true, "rh": true, "jti": true, "xms_ftd": true, "xms_rd": true}

// IsVolatileClaim reports whether claim name changes in every newly issued token (validity times,
// Entra's internal per-token values): a diff of two tokens ranks it last and may list it apart.
func IsVolatileClaim(name string) bool { return volatileClaims[name] }

// facetMeanings names the documented Agent ID facet values.
var facetMeanings = map[int]string{
	FacetAgentIdentity:     "agent identity",
	FacetAgentUser:         "agent user",
	FacetAgenticAppBuilder: "agentic app builder",
}

// directoryRoles names well-known directory role template IDs that appear in wids. Read-only.
var directoryRoles = map[string]string{
	"62e90394-69f5-4237-9190-012177145e10": "Global Administrator",
	"b79fbf4d-3ef9-4689-8143-76b194e85509": "every member user (default role)",
	"9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3": "Application Administrator",
	"158c047a-c907-4556-b7ef-446551a6b5f7": "Cloud Application Administrator",
	"fe930be7-5e62-47db-91af-98c3a49a38b1": "User Administrator",
	"194ae4cb-b126-40b2-bd5b-6091b380977d": "Security Administrator",
	"e8611ab8-c189-46e8-94e1-60213ab1f814": "Privileged Role Administrator",
	"7be44c8a-adaf-4e2a-84d6-ab2649e08a13": "Privileged Authentication Administrator",
	"729827e3-9c14-49f7-bb1b-9608f156bbb8": "Helpdesk Administrator",
	"f2ef992c-3afb-46b9-b7cf-a126ee74c451": "Global Reader",
	"88d8e3e3-8f55-4a1e-953a-9b9898b8876b": "Directory Readers",
	"29232cdf-9323-42fd-ade2-1d097af3e4de": "Exchange Administrator",
	"f28a1f50-f6e7-4571-818b-6a12f2af6b6c": "SharePoint Administrator",
	"69091246-20e8-4a56-aa4d-066075b2a7a8": "Teams Administrator",
	"cf1c38e5-3621-4004-a7cb-879624dced7c": "Application Developer",
	"4a5d8f65-41da-4de4-8968-e035b65339cf": "Reports Reader",
	"75934031-6c7e-415a-99d7-48dbd49e875e": "Usage Summary Reports Reader",
	"11648597-926c-4cf3-9c36-bcebb0ba8dcc": "Power Platform Administrator",
	"3a2c62db-5318-420d-8d74-23affee5d9d5": "Intune Administrator",
	"b0f54661-2d74-4c50-afa3-1ec803f12efe": "Billing Administrator",
	"5d6b6bb7-de71-4623-b4af-96380a352509": "Security Reader",
	"fdd7a751-b60b-444a-984c-02652fe8fa1c": "Groups Administrator",
	"966707d0-3269-4727-9be2-8c3a10f19b9d": "Password Administrator",
	"4d6ac14f-3453-41d0-bef9-a3e0c569773a": "License Administrator",
	"c4e39bd9-1100-46d3-8c65-fb160da0071f": "Authentication Administrator",
	"8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2": "Hybrid Identity Administrator",
	"d29b2b05-8046-44ba-8758-1e26182fcf32": "Directory Synchronization Accounts",
	"17315797-102d-40b4-93e0-432062caca18": "Compliance Administrator",
	"f023fd81-a637-4b56-95fd-791ac0226033": "Service Support Administrator",
}

// amrMeanings explains the values of amr. Read-only.
var amrMeanings = map[string]string{
	"pwd": "password", "rsa": "RSA key (e.g. Microsoft Authenticator)", "otp": "one-time passcode",
	"fed": "federated identity provider", "wia": "Windows integrated authentication", "mfa": "multi-factor authentication",
	"ngcmfa": "Windows Hello / passkey (MFA)", "mngcmfa": "managed Windows Hello (MFA)", "wiaormfa": "Windows integrated or MFA",
	"none": "no authentication", "sms": "SMS", "face": "face biometrics", "fido": "FIDO2 key", "kba": "knowledge-based",
	"swk": "software-secured key", "hwk": "hardware-secured key", "pin": "PIN", "tel": "telephone call", "user": "user presence",
}

// headerMeanings explains the JOSE header parameters. Read-only.
var headerMeanings = map[string]string{
	"typ":      "Media type of the token: JWT (or at+jwt for RFC 9068 access tokens).",
	"alg":      "Signature algorithm. Entra signs with RS256; none or HS* is never from Entra.",
	"kid":      "Key ID: which key of the issuer's JWKS signed the token.",
	"x5t":      "Thumbprint (SHA-1) of the signing certificate; Entra sets it to the same value as kid.",
	"x5t#S256": "Thumbprint (SHA-256) of the signing certificate.",
	"nonce":    "Present only in Microsoft Graph tokens: Graph verifies it specially, so nobody else can validate the token.",
	"x5c":      "The signing certificate chain.",
	"jku":      "URL of the key set (not used by Entra; never trust it blindly).",
	"cty":      "Content type of the payload (nested tokens).",
	"enc":      "Content encryption algorithm of an encrypted token (JWE).",
	"zip":      "Compression of the encrypted content (JWE).",
	"epk":      "Ephemeral public key for key agreement (JWE).",
	"crit":     "Header parameters the recipient must understand.",
}
