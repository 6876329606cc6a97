package inspect

// TEMPORARY: stand-ins for the API the arch-inspect branch adds; removed when it is merged.

import (
	"strings"
	"time"
)

type AppNames map[string]string

func (n AppNames) Lookup(id string) (string, bool) { v, ok := n[strings.ToLower(id)]; return v, ok }

func (n AppNames) Name(t *Token, id string) string {
	if id == "" {
		return "(unknown app)"
	}
	nm := n[strings.ToLower(id)]
	if nm != "" && !strings.HasPrefix(nm, "the ") {
		return nm
	}
	wk := AppName(id)
	if t != nil {
		wk = t.AppName(id)
	}
	if wk != "" && wk != id {
		return wk
	}
	if nm != "" {
		return nm + " (" + id + ")"
	}
	return id
}

type TokenSummary struct {
	t     *Token
	names AppNames
}

func Summarize(t *Token, names AppNames) TokenSummary { return TokenSummary{t, names} }

func (s TokenSummary) Text() string {
	t := s.t
	aud := strings.Join(t.Audiences, " ")
	if len(t.Audiences) == 1 {
		aud = s.names.Name(t, t.Audiences[0])
	}
	if aud == "" {
		aud = "no audience"
	}
	out := "token for " + aud
	switch {
	case len(t.Scopes) > 0:
		out += ", scp " + strings.Join(t.Scopes, " ")
	case len(t.Roles) > 0:
		out += ", roles " + strings.Join(t.Roles, " ")
	default:
		out += ", no scp or roles"
	}
	if t.Version != "" {
		out += ", v" + t.Version
	}
	return out
}

func IsTimeClaim(n string) bool {
	switch n {
	case "iat", "nbf", "exp", "auth_time", "pwd_exp":
		return true
	}
	return false
}

func IsExchangeCredential(t *Token) bool {
	for _, aud := range t.Audiences {
		if strings.HasPrefix(strings.ToLower(aud), "api://azureadtokenexchange") {
			return true
		}
	}
	return false
}

var _ = time.Now

func ExplainingIDs(fs []Finding) []string {
	var ids []string
	for _, f := range fs {
		if f.Severity == SeverityInfo {
			continue
		}
		if (strings.HasPrefix(f.ID, "token.") && f.ID != "token.clock-skew") || f.ID == "obo.scope-missing" || f.ID == "obo.downstream-aud" {
			ids = append(ids, f.ID)
		}
	}
	return ids
}

func ChallengeClaimsTMP(h string) string { return "" }

func ReportsAudience(fs []Finding) bool {
	for _, f := range fs {
		if f.ID == "obo.downstream-aud" {
			return true
		}
	}
	return false
}

func CheckVersion(t *Token, v, hop string, now time.Time) []Finding {
	var out []Finding
	for _, f := range LintToken(t, hop, Expectations{Version: v, Now: now}) {
		if f.ID == "token.version-mismatch" {
			out = append(out, f)
		}
	}
	return out
}

func LintReportedTMP(t *Token, hop string, now time.Time) []Finding {
	var out []Finding
	for _, f := range LintToken(t, hop, Expectations{Now: now}) {
		if f.ID != "token.unsigned" && f.ID != "token.signature-invalid" {
			out = append(out, f)
		}
	}
	return out
}

func MalformedTokenFinding(hop string, err error) Finding {
	if de, ok := err.(*DecodeError); ok {
		return de.Finding(hop)
	}
	return NewFinding("token.malformed", hop, err.Error(), nil)
}

func (e *VerifyError) KidUnknown() bool { return e.FindingID == "token.kid-unknown" }

func IsClockSkew(f Finding) bool { return f.ID == "token.clock-skew" }

func IsPerUser(id string) bool { return id == "token.groups-overage" }
