package flows

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/oauthex"
	"golang.org/x/oauth2"

	"github.com/oboscope/oboscope/inspect"
)

// clientSigninOut is what the MCP client's sign-in hands on: the token it obtained, and the OAuth
// configuration and token its token source holds (the refresh hop refreshes them).
type clientSigninOut struct {
	token heldToken
	oauth *oauth2.Config
	tok   *oauth2.Token
}

// clientSigninObs is what the sign-in of the MCP-client chain observed.
type clientSigninObs struct {
	inspect.MCPClientSigninObservation
	ran                  bool
	decodeErr, verifyErr error
}

// authorizeRun is one run of the go-sdk's AuthorizationCodeHandler.Authorize: the authorization
// endpoint's answer, the token its NewTokenSource hook was given, and the error it returned.
type authorizeRun struct {
	answer *inspect.ResourceProbe
	oauth  *oauth2.Config
	tok    *oauth2.Token
	err    error
}

// observeClientSignin signs in as the MCP client with the MCP go-sdk's own client authorization
// (auth.AuthorizationCodeHandler, driven with the probe's 401 as a client's transport drives it):
// PRM and authorization server metadata again, the authorization request with PKCE, resource and
// the scopes of the challenge (or of the metadata), and the code redeemed at the token endpoint,
// every request recorded. When Entra refuses the resource parameter, the same sign-in runs again
// without it, so the hop shows what the spec client got and what would have worked.
func observeClientSignin(ctx context.Context, h *hopRun, probe probeOut, meta metadataOut, reg registrationOut) (clientSigninObs, clientSigninOut) {
	var obs clientSigninObs
	var out clientSigninOut
	obs.PRM = meta.prm
	switch {
	case probe.status != 401 && probe.status != 403:
		h.skip("skipped: no sign-in without a 401 from the MCP server (see the probe hop)")
		return obs, out
	case !meta.usable:
		h.skip("skipped: the client cannot sign in with the metadata found (see the metadata hop)")
		return obs, out
	case reg.clientID == "":
		h.skip("skipped: the client has no client id (see the registration hop)")
		return obs, out
	}
	if why := offAuthority(h.cfg, meta.as); why != "" {
		h.fail("signin: " + why)
		return obs, out
	}
	obs.ran = true
	obs.KnownProblems = findingIDsOf(h.earlier(HopProbe))
	mc := h.cfg.mcpClient()
	obs.ScopesFrom = "scopes_supported"
	if c, ok := inspect.ParseBearerChallenge(probe.challenge()); ok && c.Param("scope") != "" {
		obs.ScopesFrom = "its challenge"
	}
	run := clientAuthorize(ctx, h, probe, meta, reg, !mc.sendResource)
	obs.Spec = run.answer
	if run.answer != nil {
		obs.Resource, obs.Requested = run.answer.Resource, run.answer.Scopes
	}
	spec := run
	if mc.sendResource && run.answer.Refused() {
		run = clientAuthorize(ctx, h, probe, meta, reg, true)
		obs.WithoutResource = run.answer
	}
	if run.err != nil {
		obs.Error = signinEntraError(run.err)
		h.fail(clientSigninFailure(run.err, h))
		h.res.Story = clientSigninStory(h, spec, run, nil)
		return obs, out
	}
	if run.tok == nil || run.tok.AccessToken == "" {
		h.fail("signin: the client's authorization gave no access token")
		return obs, out
	}
	tok, derr := h.decodeObtained(run.tok.AccessToken, "token")
	if derr != nil {
		obs.decodeErr = derr
		return obs, out
	}
	obs.Token = tok
	out.token, obs.verifyErr = h.holdObtained(ctx, NamedToken{Name: "access token (MCP client sign-in)", Raw: run.tok.AccessToken, Token: tok}, mcpAudiences(h.cfg))
	out.oauth, out.tok = run.oauth, run.tok
	h.res.Story = clientSigninStory(h, spec, run, tok)
	return obs, out
}

// clientAuthorize runs the go-sdk's authorization once, as the configured client: its
// pre-registered (or registered) client id, its redirect URI, refresh tokens asked for
// (offline_access), Entra's metadata read leniently where the metadata hop found the spec client
// refuses it, and without the resource parameter when strip is set.
func clientAuthorize(ctx context.Context, h *hopRun, probe probeOut, meta metadataOut, reg registrationOut, strip bool) authorizeRun {
	mc := h.cfg.mcpClient()
	client := h.client
	if meta.lenientPKCE || meta.lenientIssuer {
		client = withTransport(client, lenientMetadata(meta.lenientPKCE, meta.lenientIssuer))
	}
	if strip {
		client = withTransport(client, stripResource)
	}
	note := ""
	if strip && mc.sendResource {
		note = "again, without resource"
	}
	client = withTransport(client, labelTransport(h, "MCP client sign-in", note))
	var run authorizeRun
	creds := &oauthex.ClientCredentials{ClientID: reg.clientID}
	if reg.clientSecret != "" {
		// Sent as client_secret, which the trace redacts by name.
		creds.ClientSecretAuth = &oauthex.ClientSecretAuth{ClientSecret: reg.clientSecret}
	}
	handler, err := auth.NewAuthorizationCodeHandler(&auth.AuthorizationCodeHandlerConfig{
		PreregisteredClient:      creds,
		RedirectURL:              mc.redirectURI,
		AuthorizationCodeFetcher: h.authorizationFetcher(strip, note, mc.redirectURI, &run.answer),
		RequestRefreshToken:      true,
		Client:                   client,
		NewTokenSource: func(tctx context.Context, cfg *oauth2.Config, tok *oauth2.Token) (oauth2.TokenSource, error) {
			run.oauth, run.tok = cfg, tok
			return clientTokenSource(tctx, cfg, tok, mc.refreshScope), nil
		},
	})
	if err != nil {
		run.err = err
		return run
	}
	req, err := probe.request(ctx)
	if err != nil {
		run.err = err
		return run
	}
	run.err = handler.Authorize(ctx, req, probe.response(req))
	return run
}

