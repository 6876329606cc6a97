package inspect

import (
	"fmt"
	"strings"
)

// AgentObservation is what the agent hop saw when it presented the user token to the agent API.
type AgentObservation struct {
	Token *Token // the token presented (decoded, unverified)
	// TokenSignatureVerified is set when oboscope verified the token's signature against its
	// issuer's published keys.
	TokenSignatureVerified bool
	URL                    string
	Refused                bool   // oboscope refused to send the token (http:// to a non-loopback host)
	Status                 int    // the agent's HTTP status; 0 when no answer arrived
	WWWAuthenticate        string // the raw WWW-Authenticate header of the answer
	// AnonymousProbeSent is set when the agent API was also called without a token, after the
	// call with it; AnonymousStatus is the answer's status (0: no answer).
	AnonymousProbeSent bool
	AnonymousStatus    int
	// KnownProblems are the IDs of findings already raised about this token at earlier hops
	// (token.expired at sign-in …): they explain a rejection, so it is not reported again.
	KnownProblems []string
}

// AgentExpectations come from the configuration of the agent API.
type AgentExpectations struct {
	Audiences         []string // agent.client_id, agent.app_id_uri (https://ai.azure.com for foundry)
	RequiredScopes    []string // agent.required_scopes
	TenantID          string   // the configured tenant, checked when it is a GUID
	AuthorizedClients []string // known / pre-authorized client app IDs; empty: not checked
}

// AnalyzeAgent applies every agent.* rule to what the agent hop observed. Each rule reads the
// context computed once from the observation and appends its findings; the order of the rules
// is the order of the findings.
func AnalyzeAgent(obs AgentObservation, exp AgentExpectations) []Finding {
	c := newAgentContext(obs, exp)
	var fs []Finding
	for _, rule := range []func(*agentContext, []Finding) []Finding{
		agentTransportRule,
		agentAudienceRule,
		agentPermissionRule,
		agentClientRule,
		agentTenantRule,
		agentChallengeScopeRule,
		agentNoChallengeRule,
		agentPoPBearerRule,
		agentNoTokenReachedRule,
		agentRejectedRule,
		agentAnonymousRule,
	} {
		fs = rule(c, fs)
	}
	return fs
}

// agentContext is what the agent rules share, computed once from the observation and the
// expectations.
type agentContext struct {
	obs AgentObservation
	exp AgentExpectations

	// token is the token presented when it is a JWS whose claims the rules can read, else nil.
	token *Token
	// refused is set when the agent answered 401 or 403.
	refused bool
	// challenge is the Bearer challenge of the agent's answer (hasChallenge: there is one).
	challenge    Challenge
	hasChallenge bool
}

func newAgentContext(obs AgentObservation, exp AgentExpectations) *agentContext {
	c := &agentContext{obs: obs, exp: exp, refused: obs.Status == 401 || obs.Status == 403}
	if t := obs.Token; t != nil && t.Format == FormatJWS {
		c.token = t
	}
	c.challenge, c.hasChallenge = ParseBearerChallenge(obs.WWWAuthenticate)
	return c
}

// agentTransportRule raises agent.insecure-transport when oboscope refused to send the token.
func agentTransportRule(c *agentContext, fs []Finding) []Finding {
	if !c.obs.Refused {
		return fs
	}
	return append(fs, NewFinding("agent.insecure-transport", "agent",
		fmt.Sprintf("the agent URL %s is http:// to a host that is not loopback; the token was not sent", c.obs.URL),
		map[string]string{"url": c.obs.URL}))
}

// agentAudienceRule raises agent.aud-mismatch when the token is not for the agent API.
func agentAudienceRule(c *agentContext, fs []Finding) []Finding {
	t := c.token
	if t == nil || anaAudienceOK(t, c.exp.Audiences) {
		return fs
	}
	want := anaNonEmpty(c.exp.Audiences)
	return append(fs, NewFinding("agent.aud-mismatch", "agent",
		fmt.Sprintf("the user token's aud is %s; the agent API is %s", anaAudList(t), strings.Join(want, " / ")),
		map[string]string{"claim": "aud", "value": strings.Join(t.Audiences, " "), "expected": strings.Join(want, " ")}))
}

