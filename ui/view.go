package ui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// View draws the whole window: title bar, the screen in front, status bar and key hints, with
// an overlay on top when one is open.
func (m *Model) View() tea.View {
	// bubbletea draws after every message: while keys are held to tell a paste from typing,
	// nothing on screen changes, so the last frame stands (a paste of a thousand keys would
	// otherwise draw a thousand frames).
	if len(m.burst.keys) == 0 || m.frame == "" {
		m.frame = m.render()
	}
	v := tea.NewView(m.frame)
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	if m.mouseOff {
		v.MouseMode = tea.MouseModeNone
	}
	v.WindowTitle = "oboscope"
	if m.cfg.configPath != "" {
		v.WindowTitle = "oboscope · " + m.cfg.configPath
	}
	return v
}

// render is View's content, separate so tests can read it.
func (m *Model) render() string {
	w, h := m.c.width, m.c.height
	if w == 0 || h == 0 {
		return ""
	}
	if m.tooSmall() {
		return m.sizeGuard()
	}
	var body string
	switch m.screen {
	case screenOverview:
		body = m.overview.View(m.shown(), m.spin.View())
	case screenHop:
		body = m.hop.View(m.shown(), m.spin.View())
	case screenStep:
		body = stepView(m.c, &m.walk, &m.step, w, max(h-3, 1), m.spin.View())
	default:
		body = m.token.View()
	}
	screen := strings.Join([]string{m.titleBar(), body, m.statusBar(), m.hints()}, "\n")
	var box string
	switch m.overlay {
	case overlayHelp:
		box = m.helpBox()
	case overlayScenarios:
		box = m.picker.View()
	case overlayExplain:
		box = m.explain.View()
	default:
		return screen
	}
	if bl := strings.Split(box, "\n"); len(bl) > h {
		box = strings.Join(append(bl[:h-1], bl[len(bl)-1]), "\n")
	}
	x, y := m.overlayPos(box)
	return lipgloss.NewCompositor(lipgloss.NewLayer(screen), lipgloss.NewLayer(box).X(x).Y(y).Z(1)).Render()
}

// overlayPos centres an overlay box.
func (m *Model) overlayPos(box string) (int, int) {
	return max((m.c.width-lipgloss.Width(box))/2, 0), max((m.c.height-lipgloss.Height(box))/2, 0)
}

// sizeGuard replaces the layout when the window is too small for it.
func (m *Model) sizeGuard() string {
	s := m.c.styles
	msg := lipgloss.JoinVertical(lipgloss.Center,
		s.Title.Render("oboscope"),
		"",
		s.Warning.Render("Make the window larger"),
		"oboscope needs 80×24 or more;",
		fmt.Sprintf("it is %d×%d now.", m.c.width, m.c.height),
		s.Muted.Render("q quits"))
	return lipgloss.Place(m.c.width, m.c.height, lipgloss.Center, lipgloss.Center, msg)
}
