package ui

import (
	"slices"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/oboscope/oboscope/flows"
	"github.com/oboscope/oboscope/inspect"
)

// The interface keeps time: once a second every relative time ("expires in 3m 2s"), countdown
// and elapsed time is drawn again, and a token that expires while it is shown turns into the
// finding inspect's lint raises for it at that moment.

// clockMsg is the clock's tick.
type clockMsg struct{}

// clockTick asks for the next tick, on the next whole second.
func clockTick() tea.Cmd {
	return tea.Every(time.Second, func(time.Time) tea.Msg { return clockMsg{} })
}

// clocked is a tab that shows times relative to now, drawn ahead of time: tick draws them again.
type clocked interface{ tick() }

// tickClock moves every screen on to the current time.
func (m *Model) tickClock() {
	if m.cfg.mode == "inspect" || m.screen == screenToken {
		m.token.tick()
	}
	if m.cfg.mode == "inspect" {
		return
	}
	if m.shown().lintClock(m.c.now()) {
		m.hop.invalidate()
	}
	m.reloadHop()
	if t, ok := m.hop.front().(clocked); ok && m.screen == screenHop {
		t.tick()
	}
}

// lintClock asks inspect which findings the clock raises now about the tokens the hops obtained
// that the walk did not raise when it ran (a token that expired since); it reports whether they
// changed.
func (w *walkState) lintClock(now time.Time) bool {
	if len(w.late) != len(w.hops) {
		w.late = make([][]inspect.Finding, len(w.hops))
	}
	changed := false
	for i, h := range w.hops {
		var late []inspect.Finding
		if h.Status != flows.StatusPending && h.Status != flows.StatusRunning {
			late = clockFindings(h, now)
		}
		if !slices.EqualFunc(late, w.late[i], func(a, b inspect.Finding) bool { return a.ID == b.ID }) {
			changed = true
		}
		w.late[i] = late
	}
	return changed
}

// clockFindings are the clock's findings about the tokens hop h obtained itself (not those it was
// handed, which the hop that obtained them reports), less those the walk raised already.
func clockFindings(h flows.HopResult, now time.Time) []inspect.Finding {
	var out []inspect.Finding
	seen := map[string]bool{}
	for _, f := range h.Findings {
		seen[f.ID] = true
	}
	for _, nt := range h.Tokens {
		if nt.Token == nil || nt.Origin != nil || nt.Role == flows.RoleCredential || nt.Role == flows.RoleReported {
			continue
		}
		for _, f := range inspect.LintTokenTimes(nt.Token, string(h.ID), inspect.Expectations{Now: now}) {
			if seen[f.ID] {
				continue
			}
			seen[f.ID] = true
			f.Detail = "Now, after the walk: " + nt.Name + ": " + f.Detail
			out = append(out, displayFinding(f))
		}
	}
	return out
}

// hopAt is hop i as the screens show it: what the walk recorded, with the findings the clock
// raised since.
func (w *walkState) hopAt(i int) flows.HopResult {
	h := w.hops[i]
	if i < len(w.late) && len(w.late[i]) > 0 {
		h.Findings = append(append([]inspect.Finding(nil), h.Findings...), w.late[i]...)
	}
	return h
}

// tick re-lints the token on screen when the clock's findings about it changed (it expired while
// shown), and draws the tab in front again.
func (t *tokenScreen) tick() {
	if t.decoded != nil {
		if ids := clockIDs(t.decoded, t.expectations()); !slices.Equal(ids, t.clockIDs) {
			t.lint()
		}
	}
	if c, ok := t.front().(clocked); ok {
		c.tick()
	}
}

// clockIDs are the IDs of the findings the clock raises about tok now.
func clockIDs(tok *inspect.Token, exp inspect.Expectations) []string {
	var ids []string
	for _, f := range inspect.LintTokenTimes(tok, "token", exp) {
		ids = append(ids, f.ID)
	}
	return ids
}
