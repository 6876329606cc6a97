package flows_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/oboscope/oboscope/flows"
	"github.com/oboscope/oboscope/flows/report"
	"github.com/oboscope/oboscope/inspect"
)

// TestMarkdownInert: server text in the Markdown report cannot inject HTML or markup.
func TestMarkdownInert(t *testing.T) {
	srv := quietTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"reply":"col1 | col2 <img src=x onerror=alert(1)> ` + "`tick`" + ` **bold** [l](http://x)"}`))
	}))
	defer srv.Close()
	cfg := tokenConfig(t, "https://login.microsoftonline.com", srv.URL+"/agent", certPEM(srv))
	var out, errb strings.Builder
	report.RunCheck(context.Background(), cfg, report.CheckOptions{Format: "markdown"}, &out, &errb)
	md := out.String()
	for _, bad := range []string{"<img", "**bold**", "`tick`", "[l](http"} {
		if strings.Contains(md, bad) {
			t.Fatalf("markdown carries %q:\n%s", bad, md)
		}
	}
	if !strings.Contains(md, "&lt;img src=x onerror=alert(1)&gt; \\`tick\\` \\*\\*bold\\*\\* \\[l\\](http://x)") {
		t.Fatalf("reply not shown escaped:\n%s", md)
	}
}

// TestReportsAreTerminalSafe: an agent's reply and a token's claims are attacker-controlled;
// no report format carries their escape sequences, C1 controls or bidi overrides raw.
func TestReportsAreTerminalSafe(t *testing.T) {
	srv := quietTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"reply":"hi \u001b[31mRED\u001b[0m \u001b]0;pwned\u0007 \u202eevil"}`))
	}))
	defer srv.Close()
	cfg := tokenConfig(t, "https://login.microsoftonline.com", srv.URL+"/agent", certPEM(srv))
	cfg.Signin.TokenFile = writeFile(t, t.TempDir(), "t.jwt", fakeJWT(t, map[string]any{"name": "\u202eevil\a\x1b[2J\u009b31m", "preferred_username": "x\x1b[31m@contoso.example"}))
	for _, format := range []string{"text", "markdown", "json"} {
		var out, errb strings.Builder
		report.RunCheck(context.Background(), cfg, report.CheckOptions{Format: format}, &out, &errb)
		all := out.String() + errb.String()
		if i := strings.IndexFunc(all, func(r rune) bool {
			return (r < 0x20 && r != '\n' && r != '\t') || (r >= 0x7f && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
		}); i >= 0 {
			t.Fatalf("%s report carries %q at %d:\n%s", format, all[i:min(i+12, len(all))], i, all)
		}
		if format == "text" && !strings.Contains(all, `answered 200: hi \x1b[31mRED\x1b[0m \x1b]0;pwned\x07 \u202eevil`) {
			t.Fatalf("text report does not show the reply escaped:\n%s", all)
		}
	}
}

// TestTextReportSaysErrorOnce: the hop's error line is left out when its story already says
// it (same text or same AADSTS code); the finding keeps the detail.
func TestTextReportSaysErrorOnce(t *testing.T) {
	for _, scenario := range []string{"wrong-audience", "consent-missing"} {
		out := sandboxText(t, scenario)
		if strings.Contains(out, "error: obo:") {
			t.Errorf("%s: the obo error repeats the story:\n%s", scenario, out)
		}
		if !strings.Contains(out, "Entra refused the exchange: AADSTS") {
			t.Errorf("%s: the story no longer tells the Entra error:\n%s", scenario, out)
		}
	}
}

// TestExitCodeConfigFindingsOnly: findings about the configuration (an unqualified scope)
// do not make a walk that reached nothing "ran": the exit code stays 2.
func TestExitCodeConfigFindingsOnly(t *testing.T) {
	for _, scopes := range [][]string{{"access_as_user"}, {"api://contoso-agent/access_as_user"}} {
		cfg := flows.Config{TenantID: testTenant, AuthorityHost: "https://127.0.0.1:1",
			Signin: flows.SigninConfig{ClientID: testClient, Scopes: scopes},
			Agent:  flows.AgentConfig{URL: "https://127.0.0.1:1/agent", ClientID: testAgent}, OBO: flows.OBOConfig{Mode: "none"}}
		if _, code, _ := runCheck(t, cfg, 2*time.Second); code != 2 {
			t.Fatalf("scopes %v: exit code %d, want 2 (nothing could run)", scopes, code)
		}
	}
	tests := []struct {
		name string
		rep  flows.Report
		want int
	}{
		{"config finding only", flows.Report{Hops: []flows.HopResult{{ID: flows.HopSignin, Status: flows.StatusFailed,
			Findings:  []inspect.Finding{inspect.NewFinding("signin.scope-unqualified", "signin", "x", nil)},
			Exchanges: []flows.Exchange{{Method: "GET", Err: "unreachable"}}}}, Summary: flows.Summary{Warnings: 1}}, 2},
		{"an answer without a finding (truncated discovery)", flows.Report{Hops: []flows.HopResult{{ID: flows.HopSignin, Status: flows.StatusFailed,
			Exchanges: []flows.Exchange{{Method: "GET", Status: 200}}}}}, 2},
		{"an Entra error answered", flows.Report{Hops: []flows.HopResult{{ID: flows.HopSignin, Status: flows.StatusFailed,
			Findings:  []inspect.Finding{inspect.NewFinding("signin.scope-unqualified", "signin", "x", nil)},
			Exchanges: []flows.Exchange{{Method: "POST", Status: 400}}}}, Summary: flows.Summary{Warnings: 1}}, 1},
		{"a token, no problem", flows.Report{Hops: []flows.HopResult{{ID: flows.HopSignin, Status: flows.StatusOK,
			Tokens: []flows.NamedToken{{Name: "user token"}}}}}, 0},
	}
	for _, tt := range tests {
		if got := tt.rep.ExitCode(); got != tt.want {
			t.Errorf("%s: exit code %d, want %d", tt.name, got, tt.want)
		}
	}
}
