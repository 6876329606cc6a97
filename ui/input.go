package ui

import (
	"fmt"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/oboscope/oboscope/inspect"
)

// handleKey routes a key: overlays first, then a text field being typed, then global keys,
// then the screen in front.
func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.c.keys
	if msg.String() == "ctrl+c" {
		return tea.Quit
	}
	if m.tooSmall() {
		if key.Matches(msg, k.Quit) {
			return tea.Quit
		}
		return nil
	}
	if m.overlay != overlayNone {
		return m.overlayKey(msg)
	}
	if t, ok := m.tabbed(); ok && (t.capturing() || t.takesKey(msg)) {
		return m.screenUpdate(msg)
	}
	if cmd, ok := m.globalKey(msg); ok {
		return cmd
	}
	switch m.screen {
	case screenStep:
		return m.stepKey(msg)
	case screenOverview:
		return m.overviewKey(msg)
	case screenHop:
		ws := m.shown()
		switch {
		case key.Matches(msg, k.Back) && !m.hop.handlesBack():
			m.overview.selectHop(m.hop.shown())
			m.screen = m.home()
			return nil
		case key.Matches(msg, k.NextHop):
			m.openHop((m.hop.shown()+1)%len(ws.hops), keepTab)
			return nil
		case key.Matches(msg, k.PrevHop):
			m.openHop((m.hop.shown()+len(ws.hops)-1)%len(ws.hops), keepTab)
			return nil
		case key.Matches(msg, k.NextToken):
			m.hop.nextToken(ws, m.other())
			return nil
		}
	case screenToken:
		if key.Matches(msg, k.Back) && !m.token.handlesBack() && m.cfg.mode != "inspect" {
			m.screen = m.back
			return nil
		}
	}
	// On a tab that lists findings, enter and x explain the selected one.
	if t, ok := m.tabbed(); ok && (key.Matches(msg, k.Open) || key.Matches(msg, k.Explain)) {
		if f, ok := t.selectedFinding(); ok {
			m.explain = newExplainView(m.c, f)
			m.overlay = overlayExplain
			return nil
		}
	}
	return m.screenUpdate(msg)
}

// globalKey handles the keys that act on every screen of the walk (and quit, help and the mouse
// everywhere); ok is false when msg is none of them.
func (m *Model) globalKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	k := m.c.keys
	walkMode := m.cfg.mode != "inspect"
	switch {
	case key.Matches(msg, k.Quit):
		return tea.Quit, true
	case key.Matches(msg, k.Help):
		m.overlay = overlayHelp
		return nil, true
	case key.Matches(msg, k.Mouse):
		m.mouseOff = !m.mouseOff
		if m.mouseOff {
			return m.notify("Mouse off: drag to select text · m turns the mouse back on", toastInfo), true
		}
		return m.notify("Mouse on: click hops, tabs and rows; the wheel scrolls", toastInfo), true
	case key.Matches(msg, k.CopyToken):
		return m.copyToken(), true
	case key.Matches(msg, k.CopyValue):
		return m.copyValue(), true
	case !walkMode:
		return nil, false
	case key.Matches(msg, k.Scenarios):
		if m.cfg.mode != "sandbox" {
			return m.notify("Scenarios need the sandbox: run oboscope --sandbox", toastError), true
		}
		m.picker = newScenarioPicker(m.c, m.cfg.scenarios, m.walk.scenario)
		m.overlay = overlayScenarios
		return nil, true
	case key.Matches(msg, k.Rerun):
		return m.walkAgain("walk", "Walking again"), true
	case key.Matches(msg, k.RerunHop):
		return m.rerunSelectedHop(), true
	case key.Matches(msg, k.RetryClaims):
		return m.retryClaims(), true
	case key.Matches(msg, k.StepMode):
		return m.toggleStep(), true
	case key.Matches(msg, k.Pace):
		return m.cyclePace(), true
	case key.Matches(msg, k.FlipRun):
		return m.flipRun(), true
	case key.Matches(msg, k.ExportMarkdown):
		return m.export("markdown"), true
	case key.Matches(msg, k.ExportJSON):
		return m.export("json"), true
	}
	return nil, false
}

// overviewKey handles the overview's keys: open a hop, explain the first error, back to the steps.
func (m *Model) overviewKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.c.keys
	ws := m.shown()
	switch {
	case key.Matches(msg, k.Open):
		m.openHop(m.overview.selected(), firstTab)
		return nil
	case key.Matches(msg, k.Explain):
		if f, _, bad := ws.firstError(); bad && f.ID != "" {
			m.explain = newExplainView(m.c, f)
			m.overlay = overlayExplain
			return nil
		}
		if _, hop, bad := ws.firstError(); bad {
			return m.notify(fmt.Sprintf("Hop %d failed without a finding: its error is on screen", ws.index(hop.ID)+1), toastInfo)
		}
		return m.notify("No error to explain", toastInfo)
	case msg.String() == "space" && m.step.active() && !m.viewPrev:
		m.screen = screenStep
		return nil
	}
	var cmd tea.Cmd
	m.overview, cmd = m.overview.Update(msg)
	return cmd
}

