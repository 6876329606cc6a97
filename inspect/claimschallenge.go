package inspect

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// IsClaimsChallenge reports whether a WWW-Authenticate header is a Bearer claims challenge
// (error="insufficient_claims" with claims), the way a middle tier relays Entra's.
func IsClaimsChallenge(header string) bool {
	c, ok := ParseBearerChallenge(header)
	return ok && strings.EqualFold(c.Param("error"), "insufficient_claims") && c.Param("claims") != ""
}

// ChallengeClaims returns the claims of a Bearer claims challenge, decoded: Microsoft's claims
// challenges carry them base64-encoded, some servers as plain JSON. It is "" when the header has
// no Bearer challenge, no claims, or claims that decode to no JSON.
func ChallengeClaims(header string) string {
	c, ok := ParseBearerChallenge(header)
	if !ok || c.Param("claims") == "" {
		return ""
	}
	v := c.Param("claims")
	if strings.HasPrefix(strings.TrimSpace(v), "{") {
		return v
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(v); err == nil && json.Valid(b) {
			return string(b)
		}
	}
	return ""
}

// ClaimsRequirement says in words what a claims challenge asks the sign-in to satisfy, from the
// challenge itself (acrs, amr, capolids of its access_token or id_token request) and from the
// Entra errors that carried it (an MFA code of the AADSTS catalogue: multi-factor
// authentication), joined by "; " and made printable. It is "" when neither says more than
// "satisfy these claims".
func ClaimsRequirement(claims string, fs []Finding) string {
	var parts []string
	add := func(p string) {
		if p != "" && !slices.Contains(parts, p) {
			parts = append(parts, p)
		}
	}
	for _, f := range fs {
		if a, ok := LookupAADSTS(f.AADSTS); ok && a.MFA {
			add("multi-factor authentication")
		}
	}
	var req map[string]map[string]any
	if err := json.Unmarshal([]byte(claims), &req); err == nil {
		for _, tok := range []string{"access_token", "id_token"} {
			for _, name := range []string{"amr", "acrs", "capolids"} {
				add(claimRequirement(name, requestedClaimValues(req[tok][name])))
			}
		}
	}
	return Printable(strings.Join(parts, "; "), false)
}

// claimRequirement says what a requested claim's values ask for ("" for none).
func claimRequirement(name string, vals []string) string {
	switch {
	case len(vals) == 0:
		return ""
	case name == "amr" && slices.Contains(vals, "mfa"):
		return "multi-factor authentication"
	case name == "amr":
		return "sign-in method " + strings.Join(vals, ", ")
	case name == "acrs":
		return "authentication context " + strings.Join(vals, ", ")
	case name == "capolids":
		return fmt.Sprintf("Conditional Access policy %s", strings.Join(vals, ", "))
	}
	return ""
}

// requestedClaimValues reads the values a claims request asks for: {"values": [...]} or
// {"value": "..."}.
func requestedClaimValues(v any) []string {
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	var out []string
	if s, ok := m["value"].(string); ok && s != "" {
		out = append(out, s)
	}
	if list, ok := m["values"].([]any); ok {
		for _, x := range list {
			if s, ok := x.(string); ok && s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}
