package flows

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/oboscope/oboscope/inspect"
	"golang.org/x/oauth2"
)

// probeResource asks the configured authority, as a spec-following MCP client would, to
// authorize resource=<the PRM's resource> with the PRM's scopes (RFC 8707): one GET of the
// authorization endpoint with prompt=none, no redirect followed, so no one signs in. Entra refuses
// a resource that is not an identifierUri of the app owning the scopes with invalid_target,
// AADSTS9010010, as a redirect error (anthropics/claude-code#73460); a resource it accepts gets
// another answer (login_required: no one is signed in). It is sent only when the metadata's
// resource is not the resource its scopes are written under (inspect.PRMNeedsResourceProbe), and
// only to the configured authority.
func probeResource(ctx context.Context, h *hopRun, prm *inspect.ResourceMetadata) *inspect.ResourceProbe {
	cfg := h.cfg
	if !inspect.PRMNeedsResourceProbe(prm) || cfg.Signin.ClientID == "" || cfg.TenantID == "" {
		return nil
	}
	endpoint := cfg.Authority() + "/oauth2/v2.0/authorize"
	if !sendable(endpoint) {
		return nil
	}
	var scopes []string
	for _, s := range prm.ScopesSupported {
		if !inspect.IsOIDCScope(s) && strings.TrimSpace(s) != "" {
			scopes = append(scopes, s)
		}
	}
	q := url.Values{
		"client_id": {cfg.Signin.ClientID}, "response_type": {"code"}, "redirect_uri": {"http://localhost"},
		"scope": {strings.Join(append(scopes, "openid", "offline_access"), " ")}, "resource": {prm.Resource},
		"state": {"oboscope-resource-probe"}, "prompt": {"none"},
		"code_challenge": {oauth2.S256ChallengeFromVerifier(oauth2.GenerateVerifier())}, "code_challenge_method": {"S256"},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint+"?"+q.Encode(), nil)
	if err != nil {
		return nil
	}
	// The hop's client follows no redirect: the answer is read where Entra gives it.
	h.rec.setLabel("authorization request as a spec MCP client sends it (resource=" + prm.Resource + ")")
	resp, err := h.client.Do(req)
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	body, rerr := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	p := &inspect.ResourceProbe{Resource: prm.Resource, Scopes: scopes, Status: resp.StatusCode, Location: resp.Header.Get("Location")}
	if p.Location != "" {
		p.Error, p.Description, p.Codes, p.Code = inspect.ParseAuthorizeRedirect(p.Location)
		return p
	}
	// An error page (Entra shows errors it cannot redirect) names its AADSTS code in the text; a
	// page cut short says nothing certain, and the probe stays inconclusive.
	if rerr == nil {
		p.Codes = inspect.AADSTSCodesIn(string(body))
	}
	return p
}
