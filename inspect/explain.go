package inspect

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// ExplainedClaim is one claim of a token with what it means in general (Meaning) and what this
// value means (ValueMeaning, "" when there is nothing to add to the value itself).
type ExplainedClaim struct {
	Claim        string `json:"claim"`
	Value        any    `json:"value"`
	Display      string `json:"display"`
	Meaning      string `json:"meaning"`
	ValueMeaning string `json:"value_meaning,omitempty"`
	Known        bool   `json:"known"` // false when oboscope has no catalogue entry for the claim
}

// Explain returns every claim of the token's payload, in payload order, with its meaning.
func (t *Token) Explain() []ExplainedClaim {
	names := t.claimOrder()
	out := make([]ExplainedClaim, 0, len(names))
	for _, n := range names {
		v := t.Claims[n]
		meaning, known := ClaimMeaning(n)
		out = append(out, ExplainedClaim{Claim: n, Value: v, Display: DisplayValue(v), Meaning: meaning,
			ValueMeaning: t.valueMeaning(n, v), Known: known})
	}
	return out
}

// ExplainHeader returns every parameter of the token's header, in order, with its meaning.
func (t *Token) ExplainHeader() []ExplainedClaim {
	names := make([]string, 0, len(t.Header))
	for n := range t.Header {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]ExplainedClaim, 0, len(names))
	for _, n := range names {
		m, ok := headerMeanings[n]
		if !ok {
			m = "A header parameter oboscope does not know."
		}
		v := t.Header[n]
		ve := ""
		if n == "alg" {
			switch s := stringOf(v); {
			case strings.EqualFold(s, "none"):
				ve = "no signature"
			case strings.HasPrefix(s, "HS"):
				ve = "HMAC with a shared secret"
			case strings.HasPrefix(s, "RS"):
				ve = "RSA PKCS#1 v1.5 with SHA-" + strings.TrimPrefix(s, "RS")
			case strings.HasPrefix(s, "PS"):
				ve = "RSA-PSS with SHA-" + strings.TrimPrefix(s, "PS")
			case strings.HasPrefix(s, "ES"):
				ve = "ECDSA with SHA-" + strings.TrimPrefix(s, "ES")
			}
		}
		out = append(out, ExplainedClaim{Claim: n, Value: v, Display: DisplayValue(v), Meaning: m, ValueMeaning: ve, Known: ok})
	}
	return out
}

// ClaimMeaning returns what a claim means and whether oboscope's catalogue knows it. For an
// unknown claim it says so honestly, with what its name suggests.
func ClaimMeaning(name string) (string, bool) {
	if m, ok := claimMeanings[name]; ok {
		return m, true
	}
	switch {
	case strings.HasPrefix(name, "extension_"):
		return "A directory extension attribute (extension_<app id without dashes>_<name>) that the app asked Entra to emit.", true
	case strings.HasPrefix(name, "groups:src"):
		return "Groups overage source marker: the groups are available from the source named in _claim_sources.", true
	case strings.HasPrefix(name, "xms_"):
		return "An Entra claim (xms_ prefix) that Microsoft does not document; oboscope does not interpret it.", false
	}
	return "Not a claim oboscope knows: it is not in Microsoft's access-token, ID-token or optional claim references; it may be custom (claims mapping) or from another issuer.", false
}

// claimOrder returns the claim names in the order of the payload JSON, falling back to sorted
// order when the payload is not at hand.
func (t *Token) claimOrder() []string {
	if len(t.payload) > 0 {
		if names, ok := topLevelKeys(t.payload); ok && len(names) == len(t.Claims) {
			return names
		}
	}
	names := make([]string, 0, len(t.Claims))
	for n := range t.Claims {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// topLevelKeys returns the keys of a JSON object in document order, once each.
func topLevelKeys(b []byte) ([]string, bool) {
	dec := json.NewDecoder(bytes.NewReader(b))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, false
	}
	var names []string
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, false
		}
		k, ok := tok.(string)
		if !ok {
			return nil, false
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, false
		}
		if !seen[k] {
			seen[k] = true
			names = append(names, k)
		}
	}
	return names, true
}

