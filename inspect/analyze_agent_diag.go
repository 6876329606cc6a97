package inspect

import (
	"fmt"
	"strings"
)

// agentNoTokenReachedRule raises obo.no-user-assertion when the agent API answered a request that
// carried a token as if none came: 401 with a Bearer challenge that names no error (RFC 6750 §3.1:
// a request lacking authentication gets no error code; an invalid token gets invalid_token). A
// proxy, gateway or hosting layer in front of it stripped Authorization, so the middle tier has no
// user token to exchange. It is observed at the agent hop, where it shows.
func agentNoTokenReachedRule(c *agentContext, fs []Finding) []Finding {
	if c.obs.Status != 401 || !c.hasChallenge || c.challenge.Param("error") != "" || c.obs.Token == nil ||
		len(c.obs.KnownProblems) > 0 || IsClaimsChallenge(c.obs.WWWAuthenticate) || anaHasSeverity(fs, SeverityError) {
		return fs
	}
	return append(fs, NewFinding("obo.no-user-assertion", "agent",
		fmt.Sprintf("oboscope sent the agent API a bearer token, and it answered 401 with a challenge that names no error (WWW-Authenticate: %s), as APIs answer a request without a token: "+
			"the token did not reach the agent (a proxy, gateway or hosting layer stripped Authorization), so it has no user token to exchange", anaFirstLine(c.obs.WWWAuthenticate)),
		map[string]string{"status": "401", "www_authenticate": anaFirstLine(c.obs.WWWAuthenticate)}))
}

// agentPoPBearerRule raises token.pop-bound-as-bearer for a token bound to a key (cnf) that
// oboscope presented to the agent API as Bearer.
func agentPoPBearerRule(c *agentContext, fs []Finding) []Finding {
	if f, ok := PoPBoundAsBearer(c.token, "agent"); ok {
		fs = append(fs, f)
	}
	return fs
}

// PoPBoundAsBearer returns token.pop-bound-as-bearer at hop when t carries a cnf claim (it is
// bound to a key: proof of possession) and is presented as a Bearer token.
func PoPBoundAsBearer(t *Token, hop string) (Finding, bool) {
	if t == nil || t.Claims == nil {
		return Finding{}, false
	}
	cnf, ok := t.Claims["cnf"]
	if !ok {
		return Finding{}, false
	}
	return NewFinding("token.pop-bound-as-bearer", hop,
		fmt.Sprintf("the token carries cnf %s (bound to a key: proof of possession) and was presented as Bearer", DisplayValue(cnf)),
		map[string]string{"claim": "cnf", "value": DisplayValue(cnf)}), true
}

// oboWrongAgentIdentityRule raises agentid.wrong-agent-identity when an Agent ID token — the one
// oboscope's exchange produced, or the one the agent API reports — speaks for another agent
// identity (appid/azp) than the one configured.
func oboWrongAgentIdentityRule(c *oboContext, fs []Finding) []Finding {
	want := c.exp.AgentIdentity
	if want == "" {
		return fs
	}
	check := func(t *Token, whose string) {
		if t == nil || t.ClientAppID == "" || !t.IsAgent() || strings.EqualFold(t.ClientAppID, want) {
			return
		}
		fs = anaAddOnce(fs, NewFinding("agentid.wrong-agent-identity", "obo",
			fmt.Sprintf("%s speaks for agent identity %s (appid/azp; blueprint %s), not the configured %s", whose, t.ClientAppID, anaOrNone(t.ParentAppID), want),
			map[string]string{"claim": "azp", "value": t.ClientAppID}))
	}
	check(c.result, "the exchanged token")
	if r := c.obs.AgentReport; r != nil {
		check(r.Token, "the token the agent API reports from its own exchange")
	}
	return fs
}

func anaHasSeverity(fs []Finding, s Severity) bool {
	for _, f := range fs {
		if f.Severity == s {
			return true
		}
	}
	return false
}
