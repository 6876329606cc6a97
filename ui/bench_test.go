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

// BenchmarkClaimsTab250GroupsTicking is BenchmarkClaimsTab250Groups with the clock ticking:
// each frame follows a tick, which draws the relative times again and asks inspect whether the
// token expired meanwhile. It must stay far inside a frame too.
func BenchmarkClaimsTab250GroupsTicking(b *testing.B) {
	m := newTestModel(b, modelConfig{mode: "inspect", rawToken: groupsToken(b), inspectOpts: report.InspectOptions{}}, 200, 60)
	claims := tabOf[*claimsPane](m.token.tabBar)
	for i, r := range claims.rows {
		if r.ex.Claim == "groups" {
			claims.list.to(i)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		m.Update(clockMsg{})
		_ = m.render()
	}
}

// BenchmarkStepScreenTicking renders the heaviest walk screen of step mode — the answer of the
// OBO exchange, pretty JSON — after a tick.
func BenchmarkStepScreenTicking(b *testing.B) {
	m := stepModel(b, "healthy", 200, 60)
	d := newDriver(b, m)
	d.exec(m.Init())
	d.until(func() bool { return len(m.step.pages) > 0 })
	for {
		pg, _ := m.step.page()
		if pg.plan == nil && m.walk.hops[pg.hop].ID == "obo" {
			break
		}
		nextPage(d)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		m.Update(clockMsg{})
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
