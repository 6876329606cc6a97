package inspect

import (
	"fmt"
	"strings"
	"time"
)

// This file holds what the walk's hop rules share: scope parsing, AADSTS-to-finding tables per hop
// and the clock-skew rule. The rules themselves (AnalyzeSignin, AnalyzeAgent, AnalyzeOBO,
// AnalyzeMCP, AnalyzeDownstream) are pure functions of an observation — only values the hop saw
// on the wire — and the expectations derived from the configuration.

// IsOIDCScope reports whether s is one of the OpenID Connect scopes (openid, profile, email,
// offline_access), which MSAL adds by itself and which belong to no resource.
func IsOIDCScope(s string) bool {
	switch strings.ToLower(s) {
	case "openid", "profile", "email", "offline_access":
		return true
	}
	return false
}

// ScopeResource returns the resource part of a fully qualified scope ("api://contoso-agent" for
// "api://contoso-agent/access_as_user", "https://graph.microsoft.com" for
// "https://graph.microsoft.com/User.Read", the GUID for "<guid>/scope"), and "" for a bare scope.
func ScopeResource(s string) string {
	i := strings.LastIndexByte(s, '/')
	if i <= 0 {
		return ""
	}
	return s[:i]
}

// ScopeName returns the permission part of a scope: "access_as_user" for
// "api://contoso-agent/access_as_user"; a bare scope is returned as it is.
func ScopeName(s string) string {
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// anaGraphPermissionShape reports whether a bare scope has the shape of a Microsoft Graph
// permission (User.Read, Mail.Send, Files.ReadWrite.All): dotted words that start upper-case.
func anaGraphPermissionShape(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) < 2 {
		return false
	}
	for _, p := range parts {
		if p == "" || p[0] < 'A' || p[0] > 'Z' {
			return false
		}
	}
	return true
}

// IsUnqualifiedScope reports whether a requested scope lacks its resource prefix although it is
// neither an OpenID scope nor shaped like a Microsoft Graph permission: Entra would resolve it
// against Microsoft Graph.
func IsUnqualifiedScope(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" || IsOIDCScope(s) || ScopeResource(s) != "" {
		return false
	}
	return !anaGraphPermissionShape(s)
}

// anaScopeResources returns the distinct resources a scope list asks for (OpenID scopes excluded;
// bare Graph-shaped permissions count as Microsoft Graph).
func anaScopeResources(scopes []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range scopes {
		if IsOIDCScope(s) || strings.TrimSpace(s) == "" {
			continue
		}
		r := strings.TrimSuffix(strings.ToLower(ScopeResource(s)), "/")
		if r == "" {
			r = "https://graph.microsoft.com" // what Entra assumes for a bare scope
		}
		if r == "00000003-0000-0000-c000-000000000000" {
			r = "https://graph.microsoft.com"
		}
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	return out
}

// codeFindings maps Entra error codes to the finding each one means at one hop. The same code
// means different things at different hops (AADSTS65001 is the user's consent at sign-in, the
// middle tier's at OBO), so each hop has its own table.
type codeFindings map[int]string

// anaFromEntraError turns the error codes of an Entra error into findings through table; codes with
// no entry are left to the caller. Each finding ID is returned once.
func anaFromEntraError(e *EntraError, hop string, table codeFindings, where string) []Finding {
	if e == nil {
		return nil
	}
	var out []Finding
	seen := map[string]bool{}
	for _, code := range e.Codes {
		id, ok := table[code]
		if !ok || seen[id] {
			continue
		}
		seen[id] = true
		desc := anaFirstLine(e.Description)
		if i := strings.Index(desc, ": "); i > 0 && strings.HasPrefix(desc, "AADSTS") {
			desc = desc[i+2:]
		}
		name := ""
		if e.Err != "" {
			name = " (" + e.Err + ")"
		}
		f := NewFinding(id, hop, fmt.Sprintf("%s answered AADSTS%d%s: %s", where, code, name, desc),
			map[string]string{"aadsts": fmt.Sprint(code), "error": e.Err})
		f.AADSTS = code
		out = append(out, f)
	}
	return out
}

func anaFirstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	return s
}