// DisplayValue renders a claim value for people and the clipboard, as the token writes it:
// strings as they are, numbers in plain decimal (1795652032, never 1.795652032e+09), arrays
// comma-separated, objects as compact JSON (with <, > and & as they are).
func DisplayValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case json.Number:
		return x.String()
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = DisplayValue(e)
		}
		return strings.Join(parts, ", ")
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// valueMeaning says what this claim's value means, when there is more to say than the value.
func (t *Token) valueMeaning(name string, v any) string {
	if c, ok := codedClaims[name]; ok {
		return c.meaning(v)
	}
	s := stringOf(v)
	switch name {
	case "aud":
		return t.audienceMeaning(v)
	case "appid", "azp", "xms_par_app_azp", "client_id":
		desc := AppName(s)
		if name == "xms_par_app_azp" {
			desc = strings.TrimPrefix(desc+"; the agent blueprint's application ID", "; ")
		}
		return desc
	case "iss":
		return describeIssuer(s, t.TenantID)
	case "tid":
		return TenantName(s)
	case "idp":
		return t.idpMeaning(s)
	case "iat", "nbf", "exp", "auth_time", "updated_at":
		if ts, err := numericDate(t.Claims, name); err == nil && !ts.IsZero() {
			return ts.UTC().Format(time.RFC3339)
		}
	case "amr":
		return listMeaning(v, amrMeanings, func(m, d string) string { return m + " = " + d }, false)
	case "wids":
		return listMeaning(v, directoryRoles, func(_, r string) string { return r }, true)
	case "scp", "roles", "groups":
		return t.countMeaning(name, v)
	case "xms_act_fct", "xms_sub_fct", "xms_tnt_fct":
		return describeFacets(facetsOf(v))
	case "sub":
		if s != "" && s == t.ObjectID {
			return "equals oid, as in app-only tokens"
		}
	default:
		return flagMeaning(name, v)
	}
	return ""
}

// codedClaim explains the documented values of a claim that holds a code; display says the
// code is read as displayed (numbers too), else only a string counts.
type codedClaim struct {
	display bool
	values  map[string]string
}

func (c codedClaim) meaning(v any) string {
	code := stringOf(v)
	if c.display {
		code = DisplayValue(v)
	}
	return c.values[code]
}

// clientAuthMethods explains appidacr and azpacr.
var clientAuthMethods = map[string]string{
	"0": "public client: no client credential was used",
	"1": "the client authenticated with a client secret",
	"2": "the client authenticated with a certificate or a signed client assertion (incl. federated credentials)",
}

// codedClaims are the claims whose codes valueMeaning explains from a table. Read-only.
var codedClaims = map[string]codedClaim{
	"appidacr": {display: true, values: clientAuthMethods},
	"azpacr":   {display: true, values: clientAuthMethods},
	"idtyp": {values: map[string]string{
		"user":   "a user's token (delegated)",
		"app":    "an application's token (app-only, client credentials)",
		"device": "a device's token",
	}},
	"ver": {values: map[string]string{
		"1.0": "v1.0 token: iss https://sts.windows.net/{tid}/, appid/appidacr, aud may be the App ID URI",
		"2.0": "v2.0 token: iss https://login.microsoftonline.com/{tid}/v2.0, azp/azpacr, aud is the client ID",
	}},
	"acct": {display: true, values: map[string]string{"0": "a member of the tenant", "1": "a guest in the tenant"}},
	"acr": {values: map[string]string{
		"0": "the authentication did not meet ISO/IEC 29115",
		"1": "a normal authentication",
	}},
}

// audienceMeaning names each audience, or says that an ID token's audience is its client.
func (t *Token) audienceMeaning(v any) string {
	if t.Kind == KindID {
		return "the client application this ID token was issued to (ID tokens are for the client, never for APIs)"
	}
	var parts []string
	for _, a := range stringsOf(v) {
		parts = append(parts, describeAudience(a))
	}
	return strings.Join(parts, "; ")
}

