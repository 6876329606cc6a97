package flows

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/confidential"

	"github.com/oboscope/oboscope/inspect"
)

// agentIdentityExchangeScope is the scope of Agent ID leg 1 (blueprint client credentials).
const agentIdentityExchangeScope = "api://AzureADTokenExchange/.default"

// oboOut is what the obo hop hands on: the token for the MCP server (the exchanged token, or the
// user's own when the connection passes it through; none when the exchange failed).
type oboOut struct {
	token    heldToken
	fromUser bool // passthrough: the token is the user token, handed on unchanged
	// reported is the token Foundry obtained for the tool as the MCP server reported it (agent.kind
	// foundry): readable, never usable (no signature).
	reported heldToken
}

// oboObs is what the obo hop observed.
type oboObs struct {
	inspect.OBOObservation
	exp          inspect.OBOExpectations
	verifyErr    error // the exchanged token's signature failed verification
	agentProblem string
}

// observeOBO performs the middle tier's On-Behalf-Of exchange as the agent would, with MSAL.
func observeOBO(ctx context.Context, h *hopRun, user heldToken, agentReport *inspect.ExchangeReport) (oboObs, oboOut) {
	cfg := h.cfg
	mode := cfg.OBOMode()
	obs := oboObs{OBOObservation: inspect.OBOObservation{Mode: mode, Assertion: user.tok, AgentReport: agentReport, RequestedScopes: cfg.OBO.Scopes},
		exp: oboExpectations(cfg, mode), agentProblem: agentReportProblem(agentReport)}
	if !user.ok() {
		obs.Assertion = nil
		h.skip("skipped: no user token to exchange")
		return obs, oboOut{}
	}
	switch mode {
	case OBOModePassthrough:
		h.skip("passthrough: no exchange — the user token is forwarded as-is to the MCP server")
		return obs, oboOut{token: user, fromUser: true}
	case OBOModeNone:
		h.skip("skipped: no middle-tier credentials (obo.mode none); the user token was checked for OBO readiness")
		return obs, oboOut{}
	}
	var raw string
	var err error
	obs.Performed = true
	if mode == OBOModeAgentIdentity {
		raw, err = oboAgentIdentity(ctx, h, user.raw, &obs.OBOObservation)
	} else {
		raw, err = oboConfidential(ctx, h, user.raw)
	}
	if err != nil {
		xs := h.rec.snapshot()
		if obs.Leg1Error == nil {
			obs.Error = entraErrorFrom(xs, err)
		}
		h.fail(describeFailure("obo", err, xs))
		if obs.Error != nil {
			// Entra refused the exchange of this assertion (AADSTS50013 names it): the hop shows
			// the token it sent, so that its aud, scp and issuer can be read where it failed.
			h.present("assertion ("+tokenNoun(user.tok)+")", RoleAssertion, user, false)
			h.res.ClaimsChallenge = obs.Error.Claims
		}
	}
	var out oboOut
	if raw != "" {
		if tok, derr := h.decodeObtained(raw, "exchanged token"); derr == nil {
			obs.Result = tok
			from := user.ref
			out.token, obs.verifyErr = h.holdObtained(ctx, NamedToken{Name: "OBO token (for the MCP server)", Raw: raw, Token: tok, From: &from}, mcpAudiences(cfg))
		}
	}
	return obs, out
}

// oboExpectations are what the assertion and the exchanged token must be: the assertion for the
// app doing the exchange — its client id, and the agent's App ID URI when the agent API is that
// same app (v1 tokens carry the App ID URI as aud) — and the result for the MCP server.
func oboExpectations(cfg Config, mode string) inspect.OBOExpectations {
	exp := inspect.OBOExpectations{MiddleTier: nonEmpty(cfg.OBO.ClientID), DownstreamAudiences: mcpAudiences(cfg)}
	switch {
	case mode == OBOModeAgentIdentity:
		exp.MiddleTier = nonEmpty(cfg.OBO.BlueprintClientID, "api://"+cfg.OBO.BlueprintClientID)
		exp.AgentIdentity = cfg.OBO.AgentIdentityID
	case mode == OBOModeNone || mode == OBOModePassthrough:
	case strings.EqualFold(cfg.OBO.ClientID, cfg.Agent.ClientID):
		exp.MiddleTier = nonEmpty(cfg.OBO.ClientID, cfg.Agent.AppIDURI)
	}
	return exp
}

// analyzeOBO applies the obo and agentid rules, and lints the exchanged token.
func analyzeOBO(h *hopRun, obs oboObs) []inspect.Finding {
	var fs []inspect.Finding
	if f, ok := inspect.SignatureFinding(obs.verifyErr, "obo"); ok {
		fs = append(fs, f)
	}
	if obs.Result != nil {
		fs = append(fs, inspect.LintToken(obs.Result, "obo", inspect.Expectations{Now: h.now()})...)
	}
	return append(fs, inspect.AnalyzeOBO(obs.OBOObservation, obs.exp)...)
}

