package ui

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/charmbracelet/x/ansi"
	"github.com/oboscope/oboscope/flows"
	"github.com/oboscope/oboscope/inspect"
)

// View draws the whole window: title bar, the screen in front, status bar and key hints, with
// an overlay on top when one is open.
func (m *Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "oboscope"
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
		body = m.overview.View(&m.walk, m.spin.View())
	case screenHop:
		body = m.hop.View(&m.walk, m.spin.View())
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

// titleBar names the mode and scenario on the left and counts findings on the right.
func (m *Model) titleBar() string {
	s := m.c.styles
	left := s.StatusMode.Render("oboscope")
	var ctx string
	var fs []inspect.Finding
	switch m.cfg.mode {
	case "inspect":
		ctx = "inspect one token"
		fs = m.token.tokenFindings()
	case "sandbox":
		ctx = "sandbox tenant · scenario " + s.Bold.Render(m.walk.scenario)
		fs = m.walk.findings()
	default:
		ctx = "live tenant " + m.cfg.cfg.TenantID
		fs = m.walk.findings()
	}
	if m.screen == screenToken && m.cfg.mode != "inspect" {
		ctx = "pasted token · esc returns to the walk"
		fs = m.token.tokenFindings()
	}
	e, wn, in := inspect.CountBySeverity(fs)
	var counts []string
	if e > 0 {
		counts = append(counts, s.Error.Render("✗ "+severityCount(e, inspect.SeverityError)))
	} else if n := m.walk.failedWithoutError(); n > 0 && m.cfg.mode != "inspect" && m.screen != screenToken {
		counts = append(counts, s.Error.Render("✗ "+plural(n, "hop")+" failed"))
	}
	if wn > 0 {
		counts = append(counts, s.Warning.Render("! "+severityCount(wn, inspect.SeverityWarning)))
	}
	if in > 0 {
		counts = append(counts, s.Info.Render("i "+severityCount(in, inspect.SeverityInfo)))
	}
	right := strings.Join(counts, "  ")
	if v := m.cfg.version; v != "" {
		right += s.Faint.Render("  " + v)
	}
	if short := strings.TrimPrefix(ctx, "sandbox tenant · "); short != ctx && lipgloss.Width(left+" "+ctx)+lipgloss.Width(right+" ")+1 > m.c.width {
		ctx = short // the scenario's name matters more than "sandbox tenant"
	}
	return joinLR(left+" "+s.Muted.Render(ctx), right+" ", m.c.width)
}

// statusBar says what is happening (walk progress, result) and shows the toast.
func (m *Model) statusBar() string {
	s := m.c.styles
	ws := &m.walk
	var state, compact string // compact: the state in fewer cells, when a toast needs them
	switch {
	case m.cfg.mode == "inspect" || m.screen == screenToken:
		state, compact = m.token.status()
	case ws.err != "":
		state = s.StatusErr.Render(" ✗ could not run the walk")
	case ws.starting:
		state = s.StatusBar.Render(" " + m.spin.View() + " starting the sandbox tenant (" + ws.scenario + ") …")
	case ws.running:
		label := "walking"
		done := 0
		for i, hr := range ws.hops {
			if hr.Status == flows.StatusRunning {
				label = fmt.Sprintf("hop %d/%d %s", i+1, len(ws.hops), hr.Short)
			}
			if hr.Status != flows.StatusPending && hr.Status != flows.StatusRunning {
				done++
			}
		}
		if ws.runHop != "" {
			label = "re-running " + label
		}
		state = s.StatusBar.Render(fmt.Sprintf(" %s %s · %d of %d hops done", m.spin.View(), label, done, len(ws.hops)))
	default:
		took := ""
		if !ws.finished.IsZero() && !ws.started.IsZero() && ws.finished.After(ws.started) {
			took = " in " + durationText(ws.finished.Sub(ws.started))
		}
		what := ws.lastRun
		if what == "" {
			what = "walk"
		}
		if _, hop, bad := ws.firstError(); bad {
			state = s.StatusErr.Render(" ✗ "+what+" complete"+took) + s.StatusBar.Render(fmt.Sprintf(" · first %s at hop %d %s", ws.problemWord(), ws.index(hop.ID)+1, hop.Short))
			compact = s.StatusErr.Render(" ✗ " + what + " complete")
		} else {
			state = s.StatusOK.Render(" ✓ "+what+" complete"+took) + s.StatusBar.Render(" · no error")
			compact = s.StatusOK.Render(" ✓ " + what + " complete")
		}
		if st := ws.staleText(); st != "" {
			state += s.StatusBar.Render(" · " + st + " show the earlier run (r re-runs the walk)")
		}
	}
	right := ""
	if m.toast.text != "" {
		st := s.Toast
		if m.toast.level == toastError {
			st = s.StatusErr
		}
		if compact != "" && lipgloss.Width(state)+ansi.StringWidth(m.toast.text)+3 > m.c.width {
			// The toast is what just happened: the walk's result gives it room.
			state = compact
		}
		room := max(m.c.width-lipgloss.Width(state)-2, m.c.width*2/3)
		right = st.Render(fitToast(m.toast, room-1) + " ")
	}
	return s.StatusBar.Render(joinLR(state, right, m.c.width))
}

// hints is the short help of the screen in front.
func (m *Model) hints() string {
	m.help.SetWidth(m.c.width - 2)
	short := m.keyHelp().short
	// ? always shows, whatever the width cuts off.
	short = append([]key.Binding{m.c.keys.Help}, slices.DeleteFunc(slices.Clone(short), func(b key.Binding) bool { return b.Help().Key == "?" })...)
	view := m.help.ShortHelpView(short)
	// bubbles' help adds an item that overflows when its "…" would not fit either: drop items
	// until the line fits, and say that more keys are behind ?.
	for len(short) > 1 && lipgloss.Width(view) > m.c.width-2 {
		short = short[:len(short)-1]
		view = m.help.ShortHelpView(short) + " …"
	}
	return " " + view
}

// keyHelp lists the keys of the screen in front: a short line and the full overlay.
func (m *Model) keyHelp() keyHelp {
	k := m.c.keys
	walkMode := m.cfg.mode != "inspect"
	nav := []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}
	var short []key.Binding
	screens := []key.Binding{k.NextTab, k.PrevTab, k.GoToTab}
	actions := []key.Binding{k.Filter, k.Explain, k.CopyToken, k.CopyValue}
	var walk []key.Binding
	if walkMode {
		screens = append([]key.Binding{k.Open, k.Back}, append(screens, k.NextHop, k.NextToken)...)
		actions = append(actions, k.ExportMarkdown, k.ExportJSON)
		walk = []key.Binding{k.Rerun, k.RerunHop, k.RetryClaims}
		if m.cfg.mode == "sandbox" {
			walk = append([]key.Binding{k.Scenarios}, walk...)
		}
	}
	walk = append(walk, k.Help, k.Quit)
	switch m.screen {
	case screenOverview:
		short = m.overview.ShortHelp()
		_, _, bad := m.walk.firstError()
		for i := range short {
			if short[i].Help().Key == "x" {
				short[i].SetHelp("x", "explain first "+m.walk.problemWord())
			}
		}
		if !bad {
			// Nothing to explain: the short line offers x only when the walk has a first error.
			short = slices.DeleteFunc(slices.Clone(short), func(b key.Binding) bool { return b.Help().Key == "x" })
		}
		screens[0], actions[1] = m.overview.openKey(), m.overview.explainKey()
		actions[1].SetHelp("x", "explain first "+m.walk.problemWord())
	case screenHop:
		short = m.hop.ShortHelp()
	default:
		short = m.token.ShortHelp()
	}
	return keyHelp{short: short, full: [][]key.Binding{nav, screens, actions, walk}}
}

