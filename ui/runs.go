package ui

import (
	"slices"

	tea "charm.land/bubbletea/v2"

	"github.com/oboscope/oboscope/flows"
)

// Before and after: a new run (r, R, a, s, S) keeps the one before it, so the person can flip
// between the two (f) — after fixing a registration, after answering a claims challenge — and the
// Diff tab can compare a hop's token with the same hop's token of the other run (v).

// keepRun keeps the latest run as the previous one before a new run changes it, when it shows
// anything.
func (m *Model) keepRun() {
	ws := &m.walk
	if !slices.ContainsFunc(ws.hops, func(h flows.HopResult) bool { return h.Status != flows.StatusPending }) {
		return
	}
	prev := *ws
	prev.hops = slices.Clone(ws.hops)
	prev.late = slices.Clone(ws.late)
	prev.ranAt = slices.Clone(ws.ranAt)
	prev.inflight = nil
	prev.walk, prev.stop, prev.cancel = nil, nil, nil
	prev.running, prev.starting = false, false
	if prev.finished.IsZero() {
		prev.finished = m.c.now() // cut short by the new run
	}
	prev.previous = true
	m.prev = &prev
	m.viewPrev = false
}

// shown is the run on screen: the latest, or the previous one after f.
func (m *Model) shown() *walkState {
	if m.viewPrev && m.prev != nil {
		return m.prev
	}
	return &m.walk
}

// other is the run not on screen (nil when there is only one).
func (m *Model) other() *walkState {
	switch {
	case m.prev == nil:
		return nil
	case m.viewPrev:
		return &m.walk
	}
	return m.prev
}

// flipRun shows the other run.
func (m *Model) flipRun() tea.Cmd {
	if m.prev == nil {
		return m.notify("No earlier run yet: r, R, a or s keep the run on screen when they start a new one", toastError)
	}
	m.viewPrev = !m.viewPrev
	ws := m.shown()
	m.overview.setHops(len(ws.hops))
	if m.screen == screenHop && m.hop.shown() >= len(ws.hops) {
		m.screen = screenOverview
	}
	m.hop.invalidate()
	m.reloadHop()
	if m.viewPrev {
		return m.notify("Showing the previous run · f returns to the latest", toastInfo)
	}
	return m.notify("Showing the latest run", toastInfo)
}

// latest returns to the latest run before an action that starts a new one or acts on it.
func (m *Model) latest() {
	if m.viewPrev {
		m.viewPrev = false
		m.overview.setHops(len(m.walk.hops))
		m.hop.invalidate()
	}
}

// runName names a run for the screens: "previous run" or "latest run".
func runName(ws *walkState) string {
	if ws.previous {
		return "previous run"
	}
	return "latest run"
}

// counterpart is the token of the other run that stands where nt stands in this one: the same
// hop's token of the same name and role, else the token that hop handed on.
func counterpart(other *walkState, hop flows.HopID, nt flows.NamedToken) (flows.NamedToken, bool) {
	i := other.index(hop)
	if i < 0 {
		return flows.NamedToken{}, false
	}
	for _, o := range other.hops[i].Tokens {
		if o.Token != nil && o.Name == nt.Name && o.Role == nt.Role {
			return o, true
		}
	}
	if nt.HandedOn {
		return handedOn(other.hops, i)
	}
	return flows.NamedToken{}, false
}

// acrossRuns is what the Diff tab compares a token with when it compares runs: the same hop's
// token in the other run, or a note saying why there is none.
func acrossRuns(other *walkState, otherName string, hop flows.HopID, nt flows.NamedToken) diffSource {
	if other == nil {
		return diffSource{note: "There is no other run to compare with yet: r, R, a or s keep this one when they start the next."}
	}
	if nt.Token == nil {
		return diffSource{}
	}
	o, ok := counterpart(other, hop, nt)
	if !ok {
		return diffSource{note: "The " + otherName + " has no " + nt.Name + " at this hop to compare with."}
	}
	return diffSource{name: o.Name + " (" + otherName + ")", tok: o.Token}
}
