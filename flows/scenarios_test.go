package flows_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/oboscope/oboscope/flows"
	"github.com/oboscope/oboscope/flows/report"
	"github.com/oboscope/oboscope/flows/sandbox"
	"github.com/oboscope/oboscope/inspect"
)

// jsonFinding is a finding as `check --format json` prints it.
type jsonFinding struct {
	ID       string `json:"id"`
	Severity string `json:"severity"`
	Hop      string `json:"hop"`
}

// checkReport is the part of `check --format json` the tests read.
type checkReport struct {
	Mode     string `json:"mode"`
	Scenario string `json:"scenario"`
	Hops     []struct {
		ID        string        `json:"id"`
		Status    string        `json:"status"`
		Error     string        `json:"error"`
		Findings  []jsonFinding `json:"findings"`
		Exchanges []struct {
			Method     string  `json:"method"`
			URL        string  `json:"url"`
			Status     int     `json:"status"`
			DurationMS float64 `json:"duration_ms"`
		} `json:"exchanges"`
		Tokens []struct {
			Name        string         `json:"name"`
			RawRedacted string         `json:"raw_redacted"`
			Header      map[string]any `json:"header"`
			Claims      map[string]any `json:"claims"`
		} `json:"tokens"`
	} `json:"hops"`
	Summary flows.Summary `json:"summary"`
}

func (r checkReport) findings() []jsonFinding {
	var out []jsonFinding
	for _, h := range r.Hops {
		out = append(out, h.Findings...)
	}
	return out
}

// findingIDs returns the sorted, distinct finding IDs of a report.
func (r checkReport) findingIDs() []string {
	seen := map[string]bool{}
	var out []string
	for _, f := range r.findings() {
		if !seen[f.ID] {
			seen[f.ID] = true
			out = append(out, f.ID)
		}
	}
	sort.Strings(out)
	return out
}

// expectedHop is where each scenario's findings must be raised (FINDINGS.md: a problem is
// reported once, at the hop where it is observed).
var expectedHop = map[string]string{
	"agent.aud-mismatch": "agent", "obo.assertion-aud-mismatch": "obo", "agent.missing-scope": "agent",
	"signin.scope-unqualified": "signin", "agent.app-only-token": "agent", "obo.app-only-assertion": "obo",
	"signin.public-client-disabled": "signin", "signin.user-not-in-tenant": "signin", "obo.consent-required": "obo",
	"obo.invalid-client-secret": "obo", "obo.client-secret-expired": "obo", "obo.claims-challenge": "obo",
	"obo.wrong-grant": "obo", "token.version-mismatch": "mcp", "mcp.prm-issuer-mismatch": "mcp",
	"mcp.aud-mismatch": "mcp", "mcp.token-passthrough": "mcp", "mcp.accepts-foreign-token": "mcp",
	"mcp.no-www-authenticate": "mcp", "mcp.no-resource-metadata": "mcp", "mcp.prm-resource-mismatch": "mcp",
	"mcp.downstream-passthrough": "downstream", "token.expired": "signin", "token.clock-skew": "signin",
	"agentid.user-token-as-credential": "obo", "agentid.assertion-aud-not-blueprint": "obo",
	"mcp.prm-resource-scope-mismatch": "mcp", "mcp.prm-no-scopes": "mcp", "obo.assertion-aud-case-mismatch": "obo",
	"obo.assertion-invalid": "obo", "obo.no-user-assertion": "agent", "obo.certificate-not-registered": "obo",
	"token.pop-bound-as-bearer": "agent", "agentid.fmi-path-missing": "obo", "obo.missing-client-credential": "obo",
	"agentid.wrong-agent-identity": "obo", "agentid.direct-client-credentials": "obo",
	"foundry.agent-identity-not-user": "mcp", "foundry.consent-pending": "agent", "foundry.tool-call-failed": "mcp",
	// The mcp-client chain's.
	"mcp.as-no-registration": "registration", "mcp.as-metadata-oidc-only": "metadata", "mcp.as-no-pkce-metadata": "metadata",
	"mcp.as-issuer-template": "metadata", "signin.refresh-scope-dropped": "refresh", "signin.refresh-resource-v1": "refresh",
}