// idpMeaning says who authenticated the user: a personal account, a guest's home tenant or an
// external identity provider.
func (t *Token) idpMeaning(s string) string {
	switch {
	case s == "live.com" || strings.Contains(s, "9188040d-6c67-4c5b-b112-36a304b66dad"):
		return "a personal Microsoft account"
	case s != "" && s != t.Issuer && t.Issuer != "":
		if tn := issuerTenant(s); tn != "" {
			return "a guest: the user's home tenant is " + tn
		}
		return "authenticated by an external identity provider"
	}
	return ""
}

// listMeaning explains the values of a list claim that a table names, joined by ", "; lower
// looks the values up lower-cased.
func listMeaning(v any, table map[string]string, say func(value, meaning string) string, lower bool) string {
	var parts []string
	for _, x := range stringsOf(v) {
		key := x
		if lower {
			key = strings.ToLower(x)
		}
		if d, ok := table[key]; ok {
			parts = append(parts, say(x, d))
		}
	}
	return strings.Join(parts, ", ")
}

// countMeaning counts the permissions or groups of scp, roles or groups.
func (t *Token) countMeaning(name string, v any) string {
	switch name {
	case "scp":
		n := len(strings.Fields(stringOf(v)))
		return fmt.Sprintf("%d delegated permission%s", n, plural(n))
	case "roles":
		n := len(stringsOf(v))
		if t.Principal == PrincipalApp || t.Principal == PrincipalAgentIdentity {
			return fmt.Sprintf("%d application permission%s (app-only token)", n, plural(n))
		}
		return fmt.Sprintf("%d app role%s assigned to the user", n, plural(n))
	}
	n := len(stringsOf(v))
	return fmt.Sprintf("%d group%s", n, plural(n))
}

// flagMeaning explains the claims that flag a capability or a groups overage.
func flagMeaning(name string, v any) string {
	switch name {
	case "xms_cc":
		for _, c := range stringsOf(v) {
			if c == "cp1" {
				return "the client can handle claims challenges (CAE capable)"
			}
		}
	case "_claim_names":
		if m, ok := v.(map[string]any); ok {
			if _, g := m["groups"]; g {
				return "groups overage: the groups are not in the token"
			}
		}
	case "hasgroups":
		if b, _ := v.(bool); b {
			return "groups overage: read the groups from Microsoft Graph"
		}
	}
	return ""
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func describeAudience(a string) string {
	if n := AppName(a); n != "" {
		return n
	}
	switch {
	case IsGUID(a):
		return "an application's client ID"
	case strings.HasPrefix(a, "api://"):
		return "an App ID URI"
	case strings.HasPrefix(a, "https://"), strings.HasPrefix(a, "http://"):
		return "a resource URI"
	}
	return ""
}

func describeIssuer(iss, tid string) string {
	tn := issuerTenant(iss)
	if tn == "" {
		if _, first := splitIssuer(iss); first != "" && isEntraHost(iss) {
			return fmt.Sprintf("an Entra issuer whose tenant segment %q is not a GUID", first)
		}
		return ""
	}
	ver := ""
	switch tokenVersion("", iss) {
	case "1.0":
		ver = "v1.0 issuer"
	case "2.0":
		ver = "v2.0 issuer"
	default:
		ver = "issuer"
	}
	desc := ver + " of tenant " + tn
	if n := TenantName(tn); n != "" {
		desc += " (" + n + ")"
	}
	if tid != "" && !strings.EqualFold(tid, tn) {
		desc += "; differs from tid"
	}
	return desc
}

func describeFacets(fs []int) string {
	var parts []string
	for _, f := range fs {
		if m, ok := facetMeanings[f]; ok {
			parts = append(parts, fmt.Sprintf("%d = %s", f, m))
		} else {
			parts = append(parts, fmt.Sprintf("%d = (meaning not known to oboscope)", f))
		}
	}
	return strings.Join(parts, ", ")
}
