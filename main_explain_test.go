package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// TestExplainCommand: explain without an argument shows what it accepts (exit 2); unquoted text
// is one paste; - reads standard input; --json prints exactly recognised, aadsts and findings.
func TestExplainCommand(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"explain"}, strings.NewReader(""), &out, &errb); code != 2 ||
		!strings.Contains(errb.String(), "a log line, an Entra error body, an MSAL") || !strings.Contains(errb.String(), "WWW-Authenticate") {
		t.Errorf("explain alone: exit %d\n%s", code, errb.String())
	}
	out.Reset()
	errb.Reset()
	args := strings.Fields("explain AADSTS9010010: The resource parameter provided in the request doesn't match with the requested scopes.")
	if code := run(context.Background(), args, strings.NewReader(""), &out, &errb); code != 0 || !strings.Contains(out.String(), "mcp.prm-resource-scope-mismatch") {
		t.Errorf("unquoted text: exit %d\n%s%s", code, out.String(), errb.String())
	}
	out.Reset()
	errb.Reset()
	body := `{"error":"unauthorized_client","error_description":"AADSTS7000114: Application 'x' is not allowed to make application on-behalf-of calls.","error_codes":[7000114]}`
	if code := run(context.Background(), []string{"explain", "-", "--json"}, strings.NewReader(body), &out, &errb); code != 0 {
		t.Fatalf("stdin: exit %d %s", code, errb.String())
	}
	var got map[string]json.RawMessage
	if err := json.Unmarshal(out.Bytes(), &got); err != nil || len(got) != 3 || got["recognised"] == nil || got["aadsts"] == nil || got["findings"] == nil {
		t.Fatalf("--json = %s (%v)", out.String(), err)
	}
	var findings []map[string]any
	_ = json.Unmarshal(got["findings"], &findings)
	if len(findings) != 1 || len(findings[0]) != 5 || findings[0]["id"] != "obo.app-only-assertion" {
		t.Errorf("findings = %s", got["findings"])
	}
	out.Reset()
	errb.Reset()
	if code := run(context.Background(), []string{"explain", "-"}, strings.NewReader("nothing to see here"), &out, &errb); code != 2 {
		t.Errorf("unrecognised text: exit %d", code)
	}
	out.Reset()
	if code := run(context.Background(), []string{"explain", "obo.no-user-assertion", "--json"}, strings.NewReader(""), &out, &errb); code != 0 ||
		!strings.Contains(out.String(), `"recognised": [`+"\n"+`    "finding-id"`) {
		t.Errorf("ID as JSON: exit %d\n%s", code, out.String())
	}
}
