package flows

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/confidential"

	"github.com/oboscope/oboscope/inspect"
)

// agentIdentityExchangeScope is the scope of Agent ID leg 1 (blueprint client credentials).
const agentIdentityExchangeScope = "api://AzureADTokenExchange/.default"

// hopOBO performs the middle tier's On-Behalf-Of exchange as the agent would, with MSAL.
func (w *Walk) hopOBO(ctx context.Context, h *hopRun) {
	cfg := w.cfg
	mode := cfg.OBOMode()
	w.mu.Lock()
	userRaw, user, agentReport := w.st.userRaw, w.st.user, w.st.agentReport
	w.st.oboRaw, w.st.obo, w.st.oboFromUser, w.st.claims = "", nil, false, ""
	w.mu.Unlock()

	obs := inspect.OBOObservation{Mode: mode, Assertion: user, AgentReport: agentReport, RequestedScopes: cfg.OBO.Scopes}
	// The assertion must be for the app doing the exchange: its client id, and the agent's App ID
	// URI when the agent API is that same app (v1 tokens carry the App ID URI as aud).
	exp := inspect.OBOExpectations{MiddleTier: nonEmpty(cfg.OBO.ClientID), DownstreamAudiences: w.mcpAudiences()}
	if strings.EqualFold(cfg.OBO.ClientID, cfg.Agent.ClientID) {
		exp.MiddleTier = nonEmpty(cfg.OBO.ClientID, cfg.Agent.AppIDURI)
	}
	if mode == OBOModeAgentIdentity {
		exp.MiddleTier = nonEmpty(cfg.OBO.BlueprintClientID, "api://"+cfg.OBO.BlueprintClientID)
	}
	if mode == OBOModeNone || mode == OBOModePassthrough {
		exp.MiddleTier = nonEmpty(cfg.OBO.ClientID)
	}
	if userRaw == "" {
		obs.Assertion = nil
		h.add(inspect.AnalyzeOBO(obs, exp)...)
		h.skip("skipped: no user token to exchange")
		return
	}
	switch mode {
	case OBOModePassthrough:
		h.add(inspect.AnalyzeOBO(obs, exp)...)
		w.mu.Lock()
		w.st.oboRaw, w.st.obo, w.st.oboFromUser = userRaw, user, true
		w.mu.Unlock()
		h.skip("passthrough: no exchange — the user token is forwarded as-is to the MCP server")
		return
	case OBOModeNone:
		h.add(inspect.AnalyzeOBO(obs, exp)...)
		h.skip("skipped: no middle-tier credentials (obo.mode none); the user token was checked for OBO readiness")
		return
	}

	var raw string
	var err error
	obs.Performed = true
	if mode == OBOModeAgentIdentity {
		raw, err = w.oboAgentIdentity(ctx, h, userRaw, &obs)
	} else {
		raw, err = w.oboConfidential(ctx, h, userRaw)
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
			h.token("assertion ("+tokenNoun(user)+")", userRaw, user, false, "")
		}
		if e := obs.Error; e != nil && e.Claims != "" {
			w.mu.Lock()
			w.st.claims = e.Claims
			w.mu.Unlock()
		}
	}
	if raw != "" {
		tok, derr := inspect.DecodeUnverified(raw)
		if derr != nil {
			h.fail("obo: the exchanged token cannot be decoded: " + derr.Error())
		} else {
			obs.Result = tok
			verified, verr := w.verifyIfConfigured(ctx, h, tok, w.mcpAudiences())
			h.token("OBO token (for the MCP server)", raw, tok, verified, verr)
			h.add(inspect.LintToken(tok, "obo", inspect.Expectations{Now: w.opts.Now()})...)
			w.mu.Lock()
			w.st.oboRaw, w.st.obo = raw, tok
			w.mu.Unlock()
		}
	}
	h.add(inspect.AnalyzeOBO(obs, exp)...)
	switch {
	case obs.Result != nil && agentReportProblem(agentReport) != "":
		// oboscope's own exchange worked; what the agent API did is another matter: say both.
		h.res.Story = fmt.Sprintf("oboscope's exchange as %s worked (a %s); but %s",
			oboActor(cfg, mode, w.appNames()), tokenSummary(obs.Result, w.appNames()), agentReportProblem(agentReport))
	case obs.Result != nil:
		h.res.Story = fmt.Sprintf("%s exchanged the user token for a %s", oboActor(cfg, mode, w.appNames()), tokenSummary(obs.Result, w.appNames()))
		if obs.Result.IsAgent() && obs.Result.ParentAppID != "" {
			h.res.Story += fmt.Sprintf("; an Agent ID token (xms_par_app_azp %s)", appName(obs.Result, obs.Result.ParentAppID, w.appNames()))
		}
	case obs.Error != nil && obs.Error.Claims != "":
		h.res.Story = "Entra asks for a fresh sign-in satisfying a claims challenge: sign in again with the claims (oboscope's TUI does it: press a)"
	case obs.Error != nil:
		h.res.Story = fmt.Sprintf("Entra refused the exchange: %s", firstLine(obs.Error.Description))
	case obs.Leg1Error != nil:
		h.res.Story = fmt.Sprintf("Entra refused the blueprint's leg 1: %s", firstLine(obs.Leg1Error.Description))
	default:
		h.res.Story = "the exchange did not complete"
	}
}

