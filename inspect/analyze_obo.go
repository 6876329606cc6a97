package inspect

import (
	"fmt"
	"strings"
)

// GrantJWTBearer is the grant type of Entra's On-Behalf-Of request; GrantTokenExchange is RFC
// 8693's, which Entra does not accept for OBO.
const (
	GrantJWTBearer     = "urn:ietf:params:oauth:grant-type:jwt-bearer"
	GrantTokenExchange = "urn:ietf:params:oauth:grant-type:token-exchange"
)

// ExchangeReport is what a component (the agent API, or the MCP server) reports of its own token
// exchange, as received: the grant it used, Entra's status and error, the token it obtained
// (decoded from header and payload; the signature is never sent) and whether it passed the
// incoming token through instead.
type ExchangeReport struct {
	Kind          string // "obo" | "passthrough" | "agent_identity" …
	GrantType     string
	TokenEndpoint string
	Status        int
	Error         *EntraError
	Token         *Token
	Passthrough   bool
}

// OBOObservation is what the obo hop saw.
type OBOObservation struct {
	Mode      string // secret | certificate | agent_identity | passthrough | none
	Assertion *Token // the user token used as the assertion (nil when there was none)
	Performed bool   // oboscope sent the exchange itself
	Error     *EntraError
	Result    *Token // the exchanged token, nil when none
	// RequestedScopes are the scopes asked for in the exchange.
	RequestedScopes []string

	// Agent ID leg 1 (blueprint client_credentials): whether it was sent, the fmi_path it carried
	// ("" when the form had none), Entra's error and the T1 obtained.
	Leg1Performed bool
	Leg1FMIPath   string
	Leg1Error     *EntraError
	T1            *Token

	// AgentReport is the agent API's report of its own exchange, nil when it sent none.
	AgentReport *ExchangeReport
}

// OBOExpectations come from the configuration.
type OBOExpectations struct {
	MiddleTier          []string // audiences the assertion must have: obo.client_id and agent.app_id_uri (agent_identity: the blueprint's)
	DownstreamAudiences []string // the MCP server's client id and App ID URI
}

// oboCodes maps Entra codes at the OBO exchange to findings.
func oboCodes() codeFindings {
	return codeFindings{
		50013:   "obo.assertion-aud-mismatch",
		500131:  "obo.assertion-aud-mismatch",
		65001:   "obo.consent-required",
		7000215: "obo.invalid-client-secret",
		7000222: "obo.client-secret-expired",
		7000218: "obo.missing-client-credential",
		50076:   "obo.claims-challenge",
		50079:   "obo.claims-challenge",
		70003:   "obo.wrong-grant",
		500011:  "obo.scope-not-found",
		65005:   "obo.scope-not-found",
		70011:   "obo.scope-not-found",
		700229:  "agentid.user-token-as-credential",
	}
}

// agentCodes overrides oboCodes in agent_identity mode.
func agentCodes() codeFindings {
	return codeFindings{50013: "agentid.assertion-aud-not-blueprint", 500131: "agentid.assertion-aud-not-blueprint"}
}

func (c codeFindings) with(over codeFindings) codeFindings {
	out := codeFindings{}
	for k, v := range c {
		out[k] = v
	}
	for k, v := range over {
		out[k] = v
	}
	return out
}

