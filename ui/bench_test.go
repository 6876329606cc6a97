package ui

import (
	"testing"

	"github.com/oboscope/oboscope/flows/report"
)

// BenchmarkClaimsTab250Groups renders the heaviest screen: the Claims tab of a token with 250
// groups, at 200×60, with the groups claim selected (its full value in the detail pane). A frame
// is 16 ms; this must stay far inside it.
func BenchmarkClaimsTab250Groups(b *testing.B) {
	m := newTestModel(b, modelConfig{mode: "inspect", rawToken: groupsToken(b), inspectOpts: report.InspectOptions{}}, 200, 60)
	claims := tabOf[*claimsPane](m.token.tabBar)
	for i, r := range claims.rows {
		if r.ex.Claim == "groups" {
			claims.list.to(i)
		}
	}
	if v := screen(m); len(v) == 0 {
		b.Fatal("empty view")
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		_ = m.render()
	}
}

// BenchmarkLoad250Groups decodes, lints and lays out the 250-group token (what a paste costs).
func BenchmarkLoad250Groups(b *testing.B) {
	raw := groupsToken(b)
	m := newTestModel(b, modelConfig{mode: "inspect", rawToken: raw}, 200, 60)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		m.token.load(raw)
		_ = m.render()
	}
}

func TestGroupsTokenClaimsTab(t *testing.T) {
	m := newTestModel(t, modelConfig{mode: "inspect", rawToken: groupsToken(t)}, 200, 60)
	press(m, "/", "g", "r", "o", "u", "p", "s", "enter")
	view := screen(m)
	mustContain(t, view, "groups", "[250] 00000000-1111-4222-8333-000000000000")
	checkFrame(t, view, 200, 60)
}
