package inspect

import (
	"fmt"
	"net/url"
	"strings"
)

// ResourceProbe is the answer of the authorization server to one authorization request shaped as
// a spec-following MCP client sends it: resource=<the PRM's resource> (RFC 8707) with the PRM's
// scopes. No one signs in; prompt=none asks Entra to answer at once.
type ResourceProbe struct {
	Resource string   // the resource parameter sent
	Scopes   []string // the scopes sent
	Status   int      // the HTTP status of the answer (0: none)
	// Location is the redirect the answer carried ("" when none); Error, Description and Codes
	// are the OAuth error it named, from the redirect or from an error page.
	Location    string
	Error       string
	Description string
	Codes       []int
	// Code is set when the redirect carried an authorization code (someone was signed in).
	Code bool
}

// Refused reports whether the authorization server refused the resource parameter (AADSTS9010010
// invalid_target, or AADSTS901002 where resource is refused outright).
func (p *ResourceProbe) Refused() bool {
	if p == nil {
		return false
	}
	for _, c := range p.Codes {
		if c == 9010010 || c == 901002 {
			return true
		}
	}
	return strings.EqualFold(p.Error, "invalid_target")
}

// Accepted reports whether the answer shows the resource parameter passed validation: a code, or
// an error about something else (login_required with prompt=none: no one is signed in).
func (p *ResourceProbe) Accepted() bool {
	return p != nil && !p.Refused() && (p.Code || (p.Location != "" && p.Error != ""))
}

// ParseAuthorizeRedirect reads the error (or code) an authorization endpoint's redirect carries
// in its query or fragment.
func ParseAuthorizeRedirect(location string) (errCode, description string, codes []int, code bool) {
	u, err := url.Parse(location)
	if err != nil {
		return "", "", nil, false
	}
	q := u.Query()
	if q.Get("error") == "" && q.Get("code") == "" {
		if f, err := url.ParseQuery(u.Fragment); err == nil {
			q = f
		}
	}
	description = q.Get("error_description")
	codes = AADSTSCodesIn(description)
	for _, c := range strings.Split(q.Get("error_codes"), ",") {
		if n := AADSTSCodesIn("AADSTS" + strings.Trim(strings.TrimSpace(c), "[]")); len(n) > 0 && !containsInt(codes, n[0]) {
			codes = append(codes, n[0])
		}
	}
	return q.Get("error"), description, codes, q.Get("code") != ""
}

// PRMNeedsResourceProbe reports whether a spec client's resource parameter could be refused: the
// metadata's resource is not the resource that owns its scopes, so Entra accepts it only if it is
// another identifierUri of that app, which only the authorization server can tell.
func PRMNeedsResourceProbe(p *ResourceMetadata) bool {
	return p != nil && len(prmScopeOwners(p)) > 0 && !prmResourceOwnsScopes(p)
}

// prmScopeOwners returns the resources of the metadata's fully qualified scopes.
func prmScopeOwners(p *ResourceMetadata) []string {
	var out []string
	for _, s := range p.ScopesSupported {
		if r := strings.TrimSuffix(ScopeResource(s), "/"); r != "" && !containsFoldString(out, r) {
			out = append(out, r)
		}
	}
	return out
}

// prmResourceOwnsScopes reports whether the metadata's resource is the resource its scopes are
// written under (then Entra resolves both to the same app).
func prmResourceOwnsScopes(p *ResourceMetadata) bool {
	res := strings.TrimSuffix(p.Resource, "/")
	for _, o := range prmScopeOwners(p) {
		if !strings.EqualFold(o, res) {
			return false
		}
	}
	return true
}

// usableScopes are the metadata's scopes a client can ask Entra for: not OpenID scopes, not empty.
func usableScopes(p *ResourceMetadata) []string {
	var out []string
	for _, s := range p.ScopesSupported {
		if s = strings.TrimSpace(s); s != "" && !IsOIDCScope(s) {
			out = append(out, s)
		}
	}
	return out
}

// mcpPRMResourceScopeRule raises mcp.prm-resource-scope-mismatch when the metadata's resource is
// not the App ID URI that owns its scopes: an error when the authorization server refused a
// spec client's request (AADSTS9010010), a warning when its answer could not tell.
func mcpPRMResourceScopeRule(c *mcpContext, fs []Finding) []Finding {
	p, probe := c.obs.PRM, c.obs.ResourceProbe
	if !PRMNeedsResourceProbe(p) || probe.Accepted() {
		return fs
	}
	owners := strings.Join(prmScopeOwners(p), ", ")
	detail := fmt.Sprintf("the metadata's resource is %s but its scopes_supported are under %s: spec clients send resource=%s with those scopes", p.Resource, owners, p.Resource)
	f := NewFinding("mcp.prm-resource-scope-mismatch", "mcp", detail,
		map[string]string{"resource": p.Resource, "scopes_supported": strings.Join(p.ScopesSupported, " ")})
	switch {
	case probe.Refused():
		code := 9010010
		if len(probe.Codes) > 0 {
			code = probe.Codes[0]
		}
		f.AADSTS = code
		f.Detail += fmt.Sprintf(", and Entra refused such a request: %s AADSTS%d (%s)", anaOrNone(probe.Error), code, anaFirstLine(strings.TrimPrefix(probe.Description, fmt.Sprintf("AADSTS%d: ", code))))
	case probe != nil:
		f.Severity = SeverityWarning
		f.Detail += fmt.Sprintf(", which Entra accepts only if %s is also an identifierUri of the app owning them; the authorization server's answer (%d) did not tell", p.Resource, probe.Status)
	default:
		f.Severity = SeverityWarning
		f.Detail += fmt.Sprintf(", which Entra accepts only if %s is also an identifierUri of the app owning them (not confirmed: no authorization request was sent)", p.Resource)
	}
	return append(fs, f)
}

// mcpPRMNoScopesRule raises mcp.prm-no-scopes when the metadata lists no scope a client can ask for.
func mcpPRMNoScopesRule(c *mcpContext, fs []Finding) []Finding {
	p := c.obs.PRM
	if p == nil || len(usableScopes(p)) > 0 {
		return fs
	}
	what := "no scopes_supported"
	if len(p.ScopesSupported) > 0 {
		what = "only OpenID scopes in scopes_supported (" + strings.Join(p.ScopesSupported, " ") + ")"
	}
	return append(fs, NewFinding("mcp.prm-no-scopes", "mcp",
		fmt.Sprintf("the metadata has %s: a client sends no scope (AADSTS900144) or only openid, which yields a Microsoft Graph token", what),
		map[string]string{"scopes_supported": strings.Join(p.ScopesSupported, " ")}))
}

// entraTenantTemplates are the authorities a multi-tenant app names, which Entra's tokens carry as
// the tenant's own issuer.
var entraTenantTemplates = []string{"common", "organizations", "consumers", "{tenantid}"}

// issuerFromTemplate returns as, with a multi-tenant segment (common, organizations, consumers,
// {tenantid}) replaced by tid; as itself when it has none.
func issuerFromTemplate(as, tid string) string {
	if tid == "" {
		return as
	}
	for _, t := range entraTenantTemplates {
		if i := strings.Index(strings.ToLower(as), "/"+t+"/"); i >= 0 {
			return as[:i] + "/" + tid + "/" + as[i+len(t)+2:]
		}
		if strings.HasSuffix(strings.ToLower(as), "/"+t) {
			return as[:len(as)-len(t)] + tid
		}
	}
	return as
}

func containsFoldString(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}
