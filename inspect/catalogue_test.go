package inspect

import (
	"reflect"
	"strings"
	"testing"
)

// findingsMDIDs are every finding ID of FINDINGS.md (the public contract), all sections.
var findingsMDIDs = []string{
	"token.malformed", "token.encrypted", "token.unsigned", "token.signature-invalid", "token.kid-unknown", "token.expired",
	"token.not-yet-valid", "token.clock-skew", "token.id-token-as-access", "token.graph-token", "token.issuer-tenant-mismatch",
	"token.version-mismatch", "token.groups-overage", "token.near-expiry", "token.unexpected-audience", "token.missing-scope",
	"token.unexpected-tenant", "token.odd-lifetime",
	"authority.endpoint-off-host",
	"signin.public-client-disabled", "signin.redirect-uri-mismatch", "signin.scope-unqualified", "signin.scopes-span-resources",
	"signin.app-not-found", "signin.resource-not-found", "signin.user-not-in-tenant", "signin.conditional-access", "signin.consent-required",
	"agent.aud-mismatch", "agent.missing-scope", "agent.app-only-token", "agent.client-not-authorized", "agent.tenant-not-allowed",
	"agent.no-challenge", "agent.rejected", "agent.insecure-transport",
	"obo.assertion-aud-mismatch", "obo.app-only-assertion", "obo.consent-required", "obo.invalid-client-secret", "obo.client-secret-expired",
	"obo.missing-client-credential", "obo.claims-challenge", "obo.wrong-grant", "obo.scope-not-found", "obo.downstream-aud", "obo.scope-missing",
	"agentid.user-token-as-credential", "agentid.assertion-aud-not-blueprint", "agentid.fmi-path-missing", "agentid.not-agent-token",
	"mcp.no-www-authenticate", "mcp.no-resource-metadata", "mcp.prm-resource-mismatch", "mcp.prm-issuer-mismatch", "mcp.prm-unqualified-scopes",
	"mcp.aud-mismatch", "mcp.token-passthrough", "mcp.accepts-foreign-token", "mcp.insufficient-scope-status", "mcp.rejected",
	"mcp.downstream-passthrough",
	"obo.assertion-aud-case-mismatch", "obo.assertion-invalid", "obo.no-user-assertion", "obo.certificate-not-registered", "obo.public-client-secret",
	"signin.redirect-platform-mismatch", "token.pop-bound-as-bearer", "agentid.direct-client-credentials", "agentid.no-interactive-consent",
	"agentid.wrong-tenant", "agentid.wrong-agent-identity", "mcp.prm-resource-scope-mismatch", "mcp.prm-no-scopes",
	"foundry.agent-identity-not-user", "foundry.consent-pending", "foundry.tool-call-failed",
	"mcp.as-metadata-oidc-only", "mcp.as-no-registration", "signin.refresh-scope-dropped", "signin.refresh-resource-v1",
}

// findingsMDSeverity spot-checks severities against FINDINGS.md.
var findingsMDSeverity = map[string]Severity{
	"token.encrypted": SeverityInfo, "token.clock-skew": SeverityWarning, "token.graph-token": SeverityInfo, "token.version-mismatch": SeverityWarning,
	"token.groups-overage": SeverityInfo, "agentid.wrong-agent-identity": SeverityWarning, "mcp.prm-no-scopes": SeverityWarning, "token.near-expiry": SeverityInfo, "token.odd-lifetime": SeverityWarning, "signin.scope-unqualified": SeverityWarning,
	"agent.client-not-authorized": SeverityWarning, "agent.no-challenge": SeverityWarning, "obo.claims-challenge": SeverityWarning,
	"obo.scope-missing": SeverityWarning, "agentid.not-agent-token": SeverityInfo, "mcp.prm-unqualified-scopes": SeverityWarning,
	"mcp.insufficient-scope-status": SeverityWarning, "obo.assertion-aud-mismatch": SeverityError,
	"foundry.agent-identity-not-user": SeverityWarning, "foundry.consent-pending": SeverityInfo,
	"mcp.as-metadata-oidc-only": SeverityInfo, "mcp.as-no-registration": SeverityInfo,
}