// agentPermissionRule raises agent.app-only-token for a token that speaks for no user, else
// agent.missing-scope when a token for the agent API lacks a required scope.
func agentPermissionRule(c *agentContext, fs []Finding) []Finding {
	t := c.token
	switch {
	case t == nil:
		return fs
	case anaAppOnly(t):
		return append(fs, NewFinding("agent.app-only-token", "agent",
			fmt.Sprintf("the token has no scp (roles: %s, idtyp: %s): it speaks for an application, not a user", anaOrNone(strings.Join(t.Roles, " ")), anaOrNone(t.ClaimString("idtyp"))),
			map[string]string{"claim": "scp", "value": ""}))
	case !anaAudienceOK(t, c.exp.Audiences):
		return fs
	}
	missing := scopeNames(lackedScopes(t, c.exp.RequiredScopes))
	if len(missing) == 0 {
		return fs
	}
	return append(fs, NewFinding("agent.missing-scope", "agent",
		fmt.Sprintf("scp is %q; the agent API requires %s", strings.Join(t.Scopes, " "), strings.Join(missing, ", ")),
		map[string]string{"claim": "scp", "value": strings.Join(t.Scopes, " "), "missing": strings.Join(missing, " ")}))
}

// agentClientRule raises agent.client-not-authorized when the calling client is not among the
// agent's known or pre-authorized clients (when those are configured).
func agentClientRule(c *agentContext, fs []Finding) []Finding {
	t, clients := c.token, c.exp.AuthorizedClients
	if t == nil || len(clients) == 0 || t.ClientAppID == "" || anaContainsFold(clients, t.ClientAppID) {
		return fs
	}
	return append(fs, NewFinding("agent.client-not-authorized", "agent",
		fmt.Sprintf("the calling client %s (azp/appid) is not among the agent's known or pre-authorized clients %s", t.ClientAppID, strings.Join(clients, ", ")),
		map[string]string{"claim": "azp", "value": t.ClientAppID}))
}

// agentTenantRule raises agent.tenant-not-allowed when the token's tenant is not the configured
// one (checked when that is a GUID).
func agentTenantRule(c *agentContext, fs []Finding) []Finding {
	t, tenant := c.token, c.exp.TenantID
	if t == nil || !IsGUID(tenant) || t.TenantID == "" || strings.EqualFold(t.TenantID, tenant) {
		return fs
	}
	return append(fs, NewFinding("agent.tenant-not-allowed", "agent",
		fmt.Sprintf("tid is %s; the configured tenant is %s", t.TenantID, tenant),
		map[string]string{"claim": "tid", "value": t.TenantID}))
}

// agentChallengeScopeRule raises agent.missing-scope (once) when the agent refused the token and
// its challenge's scope names scopes the token lacks, whatever the configuration says.
func agentChallengeScopeRule(c *agentContext, fs []Finding) []Finding {
	t := c.token
	if !c.refused || !c.hasChallenge || c.challenge.Param("scope") == "" || t == nil || anaAppOnly(t) {
		return fs
	}
	missing := lackedScopes(t, strings.Fields(c.challenge.Param("scope")))
	if len(missing) == 0 {
		return fs
	}
	asked, scp := strings.Join(missing, " "), strings.Join(t.Scopes, " ")
	f := NewFinding("agent.missing-scope", "agent",
		fmt.Sprintf("the agent answered %d asking for scope %s (its challenge); the token's scp is %q", c.obs.Status, asked, scp),
		map[string]string{"claim": "scp", "value": scp, "missing": asked})
	f.Fix = fmt.Sprintf("Request %s at sign-in (signin.scopes) and make sure the agent API's registration exposes it and the client is consented — or, if %s is what callers should carry, make the agent require that.",
		asked, anaOrNone(scp))
	return anaAddOnce(fs, f)
}

