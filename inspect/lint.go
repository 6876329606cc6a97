package inspect

import (
	"fmt"
	"strings"
	"time"
)

// DefaultSkew is the clock skew validators usually allow, and the near-expiry window.
const DefaultSkew = 5 * time.Minute

// Expectations are what a token is held against. Empty fields are not checked.
type Expectations struct {
	Audiences []string // the token's aud must be one of these (client id GUID and/or App ID URI)
	Scopes    []string // every one must be in scp or roles ("api://x/s" matches "s")
	TenantID  string   // tid must equal it (a GUID)
	Version   string   // "1.0" or "2.0"; "" = don't care
	Now       time.Time
	Skew      time.Duration // allowed clock skew; 0 means DefaultSkew

	// ServerTime is a server's Date header seen at the same moment as Now; when set, a
	// difference beyond the skew raises token.clock-skew.
	ServerTime time.Time
	// AllowIDToken says the token is only being looked at, not presented as a bearer token, so
	// an ID token is not an error (oboscope inspect without --expect-aud / --expect-scope).
	AllowIDToken bool
	// Reported says the token was reported by a server, which removes its signature by design:
	// the rules about the signature (Rule.AboutSignature) are skipped.
	Reported bool
}

// graphAudiences are the audiences of Microsoft Graph in the public and national clouds.
var graphAudiences = []string{
	"00000003-0000-0000-c000-000000000000",
	"https://graph.microsoft.com",
	"https://canary.graph.microsoft.com",
	"https://graph.microsoft.us",
	"https://dod-graph.microsoft.us",
	"https://microsoftgraph.chinacloudapi.cn",
}

// IsGraphAudience reports whether aud names Microsoft Graph.
func IsGraphAudience(aud string) bool {
	aud = strings.TrimRight(strings.ToLower(aud), "/")
	for _, g := range graphAudiences {
		if aud == g {
			return true
		}
	}
	return false
}

// LintToken applies every token.* rule of the catalogue to t, as presented at hop, and returns
// the findings in catalogue order. It reads no clock: times are judged against exp.Now, and
// skipped when it is zero. With exp.Reported it skips the rules about the signature.
func LintToken(t *Token, hop string, exp Expectations) []Finding {
	fs := lintToken(t, hop, exp)
	if !exp.Reported {
		return fs
	}
	var out []Finding
	for _, f := range fs {
		if r := catalogued(f.ID); r == nil || !r.AboutSignature {
			out = append(out, f)
		}
	}
	return out
}

// CheckVersion applies only the token.version-mismatch rule of LintToken to t, as presented at
// hop, for the expected version ("1.0" or "2.0"; "" checks nothing). now is the time LintToken
// would judge t against; the version does not depend on it.
func CheckVersion(t *Token, version, hop string, now time.Time) []Finding {
	if t == nil || t.Format != FormatJWS {
		return nil
	}
	return lintVersion(nil, t, hop, Expectations{Version: version, Now: now})
}

