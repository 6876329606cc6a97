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
	y := mouse.Y - 1 // the title bar
	if wheel, ok := msg.(tea.MouseWheelMsg); ok {
		var delta int
		switch wheel.Button {
		case tea.MouseWheelUp:
			delta = -1
		case tea.MouseWheelDown:
			delta = 1
		default:
			return nil
		}
		if m.overlay != overlayNone {
			return m.overlayKey(wheelKey(delta))
		}
		// A tab may scroll what is under the wheel itself (the HTTP tab's exchange detail).
		if t, ok := m.tabbed(); ok && t.wheel(delta, y) {
			return nil
		}
		return m.screenUpdate(wheelKey(delta))
	}
	click, ok := msg.(tea.MouseClickMsg)
	if !ok || click.Button != tea.MouseLeft {
		return nil
	}
	if m.overlay == overlayScenarios {
		_, top := m.overlayPos(m.picker.View())
		return m.picker.click(mouse.Y - top)
	}
	if m.overlay != overlayNone {
		m.overlay = overlayNone
		return nil
	}
	switch m.screen {
	case screenOverview:
		if i, open := m.overview.click(y); open {
			m.openHop(i, firstTab)
		}
	case screenHop:
		if i, open := m.hop.click(mouse.X, y); open {
			m.openHop(i, keepTab)
		}
	case screenToken:
		m.token.click(mouse.X, y)
	}
	return nil
}

// wheelKey is the key one notch of the wheel stands for: ↑ for -1, ↓ for 1.
func wheelKey(delta int) tea.KeyPressMsg {
	if delta < 0 {
		return tea.KeyPressMsg{Code: tea.KeyUp}
	}
	return tea.KeyPressMsg{Code: tea.KeyDown}
}