// agentNoChallengeRule raises agent.no-challenge for a 401 without WWW-Authenticate.
func agentNoChallengeRule(c *agentContext, fs []Finding) []Finding {
	if c.obs.Status != 401 || strings.TrimSpace(c.obs.WWWAuthenticate) != "" {
		return fs
	}
	return append(fs, NewFinding("agent.no-challenge", "agent",
		"the agent answered 401 without a WWW-Authenticate header, so a client cannot tell what to fix", nil))
}

// agentRejectedRule raises agent.rejected when the agent refused the token and nothing explains
// why: a relayed claims challenge is the documented behaviour of a middle tier whose own
// exchange needs more from the user, and a rejection already explained is not reported twice.
func agentRejectedRule(c *agentContext, fs []Finding) []Finding {
	if !c.refused || len(c.obs.KnownProblems) > 0 || IsClaimsChallenge(c.obs.WWWAuthenticate) {
		return fs
	}
	for _, f := range fs {
		if f.ID != "agent.no-challenge" && f.Severity != SeverityInfo {
			return fs
		}
	}
	detail := fmt.Sprintf("the agent answered %d", c.obs.Status)
	if c.obs.WWWAuthenticate != "" {
		detail += " with WWW-Authenticate: " + anaFirstLine(c.obs.WWWAuthenticate)
	}
	f := NewFinding("agent.rejected", "agent", detail, map[string]string{"status": fmt.Sprint(c.obs.Status)})
	agentRejectionCause(c, &f)
	return append(fs, f)
}

// agentRejectionCause completes the agent.rejected finding f with the cause the agent's challenge
// and the token show, when one does.
func agentRejectionCause(c *agentContext, f *Finding) {
	t, challenge := c.token, c.obs.WWWAuthenticate
	switch {
	case t == nil:
	case len(anaNonEmpty(c.exp.Audiences)) > 0 && anaAudienceOK(t, c.exp.Audiences) && anaChallengeBlamesAudience(challenge):
		// The agent refuses the audience, yet the token is for the agent API: its validator
		// expects another form of its own identifier (or another app's).
		f.Detail += fmt.Sprintf("; yet the token's aud %s is the agent API's own (v%s token): its validator expects another audience", anaAudList(t), valueOrDefault(t.Version, "?"))
		f.Fix = anaAudienceFix("the agent API", t, c.exp.Audiences)
		f.Evidence["claim"], f.Evidence["value"] = "aud", strings.Join(t.Audiences, " ")
	case c.hasChallenge && strings.EqualFold(c.challenge.Param("error"), "insufficient_scope") && anaQualifiedOnly(strings.Fields(c.challenge.Param("scope"))):
		// Every scope it asks for is carried, by name: it compares the full scope string.
		asked := c.challenge.Param("scope")
		var bare []string
		for _, sc := range strings.Fields(asked) {
			bare = append(bare, ScopeName(sc))
		}
		f.Detail += fmt.Sprintf("; it asks for %s, which the token carries: its scp is %q, and Entra puts bare permission names in scp, never the App ID URI prefix", asked, strings.Join(t.Scopes, " "))
		f.Fix = fmt.Sprintf("Make the agent API require %s (the names in scp), not %s.", strings.Join(bare, " "), asked)
		f.Evidence["claim"], f.Evidence["value"] = "scp", strings.Join(t.Scopes, " ")
	case c.obs.TokenSignatureVerified && anaChallengeBlamesKeys(challenge):
		f.Detail += fmt.Sprintf("; oboscope verified this token's signature against its issuer's published keys (kid %s): the agent checks it with other keys", anaOrNone(t.Kid()))
		f.Fix = anaKeysFix("the agent API", t)
		f.Evidence["claim"], f.Evidence["value"] = "kid", t.Kid()
	case t.Issuer != "" && anaChallengeBlamesIssuer(challenge):
		f.Detail += fmt.Sprintf("; the token's iss is %s (a v%s token from Entra): its validator expects another issuer", t.Issuer, valueOrDefault(t.Version, "?"))
		f.Fix = anaIssuerFix("the agent API", t)
		f.Evidence["claim"], f.Evidence["value"] = "iss", t.Issuer
	}
}

func anaNonEmpty(xs []string) []string {
	var out []string
	for _, x := range xs {
		if x != "" {
			out = append(out, x)
		}
	}
	return out
}

