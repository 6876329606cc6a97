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

// AnalyzeAgent applies every agent.* rule to what the agent hop observed.
func AnalyzeAgent(obs AgentObservation, exp AgentExpectations) []Finding {
	var fs []Finding
	if obs.Refused {
		fs = append(fs, NewFinding("agent.insecure-transport", "agent",
			fmt.Sprintf("the agent URL %s is http:// to a host that is not loopback; the token was not sent", obs.URL),
			map[string]string{"url": obs.URL}))
	}
	if t := obs.Token; t != nil && t.Format == FormatJWS {
		if !anaAudienceOK(t, exp.Audiences) {
			fs = append(fs, NewFinding("agent.aud-mismatch", "agent",
				fmt.Sprintf("the user token's aud is %s; the agent API is %s", anaAudList(t), strings.Join(anaNonEmpty(exp.Audiences), " / ")),
				map[string]string{"claim": "aud", "value": strings.Join(t.Audiences, " "), "expected": strings.Join(anaNonEmpty(exp.Audiences), " ")}))
		}
		if anaAppOnly(t) {
			fs = append(fs, NewFinding("agent.app-only-token", "agent",
				fmt.Sprintf("the token has no scp (roles: %s, idtyp: %s): it speaks for an application, not a user", anaOrNone(strings.Join(t.Roles, " ")), anaOrNone(t.ClaimString("idtyp"))),
				map[string]string{"claim": "scp", "value": ""}))
		} else if anaAudienceOK(t, exp.Audiences) {
			var missing []string
			for _, s := range exp.RequiredScopes {
				if !anaHasScope(t, s) {
					missing = append(missing, ScopeName(s))
				}
			}
			if len(missing) > 0 {
				fs = append(fs, NewFinding("agent.missing-scope", "agent",
					fmt.Sprintf("scp is %q; the agent API requires %s", strings.Join(t.Scopes, " "), strings.Join(missing, ", ")),
					map[string]string{"claim": "scp", "value": strings.Join(t.Scopes, " "), "missing": strings.Join(missing, " ")}))
			}
		}
		if len(exp.AuthorizedClients) > 0 && t.ClientAppID != "" && !anaContainsFold(exp.AuthorizedClients, t.ClientAppID) {
			fs = append(fs, NewFinding("agent.client-not-authorized", "agent",
				fmt.Sprintf("the calling client %s (azp/appid) is not among the agent's known or pre-authorized clients %s", t.ClientAppID, strings.Join(exp.AuthorizedClients, ", ")),
				map[string]string{"claim": "azp", "value": t.ClientAppID}))
		}
		if IsGUID(exp.TenantID) && t.TenantID != "" && !strings.EqualFold(t.TenantID, exp.TenantID) {
			fs = append(fs, NewFinding("agent.tenant-not-allowed", "agent",
				fmt.Sprintf("tid is %s; the configured tenant is %s", t.TenantID, exp.TenantID),
				map[string]string{"claim": "tid", "value": t.TenantID}))
		}
	}
	if obs.Status == 401 || obs.Status == 403 {
		challenge := obs.WWWAuthenticate
		// The challenge's scope names what the agent requires: scopes the token lacks are a
		// missing scope, whatever the configuration says (reported once).
		if c, ok := ParseBearerChallenge(challenge); ok && c.Param("scope") != "" && obs.Token != nil && obs.Token.Format == FormatJWS && !anaAppOnly(obs.Token) {
			var missing []string
			for _, sc := range strings.Fields(c.Param("scope")) {
				if !IsOIDCScope(sc) && ScopeName(sc) != ".default" && !anaHasScope(obs.Token, sc) {
					missing = append(missing, sc)
				}
			}
			if len(missing) > 0 {
				t := obs.Token
				f := NewFinding("agent.missing-scope", "agent",
					fmt.Sprintf("the agent answered %d asking for scope %s (its challenge); the token's scp is %q", obs.Status, strings.Join(missing, " "), strings.Join(t.Scopes, " ")),
					map[string]string{"claim": "scp", "value": strings.Join(t.Scopes, " "), "missing": strings.Join(missing, " ")})
				f.Fix = fmt.Sprintf("Request %s at sign-in (signin.scopes) and make sure the agent API's registration exposes it and the client is consented — or, if %s is what callers should carry, make the agent require that.",
					strings.Join(missing, " "), anaOrNone(strings.Join(t.Scopes, " ")))
				fs = anaAddOnce(fs, f)
			}
		}
		if obs.Status == 401 && strings.TrimSpace(challenge) == "" {
			fs = append(fs, NewFinding("agent.no-challenge", "agent",
				"the agent answered 401 without a WWW-Authenticate header, so a client cannot tell what to fix", nil))
		}
		// A relayed claims challenge is the documented behaviour of a middle tier whose own
		// exchange needs more from the user; a rejection already explained is not reported twice.
		explained := len(obs.KnownProblems) > 0 || IsClaimsChallenge(challenge)
		for _, f := range fs {
			if f.ID != "agent.no-challenge" && f.Severity != SeverityInfo {
				explained = true
			}
		}
		if !explained {
			detail := fmt.Sprintf("the agent answered %d", obs.Status)
			if challenge != "" {
				detail += " with WWW-Authenticate: " + anaFirstLine(challenge)
			}
			f := NewFinding("agent.rejected", "agent", detail, map[string]string{"status": fmt.Sprint(obs.Status)})
			if t := obs.Token; t != nil && t.Format == FormatJWS && len(anaNonEmpty(exp.Audiences)) > 0 && anaAudienceOK(t, exp.Audiences) && anaChallengeBlamesAudience(challenge) {
				// The agent refuses the audience, yet the token is for the agent API: its
				// validator expects another form of its own identifier (or another app's).
				f.Detail += fmt.Sprintf("; yet the token's aud %s is the agent API's own (v%s token): its validator expects another audience", anaAudList(t), valueOrDefault(t.Version, "?"))
				f.Fix = anaAudienceFix("the agent API", t, exp.Audiences)
				f.Evidence["claim"], f.Evidence["value"] = "aud", strings.Join(t.Audiences, " ")
			} else if c, ok := ParseBearerChallenge(challenge); ok && t != nil && t.Format == FormatJWS && strings.EqualFold(c.Param("error"), "insufficient_scope") && anaQualifiedOnly(strings.Fields(c.Param("scope"))) {
				// Every scope it asks for is carried, by name: it compares the full scope string.
				asked := c.Param("scope")
				var bare []string
				for _, sc := range strings.Fields(asked) {
					bare = append(bare, ScopeName(sc))
				}
				f.Detail += fmt.Sprintf("; it asks for %s, which the token carries: its scp is %q, and Entra puts bare permission names in scp, never the App ID URI prefix", asked, strings.Join(t.Scopes, " "))
				f.Fix = fmt.Sprintf("Make the agent API require %s (the names in scp), not %s.", strings.Join(bare, " "), asked)
				f.Evidence["claim"], f.Evidence["value"] = "scp", strings.Join(t.Scopes, " ")
			} else if t != nil && t.Format == FormatJWS && obs.TokenSignatureVerified && anaChallengeBlamesKeys(challenge) {
				f.Detail += fmt.Sprintf("; oboscope verified this token's signature against its issuer's published keys (kid %s): the agent checks it with other keys", anaOrNone(t.Kid()))
				f.Fix = anaKeysFix("the agent API", t)
				f.Evidence["claim"], f.Evidence["value"] = "kid", t.Kid()
			} else if t != nil && t.Format == FormatJWS && t.Issuer != "" && anaChallengeBlamesIssuer(challenge) {
				f.Detail += fmt.Sprintf("; the token's iss is %s (a v%s token from Entra): its validator expects another issuer", t.Issuer, valueOrDefault(t.Version, "?"))
				f.Fix = anaIssuerFix("the agent API", t)
				f.Evidence["claim"], f.Evidence["value"] = "iss", t.Issuer
			}
			fs = append(fs, f)
		}
	}
	return fs
}

// IsClaimsChallenge reports whether a WWW-Authenticate header is a Bearer claims challenge
// (error="insufficient_claims" with claims), the way a middle tier relays Entra's.
func IsClaimsChallenge(header string) bool {
	c, ok := ParseBearerChallenge(header)
	return ok && strings.EqualFold(c.Param("error"), "insufficient_claims") && c.Param("claims") != ""
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
