package ui

import (
	tea "charm.land/bubbletea/v2"
)

// handleMouse maps clicks on hops, tabs and rows, and the wheel, to the same actions as keys.
func (m *Model) handleMouse(msg tea.MouseMsg) tea.Cmd {
	if m.tooSmall() {
		return nil
	}
	mouse := msg.Mouse()
	if wheel, ok := msg.(tea.MouseWheelMsg); ok {
		var press tea.KeyPressMsg
		switch wheel.Button {
		case tea.MouseWheelUp:
			press = tea.KeyPressMsg{Code: tea.KeyUp}
		case tea.MouseWheelDown:
			press = tea.KeyPressMsg{Code: tea.KeyDown}
		default:
			return nil
		}
		if m.overlay != overlayNone {
			return m.overlayKey(press)
		}
		// Over the HTTP tab's exchange detail the wheel scrolls the detail, not the list.
		if m.screen == screenHop && m.hop.tab == hopTabHTTP && mouse.Y-1-hopPaneTop >= m.hop.http.listHeight()+2 {
			d := 3
			if wheel.Button == tea.MouseWheelUp {
				d = -3
			}
			m.hop.http.detail.scroll(d)
			return nil
		}
		return m.screenUpdate(press)
	}
	click, ok := msg.(tea.MouseClickMsg)
	if !ok || click.Button != tea.MouseLeft {
		return nil
	}
	if m.overlay == overlayScenarios {
		_, y := m.overlayPos(m.picker.View())
		if i, ok := m.picker.rowAt(mouse.Y - y); ok {
			if i == m.picker.list.cursor {
				name := m.picker.scenarios[i].Name
				return func() tea.Msg { return scenarioChosenMsg{name: name} }
			}
			m.picker.list.to(i)
		}
		return nil
	}
	if m.overlay != overlayNone {
		m.overlay = overlayNone
		return nil
	}
	y := mouse.Y - 1 // the title bar
	switch m.screen {
	case screenOverview:
		if i, ok := m.overview.hopAt(y); ok {
			if i == m.overview.list.cursor {
				m.openHop(i, hopTabSummary)
			} else {
				m.overview.list.to(i)
			}
		}
	case screenHop:
		switch {
		case y == 0:
			if i, ok := tabAt(m.hop.hopSpans, mouse.X); ok {
				m.openHop(i, -1)
			}
		case y == 1:
			if i, ok := tabAt(m.hop.tabSpans, mouse.X); ok {
				m.hop.tab = i
			}
		case y >= hopPaneTop:
			py := y - hopPaneTop
			switch m.hop.tab {
			case hopTabClaims:
				if i, ok := m.hop.claims.rowAt(py); ok {
					m.hop.claims.list.to(i)
				}
			case hopTabFindings:
				if i, ok := m.hop.finds.rowAt(py); ok {
					m.hop.finds.list.to(i)
				}
			case hopTabHTTP:
				if i, ok := m.hop.http.rowAt(py); ok {
					m.hop.http.list.to(i)
					m.hop.http.detail.offset = 0
					m.hop.http.rebuild()
				}
			}
		}
	case screenToken:
		switch {
		case y == 1:
			if i, ok := tabAt(m.token.tabSpans, mouse.X); ok {
				m.token.tab = i
			}
		case y >= 2:
			py := y - 2
			switch m.token.tab {
			case tokTabClaims:
				if i, ok := m.token.claims.rowAt(py); ok {
					m.token.claims.list.to(i)
				}
			case tokTabFindings:
				if i, ok := m.token.finds.rowAt(py); ok {
					m.token.finds.list.to(i)
				}
			}
		}
	}
	return nil
}
