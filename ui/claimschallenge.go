package ui

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/oboscope/oboscope/inspect"
)

// mfaCodes are Entra's errors that ask for multi-factor authentication.
var mfaCodes = []int{50074, 50076, 50079}

// claimsRequirement says in words what a claims challenge asks the sign-in to satisfy, from the
// challenge itself (acrs, amr, capolids of its access_token or id_token request) and from the
// Entra error that carried it (AADSTS50076: multi-factor authentication). It is "" when neither
// says more than "satisfy these claims".
func claimsRequirement(claims string, findings []inspect.Finding) string {
	var parts []string
	add := func(p string) {
		if p != "" && !slices.Contains(parts, p) {
			parts = append(parts, p)
		}
	}
	for _, f := range findings {
		if slices.Contains(mfaCodes, f.AADSTS) {
			add("multi-factor authentication")
		}
	}
	var req map[string]map[string]any
	if err := json.Unmarshal([]byte(claims), &req); err == nil {
		for _, tok := range []string{"access_token", "id_token"} {
			for _, name := range []string{"amr", "acrs", "capolids"} {
				vals := claimValues(req[tok][name])
				switch {
				case len(vals) == 0:
				case name == "amr" && slices.Contains(vals, "mfa"):
					add("multi-factor authentication")
				case name == "amr":
					add("sign-in method " + strings.Join(vals, ", "))
				case name == "acrs":
					add("authentication context " + strings.Join(vals, ", "))
				case name == "capolids":
					add(fmt.Sprintf("Conditional Access policy %s", strings.Join(vals, ", ")))
				}
			}
		}
	}
	return inspect.Printable(strings.Join(parts, "; "), false)
}

// claimValues reads a requested claim's values: {"values": [...]} or {"value": "..."}.
func claimValues(v any) []string {
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

// claimsSignInText is the line the device-code box shows while signing in again to answer a
// claims challenge.
func claimsSignInText(requirement string) string {
	if requirement == "" {
		return "Sign in again, satisfying the claims challenge."
	}
	return "Sign in again, satisfying the claims challenge: " + requirement + "."
}