// offAuthority says why the sign-in must not go to the authorization server's endpoints: the
// code, the PKCE verifier and later the refresh token go to the token endpoint, which must be on
// the configured authority's host (https, or http to loopback). "" when they may.
func offAuthority(cfg Config, as *inspect.ASMetadata) string {
	want, err := url.Parse(cfg.authorityHost())
	if err != nil || as == nil {
		return "no authority to check the authorization server against"
	}
	for _, e := range []struct{ name, u string }{{"authorization_endpoint", as.AuthorizationEndpoint}, {"token_endpoint", as.TokenEndpoint}} {
		u, err := url.Parse(e.u)
		if err != nil || u.Host == "" {
			return fmt.Sprintf("the authorization server's %s %q is not a URL", e.name, e.u)
		}
		if !strings.EqualFold(u.Host, want.Host) || !sendable(e.u) {
			return fmt.Sprintf("refusing to send the authorization code to %s: the authorization server's %s is not on the configured authority %s (authority_host)", u.Host, e.name, want.Host)
		}
	}
	return ""
}

// signinEntraError reads Entra's error out of a failed authorization: the authorization
// endpoint's redirect, or the token endpoint's answer to the code.
func signinEntraError(err error) *inspect.EntraError {
	var ae *authorizeError
	var re *oauth2.RetrieveError
	switch {
	case errors.As(err, &ae):
		return &inspect.EntraError{Err: ae.answer.Error, Description: ae.answer.Description, Codes: ae.answer.Codes}
	case errors.As(err, &re):
		if e, perr := inspect.ParseEntraError(re.Body); perr == nil && isEntra(e) {
			return e
		}
	}
	return nil
}

// clientSigninFailure is the one-line error of a sign-in that did not get a token.
func clientSigninFailure(err error, h *hopRun) string {
	var ae *authorizeError
	if errors.As(err, &ae) {
		return "signin: " + ae.Error()
	}
	if e := signinEntraError(err); e != nil {
		return fmt.Sprintf("signin: Entra answered %s: %s", valueOr(e.Err, "an error"), firstLine(e.Description))
	}
	return describeFailure("signin", err, h.rec.snapshot())
}

// clientSigninStory tells the sign-in: what the client asked for, what the spec request got and,
// when it was refused, what the same request without resource got.
func clientSigninStory(h *hopRun, spec, run authorizeRun, tok *inspect.Token) string {
	asked := ""
	if a := spec.answer; a != nil {
		asked = "scope " + strings.Join(a.Scopes, " ")
		if a.Resource != "" {
			asked = "resource=" + a.Resource + ", " + asked
		}
	}
	var parts []string
	if spec.answer != nil && spec.answer.Refused() {
		parts = append(parts, fmt.Sprintf("the spec client's authorization request (%s) was refused: %s AADSTS%s", asked, valueOr(spec.answer.Error, "an error"), codeList(spec.answer.Codes)))
		if run.answer != spec.answer && run.answer != nil {
			switch {
			case tok != nil:
				parts = append(parts, "the same request without resource worked")
			case run.answer.Refused() || run.answer.Error != "":
				parts = append(parts, "without resource it was refused too: "+valueOr(run.answer.Error, "an error"))
			}
		}
	} else if asked != "" {
		parts = append(parts, "authorization code + PKCE with "+asked)
	}
	if tok != nil {
		who := valueOr(tok.Username, valueOr(tok.Name, "(unknown user)"))
		parts = append(parts, fmt.Sprintf("%s signed in to %s; %s", who, h.names.Name(tok, tok.ClientAppID), inspect.Summarize(tok, h.names).Text()))
	} else if run.err != nil {
		parts = append(parts, "no token: "+strings.TrimPrefix(clientSigninFailure(run.err, h), "signin: "))
	}
	return strings.Join(parts, "; ")
}

// codeList joins AADSTS codes ("9010010").
func codeList(codes []int) string {
	s := make([]string, len(codes))
	for i, c := range codes {
		s[i] = fmt.Sprint(c)
	}
	return strings.Join(s, "/")
}

// analyzeClientSignin applies the sign-in rules of the MCP-client chain and lints the token.
func analyzeClientSignin(h *hopRun, obs clientSigninObs) []inspect.Finding {
	if !obs.ran {
		return nil
	}
	return signinFindings(h, obs.decodeErr, obs.verifyErr, obs.Token, inspect.AnalyzeMCPClientSignin(obs.MCPClientSigninObservation))
}

// findingIDsOf returns the IDs of fs.
func findingIDsOf(fs []inspect.Finding) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.ID
	}
	return out
}

// requestedScopes are the resource scopes of a sign-in (OpenID ones left out).
func requestedScopes(scopes []string) []string {
	return slices.DeleteFunc(slices.Clone(scopes), inspect.IsOIDCScope)
}

// aboutClientSignin says what the MCP client's sign-in hop does, for the step-by-step view.
func aboutClientSignin(Config) string {
	return "The client signs the user in with authorization code + PKCE, sending resource=<the metadata's resource> (RFC 8707) and the scopes it found, as the MCP specification asks; where Entra refuses the resource, the same request without it is tried too."
}