func lintToken(t *Token, hop string, exp Expectations) []Finding {
	var fs []Finding
	switch t.Format {
	case FormatJWE:
		return append(fs, NewFinding("token.encrypted", hop,
			fmt.Sprintf("The token is a JWE (alg %s, enc %s): only its audience can decrypt it.", orNone(stringOf(t.Header["alg"])), orNone(stringOf(t.Header["enc"])))+uncheckedExpectations(exp), nil))
	case FormatOpaque:
		detail := fmt.Sprintf("The token is a single opaque value of %d characters, not a JWT.", len(strings.TrimSpace(t.Raw)))
		if parts := strings.SplitN(strings.TrimSpace(t.Raw), ".", 2); len(parts) == 2 && looksLikeRefreshToken(parts[0]) {
			detail = fmt.Sprintf("The value looks like an Entra refresh token (it starts with %q): only Entra can read it, and it must never be sent to an API.", parts[0]+".")
		}
		return append(fs, NewFinding("token.opaque", hop, detail+uncheckedExpectations(exp), nil))
	}
	skew := exp.Skew
	if skew == 0 {
		skew = DefaultSkew
	}
	fs = lintSignatureShape(fs, t, hop)
	fs = lintTimes(fs, t, hop, exp, skew)
	fs = lintLifetime(fs, t, hop)
	if t.Kind == KindID && !exp.AllowIDToken {
		fs = append(fs, NewFinding("token.id-token-as-access", hop,
			fmt.Sprintf("The token is an ID token (aud %s, %s), not an access token.", strings.Join(t.Audiences, " "), idTokenMarker(t)),
			map[string]string{"claim": "aud", "value": strings.Join(t.Audiences, " ")}))
	}
	if nonce := stringOf(t.Header["nonce"]); nonce != "" || anyGraph(t.Audiences) {
		why := "aud is Microsoft Graph (" + strings.Join(t.Audiences, " ") + ")"
		if nonce != "" {
			why = "the header carries a nonce, which only Graph tokens do"
			if anyGraph(t.Audiences) {
				why = "aud is Microsoft Graph and the header carries a nonce"
			}
		}
		fs = append(fs, NewFinding("token.graph-token", hop, "This is a Microsoft Graph token: "+why+".",
			map[string]string{"claim": "aud", "value": strings.Join(t.Audiences, " ")}))
	}
	if seg, isGUID := issuerTenantSegment(t); seg != "" && t.TenantID != "" && !strings.EqualFold(seg, t.TenantID) {
		detail := fmt.Sprintf("iss names tenant %s but tid is %s.", seg, t.TenantID)
		if !isGUID {
			detail = fmt.Sprintf("iss names tenant %q, which is not even a GUID, but tid is %s.", seg, t.TenantID)
		}
		fs = append(fs, NewFinding("token.issuer-tenant-mismatch", hop, detail,
			map[string]string{"claim": "iss", "value": t.Issuer, "tid": t.TenantID}))
	}
	fs = lintVersion(fs, t, hop, exp)
	if groupsOverage(t) {
		f := NewFinding("token.groups-overage", hop,
			"The token has no groups claim but points to Microsoft Graph for them (_claim_names.groups or hasgroups): the user is in too many groups to list.",
			map[string]string{"claim": "_claim_names"})
		if !exp.AllowIDToken {
			// The token is presented to an API (a walk, or inspect with expectations): an
			// authorization check reading groups sees none.
			f.Severity = SeverityWarning
		}
		fs = append(fs, f)
	}
	fs = lintExpectations(fs, t, hop, exp)
	return fs
}

// lintVersion raises token.version-mismatch when t is not of the expected version.
func lintVersion(fs []Finding, t *Token, hop string, exp Expectations) []Finding {
	if exp.Version == "" || t.Version == "" || t.Version == exp.Version {
		return fs
	}
	return append(fs, NewFinding("token.version-mismatch", hop,
		fmt.Sprintf("The token is v%s (iss %s) but v%s is expected.", t.Version, t.Issuer, exp.Version),
		map[string]string{"claim": "ver", "value": t.Version, "expected": exp.Version}))
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func anyGraph(auds []string) bool {
	for _, a := range auds {
		if IsGraphAudience(a) {
			return true
		}
	}
	return false
}

func idTokenMarker(t *Token) string {
	for _, c := range []string{"nonce", "at_hash", "c_hash"} {
		if t.HasClaim(c) {
			return "it has a " + c + " claim and no scp or roles"
		}
	}
	return "it has no scp, roles or client app claim"
}

func groupsOverage(t *Token) bool {
	if t.HasClaim("groups") {
		return false
	}
	if names, ok := t.Claims["_claim_names"].(map[string]any); ok {
		if _, ok := names["groups"]; ok {
			return true
		}
	}
	b, _ := t.Claims["hasgroups"].(bool)
	return b
}

// lintSignatureShape raises token.unsigned for alg none, and for HMAC on an Entra-issued token.
func lintSignatureShape(fs []Finding, t *Token, hop string) []Finding {
	alg := t.Alg()
	switch {
	case strings.EqualFold(alg, "none"):
		return append(fs, NewFinding("token.unsigned", hop, "The header's alg is \"none\": the token carries no signature.",
			map[string]string{"header": "alg", "value": alg}))
	case strings.HasPrefix(strings.ToUpper(alg), "HS") && IsEntraIssuer(t):
		return append(fs, NewFinding("token.unsigned", hop,
			fmt.Sprintf("The header's alg is %s (a shared-secret HMAC) on a token whose issuer is Entra (%s); Entra signs with RS256.", alg, t.Issuer),
			map[string]string{"header": "alg", "value": alg}))
	}
	return fs
}

// entraHosts are the hosts of Entra ID's token issuers in the public and national clouds.
var entraHosts = []string{
	"login.microsoftonline.com", "sts.windows.net", "login.windows.net", "login.microsoft.com",
	"login.microsoftonline.us", "login.chinacloudapi.cn", "sts.chinacloudapi.cn", "login.partner.microsoftonline.cn",
}

// IsEntraIssuer reports whether t's issuer is Entra ID: a Microsoft login host, a B2C or External
// ID host, or any issuer that names the token's own tenant in its path (as the sandbox does).
func IsEntraIssuer(t *Token) bool {
	return isEntraHost(t.Issuer) || t.IssuerTenant != "" && strings.EqualFold(t.IssuerTenant, t.TenantID)
}

// splitIssuer returns the lower-cased host of iss and its first path segment.
func splitIssuer(iss string) (host, first string) {
	rest := iss
	if i := strings.Index(rest, "://"); i >= 0 {
		rest = rest[i+3:]
	}
	host = rest
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		host, first = rest[:i], rest[i+1:]
		if j := strings.IndexByte(first, '/'); j >= 0 {
			first = first[:j]
		}
	}
	return strings.ToLower(host), first
}