// helpBox is the ? overlay: every key of the screen in front, grouped under headings, in as
// many columns as the window holds.
func (m *Model) helpBox() string {
	s := m.c.styles
	kh := m.keyHelp()
	names := []string{"Move", "Screens", "Actions", "Walk"}
	var cols []string
	colW := 0
	for i, group := range kh.full {
		keyW := 0
		for _, b := range group {
			keyW = max(keyW, lipgloss.Width(b.Help().Key))
		}
		lines := []string{s.Accent.Render(names[i])}
		for _, b := range group {
			if !b.Enabled() {
				continue
			}
			lines = append(lines, s.HelpKey.Render(fit(b.Help().Key, keyW))+"  "+s.HelpDesc.Render(b.Help().Desc))
		}
		col := strings.Join(lines, "\n")
		colW = max(colW, lipgloss.Width(col))
		cols = append(cols, col)
	}
	colW += 3
	perRow := max(min((min(m.c.width-8, 120))/colW, len(cols)), 1)
	var rows []string
	for i := 0; i < len(cols); i += perRow {
		var row []string
		for _, c := range cols[i:min(i+perRow, len(cols))] {
			row = append(row, lipgloss.NewStyle().Width(colW).Render(c))
		}
		rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, row...))
	}
	body := strings.Join(rows, "\n\n")
	extra := []string{
		"",
		s.Muted.Render("Mouse: click a hop, a tab or a row; the wheel scrolls."),
		s.Muted.Render("Paste a token at any time to inspect it.") + s.Faint.Render("   esc closes"),
	}
	content := lipgloss.JoinVertical(lipgloss.Left, append([]string{s.Title.Render("Keys"), "", body}, extra...)...)
	return s.FocusBox.Render(content)
}