// oboStory is the one-line story of the obo hop (a skipped hop keeps the reason it was skipped).
func oboStory(h *hopRun, obs oboObs) string {
	if h.res.Status == StatusSkipped {
		return h.res.Story
	}
	cfg, mode, names := h.cfg, obs.Mode, h.names
	switch {
	case obs.Result != nil && obs.agentProblem != "":
		// oboscope's own exchange worked; what the agent API did is another matter: say both.
		return fmt.Sprintf("oboscope's exchange as %s worked (a %s); but %s",
			oboActor(cfg, mode, names), inspect.Summarize(obs.Result, names).Text(), obs.agentProblem)
	case obs.Result != nil:
		s := fmt.Sprintf("%s exchanged the user token for a %s", oboActor(cfg, mode, names), inspect.Summarize(obs.Result, names).Text())
		if obs.Result.IsAgent() && obs.Result.ParentAppID != "" {
			s += fmt.Sprintf("; an Agent ID token (xms_par_app_azp %s)", names.Name(obs.Result, obs.Result.ParentAppID))
		}
		return s
	case obs.Error != nil && obs.Error.Claims != "":
		return "Entra asks for a fresh sign-in satisfying a claims challenge: sign in again with the claims (oboscope's TUI does it: press a)"
	case obs.Error != nil:
		return fmt.Sprintf("Entra refused the exchange: %s", firstLine(obs.Error.Description))
	case obs.Leg1Error != nil:
		return fmt.Sprintf("Entra refused the blueprint's leg 1: %s", firstLine(obs.Leg1Error.Description))
	}
	return "the exchange did not complete"
}

func oboActor(cfg Config, mode string, names inspect.AppNames) string {
	id := cfg.OBO.ClientID
	if mode == OBOModeAgentIdentity {
		id = cfg.OBO.AgentIdentityID
	}
	if n, ok := names.Lookup(id); ok && !strings.HasPrefix(n, "the ") {
		return n
	} else if ok {
		return n + " (" + id + ")"
	}
	return "the middle tier " + id
}

// oboCredential builds the middle tier's credential: a secret or a certificate.
func oboCredential(cfg Config) (confidential.Credential, error) {
	if cfg.OBOMode() == OBOModeCertificate {
		pem, err := ReadInputFile(context.Background(), cfg.OBO.CertificateFile, MaxInputFile)
		if err != nil {
			return confidential.Credential{}, fmt.Errorf("certificate_file: %w", err)
		}
		certs, key, err := confidential.CertFromPEM(pem, "")
		if err != nil {
			return confidential.Credential{}, fmt.Errorf("certificate_file %s: %w", cfg.OBO.CertificateFile, err)
		}
		return confidential.NewCredFromCert(certs, key)
	}
	secret, err := cfg.readSecret(cfg.OBO.ClientSecret, cfg.OBO.ClientSecretEnv, cfg.OBO.ClientSecretFile)
	if err != nil {
		return confidential.Credential{}, fmt.Errorf("client secret: %w", err)
	}
	return confidential.NewCredFromSecret(secret)
}

func oboConfidential(ctx context.Context, h *hopRun, assertion string) (string, error) {
	cfg := h.cfg
	cred, err := oboCredential(cfg)
	if err != nil {
		return "", err
	}
	app, err := confidential.New(cfg.Authority(), cfg.OBO.ClientID, cred,
		confidential.WithHTTPClient(h.client), confidential.WithInstanceDiscovery(cfg.instanceDiscovery()))
	if err != nil {
		return "", fmt.Errorf("MSAL confidential client: %w", err)
	}
	h.rec.setLabel("OBO (jwt-bearer)")
	res, err := app.AcquireTokenOnBehalfOf(ctx, assertion, cfg.OBO.Scopes)
	if err != nil {
		return "", err
	}
	return res.AccessToken, nil
}

