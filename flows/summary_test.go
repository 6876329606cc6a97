package flows_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/oboscope/oboscope/flows"
	"github.com/oboscope/oboscope/flows/report"
)

// TestSummaryNamesFailedHops: the summary line and the JSON report name the hops that failed,
// so "0 errors" next to exit code 1 (a hop that failed without a finding) is never a puzzle.
func TestSummaryNamesFailedHops(t *testing.T) {
	for _, c := range []struct {
		s    flows.Summary
		want string
	}{
		{flows.Summary{Infos: 1}, "0 errors, 0 warnings, 1 info"},
		{flows.Summary{Errors: 2, Infos: 1, FailedHops: []flows.HopID{"agent", "obo"}}, "2 errors, 0 warnings, 1 info; 2 hops failed: agent, obo"},
		{flows.Summary{FailedHops: []flows.HopID{"mcp"}}, "0 errors, 0 warnings, 0 info; 1 hop failed: mcp"},
	} {
		if got := c.s.String(); got != c.want {
			t.Errorf("String() = %q, want %q", got, c.want)
		}
	}

	rep := sandboxWalkReport(t, "wrong-audience")
	if want := []flows.HopID{"agent", "obo"}; !reflect.DeepEqual(rep.Summary.FailedHops, want) {
		t.Fatalf("failed hops %v, want %v", rep.Summary.FailedHops, want)
	}
	var b strings.Builder
	if err := report.Write(&b, rep, "json"); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Summary map[string]any `json:"summary"`
	}
	if err := json.Unmarshal([]byte(b.String()), &doc); err != nil {
		t.Fatal(err)
	}
	if got := doc.Summary["failed_hops"]; !reflect.DeepEqual(got, []any{"agent", "obo"}) {
		t.Fatalf("json summary %v", doc.Summary)
	}
	if healthy := sandboxWalkReport(t, "healthy"); healthy.Summary.FailedHops != nil {
		t.Fatalf("healthy walk has failed hops %v", healthy.Summary.FailedHops)
	}
}
