package ui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/oboscope/oboscope/inspect"
)

// TestFindingDocsLinkWhole: a finding's docs link is wrapped onto a line of its own, never cut
// with "…" (QA U3).
func TestFindingDocsLinkWhole(t *testing.T) {
	s := NewStyles(true)
	f := inspect.Finding{ID: "mcp.aud-mismatch", Severity: inspect.SeverityError, Title: "T", Hop: "mcp", AADSTS: 50013,
		Docs: "https://modelcontextprotocol.io/specification/2025-06-18/basic/authorization"}
	var got []string
	for _, l := range findingDetail(s, f, 84) {
		got = append(got, strings.TrimRight(ansi.Strip(l), " "))
	}
	want := []string{"   AADSTS50013 ·", "   https://modelcontextprotocol.io/specification/2025-06-18/basic/authorization", "   enter: full explanation"}
	if tail := got[len(got)-3:]; strings.Join(tail, "|") != strings.Join(want, "|") {
		t.Fatalf("finding detail ends\n%q\nwant\n%q", tail, want)
	}
}
