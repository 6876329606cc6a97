package sandbox

import (
	"net/url"
	"strings"
)

// checkResource applies Entra v2's rule for the RFC 8707 resource parameter, at /authorize and at
// /token: it is accepted only when it is an identifierUri (or the app ID) of the app that owns the
// requested scopes; otherwise Entra answers invalid_target, AADSTS9010010. Sent with no scope at
// all, the v2 endpoint refuses the parameter outright (AADSTS901002). The v1 endpoints take
// resource instead of scopes and are not checked here.
//
// Sources for the behaviour: anthropics/claude-code#73460 and #89438 (resource=<server URL> →
// AADSTS9010010 at /authorize), microsoft/azure-devops-mcp#1601 (the same client works when the
// PRM's resource is an identifier of the scopes' app), microsoft/vscode#254009 and
// AzureADQuickStarts/AppModelv2-WebApp-OpenIDConnect-nodejs#35 (AADSTS901002).
func (s *Sandbox) checkResource(path string, form url.Values) *entraError {
	resource := form.Get("resource")
	if resource == "" || !strings.Contains(path, "/v2.0/") {
		return nil
	}
	if form.Get("grant_type") == "authorization_code" && strings.TrimSpace(form.Get("scope")) == "" {
		// A code is redeemed without scope (its scopes are the authorization request's): the
		// resource is judged against them at redemption (codeResource).
		return nil
	}
	var owner *App
	scopes := 0
	for _, f := range strings.Fields(form.Get("scope")) {
		if isOIDCScope(f) {
			continue
		}
		scopes++
		res := GraphAppID
		if i := strings.LastIndex(f, "/"); i > 0 {
			res = f[:i]
		}
		if owner = s.dir.resource(res); owner != nil {
			break
		}
	}
	if strings.TrimSpace(form.Get("scope")) == "" {
		return newError("invalid_request", 901002, "The 'resource' request parameter is not supported.")
	}
	if scopes == 0 {
		owner = s.dir.app(GraphAppID) // openid alone means Microsoft Graph's User.Read
	}
	if owner == nil {
		return nil // the scope names no known resource: resolveScopes answers AADSTS500011
	}
	if r := s.dir.resource(resource); r != nil && r.AppID == owner.AppID {
		return nil
	}
	return newError("invalid_target", 9010010, "The resource parameter provided in the request doesn't match with the requested scopes.")
}