// findingsMDCodes are the AADSTS codes FINDINGS.md names, per finding; (c) ones are community.
var findingsMDCodes = map[string][]int{
	"token.expired": {500133}, "token.id-token-as-access": {240002}, "signin.public-client-disabled": {7000218},
	"signin.redirect-uri-mismatch": {50011}, "signin.scope-unqualified": {650053}, "signin.scopes-span-resources": {28000, 700022},
	"signin.app-not-found": {700016}, "signin.resource-not-found": {500011}, "signin.user-not-in-tenant": {50020},
	"signin.conditional-access": {53003, 50076, 50079}, "signin.consent-required": {65001}, "obo.assertion-aud-mismatch": {500131, 50013},
	"obo.consent-required": {65001}, "obo.invalid-client-secret": {7000215}, "obo.client-secret-expired": {7000222},
	"obo.missing-client-credential": {7000218, 7000216}, "obo.claims-challenge": {50076, 50079}, "obo.wrong-grant": {70003},
	"obo.assertion-aud-case-mismatch": {500131}, "obo.assertion-invalid": {50013}, "obo.app-only-assertion": {7000114},
	"obo.certificate-not-registered": {700027}, "obo.public-client-secret": {700025}, "signin.redirect-platform-mismatch": {9002326, 9002327},
	"token.pop-bound-as-bearer": {530084}, "agentid.fmi-path-missing": {82008}, "agentid.direct-client-credentials": {82001},
	"agentid.no-interactive-consent": {82014}, "agentid.wrong-tenant": {700211}, "mcp.prm-resource-scope-mismatch": {9010010, 901002},
	"mcp.prm-no-scopes":            {900144},
	"signin.refresh-scope-dropped": {90009, 650053, 65001}, "signin.refresh-resource-v1": {90009},
	"obo.scope-not-found": {500011, 65005, 70011}, "agentid.user-token-as-credential": {700229}, "agentid.assertion-aud-not-blueprint": {50013},
}

var findingsMDCommunity = map[string][]int{
	"signin.public-client-disabled": {7000218}, "signin.scope-unqualified": {650053}, "signin.scopes-span-resources": {28000},
	"obo.wrong-grant": {70003}, "agentid.assertion-aud-not-blueprint": {50013},
}

func TestCatalogueHasEveryFindingsMDID(t *testing.T) {
	for _, id := range findingsMDIDs {
		r, ok := LookupRule(id)
		if !ok {
			t.Errorf("%s is not in the catalogue", id)
			continue
		}
		if r.Title == "" || r.Fix == "" || r.Explanation == "" || !strings.HasPrefix(r.Docs, "https://") {
			t.Errorf("%s is incomplete: %+v", id, r)
		}
		if want, ok := findingsMDSeverity[id]; ok && r.Severity != want {
			t.Errorf("%s severity %s; FINDINGS.md says %s", id, r.Severity, want)
		} else if !ok && r.Severity != SeverityError {
			t.Errorf("%s severity %s; FINDINGS.md says error", id, r.Severity)
		}
		if want := findingsMDCodes[id]; !reflect.DeepEqual(r.AADSTS, want) && !(len(want) == 0 && len(r.AADSTS) == 0) {
			t.Errorf("%s AADSTS %v; FINDINGS.md names %v", id, r.AADSTS, want)
		}
		if want := findingsMDCommunity[id]; !reflect.DeepEqual(r.CommunityCodes, want) && !(len(want) == 0 && len(r.CommunityCodes) == 0) {
			t.Errorf("%s community codes %v; FINDINGS.md marks %v", id, r.CommunityCodes, want)
		}
		if r.Community != (len(r.CommunityCodes) > 0) {
			t.Errorf("%s Community flag disagrees with CommunityCodes", id)
		}
	}
	seen := map[string]bool{}
	for _, r := range Rules() {
		if seen[r.ID] {
			t.Errorf("duplicate rule %s", r.ID)
		}
		seen[r.ID] = true
	}
}

