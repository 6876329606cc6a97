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
	// Detail is what the component said of a failure that carries no Entra error ("no user
	// assertion: …").
	Detail string
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
	// AgentIdentity is the agent identity configured (agent_identity mode): the exchanged tokens
	// must speak for it.
	AgentIdentity string
}

// oboCodes maps Entra codes at the OBO exchange to findings.
func oboCodes() codeFindings {
	return codeFindings{
		50013:   "obo.assertion-invalid", // read by its description: AssertionFinding
		500131:  "obo.assertion-aud-mismatch",
		7000114: "obo.app-only-assertion",
		700027:  "obo.certificate-not-registered",
		700025:  "obo.public-client-secret",
		7000216: "obo.missing-client-credential",
		82008:   "agentid.fmi-path-missing",
		82001:   "agentid.direct-client-credentials",
		82014:   "agentid.no-interactive-consent",
		700211:  "agentid.wrong-tenant",
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

// AnalyzeOBO applies every obo.* and agentid.* rule to what the obo hop observed. Each rule reads
// the context computed once from the observation and appends its findings; the order of the
// rules is the order of the findings.
func AnalyzeOBO(obs OBOObservation, exp OBOExpectations) []Finding {
	c := newOBOContext(obs, exp)
	var fs []Finding
	for _, rule := range []func(*oboContext, []Finding) []Finding{
		oboAppOnlyAssertionRule,
		oboAssertionAudienceRule,
		oboEntraErrorRules,
		oboFMIPathRule,
		oboUserCredentialRule,
		oboAgentReportRules,
		oboDownstreamAudienceRule,
		oboScopeMissingRule,
		oboNotAgentTokenRule,
		oboWrongAgentIdentityRule,
	} {
		fs = rule(c, fs)
	}
	return fs
}

// oboContext is what the obo rules share, computed once from the observation and the
// expectations.
type oboContext struct {
	obs OBOObservation
	exp OBOExpectations

	agentMode bool // obo.mode is agent_identity
	// table maps the codes of oboscope's own exchange to findings; agentTable those of the agent
	// API's own exchange, which may run as another app than obo.client_id, so all its codes count.
	table      codeFindings
	agentTable codeFindings
	// assertionForMiddleTier is set when the observed assertion is for the middle tier, exactly
	// as Entra compares: then an audience error says something else went wrong with it (the agent
	// API exchanged it as another app), and the audience finding would be false.
	// assertionCaseOnly is set when it is for the middle tier only if case is ignored.
	assertionForMiddleTier bool
	assertionCaseOnly      bool
	// audienceReported is set when the assertion is not for the middle tier at all: the
	// audience rule reports it, and Entra's AADSTS50013 about the same token is that problem.
	audienceReported bool
	// assertion is the assertion when it is a JWS whose claims the rules can read, else nil.
	assertion *Token
	// result is the exchanged token when it is a JWS, else nil.
	result *Token
}

func newOBOContext(obs OBOObservation, exp OBOExpectations) *oboContext {
	c := &oboContext{obs: obs, exp: exp, agentMode: obs.Mode == "agent_identity", table: oboCodes()}
	if c.agentMode {
		c.table = c.table.with(agentCodes())
	}
	c.agentTable = c.table.with(nil)
	if a := obs.Assertion; a != nil && a.Format == FormatJWS {
		c.assertion = a
	}
	if c.assertion != nil && len(anaNonEmpty(exp.MiddleTier)) > 0 {
		switch {
		case anaAudienceExact(c.assertion, exp.MiddleTier):
			c.assertionForMiddleTier = true
			delete(c.table, 500131)
		case anaAudienceOK(c.assertion, exp.MiddleTier):
			c.assertionCaseOnly = true
			c.table[500131] = "obo.assertion-aud-case-mismatch"
			c.agentTable[500131] = "obo.assertion-aud-case-mismatch"
		default:
			// oboscope's own rule reports the audience; Entra's complaint about the same
			// assertion's signature (a Graph token is validated before its audience) adds nothing.
			c.audienceReported = c.obs.Mode != "passthrough"
		}
	}
	if t := obs.Result; t != nil && t.Format == FormatJWS {
		c.result = t
	}
	return c
}

// oboAppOnlyAssertionRule raises obo.app-only-assertion for an assertion that speaks for no user,
// whether or not the exchange was sent.
func oboAppOnlyAssertionRule(c *oboContext, fs []Finding) []Finding {
	a := c.assertion
	if a == nil || c.obs.Mode == "passthrough" || !anaAppOnly(a) {
		return fs
	}
	return append(fs, NewFinding("obo.app-only-assertion", "obo",
		fmt.Sprintf("the assertion has no scp (roles: %s, idtyp: %s): OBO needs a token that speaks for a user", anaOrNone(strings.Join(a.Roles, " ")), anaOrNone(a.ClaimString("idtyp"))),
		map[string]string{"claim": "idtyp", "value": a.ClaimString("idtyp")}))
}

// oboAssertionAudienceRule raises obo.assertion-aud-mismatch (agentid.assertion-aud-not-blueprint
// in agent_identity mode) for an assertion that is not for the middle tier, whether or not the
// exchange was sent.
func oboAssertionAudienceRule(c *oboContext, fs []Finding) []Finding {
	a, tier := c.assertion, anaNonEmpty(c.exp.MiddleTier)
	if a == nil || c.obs.Mode == "passthrough" || len(tier) == 0 || c.assertionForMiddleTier {
		return fs
	}
	if c.assertionCaseOnly {
		verb := "Entra compares exactly and refuses the exchange with AADSTS500131"
		if !c.obs.Performed {
			verb = "Entra compares exactly and would refuse the exchange (AADSTS500131)"
		}
		f := NewFinding("obo.assertion-aud-case-mismatch", "obo",
			fmt.Sprintf("the assertion's aud is %s; the middle tier is registered as %s — equal only when case is ignored: %s", anaAudList(a), strings.Join(tier, " / "), verb),
			map[string]string{"claim": "aud", "value": strings.Join(a.Audiences, " ")})
		return append(fs, f)
	}
	id, verb := "obo.assertion-aud-mismatch", "Entra refuses the exchange (AADSTS500131)"
	if c.agentMode {
		id = "agentid.assertion-aud-not-blueprint"
	}
	if !c.obs.Performed {
		verb = "Entra would refuse the exchange (AADSTS500131)"
	}
	code := 500131
	if stringOf(a.Header["nonce"]) != "" || anyGraph(a.Audiences) {
		// A Graph token fails its signature validation before its audience is compared.
		verb, code = "a Microsoft Graph token, which Entra refuses before comparing the audience (AADSTS50013, invalid signature)", 50013
	}
	f := NewFinding(id, "obo",
		fmt.Sprintf("the assertion's aud is %s but the middle tier is %s: %s", anaAudList(a), strings.Join(tier, " / "), verb),
		map[string]string{"claim": "aud", "value": strings.Join(a.Audiences, " ")})
	if !c.agentMode {
		f.AADSTS = code
	}
	return append(fs, f)
}

// oboEntraErrorRules turns Entra's answers to leg 1 and to the exchange into findings, and an
// interaction_required answer with claims into obo.claims-challenge.
func oboEntraErrorRules(c *oboContext, fs []Finding) []Finding {
	fs = anaAddOnce(fs, anaFromEntraError(c.obs.Leg1Error, "obo", c.tableFor(c.obs.Leg1Error), "Entra (leg 1, blueprint client credentials)")...)
	fs = anaAddOnce(fs, anaFromEntraError(c.obs.Error, "obo", c.tableFor(c.obs.Error), "Entra's token endpoint")...)
	if f, ok := ClaimsChallengeFinding(c.obs.Error, "obo", "Entra"); ok {
		fs = anaAddOnce(fs, f)
	}
	return fs
}

// oboFMIPathRule raises agentid.fmi-path-missing when leg 1 was sent without fmi_path.
func oboFMIPathRule(c *oboContext, fs []Finding) []Finding {
	if !c.obs.Leg1Performed || c.obs.Leg1FMIPath != "" {
		return fs
	}
	return anaAddOnce(fs, NewFinding("agentid.fmi-path-missing", "obo", "leg 1 (blueprint client_credentials) was sent without fmi_path", nil))
}

// oboUserCredentialRule raises agentid.user-token-as-credential when the credential used as
// client_assertion speaks for a user.
func oboUserCredentialRule(c *oboContext, fs []Finding) []Finding {
	t1 := c.obs.T1
	if t1 == nil || t1.Format != FormatJWS || !(anaDelegated(t1) || t1.Principal == PrincipalUser) {
		return fs
	}
	return anaAddOnce(fs, NewFinding("agentid.user-token-as-credential", "obo",
		fmt.Sprintf("the credential used as client_assertion is a user token (scp %q, sub %s)", strings.Join(t1.Scopes, " "), t1.Subject), nil))
}

// oboAgentReportRules applies the rules to the agent API's report of its own exchange: the grant
// it used, Entra's error codes and a claims challenge.
func oboAgentReportRules(c *oboContext, fs []Finding) []Finding {
	r := c.obs.AgentReport
	if r == nil {
		return fs
	}
	if strings.EqualFold(r.GrantType, GrantTokenExchange) {
		fs = anaAddOnce(fs, NewFinding("obo.wrong-grant", "obo",
			fmt.Sprintf("the agent API reports it sent grant_type=%s to %s; Entra's OBO is jwt-bearer", r.GrantType, anaOrNone(r.TokenEndpoint)),
			map[string]string{"grant_type": r.GrantType}))
	}
	said := r.Detail
	if r.Error != nil {
		said += " " + r.Error.Description
	}
	if SaysNoUserAssertion(said) {
		fs = anaAddOnce(fs, NewFinding("obo.no-user-assertion", "obo",
			"the agent API reports it had no user assertion to exchange: "+anaFirstLine(strings.TrimSpace(said)), nil))
	}
	table := c.agentTable.with(codeFindings{50013: assertionFinding(r.Error, c.agentMode)})
	reported := anaFromEntraError(r.Error, "obo", table, "Entra (as the agent API reports)")
	c.compareWithOwnExchange(reported)
	fs = anaAddOnce(fs, reported...)
	if f, ok := ClaimsChallengeFinding(r.Error, "obo", "Entra (as the agent API reports)"); ok {
		fs = anaAddOnce(fs, f)
	}
	return fs
}

// compareWithOwnExchange adds to the findings of the agent API's report what oboscope's own
// observations show about them: an assertion for the configured middle tier, or oboscope's own
// exchange as the same app working, point at the agent's deployment.
func (c *oboContext) compareWithOwnExchange(reported []Finding) {
	for i, f := range reported {
		if (f.ID == "obo.assertion-aud-mismatch" || f.ID == "agentid.assertion-aud-not-blueprint") && c.assertionForMiddleTier {
			// The user token is for obo.client_id, yet Entra says it is not for the app the
			// agent exchanged it as: the agent runs as another app.
			reported[i].Detail += fmt.Sprintf(" — the user token's aud %s is the configured middle tier, so the agent API does its exchange as another app (check its client id)", anaAudList(c.obs.Assertion))
		}
	}
	if c.obs.Result == nil || !c.obs.Performed || c.obs.Error != nil {
		return
	}
	// oboscope's own exchange as the same app worked: what differs is the agent's deployment.
	for i, f := range reported {
		switch f.ID {
		case "obo.invalid-client-secret", "obo.client-secret-expired", "obo.missing-client-credential":
			reported[i].Detail += " — oboscope's own exchange as obo.client_id, with the configured credential, worked: the agent API runs with another credential (or as another app)"
		case "obo.scope-not-found", "obo.consent-required":
			reported[i].Detail += fmt.Sprintf(" — oboscope's own exchange for %s worked: the agent API asks for other scopes", strings.Join(c.obs.RequestedScopes, " "))
		}
	}
}

// oboDownstreamAudienceRule raises obo.downstream-aud when the exchanged token is not for the MCP
// server.
func oboDownstreamAudienceRule(c *oboContext, fs []Finding) []Finding {
	t, want := c.result, anaNonEmpty(c.exp.DownstreamAudiences)
	if t == nil || len(want) == 0 || anaAudienceOK(t, c.exp.DownstreamAudiences) {
		return fs
	}
	return append(fs, NewFinding("obo.downstream-aud", "obo",
		fmt.Sprintf("the exchanged token's aud is %s; the MCP server is %s", anaAudList(t), strings.Join(want, " / ")),
		map[string]string{"claim": "aud", "value": strings.Join(t.Audiences, " ")}))
}

// oboScopeMissingRule raises obo.scope-missing when the exchanged token lacks a requested scope.
func oboScopeMissingRule(c *oboContext, fs []Finding) []Finding {
	t := c.result
	if t == nil {
		return fs
	}
	missing := scopeNames(lackedScopes(t, c.obs.RequestedScopes))
	if len(missing) == 0 {
		return fs
	}
	return append(fs, NewFinding("obo.scope-missing", "obo",
		fmt.Sprintf("the exchanged token's scp is %q; requested %s is missing", strings.Join(t.Scopes, " "), strings.Join(missing, ", ")),
		map[string]string{"claim": "scp", "value": strings.Join(t.Scopes, " ")}))
}

// oboNotAgentTokenRule raises agentid.not-agent-token when agent_identity mode produced a token
// without Agent ID markers.
func oboNotAgentTokenRule(c *oboContext, fs []Finding) []Finding {
	if c.result == nil || !c.agentMode || c.result.IsAgent() {
		return fs
	}
	return append(fs, NewFinding("agentid.not-agent-token", "obo",
		"agent_identity mode, but the exchanged token has neither xms_par_app_azp nor the agent identity facet (xms_act_fct 11)", nil))
}

// tableFor is the code table for an Entra error of oboscope's own exchange: AADSTS50013 is read by
// its description, and its audience reading only counts when the assertion is not exactly for the
// middle tier (then Entra's audience complaint contradicts what oboscope sees).
func (c *oboContext) tableFor(e *EntraError) codeFindings {
	id := assertionFinding(e, c.agentMode)
	if c.assertionForMiddleTier && (id == "obo.assertion-aud-mismatch" || id == "agentid.assertion-aud-not-blueprint") {
		id = ""
	}
	if c.assertionCaseOnly && id == "obo.assertion-aud-mismatch" {
		id = "obo.assertion-aud-case-mismatch"
	}
	if (c.audienceReported && id == "obo.assertion-invalid") || id == "token.expired" {
		// The assertion's own lint reports its expiry where it was obtained.
		id = ""
	}
	t := c.table.with(nil)
	if id == "" {
		delete(t, 50013)
	} else {
		t[50013] = id
	}
	return t
}

// assertionFinding reads AADSTS50013 by its description, since one code has several causes:
// the audience (obo.assertion-aud-mismatch, or agentid.assertion-aud-not-blueprint in agent
// mode), the time range (token.expired), else a failed validation of the assertion itself
// (obo.assertion-invalid: a Graph token, another issuer, an altered token).
func assertionFinding(e *EntraError, agentMode bool) string {
	desc := ""
	if e != nil {
		desc = strings.ToLower(e.Description)
	}
	switch {
	case strings.Contains(desc, "audience"):
		if agentMode {
			return "agentid.assertion-aud-not-blueprint"
		}
		return "obo.assertion-aud-mismatch"
	case strings.Contains(desc, "valid time range") || strings.Contains(desc, "expired"):
		return "token.expired"
	}
	return "obo.assertion-invalid"
}

// ClaimsChallengeFinding returns obo.claims-challenge at hop for any Entra answer that carries
// claims — Entra sends MFA on OBO as invalid_grant with suberror basic_action, not only as
// interaction_required — saying what the challenge asks for, and that signing in again does not
// satisfy a policy on the location when the description names the location.
func ClaimsChallengeFinding(e *EntraError, hop, who string) (Finding, bool) {
	if e == nil || e.Claims == "" {
		return Finding{}, false
	}
	what := anaOrNone(e.Err)
	if e.Suberror != "" {
		what += ", suberror " + e.Suberror
	}
	if code := e.Code(); code != 0 {
		what = fmt.Sprintf("AADSTS%d (%s)", code, what)
	}
	detail := fmt.Sprintf("%s answered %s with a claims challenge: the user must sign in again and satisfy it", who, what)
	if req := ClaimsRequirement(e.Claims, []Finding{{AADSTS: e.Code()}}); req != "" {
		detail += " (" + req + ")"
	}
	f := NewFinding("obo.claims-challenge", hop, detail, map[string]string{"error": e.Err, "suberror": e.Suberror})
	if code := e.Code(); code != 0 {
		f.AADSTS = code
	}
	if l := strings.ToLower(e.Description); strings.Contains(l, "location") && !strings.Contains(l, "moved to a new location") {
		f.Detail += "; the description names a location: a policy on the location is not satisfied by signing in again from the same place"
	}
	return f, true
}