func isEntraHost(iss string) bool {
	host, _ := splitIssuer(iss)
	for _, h := range entraHosts {
		if host == h {
			return true
		}
	}
	return strings.HasSuffix(host, ".b2clogin.com") || strings.HasSuffix(host, ".ciamlogin.com")
}

// issuerTenantSegment returns the tenant the issuer names: the GUID in its path, or for an
// Entra-shaped issuer whatever its first path segment holds (isGUID false then).
func issuerTenantSegment(t *Token) (seg string, isGUID bool) {
	if t.IssuerTenant != "" {
		return t.IssuerTenant, true
	}
	if !isEntraHost(t.Issuer) {
		return "", false
	}
	_, first := splitIssuer(t.Issuer)
	return first, false
}

func lintTimes(fs []Finding, t *Token, hop string, exp Expectations, skew time.Duration) []Finding {
	now := exp.Now
	if now.IsZero() {
		return fs
	}
	ts := func(x time.Time) string { return x.UTC().Format(time.RFC3339) }
	if !t.ExpiresAt.IsZero() {
		switch left := t.ExpiresAt.Sub(now); {
		case left < -skew:
			fs = append(fs, NewFinding("token.expired", hop,
				fmt.Sprintf("exp is %s, %s before now (%s); allowed skew %s.", ts(t.ExpiresAt), roundDuration(-left), ts(now), HumanDuration(skew)),
				map[string]string{"claim": "exp", "value": ts(t.ExpiresAt), "now": ts(now)}))
		case left < DefaultSkew:
			detail := fmt.Sprintf("exp is %s, %s from now (%s).", ts(t.ExpiresAt), roundDuration(left), ts(now))
			if left < 0 {
				detail = fmt.Sprintf("exp is %s, %s ago, within the allowed skew of %s.", ts(t.ExpiresAt), roundDuration(-left), HumanDuration(skew))
			}
			fs = append(fs, NewFinding("token.near-expiry", hop, detail,
				map[string]string{"claim": "exp", "value": ts(t.ExpiresAt), "now": ts(now)}))
		}
	}
	if !t.NotBefore.IsZero() && t.NotBefore.Sub(now) > skew {
		fs = append(fs, NewFinding("token.not-yet-valid", hop,
			fmt.Sprintf("nbf is %s, %s after now (%s); allowed skew %s.", ts(t.NotBefore), roundDuration(t.NotBefore.Sub(now)), ts(now), HumanDuration(skew)),
			map[string]string{"claim": "nbf", "value": ts(t.NotBefore), "now": ts(now)}))
	}
	if !exp.ServerTime.IsZero() {
		d := exp.ServerTime.Sub(now)
		if d < 0 {
			d = -d
		}
		if d > skew {
			fs = append(fs, NewFinding("token.clock-skew", hop,
				fmt.Sprintf("The server's clock says %s, this machine's %s: %s apart.", ts(exp.ServerTime), ts(now), roundDuration(d)),
				map[string]string{"server_time": ts(exp.ServerTime), "local_time": ts(now)}))
		}
	}
	return fs
}

func roundDuration(d time.Duration) string { return HumanDuration(d) }

// HumanDuration renders the length of d for people, with at most two units: "45s", "4m 30s",
// "54m", "3h 20m", "2d 4h", "12d", "5mo", "5y 3mo". Months are 30 days and years 365.
func HumanDuration(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	d = d.Round(time.Second)
	const day = 24 * time.Hour
	two := func(a int, ua string, b int, ub string) string {
		if b == 0 {
			return fmt.Sprintf("%d%s", a, ua)
		}
		return fmt.Sprintf("%d%s %d%s", a, ua, b, ub)
	}
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d/time.Second))
	case d < 10*time.Minute:
		return two(int(d/time.Minute), "m", int(d%time.Minute/time.Second), "s")
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d/time.Minute))
	case d < day:
		return two(int(d/time.Hour), "h", int(d%time.Hour/time.Minute), "m")
	case d < 3*day:
		return two(int(d/day), "d", int(d%day/time.Hour), "h")
	case d < 60*day:
		return fmt.Sprintf("%dd", int(d/day))
	case d < 365*day:
		return fmt.Sprintf("%dmo", int(d/(30*day)))
	}
	years := int(d / (365 * day))
	return two(years, "y", int((d-time.Duration(years)*365*day)/(30*day)), "mo")
}