// expectedHopIn overrides expectedHop for one scenario: a stored passthrough token that expired is
// observed where Foundry presents it, at the MCP server.
var expectedHopIn = map[string]map[string]string{
	"foundry-passthrough-expired": {"token.expired": "mcp"},
	// A hosted agent's own OBO request carries no assertion: observed at the exchange.
	"foundry-hosted-no-user": {"obo.no-user-assertion": "obo"},
	// The mcp-client chain observes these where its own hops see them.
	"mcp-client-resource-mismatch": {"mcp.prm-resource-scope-mismatch": "signin"},
	"mcp-client-prm-no-scopes":     {"mcp.prm-no-scopes": "metadata"},
}

// noErrorScenarios must raise no error finding and exit 0; noWarningScenarios no warning either.
var (
	noErrorScenarios = []string{"healthy", "agent-identity", "groups-overage", "multi-tenant-mcp", "prm-no-scopes", "agent-identity-wrong-identity",
		"foundry-agent-identity", "foundry-passthrough", "foundry-expects-user", "foundry-project-identity",
		"mcp-client-healthy", "mcp-client-multi-tenant", "mcp-client-prm-no-scopes"}
	noWarningScenarios = []string{"healthy", "agent-identity", "multi-tenant-mcp", "foundry-agent-identity", "foundry-passthrough",
		"mcp-client-healthy", "mcp-client-multi-tenant"}
)

// sandboxCheck runs `check --sandbox --scenario S --format json` in-process.
func sandboxCheck(t testing.TB, scenario string, opts sandbox.Options) (checkReport, int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	opts.Scenario, opts.AutoApprove = scenario, true
	s, err := sandbox.Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "oboscope.yaml")
	if _, err := s.WriteConfig(cfgPath); err != nil {
		t.Fatal(err)
	}
	cfg := s.Config(filepath.Join(dir, sandbox.CAFileName))
	var out, errb bytes.Buffer
	code := report.RunCheck(ctx, cfg, report.CheckOptions{Mode: "sandbox", Scenario: scenario, Format: "json"}, &out, &errb)
	var rep checkReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("%s: report is not JSON: %v\n%s\n%s", scenario, err, out.String(), errb.String())
	}
	return rep, code, out.String() + errb.String()
}

// placedFindings returns the sorted, distinct "hop:id" pairs of a report.
func (r checkReport) placedFindings() []string {
	seen := map[string]bool{}
	var out []string
	for _, f := range r.findings() {
		k := f.Hop + ":" + f.ID
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func TestEveryScenario(t *testing.T) {
	for _, sc := range sandbox.Scenarios() {
		t.Run(sc.Name, func(t *testing.T) {
			rep, code, _ := sandboxCheck(t, sc.Name, sandbox.Options{})
			got := map[string]jsonFinding{}
			for _, f := range rep.findings() {
				got[f.ID] = f
			}
			for _, id := range sc.Expect {
				f, ok := got[id]
				if !ok {
					t.Errorf("%s: expected finding %s not raised; got %v", sc.Name, id, rep.findingIDs())
					continue
				}
				want := expectedHop[id]
				if w, ok := expectedHopIn[sc.Name][id]; ok {
					want = w
				}
				if want != "" && f.Hop != want {
					t.Errorf("%s: %s raised at hop %s, want %s", sc.Name, id, f.Hop, want)
				}
			}
			if slices.Contains(noErrorScenarios, sc.Name) {
				for _, f := range rep.findings() {
					if f.Severity == "error" || (f.Severity == "warning" && slices.Contains(noWarningScenarios, sc.Name)) {
						t.Errorf("%s: unexpected %s finding %s at %s", sc.Name, f.Severity, f.ID, f.Hop)
					}
				}
				if code != 0 && sc.Name != "groups-overage" {
					t.Errorf("%s: exit code %d, want 0", sc.Name, code)
				}
			}
			for _, h := range rep.Hops {
				if h.Error != "" && strings.Contains(h.Error, "\n") {
					t.Errorf("%s: hop %s error is not one line: %q", sc.Name, h.ID, h.Error)
				}
			}
			if len(sc.Expect) > 0 && code == 0 && hasErrorExpected(sc.Expect) {
				t.Errorf("%s: exit code 0 with error findings expected", sc.Name)
			}
			t.Logf("%s: exit %d, findings %v", sc.Name, code, rep.findingIDs())
		})
	}
}

func hasErrorExpected(ids []string) bool {
	for _, id := range ids {
		if r, ok := inspect.LookupRule(id); ok && r.Severity == inspect.SeverityError && id != "token.groups-overage" {
			return true
		}
	}
	return false
}

func TestMain(m *testing.M) {
	flag.Parse()
	boundFuzzMinimization()
	code := m.Run()
	cleanupBinary()
	os.Exit(code)
}