func anaContainsFold(xs []string, x string) bool {
	for _, v := range xs {
		if strings.EqualFold(v, x) {
			return true
		}
	}
	return false
}

// anaChallengeBlamesAudience reports whether a Bearer challenge's error_description says the
// audience was refused (jose: `unexpected "aud" claim value`; Microsoft.IdentityModel: IDX10214
// "Audience validation failed"; jsonwebtoken: "jwt audience invalid").
func anaChallengeBlamesAudience(header string) bool {
	return anaChallengeSays(header, "audience", `"aud"`, "'aud'", " aud ", "aud claim", "idx10214")
}

// anaChallengeBlamesIssuer reports whether a Bearer challenge's error_description says the issuer
// was refused (jose: `unexpected "iss" claim value`; Microsoft.IdentityModel: IDX10205).
func anaChallengeBlamesIssuer(header string) bool {
	return anaChallengeSays(header, "issuer", `"iss"`, "'iss'", " iss ", "iss claim", "idx10205")
}

func anaChallengeSays(header string, words ...string) bool {
	d := " " + strings.ToLower(anaChallengeDescription(header)) + " "
	for _, w := range words {
		if strings.Contains(d, w) {
			return true
		}
	}
	return false
}

// anaChallengeBlamesKeys reports whether a Bearer challenge's error_description says the
// signature or its key could not be checked (jose: "no applicable key found in the JSON Web Key
// Set", "signature verification failed"; Microsoft.IdentityModel: IDX10501, IDX10503, IDX10511).
func anaChallengeBlamesKeys(header string) bool {
	return anaChallengeSays(header, "signature", "key set", "jwks", "signing key", "kid", "idx10501", "idx10503", "idx10511", "idx10516")
}

// anaKeysFix is the fix of a validator that cannot check a signature made with the issuer's keys.
func anaKeysFix(who string, t *Token) string {
	return fmt.Sprintf("Have %s take its signing keys from the issuer's jwks_uri (%s/.well-known/openid-configuration names it) and refetch them on an unknown kid; never pin or copy keys.",
		who, strings.TrimSuffix(t.Issuer, "/"))
}

// anaIssuerFix is the fix of a validator that refuses the issuer of a token the chain got right.
func anaIssuerFix(who string, t *Token) string {
	return fmt.Sprintf("Make %s's token validation accept the issuer %s: Entra issues v2 tokens as https://login.microsoftonline.com/<tenant>/v2.0 and v1 tokens as https://sts.windows.net/<tenant>/ — the API's accessTokenAcceptedVersion decides which it gets.", who, t.Issuer)
}

// anaAudienceFix is the fix of a validator that refuses the audience of a token that is for it.
func anaAudienceFix(who string, t *Token, audiences []string) string {
	return fmt.Sprintf("Make %s's token validation accept %s as the audience: Entra puts the client id in v2 tokens and the App ID URI in v1 tokens, so accept both (%s).",
		who, anaAudList(t), strings.Join(anaNonEmpty(audiences), " and "))
}

func valueOrDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// anaChallengeDescription returns a Bearer challenge's error_description (ParseWWWAuthenticate
// keeps the quotes a server forgot to escape, as the TypeScript MCP SDK does with jose's
// `unexpected "aud" claim value`).
func anaChallengeDescription(header string) string {
	c, _ := ParseBearerChallenge(header)
	return c.Param("error_description")
}

// agentAnonymousRule raises agent.accepts-anonymous when the agent API answered 2xx to the call
// without a token.
func agentAnonymousRule(c *agentContext, fs []Finding) []Finding {
	if !c.obs.AnonymousProbeSent || c.obs.AnonymousStatus < 200 || c.obs.AnonymousStatus > 299 {
		return fs
	}
	return append(fs, NewFinding("agent.accepts-anonymous", "agent",
		fmt.Sprintf("the agent API at %s answered %d to a call without an Authorization header", c.obs.URL, c.obs.AnonymousStatus),
		map[string]string{"status": fmt.Sprint(c.obs.AnonymousStatus), "url": c.obs.URL}))
}
