package ui

import (
	"testing"

	"github.com/oboscope/oboscope/flows/report"
)

// TestTabKeys: tab and shift+tab cycle through the tabs of the screen in front, and the Nth
// number key selects its Nth tab; a number beyond its last tab leaves the tab in front.
func TestTabKeys(t *testing.T) {
	m := inspectModel(t, userToken(t, nil), report.InspectOptions{}, 120, 36)
	for _, step := range []struct{ key, want string }{
		{"3", "Raw"},
		{"4", "Raw"},
		{"6", "Raw"},
		{"tab", "Claims"},
		{"shift+tab", "Raw"},
		{"left", "Findings"},
		{"1", "Claims"},
		{"2", "Findings"},
	} {
		press(m, step.key)
		if got := m.token.activeTab(); got != step.want {
			t.Fatalf("after %s the tab in front is %s, want %s", step.key, got, step.want)
		}
	}
}
