package ui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/oboscope/oboscope/flows"
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
	if m.capturing() {
		return m.screenUpdate(msg)
	}
	walkMode := m.cfg.mode != "inspect"
	switch {
	case key.Matches(msg, k.Quit):
		return tea.Quit
	case key.Matches(msg, k.Help):
		m.overlay = overlayHelp
		return nil
	case key.Matches(msg, k.Scenarios) && walkMode:
		if m.cfg.mode != "sandbox" {
			return m.notify("Scenarios need the sandbox: run oboscope without --config", toastError)
		}
		m.picker = newScenarioPicker(m.c, m.cfg.scenarios, m.walk.scenario)
		m.overlay = overlayScenarios
		return nil
	case key.Matches(msg, k.Rerun) && walkMode:
		return tea.Batch(m.startSession(m.walk.scenario, false), m.notifyRun("Walking again"))
	case key.Matches(msg, k.RerunHop) && walkMode:
		return m.rerunSelectedHop()
	case key.Matches(msg, k.RetryClaims) && walkMode:
		return m.retryClaims()
	case key.Matches(msg, k.ExportMarkdown) && walkMode:
		return m.export("markdown")
	case key.Matches(msg, k.ExportJSON) && walkMode:
		return m.export("json")
	case key.Matches(msg, k.CopyToken):
		return m.copyToken()
	case key.Matches(msg, k.CopyValue):
		return m.copyValue()
	}
	switch m.screen {
	case screenOverview:
		if key.Matches(msg, k.Open) {
			m.openHop(m.overview.selected(), firstTab)
			return nil
		}
		if key.Matches(msg, k.Explain) {
			if f, _, bad := m.walk.firstError(); bad && f.ID != "" {
				m.explain = newExplainView(m.c, f)
				m.overlay = overlayExplain
				return nil
			}
			if _, hop, bad := m.walk.firstError(); bad {
				return m.notify(fmt.Sprintf("Hop %d failed without a finding: its error is on screen", m.walk.index(hop.ID)+1), toastInfo)
			}
			return m.notify("No error to explain", toastInfo)
		}
		var cmd tea.Cmd
		m.overview, cmd = m.overview.Update(msg)
		return cmd
	case screenHop:
		switch {
		case key.Matches(msg, k.Back) && !m.hop.handlesBack():
			m.screen = screenOverview
			m.overview.selectHop(m.hop.shown())
			return nil
		case key.Matches(msg, k.NextHop):
			m.openHop((m.hop.shown()+1)%len(m.walk.hops), keepTab)
			return nil
		case key.Matches(msg, k.PrevHop):
			m.openHop((m.hop.shown()+len(m.walk.hops)-1)%len(m.walk.hops), keepTab)
			return nil
		case key.Matches(msg, k.NextToken):
			m.hop.nextToken(&m.walk)
			return nil
		}
	case screenToken:
		if key.Matches(msg, k.Back) && !m.token.handlesBack() && walkMode {
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

// tabbedScreen is what the root model asks of a screen with tabs (the hop and token screens);
// the tab in front answers.
type tabbedScreen interface {
	capturing() bool
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
	if key.Matches(msg, k.Back) || key.Matches(msg, k.Quit) ||
		(m.overlay == overlayHelp && key.Matches(msg, k.Help)) ||
		(m.overlay == overlayScenarios && key.Matches(msg, k.Scenarios)) {
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

// openHop shows hop i in detail, on tab: firstTab, or keepTab for the tab in front.
func (m *Model) openHop(i, tab int) {
	m.screen = screenHop
	m.overview.selectHop(i)
	m.hop.open(&m.walk, i, tab)
}

// rerunSelectedHop re-runs the hop in front (or selected on the rail) with the earlier outputs.
func (m *Model) rerunSelectedHop() tea.Cmd {
	ws := &m.walk
	if ws.running || ws.walk == nil {
		return m.notify("Wait for the walk to finish before re-running a hop", toastError)
	}
	i := m.overview.selected()
	if m.screen == screenHop {
		i = m.hop.shown()
	}
	ws.running = true
	ws.runHop = ws.hops[i].ID
	ws.rerunning(i)
	ws.lastRun = fmt.Sprintf("hop %d re-run", i+1)
	ws.started, ws.finished = m.c.now(), time.Time{}
	return tea.Batch(rerunHop(m.cfg.ctx, ws.gen, ws.walk, ws.hops[i].ID), m.spin.Tick,
		m.notifyRun("Re-running hop "+fmt.Sprint(i+1)+" "+ws.hops[i].Short))
}

// retryClaims answers the claims challenge of the last walk: sign in again passing it, then walk on.
func (m *Model) retryClaims() tea.Cmd {
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
	ws.gen++
	ws.reset()
	ws.walk, ws.cfg, ws.stop, ws.names = w, cfg, stop, names
	ws.answering = &req
	ws.running = true
	ws.lastRun = "retry with claims"
	ws.started, ws.finished = m.c.now(), time.Time{}
	m.hop.invalidate()
	return tea.Batch(retryWithClaims(m.cfg.ctx, ws.gen, w), m.spin.Tick,
		m.notifyRun("Signing in again with the claims challenge"))
}

// export writes the last report in format to the export folder.
func (m *Model) export(format string) tea.Cmd {
	if m.walk.report == nil {
		return m.notify("No report yet: the walk has not finished", toastError)
	}
	return exportCmd(m.cfg.exportDir, *m.walk.report, format, m.c.now())
}

// copyToken copies the token in front: the device code while signing in, the hop's selected
// token, the rail's selected hop's last token, or the inspected token.
func (m *Model) copyToken() tea.Cmd {
	ws := &m.walk
	switch m.screen {
	case screenOverview:
		if ws.device != nil && ws.hops[0].Status == flows.StatusRunning {
			return copyCmd(m.cfg.clipboard, "device code "+ws.device.UserCode, ws.device.UserCode)
		}
		if ws.consentPending() {
			return copyCmd(m.cfg.clipboard, "the consent link", ws.consent.Link)
		}
		if nt, ok := handedOn(ws.hops, m.overview.selected()); ok && nt.Raw != "" {
			return copyCmd(m.cfg.clipboard, nt.Name, nt.Raw)
		} else if ok && nt.Token != nil {
			return m.notify(uncopyable(nt), toastError)
		}
	case screenHop:
		if nt, ok := m.hop.token(); ok && nt.Raw != "" {
			return copyCmd(m.cfg.clipboard, nt.Name, nt.Raw)
		} else if ok && nt.Token != nil {
			return m.notify(uncopyable(nt), toastError)
		}
	case screenToken:
		if tok := m.token.shown(); tok != nil {
			bare, err := inspect.NormalizeToken(tok.Raw)
			if err != nil {
				bare = strings.TrimSpace(tok.Raw)
			}
			return copyCmd(m.cfg.clipboard, "the token", bare)
		}
	}
	return m.notify("No token here to copy", toastError)
}

// copyValue copies the selected value of the tab in front: a claim, a finding's fix, an
// exchange's URL.
func (m *Model) copyValue() tea.Cmd {
	if t, ok := m.tabbed(); ok {
		if what, text, ok := t.copyValue(); ok {
			return copyCmd(m.cfg.clipboard, what, text)
		}
	}
	return m.notify("Nothing selected to copy here (claims, findings and HTTP tabs)", toastError)
}

// handlePaste inspects a pasted token: in place in `inspect`, or on a token screen over the walk.
func (m *Model) handlePaste(text string) tea.Cmd {
	if m.capturing() {
		return m.screenUpdate(tea.PasteMsg{Content: text})
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return nil
	}
	if m.screen != screenToken {
		// Over the walk, text that is not a token leaves the walk on screen.
		if _, err := inspect.DecodeUnverified(inspect.UnwrapTokenResponse(text)); err != nil {
			if cmd, ok := m.explainPaste(text); ok {
				return cmd
			}
			return m.notify("The pasted text is not a token: "+inspect.Printable(err.Error(), false), toastError)
		}
		m.back = m.screen
	}
	m.overlay = overlayNone
	m.screen = screenToken
	m.token.load(text)
	refused, undecodable := m.token.loadErrors()
	switch {
	case refused != nil:
		return m.notify("Not a token: "+inspect.Printable(refused.Error(), false), toastError)
	case undecodable != nil:
		if cmd, ok := m.explainPaste(text); ok {
			return cmd
		}
		return m.notify("The pasted text is not a token", toastError)
	}
	return m.notify("Inspecting the pasted token", toastInfo)
}
