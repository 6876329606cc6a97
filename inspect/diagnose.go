package inspect

import (
	"fmt"
	"regexp"
	"strings"
)

// DiagnoseEntraError names the findings an Entra error explains, read the way oboscope reads its
// own exchanges: by code, and by the description where one code has several causes (AADSTS50013:
// audience, time range or signature; AADSTS7000218: a confidential flow without a credential, or
// device code sign-in of an app that is no public client; AADSTS500131: a case-only difference),
// plus obo.claims-challenge for any answer that carries claims. The hop of each finding is
// "explain": nothing says where in a chain the error came from.
func DiagnoseEntraError(e *EntraError) []Finding {
	if e == nil {
		return nil
	}
	var fs []Finding
	desc := e.Description
	lower := strings.ToLower(desc)
	for _, code := range e.Codes {
		id := diagnoseCode(code, e, lower)
		if id == "" || (id == "obo.claims-challenge" && e.Claims != "") {
			continue // a claims challenge is told below, with what it asks for
		}
		f := NewFinding(id, "explain", fmt.Sprintf("Entra answered AADSTS%d%s: %s", code, errName(e.Err), anaFirstLine(fromCode(desc, code))),
			map[string]string{"aadsts": fmt.Sprint(code), "error": e.Err})
		f.AADSTS = code
		fs = anaAddOnce(fs, f)
	}
	if f, ok := ClaimsChallengeFinding(e, "explain", "Entra"); ok {
		fs = anaAddOnce(fs, f)
	} else if e.Suberror == "basic_action" && (e.HasCode(50076) || e.HasCode(50079)) {
		fs = anaAddOnce(fs, NewFinding("obo.claims-challenge", "explain",
			"Entra answered with suberror basic_action: the user must sign in again interactively (the claims were not in what was pasted)", nil))
	}
	return fs
}

// reAudienceWas reads AADSTS500131's "The audience in the assertion was 'X' and the expected
// audience is 'Y'".
var reAudienceWas = regexp.MustCompile(`(?i)audience in the assertion was '([^']*)' and the expected audience is '([^']*)'`)

// diagnoseCode returns the finding code means, reading the description where one code has
// several causes.
func diagnoseCode(code int, e *EntraError, lower string) string {
	switch code {
	case 50013:
		return assertionFinding(e, false)
	case 500131:
		if m := reAudienceWas.FindStringSubmatch(e.Description); m != nil && m[1] != m[2] && strings.EqualFold(m[1], m[2]) {
			return "obo.assertion-aud-case-mismatch"
		}
	case 7000218:
		if strings.Contains(lower, "device") {
			return "signin.public-client-disabled"
		}
	case 900144:
		if strings.Contains(lower, "'scope'") {
			return "mcp.prm-no-scopes"
		}
		return ""
	case 65001:
		if strings.Contains(lower, "on-behalf-of") || strings.Contains(lower, "on_behalf_of") {
			return "obo.consent-required"
		}
	case 50076, 50079:
		if e.Claims == "" && e.Suberror == "" && !strings.EqualFold(e.Err, "invalid_grant") {
			return "signin.conditional-access"
		}
		return "obo.claims-challenge"
	}
	if a, ok := LookupAADSTS(code); ok {
		return a.FindingID
	}
	return ""
}

// fromCode returns the description from "AADSTS<code>: " on, without that prefix.
func fromCode(desc string, code int) string {
	p := fmt.Sprintf("AADSTS%d:", code)
	if i := strings.Index(desc, p); i >= 0 {
		return strings.TrimSpace(desc[i+len(p):])
	}
	return desc
}

func errName(e string) string {
	if e == "" {
		return ""
	}
	return " (" + e + ")"
}