// stepKey handles the step screen's keys: forward and back through the pages, open the page's
// hop, leave for the overview.
func (m *Model) stepKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.c.keys
	switch {
	case key.Matches(msg, k.Step):
		return m.stepForward()
	case key.Matches(msg, k.StepBack):
		return m.stepBack()
	case key.Matches(msg, k.Open):
		if pg, ok := m.step.page(); ok {
			m.openHop(pg.hop, firstTab)
		}
	case key.Matches(msg, k.Back):
		m.screen = screenOverview
		if pg, ok := m.step.page(); ok {
			m.overview.selectHop(pg.hop)
		}
	}
	return nil
}

// tabbedScreen is what the root model asks of a screen with tabs (the hop and token screens);
// the tab in front answers.
type tabbedScreen interface {
	capturing() bool
	takesKey(msg tea.KeyPressMsg) bool
	handlesBack() bool
	copyValue() (what, text string, ok bool)
	selectedFinding() (inspect.Finding, bool)
	wheel(delta, y int) bool
}

// tabbed returns the screen in front when it has tabs.
func (m *Model) tabbed() (tabbedScreen, bool) {
	switch m.screen {
	case screenHop:
		return &m.hop, true
	case screenToken:
		return &m.token, true
	}
	return nil, false
}

// capturing reports whether the screen in front is taking typed text.
func (m *Model) capturing() bool {
	t, ok := m.tabbed()
	return ok && t.capturing()
}

// screenUpdate passes a message to the screen in front.
func (m *Model) screenUpdate(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	switch m.screen {
	case screenOverview:
		m.overview, cmd = m.overview.Update(msg)
	case screenHop:
		m.hop, cmd = m.hop.Update(msg)
	case screenToken:
		m.token, cmd = m.token.Update(msg)
	}
	return cmd
}

// overlayKey handles keys while an overlay is open; esc, q and the overlay's own key close it.
func (m *Model) overlayKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.c.keys
	if m.overlay == overlayScenarios {
		// The picker takes what is typed as its filter: only esc with nothing typed closes it.
		if m.picker.closes(msg) {
			m.overlay = overlayNone
			return nil
		}
		var cmd tea.Cmd
		m.picker, cmd = m.picker.Update(msg)
		return cmd
	}
	if key.Matches(msg, k.Back) || key.Matches(msg, k.Quit) ||
		(m.overlay == overlayHelp && key.Matches(msg, k.Help)) {
		m.overlay = overlayNone
		return nil
	}
	var cmd tea.Cmd
	switch m.overlay {
	case overlayScenarios:
		m.picker, cmd = m.picker.Update(msg)
	case overlayExplain:
		m.explain, cmd = m.explain.Update(msg)
	}
	return cmd
}

// openHop shows hop i of the run on screen in detail, on tab: firstTab, or keepTab for the tab
// in front.
func (m *Model) openHop(i, tab int) {
	m.screen = screenHop
	m.overview.selectHop(i)
	m.hop.open(m.shown(), m.other(), i, tab)
}

// rerunSelectedHop re-runs the hop in front (or selected on the rail) with the earlier outputs,
// keeping the run before as the previous one.
func (m *Model) rerunSelectedHop() tea.Cmd {
	m.latest()
	ws := &m.walk
	if ws.running || ws.walk == nil {
		return m.notify("Wait for the walk to finish before re-running a hop", toastError)
	}
	i := m.overview.selected()
	if m.screen == screenHop {
		i = m.hop.shown()
	}
	m.keepRun()
	m.step.release()
	m.step.restart()
	ws.running = true
	ws.runHop = ws.hops[i].ID
	ws.rerunning(i)
	ws.lastRun = fmt.Sprintf("hop %d re-run", i+1)
	ws.started, ws.finished = m.c.now(), time.Time{}
	if m.step.on {
		m.screen = screenStep
	}
	m.reloadHop()
	return tea.Batch(rerunHop(m.cfg.ctx, ws.gen, ws.walk, ws.hops[i].ID), m.spin.Tick,
		m.notifyRun("Re-running hop "+fmt.Sprint(i+1)+" "+ws.hops[i].Short), m.paceTimer())
}

// retryClaims answers the claims challenge of the last walk: sign in again passing it, then walk
// on, keeping the run before as the previous one.
func (m *Model) retryClaims() tea.Cmd {
	m.latest()
	ws := &m.walk
	switch {
	case ws.running || ws.walk == nil:
		return m.notify("Wait for the walk to finish first", toastError)
	case ws.claims == "":
		return m.notify("No claims challenge to answer: Entra did not send one", toastError)
	}
	w := ws.walk
	cfg, stop, names := ws.cfg, ws.stop, ws.names
	req := inspect.ClaimsRequirement(ws.claims, ws.findings())
	m.keepRun()
	m.step.release()
	m.step.restart()
	ws.gen++
	ws.reset()
	ws.walk, ws.cfg, ws.stop, ws.names = w, cfg, stop, names
	ws.answering = &req
	ws.running = true
	ws.lastRun = "retry with claims"
	ws.started, ws.finished = m.c.now(), time.Time{}
	m.hop.invalidate()
	m.screen = m.home()
	return tea.Batch(retryWithClaims(m.cfg.ctx, ws.gen, w), m.spin.Tick,
		m.notifyRun("Signing in again with the claims challenge"), m.paceTimer())
}