// anaAddOnce appends f unless a finding with the same ID is already in fs.
func anaAddOnce(fs []Finding, more ...Finding) []Finding {
	for _, f := range more {
		dup := false
		for _, g := range fs {
			if g.ID == f.ID {
				dup = true
				break
			}
		}
		if !dup {
			fs = append(fs, f)
		}
	}
	return fs
}

// ClockSkew returns token.clock-skew at hop when a server's Date header and the local clock at
// the moment the answer arrived differ by more than max (5 minutes when max is 0).
func ClockSkew(hop, server string, serverDate, local time.Time, max time.Duration) (Finding, bool) {
	if max <= 0 {
		max = 5 * time.Minute
	}
	if serverDate.IsZero() || local.IsZero() {
		return Finding{}, false
	}
	d := serverDate.Sub(local)
	if d < 0 {
		d = -d
	}
	if d <= max {
		return Finding{}, false
	}
	dir := "ahead of"
	if serverDate.Before(local) {
		dir = "behind"
	}
	return NewFinding("token.clock-skew", hop,
		fmt.Sprintf("%s's clock (Date: %s) is %s %s the local clock (%s)", server, serverDate.UTC().Format(time.RFC1123),
			anaDuration(d), dir, local.UTC().Format(time.RFC1123)),
		map[string]string{"server_date": serverDate.UTC().Format(time.RFC3339), "local": local.UTC().Format(time.RFC3339)}), true
}

// anaAudienceOK reports whether token t is for one of want (GUID or App ID URI, case-insensitive,
// trailing slash ignored). An empty want accepts anything.
func anaAudienceOK(t *Token, want []string) bool {
	if len(want) == 0 {
		return true
	}
	for _, a := range t.Audiences {
		for _, w := range want {
			if w != "" && strings.EqualFold(strings.TrimSuffix(a, "/"), strings.TrimSuffix(w, "/")) {
				return true
			}
		}
	}
	return false
}

// anaDelegated reports whether t speaks for a user (it carries scp).
func anaDelegated(t *Token) bool { return len(t.Scopes) > 0 }

// anaAppOnly reports whether t is an app-only token: no scp, and roles or idtyp=app, or the
// decoder's principal says so.
func anaAppOnly(t *Token) bool {
	if t == nil {
		return false
	}
	if anaDelegated(t) {
		return false
	}
	return len(t.Roles) > 0 || strings.EqualFold(t.ClaimString("idtyp"), "app") || t.IsAppOnly()
}

func anaAudList(t *Token) string {
	if t == nil || len(t.Audiences) == 0 {
		return "(none)"
	}
	return strings.Join(t.Audiences, ", ")
}

// lackedScopes returns the scopes of wanted (as written there) that t carries neither in scp nor
// in roles; OpenID scopes and .default name no permission and are never lacked.
func lackedScopes(t *Token, wanted []string) []string {
	var out []string
	for _, s := range wanted {
		if !IsOIDCScope(s) && ScopeName(s) != ".default" && !anaHasScope(t, s) {
			out = append(out, s)
		}
	}
	return out
}

// scopeNames returns the permission part of each scope (ScopeName).
func scopeNames(scopes []string) []string {
	if scopes == nil {
		return nil
	}
	out := make([]string, len(scopes))
	for i, s := range scopes {
		out[i] = ScopeName(s)
	}
	return out
}

func anaHasScope(t *Token, name string) bool {
	name = ScopeName(name)
	for _, s := range t.Scopes {
		if strings.EqualFold(s, name) {
			return true
		}
	}
	for _, r := range t.Roles {
		if strings.EqualFold(r, name) {
			return true
		}
	}
	return false
}

func anaOrNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func anaDuration(d time.Duration) string {
	return d.Round(time.Second).String()
}

// anaAudienceExact reports whether token t is for one of want as Entra compares an OBO assertion's
// audience: exactly, case included (only a trailing slash is ignored). An empty want accepts
// anything.
func anaAudienceExact(t *Token, want []string) bool {
	if len(want) == 0 {
		return true
	}
	for _, a := range t.Audiences {
		for _, w := range want {
			if w != "" && strings.TrimSuffix(a, "/") == strings.TrimSuffix(w, "/") {
				return true
			}
		}
	}
	return false
}