func oboActor(cfg Config, mode string, names map[string]string) string {
	id := cfg.OBO.ClientID
	if mode == OBOModeAgentIdentity {
		id = cfg.OBO.AgentIdentityID
	}
	if n := names[strings.ToLower(id)]; n != "" && !strings.HasPrefix(n, "the ") {
		return n
	} else if n != "" {
		return n + " (" + id + ")"
	}
	return "the middle tier " + id
}

// oboCredential builds the middle tier's credential: a secret or a certificate.
func (w *Walk) oboCredential() (confidential.Credential, error) {
	cfg := w.cfg
	if cfg.OBOMode() == OBOModeCertificate {
		pem, err := os.ReadFile(cfg.OBO.CertificateFile)
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

func (w *Walk) oboConfidential(ctx context.Context, h *hopRun, assertion string) (string, error) {
	cred, err := w.oboCredential()
	if err != nil {
		return "", err
	}
	app, err := confidential.New(w.cfg.Authority(), w.cfg.OBO.ClientID, cred,
		confidential.WithHTTPClient(h.client), confidential.WithInstanceDiscovery(w.instanceDiscovery()))
	if err != nil {
		return "", fmt.Errorf("MSAL confidential client: %w", err)
	}
	h.rec.setLabel("OBO (jwt-bearer)")
	res, err := app.AcquireTokenOnBehalfOf(ctx, assertion, w.cfg.OBO.Scopes)
	if err != nil {
		return "", err
	}
	return res.AccessToken, nil
}

// oboAgentIdentity runs the Agent ID two legs: the blueprint's client credentials with fmi_path
// give T1; the agent identity then does OBO with T1 as its client assertion.
func (w *Walk) oboAgentIdentity(ctx context.Context, h *hopRun, assertion string, obs *inspect.OBOObservation) (string, error) {
	cfg := w.cfg
	secret, err := cfg.readSecret(cfg.OBO.BlueprintSecret, cfg.OBO.BlueprintSecretEnv, cfg.OBO.BlueprintSecretFile)
	if err != nil {
		return "", fmt.Errorf("blueprint secret: %w", err)
	}
	cred, err := confidential.NewCredFromSecret(secret)
	if err != nil {
		return "", fmt.Errorf("blueprint secret: %w", err)
	}
	blueprint, err := confidential.New(cfg.Authority(), cfg.OBO.BlueprintClientID, cred,
		confidential.WithHTTPClient(h.client), confidential.WithInstanceDiscovery(w.instanceDiscovery()))
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
		h.token("T1 (blueprint credential for the agent identity, signature removed)", "", tok, false, "a credential for Entra only: not verified, never kept whole")
	}
	agentCred := confidential.NewCredFromAssertionCallback(func(context.Context, confidential.AssertionRequestOptions) (string, error) {
		return t1, nil
	})
	agent, err := confidential.New(cfg.Authority(), cfg.OBO.AgentIdentityID, agentCred,
		confidential.WithHTTPClient(h.client), confidential.WithInstanceDiscovery(w.instanceDiscovery()))
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
	case r.GrantType != "" && r.GrantType != inspect.GrantJWTBearer:
		return "the agent API reports it sent grant_type=" + r.GrantType + " (Entra's On-Behalf-Of is jwt-bearer)"
	}
	return ""
}