func TestAADSTSCatalogue(t *testing.T) {
	codes := AADSTSCodes()
	if len(codes) < 40 {
		t.Errorf("only %d AADSTS codes; want at least 40", len(codes))
	}
	for _, list := range findingsMDCodes {
		for _, c := range list {
			if _, ok := LookupAADSTS(c); !ok {
				t.Errorf("AADSTS%d from FINDINGS.md is not catalogued", c)
			}
		}
	}
	for _, c := range []int{50013, 500131, 500133, 65001, 65005, 7000215, 7000222, 7000218, 70011, 700016, 500011, 50020, 53003, 50076,
		50079, 50011, 28000, 700022, 650053, 70003, 700229, 240002, 50126, 50034, 50053, 50055, 50057, 50058, 50105, 50173, 54005,
		70008, 70000, 700082, 90009, 90014, 9002313, 50001, 7000112, 700024, 50146, 500113, 900144} {
		a, ok := LookupAADSTS(c)
		if !ok || a.Meaning == "" || a.Fix == "" {
			t.Errorf("AADSTS%d missing or incomplete: %+v", c, a)
		}
		if a.FindingID != "" {
			if _, ok := LookupRule(a.FindingID); !ok {
				t.Errorf("AADSTS%d points to unknown finding %s", c, a.FindingID)
			}
		}
	}
	for _, c := range []int{28000, 650053, 70003, 9010010, 901002, 82008, 82001, 82014} {
		if a, _ := LookupAADSTS(c); !a.Community {
			t.Errorf("AADSTS%d must be marked community-observed", c)
		}
	}
}

func TestNewFindingAndSort(t *testing.T) {
	f := NewFinding("obo.assertion-aud-mismatch", "obo", "aud is Graph", map[string]string{"claim": "aud"})
	if f.Severity != SeverityError || f.AADSTS != 500131 || f.Title != "OBO assertion is not for the middle tier" || f.Docs == "" || f.Fix == "" {
		t.Errorf("NewFinding = %+v", f)
	}
	unknown := NewFinding("obo.no-such-rule", "obo", "d", nil)
	if unknown.Severity != SeverityError || unknown.Title != "obo.no-such-rule" {
		t.Errorf("unknown rule = %+v", unknown)
	}
	fs := []Finding{
		NewFinding("token.near-expiry", "token", "", nil),
		NewFinding("mcp.rejected", "mcp", "", nil),
		NewFinding("agent.no-challenge", "agent", "", nil),
		NewFinding("obo.consent-required", "obo", "", nil),
		NewFinding("agent.aud-mismatch", "agent", "", nil),
		NewFinding("token.expired", "signin", "", nil),
		{ID: "x.custom", Severity: SeverityError, Hop: "zeta"},
		{ID: "x.custom", Severity: SeverityError, Hop: "alpha"},
	}
	SortFindings(fs)
	got := make([]string, len(fs))
	for i, f := range fs {
		got[i] = f.Hop + "/" + f.ID
	}
	want := []string{"signin/token.expired", "agent/agent.aud-mismatch", "obo/obo.consent-required", "mcp/mcp.rejected", "alpha/x.custom", "zeta/x.custom",
		"agent/agent.no-challenge", "token/token.near-expiry"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("sorted\n got %v\nwant %v", got, want)
	}
	if e, w, i := CountBySeverity(fs); e != 6 || w != 1 || i != 1 {
		t.Errorf("counts %d %d %d", e, w, i)
	}
}

func TestRulesReturnsCopies(t *testing.T) {
	rs := Rules()
	rs[0].Title = "changed"
	rs[len(rs)-1].AADSTS = append(rs[len(rs)-1].AADSTS, 1)
	if r, _ := LookupRule(rs[0].ID); r.Title == "changed" {
		t.Error("Rules must return a copy")
	}
	r, _ := LookupRule("obo.scope-not-found")
	r.AADSTS[0] = 1
	if r2, _ := LookupRule("obo.scope-not-found"); r2.AADSTS[0] != 500011 {
		t.Error("LookupRule must return a copy of AADSTS")
	}
}
