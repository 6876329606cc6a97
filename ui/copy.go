package ui

import (
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/oboscope/oboscope/flows"
	"github.com/oboscope/oboscope/inspect"
)

// export writes the report of the run on screen in format to the export folder.
func (m *Model) export(format string) tea.Cmd {
	ws := m.shown()
	if ws.report == nil {
		return m.notify("No report yet: the walk has not finished", toastError)
	}
	return exportCmd(m.cfg.exportDir, *ws.report, format, m.c.now(), m.cfg.version)
}

// copyToken copies the token in front: the device code while signing in, the hop's selected
// token, the rail's selected hop's last token, or the inspected token.
func (m *Model) copyToken() tea.Cmd {
	ws := m.shown()
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

// copyValue copies the selected value of the tab in front — a claim, a finding's fix, an
// exchange as a curl command — or, on the overview, the first error's fix.
func (m *Model) copyValue() tea.Cmd {
	if t, ok := m.tabbed(); ok {
		if what, text, ok := t.copyValue(); ok {
			return copyCmd(m.cfg.clipboard, what, text)
		}
	}
	if m.screen == screenOverview {
		if f, _, bad := m.shown().firstError(); bad && f.Fix != "" {
			return copyCmd(m.cfg.clipboard, "the fix for "+f.ID, f.Fix)
		}
	}
	return m.notify("Nothing selected to copy here (claims, findings, HTTP tabs, the first error's fix)", toastError)
}

// handlePaste inspects a pasted token: in place in `inspect`, or on a token screen over the walk.
func (m *Model) handlePaste(text string) tea.Cmd {
	if m.capturing() {
		return m.screenUpdate(tea.PasteMsg{Content: text})
	}
	if m.overlay == overlayScenarios {
		var cmd tea.Cmd
		m.picker, cmd = m.picker.Update(tea.PasteMsg{Content: text})
		return cmd
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