func lintExpectations(fs []Finding, t *Token, hop string, exp Expectations) []Finding {
	if len(exp.Audiences) > 0 && !AudienceMatches(t.Audiences, exp.Audiences) {
		fs = append(fs, NewFinding("token.unexpected-audience", hop,
			fmt.Sprintf("aud is %s; expected %s.", orNone(strings.Join(t.Audiences, " ")), strings.Join(exp.Audiences, " or "))+audienceShapeHint(t.Audiences, exp.Audiences),
			map[string]string{"claim": "aud", "value": strings.Join(t.Audiences, " "), "expected": strings.Join(exp.Audiences, " ")}))
	}
	for _, want := range exp.Scopes {
		if !HasPermission(t, want) {
			have := strings.Join(append(append([]string(nil), t.Scopes...), t.Roles...), " ")
			fs = append(fs, NewFinding("token.missing-scope", hop,
				fmt.Sprintf("%s is in neither scp nor roles (the token has: %s).", want, orNone(have)),
				map[string]string{"claim": "scp", "value": strings.Join(t.Scopes, " "), "roles": strings.Join(t.Roles, " "), "expected": want}))
		}
	}
	if exp.TenantID != "" && !strings.EqualFold(t.TenantID, exp.TenantID) {
		fs = append(fs, NewFinding("token.unexpected-tenant", hop,
			fmt.Sprintf("tid is %s; expected %s.", orNone(t.TenantID), exp.TenantID),
			map[string]string{"claim": "tid", "value": t.TenantID, "expected": exp.TenantID}))
	}
	return fs
}

// AudienceMatches reports whether any of auds equals any of want, ignoring case and a trailing
// slash.
func AudienceMatches(auds, want []string) bool {
	for _, a := range auds {
		a = strings.TrimRight(a, "/")
		for _, w := range want {
			if strings.EqualFold(a, strings.TrimRight(w, "/")) {
				return true
			}
		}
	}
	return false
}

// HasPermission reports whether t carries the scope or role want, in scp or roles. A fully
// qualified scope ("api://contoso/access_as_user") matches its last segment, since tokens list
// scopes without the resource.
func HasPermission(t *Token, want string) bool {
	short := want
	if i := strings.LastIndexByte(want, '/'); i >= 0 && i < len(want)-1 {
		short = want[i+1:]
	}
	for _, list := range [][]string{t.Scopes, t.Roles} {
		for _, s := range list {
			if strings.EqualFold(s, want) || strings.EqualFold(s, short) {
				return true
			}
		}
	}
	return false
}

// uncheckedExpectations says which expectations a token without readable claims could not be held
// against, so that a person (or a CI job) does not read "no error" as "the audience was right".
func uncheckedExpectations(exp Expectations) string {
	var names []string
	if len(exp.Audiences) > 0 {
		names = append(names, "audience")
	}
	if len(exp.Scopes) > 0 {
		names = append(names, "scopes")
	}
	if exp.TenantID != "" {
		names = append(names, "tenant")
	}
	if exp.Version != "" {
		names = append(names, "version")
	}
	if len(names) == 0 {
		return ""
	}
	return " Its claims cannot be read, so the expected " + strings.Join(names, ", ") + " could not be checked."
}

// audienceShapeHint explains a mismatch that may only be one of form: the token names the API by
// its client ID (GUID) and the expectation by an App ID URI, or the reverse. oboscope cannot tell
// whether both name the same registration, so it says how to check.
func audienceShapeHint(got, want []string) string {
	allGUID := func(xs []string) bool {
		for _, x := range xs {
			if !IsGUID(x) {
				return false
			}
		}
		return len(xs) > 0
	}
	noGUID := func(xs []string) bool {
		for _, x := range xs {
			if IsGUID(x) {
				return false
			}
		}
		return len(xs) > 0
	}
	switch {
	case allGUID(got) && noGUID(want):
		return " The token names its API by client ID (as v2 tokens do) and the expectation is an App ID URI: if that URI is this API's, expect its client ID instead."
	case noGUID(got) && allGUID(want):
		return " The token names its API by App ID URI (as v1 tokens may) and the expectation is a client ID: if that ID is this API's, expect its App ID URI too."
	}
	return ""
}