// oboAgentIdentity runs the Agent ID two legs: the blueprint's client credentials with fmi_path
// give T1; the agent identity then does OBO with T1 as its client assertion.
func oboAgentIdentity(ctx context.Context, h *hopRun, assertion string, obs *inspect.OBOObservation) (string, error) {
	cfg := h.cfg
	secret, err := cfg.readSecret(cfg.OBO.BlueprintSecret, cfg.OBO.BlueprintSecretEnv, cfg.OBO.BlueprintSecretFile)
	if err != nil {
		return "", fmt.Errorf("blueprint secret: %w", err)
	}
	cred, err := confidential.NewCredFromSecret(secret)
	if err != nil {
		return "", fmt.Errorf("blueprint secret: %w", err)
	}
	blueprint, err := confidential.New(cfg.Authority(), cfg.OBO.BlueprintClientID, cred,
		confidential.WithHTTPClient(h.client), confidential.WithInstanceDiscovery(cfg.instanceDiscovery()))
	if err != nil {
		return "", fmt.Errorf("MSAL confidential client (blueprint): %w", err)
	}
	h.rec.setLabel("Agent ID leg 1 (blueprint client credentials + fmi_path)")
	obs.Leg1Performed = true
	var copts []confidential.AcquireByCredentialOption
	if cfg.OBO.AgentIdentityID != "" {
		copts = append(copts, confidential.WithFMIPath(cfg.OBO.AgentIdentityID))
	}
	t1res, err := blueprint.AcquireTokenByCredential(ctx, []string{agentIdentityExchangeScope}, copts...)
	obs.Leg1FMIPath = fmiPathSent(h.rec.snapshot())
	if err != nil {
		obs.Leg1Error = entraErrorFrom(h.rec.snapshot(), err)
		return "", fmt.Errorf("leg 1 (blueprint): %w", err)
	}
	t1 := t1res.AccessToken
	// T1 is a credential (the agent identity's client assertion): it is kept only without its
	// signature, never in a form that could be replayed or copied.
	if tok, derr := inspect.DecodeUnverified(StripSignature(t1)); derr == nil {
		obs.T1 = tok
		h.record(NamedToken{Name: "T1 (blueprint credential for the agent identity, signature removed)", Role: RoleCredential, Token: tok,
			VerifyErr: "a credential for Entra only: not verified, never kept whole"})
	}
	agentCred := confidential.NewCredFromAssertionCallback(func(context.Context, confidential.AssertionRequestOptions) (string, error) {
		return t1, nil
	})
	agent, err := confidential.New(cfg.Authority(), cfg.OBO.AgentIdentityID, agentCred,
		confidential.WithHTTPClient(h.client), confidential.WithInstanceDiscovery(cfg.instanceDiscovery()))
	if err != nil {
		return "", fmt.Errorf("MSAL confidential client (agent identity): %w", err)
	}
	h.rec.setLabel("Agent ID leg 2 (agent identity OBO, T1 as client assertion)")
	res, err := agent.AcquireTokenOnBehalfOf(ctx, assertion, cfg.OBO.Scopes)
	if err != nil {
		return "", err
	}
	return res.AccessToken, nil
}

// fmiPathSent reads the fmi_path of the last client-credentials request recorded.
func fmiPathSent(xs []Exchange) string {
	for i := len(xs) - 1; i >= 0; i-- {
		if xs[i].Method != "POST" || !strings.Contains(xs[i].RequestBody, "grant_type=client_credentials") {
			continue
		}
		q, err := url.ParseQuery(xs[i].RequestBody)
		if err != nil {
			return ""
		}
		return q.Get("fmi_path")
	}
	return ""
}

// agentReportProblem says in words what is wrong with the exchange the agent API reports of its
// own ("" when nothing is).
func agentReportProblem(r *inspect.ExchangeReport) string {
	switch {
	case r == nil:
		return ""
	case r.Error != nil:
		return "the agent API reports its own exchange failed: " + valueOr(firstLine(r.Error.Description), r.Error.Err)
	case inspect.SaysNoUserAssertion(r.Detail):
		return "the agent API reports it had no user token to exchange: " + r.Detail
	case r.GrantType != "" && r.GrantType != inspect.GrantJWTBearer:
		return "the agent API reports it sent grant_type=" + r.GrantType + " (Entra's On-Behalf-Of is jwt-bearer)"
	}
	return ""
}

// aboutOBO says what the obo hop does, for the step-by-step view.
func aboutOBO(c Config) string {
	scopes := strings.Join(c.OBO.Scopes, " ")
	switch c.OBO.Mode {
	case "agent_identity":
		return "Agent ID: the blueprint gets T1 (client credentials with fmi_path), then the agent identity exchanges the user token On-Behalf-Of, T1 as its credential, for " + scopes + "."
	case "passthrough":
		return "Passthrough: the agent forwards the user token to the MCP server as it is; no exchange happens here, and the MCP hop shows what the server makes of it."
	case "none":
		return "No agent credentials are configured: the exchange is not run, but the user token is checked for what an On-Behalf-Of exchange needs."
	case "certificate":
		return "The agent, as the middle tier, trades the user token for a token for " + scopes + ": an On-Behalf-Of request (jwt-bearer) to Entra's /token, signed with its certificate."
	}
	return "The agent, as the middle tier, trades the user token for a token for " + scopes + ": an On-Behalf-Of request (jwt-bearer) to Entra's /token, with its client secret."
}