// AnalyzeOBO applies every obo.* and agentid.* rule to what the obo hop observed.
func AnalyzeOBO(obs OBOObservation, exp OBOExpectations) []Finding {
	var fs []Finding
	agentMode := obs.Mode == "agent_identity"
	table := oboCodes()
	if agentMode {
		table = table.with(agentCodes())
	}
	// The agent API's own exchange may run as another app than obo.client_id: its codes all count.
	agentTable := table.with(nil)
	// AADSTS50013 names the assertion's audience; when the observed assertion is for the middle
	// tier, the code says something else went wrong with it and the audience finding would be false.
	assertionForMiddleTier := false
	if a := obs.Assertion; a != nil && a.Format == FormatJWS && len(anaNonEmpty(exp.MiddleTier)) > 0 && anaAudienceOK(a, exp.MiddleTier) {
		assertionForMiddleTier = true
		delete(table, 50013)
		delete(table, 500131)
	}
	// What the assertion itself says, whether or not the exchange was sent.
	if a := obs.Assertion; a != nil && a.Format == FormatJWS && obs.Mode != "passthrough" {
		if anaAppOnly(a) {
			fs = append(fs, NewFinding("obo.app-only-assertion", "obo",
				fmt.Sprintf("the assertion has no scp (roles: %s, idtyp: %s): OBO needs a token that speaks for a user", anaOrNone(strings.Join(a.Roles, " ")), anaOrNone(a.ClaimString("idtyp"))),
				map[string]string{"claim": "idtyp", "value": a.ClaimString("idtyp")}))
		}
		if len(anaNonEmpty(exp.MiddleTier)) > 0 && !anaAudienceOK(a, exp.MiddleTier) {
			id, verb := "obo.assertion-aud-mismatch", "Entra refuses the exchange with AADSTS50013"
			if agentMode {
				id = "agentid.assertion-aud-not-blueprint"
			}
			if !obs.Performed {
				verb = "Entra would refuse the exchange (AADSTS50013)"
			}
			fs = append(fs, NewFinding(id, "obo",
				fmt.Sprintf("the assertion's aud is %s but the middle tier is %s: %s", anaAudList(a), strings.Join(anaNonEmpty(exp.MiddleTier), " / "), verb),
				map[string]string{"claim": "aud", "value": strings.Join(a.Audiences, " ")}))
		}
	}
	fs = anaAddOnce(fs, anaFromEntraError(obs.Leg1Error, "obo", table, "Entra (leg 1, blueprint client credentials)")...)
	fs = anaAddOnce(fs, anaFromEntraError(obs.Error, "obo", table, "Entra's token endpoint")...)
	if e := obs.Error; e != nil && strings.EqualFold(e.Err, "interaction_required") && e.Claims != "" {
		fs = anaAddOnce(fs, NewFinding("obo.claims-challenge", "obo",
			"Entra answered interaction_required with a claims challenge: the user must sign in again and satisfy it",
			map[string]string{"error": e.Err}))
	}
	if obs.Leg1Performed && obs.Leg1FMIPath == "" {
		fs = anaAddOnce(fs, NewFinding("agentid.fmi-path-missing", "obo", "leg 1 (blueprint client_credentials) was sent without fmi_path", nil))
	}
	if t1 := obs.T1; t1 != nil && t1.Format == FormatJWS && (anaDelegated(t1) || t1.Principal == PrincipalUser) {
		fs = anaAddOnce(fs, NewFinding("agentid.user-token-as-credential", "obo",
			fmt.Sprintf("the credential used as client_assertion is a user token (scp %q, sub %s)", strings.Join(t1.Scopes, " "), t1.Subject), nil))
	}
	if r := obs.AgentReport; r != nil {
		if strings.EqualFold(r.GrantType, GrantTokenExchange) {
			fs = anaAddOnce(fs, NewFinding("obo.wrong-grant", "obo",
				fmt.Sprintf("the agent API reports it sent grant_type=%s to %s; Entra's OBO is jwt-bearer", r.GrantType, anaOrNone(r.TokenEndpoint)),
				map[string]string{"grant_type": r.GrantType}))
		}
		reported := anaFromEntraError(r.Error, "obo", agentTable, "Entra (as the agent API reports)")
		for i, f := range reported {
			if (f.ID == "obo.assertion-aud-mismatch" || f.ID == "agentid.assertion-aud-not-blueprint") && assertionForMiddleTier {
				// The user token is for obo.client_id, yet Entra says it is not for the app the
				// agent exchanged it as: the agent runs as another app.
				reported[i].Detail += fmt.Sprintf(" — the user token's aud %s is the configured middle tier, so the agent API does its exchange as another app (check its client id)", anaAudList(obs.Assertion))
			}
		}
		if t := obs.Result; t != nil && obs.Performed && obs.Error == nil {
			// oboscope's own exchange as the same app worked: what differs is the agent's deployment.
			for i, f := range reported {
				switch f.ID {
				case "obo.invalid-client-secret", "obo.client-secret-expired", "obo.missing-client-credential":
					reported[i].Detail += " — oboscope's own exchange as obo.client_id, with the configured credential, worked: the agent API runs with another credential (or as another app)"
				case "obo.scope-not-found", "obo.consent-required":
					reported[i].Detail += fmt.Sprintf(" — oboscope's own exchange for %s worked: the agent API asks for other scopes", strings.Join(obs.RequestedScopes, " "))
				}
			}
		}
		fs = anaAddOnce(fs, reported...)
		if e := r.Error; e != nil && strings.EqualFold(e.Err, "interaction_required") && e.Claims != "" {
			fs = anaAddOnce(fs, NewFinding("obo.claims-challenge", "obo", "the agent API reports a claims challenge from Entra on its own exchange", nil))
		}
	}
	if t := obs.Result; t != nil && t.Format == FormatJWS {
		if len(anaNonEmpty(exp.DownstreamAudiences)) > 0 && !anaAudienceOK(t, exp.DownstreamAudiences) {
			fs = append(fs, NewFinding("obo.downstream-aud", "obo",
				fmt.Sprintf("the exchanged token's aud is %s; the MCP server is %s", anaAudList(t), strings.Join(anaNonEmpty(exp.DownstreamAudiences), " / ")),
				map[string]string{"claim": "aud", "value": strings.Join(t.Audiences, " ")}))
		}
		var missing []string
		for _, s := range obs.RequestedScopes {
			if IsOIDCScope(s) || ScopeName(s) == ".default" {
				continue
			}
			if !anaHasScope(t, s) {
				missing = append(missing, ScopeName(s))
			}
		}
		if len(missing) > 0 {
			fs = append(fs, NewFinding("obo.scope-missing", "obo",
				fmt.Sprintf("the exchanged token's scp is %q; requested %s is missing", strings.Join(t.Scopes, " "), strings.Join(missing, ", ")),
				map[string]string{"claim": "scp", "value": strings.Join(t.Scopes, " ")}))
		}
		if agentMode && !t.IsAgent() {
			fs = append(fs, NewFinding("agentid.not-agent-token", "obo",
				"agent_identity mode, but the exchanged token has neither xms_par_app_azp nor the agent identity facet (xms_act_fct 11)", nil))
		}
	}
	return fs
}
