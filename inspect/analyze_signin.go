package inspect

import (
	"fmt"
	"strings"
)

// SigninObservation is what the signin hop saw: the scopes it sent and Entra's answer.
type SigninObservation struct {
	Flow            string      // device_code | browser | token | client_credentials
	RequestedScopes []string    // the scopes oboscope asked for (empty for a token brought by the user)
	Error           *EntraError // Entra's error answer, nil when none
	Token           *Token      // the token obtained, nil when none
}

// signinCodes maps Entra codes at sign-in to findings.
func signinCodes() codeFindings {
	return codeFindings{
		7000218: "signin.public-client-disabled",
		50011:   "signin.redirect-uri-mismatch",
		650053:  "signin.scope-unqualified",
		28000:   "signin.scopes-span-resources",
		700022:  "signin.scopes-span-resources",
		700016:  "signin.app-not-found",
		500011:  "signin.resource-not-found",
		50020:   "signin.user-not-in-tenant",
		53003:   "signin.conditional-access",
		50076:   "signin.conditional-access",
		50079:   "signin.conditional-access",
		65001:   "signin.consent-required",
		9002326: "signin.redirect-platform-mismatch",
		9002327: "signin.redirect-platform-mismatch",
		700025:  "obo.public-client-secret",
		9010010: "mcp.prm-resource-scope-mismatch",
		901002:  "mcp.prm-resource-scope-mismatch",
		82014:   "agentid.no-interactive-consent",
	}
}

// AnalyzeSignin applies every signin.* rule to what the signin hop observed.
func AnalyzeSignin(obs SigninObservation) []Finding {
	var fs []Finding
	var bare []string
	for _, s := range obs.RequestedScopes {
		if IsUnqualifiedScope(s) {
			bare = append(bare, s)
		}
	}
	if len(bare) > 0 {
		detail := fmt.Sprintf("requested scope %s has no resource prefix, so Entra resolves it against Microsoft Graph", strings.Join(bare, ", "))
		if obs.Token != nil && len(obs.Token.Audiences) > 0 {
			detail += fmt.Sprintf("; the token obtained is for %s", anaAudList(obs.Token))
		}
		fs = append(fs, NewFinding("signin.scope-unqualified", "signin", detail, map[string]string{"scope": strings.Join(bare, " ")}))
	}
	if rs := anaScopeResources(obs.RequestedScopes); len(rs) > 1 {
		fs = append(fs, NewFinding("signin.scopes-span-resources", "signin",
			fmt.Sprintf("one request asks for scopes of %d resources: %s", len(rs), strings.Join(rs, ", ")),
			map[string]string{"scopes": strings.Join(obs.RequestedScopes, " ")}))
	}
	fs = anaAddOnce(fs, anaFromEntraError(obs.Error, "signin", signinCodes(), "Entra's token endpoint")...)
	return fs
}
