package ui

import (
	"path/filepath"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"

	"github.com/oboscope/oboscope/flows"
)

// hints is the short help of the screen in front: only keys that act there, ? first.
func (m *Model) hints() string {
	m.help.SetWidth(m.c.width - 2)
	short := m.shortKeys()
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

// relabel is b with another description.
func relabel(b key.Binding, desc string) key.Binding {
	b.SetHelp(b.Help().Key, desc)
	return b
}

// explainFirst is x as the overview uses it: it explains the walk's first error (enter does not,
// there: it opens the selected hop), so the hint line gives each key one meaning.
func explainFirst(k KeyMap, word string) key.Binding {
	b := k.Explain
	b.SetHelp("x", "explain first "+word)
	return b
}

// both is a and b as one line of the ? overlay ("g/G top/bottom").
func both(a, b key.Binding, keys, desc string) key.Binding {
	return key.NewBinding(key.WithKeys(append(a.Keys(), b.Keys()...)...), key.WithHelp(keys, desc))
}

// keyHelp lists the keys of the screen in front: a short line of those that act there now, and
// the ? overlay's groups, pairs of keys on one line so that they fit 80×24.
func (m *Model) keyHelp() keyHelp {
	k := m.c.keys
	walkMode := m.cfg.mode != "inspect"
	nav := []key.Binding{both(k.Up, k.Down, "↑↓ jk", "move"), both(k.PageUp, k.PageDown, "pgup/pgdn", "page"), both(k.Top, k.Bottom, "g/G", "top/bottom")}
	screens := []key.Binding{both(k.NextTab, k.PrevTab, "tab/⇧tab", "tabs (or ←/→)"), k.GoToTab}
	actions := []key.Binding{relabel(k.Filter, "filter, search"), k.Explain, k.CopyToken, relabel(k.CopyValue, "copy value, fix, curl")}
	var walk []key.Binding
	if walkMode {
		nav = append(nav, k.Open, k.Back)
		screens = append(screens, both(k.NextHop, k.PrevHop, "]/[", "next/prev hop"), k.NextToken,
			relabel(k.FlipRun, "latest/previous run"), relabel(k.DiffRuns, "Diff: chain/other run"))
		actions = append(actions, both(k.ExportMarkdown, k.ExportJSON, "e/E", "export Markdown/JSON"))
		walk = []key.Binding{k.Rerun, k.RerunHop, relabel(k.RetryClaims, "answer claims"), k.StepMode,
			both(k.Step, k.StepBack, "space/b", "next/previous step"), k.Pace}
		if m.cfg.mode == "sandbox" {
			walk = append([]key.Binding{k.Scenarios}, walk...)
		}
	}
	actions = append(actions, k.Mouse)
	walk = append(walk, both(k.Help, k.Quit, "?/q", "help/quit"))
	if m.screen == screenOverview {
		nav[len(nav)-2] = relabel(k.Open, "open hop")
		actions[1] = explainFirst(k, m.shown().problemWord())
	}
	return keyHelp{short: m.shortKeys(), full: [][]key.Binding{nav, screens, actions, walk}}
}

// shortKeys are the keys of the hint line: those that act on the screen in front now.
func (m *Model) shortKeys() []key.Binding {
	switch m.screen {
	case screenOverview:
		return m.overviewKeys()
	case screenStep:
		return m.stepKeys()
	case screenHop:
		short := m.hop.ShortHelp()
		if m.prev != nil {
			short = append(short, m.c.keys.FlipRun)
		}
		return short
	}
	return m.token.ShortHelp()
}

// overviewKeys are the overview's keys that act now: x only with a first error, c only with a
// token (or the device code) to copy, y only with a fix to copy, a only with a claims challenge.
func (m *Model) overviewKeys() []key.Binding {
	k := m.c.keys
	ws := m.shown()
	var short []key.Binding
	if ws.claims != "" && !ws.running && !m.viewPrev {
		// The first-error box asks for a: the hint line offers it first.
		short = append(short, k.RetryClaims)
	}
	short = append(short, k.Up, relabel(k.Open, "open hop"))
	f, _, bad := ws.firstError()
	if bad && f.ID != "" {
		short = append(short, explainFirst(k, ws.problemWord()))
	}
	if bad && f.Fix != "" {
		short = append(short, relabel(k.CopyValue, "copy fix"))
	}
	if m.step.active() && !m.viewPrev {
		short = append(short, relabel(k.Step, "steps"))
	}
	switch {
	case ws.device != nil && ws.hops[0].Status == flows.StatusRunning:
		short = append(short, relabel(k.CopyToken, "copy code"))
	default:
		if nt, ok := handedOn(ws.hops, m.overview.selected()); ok && nt.Raw != "" {
			short = append(short, k.CopyToken)
		}
	}
	if m.cfg.mode == "sandbox" {
		short = append(short, k.Scenarios)
	}
	short = append(short, k.Rerun)
	if m.prev != nil {
		short = append(short, k.FlipRun)
	}
	if ws.report != nil {
		short = append(short, k.ExportMarkdown)
	}
	return append(short, k.StepMode, k.Quit)
}

// stepKeys are the step screen's keys: space says what it does on the page shown.
func (m *Model) stepKeys() []key.Binding {
	k := m.c.keys
	next := relabel(k.Step, "next")
	pg, ok := m.step.page()
	switch {
	case ok && m.step.at == len(m.step.pages)-1 && pg.plan != nil && !pg.sent:
		next = relabel(k.Step, "send it")
	case ok && m.step.at == len(m.step.pages)-1 && !m.walk.running:
		next = relabel(k.Step, "overview")
	}
	short := []key.Binding{next}
	if m.step.at > 0 {
		short = append(short, k.StepBack)
	}
	if ok {
		short = append(short, relabel(k.Open, "open hop"))
	}
	return append(short, relabel(k.Back, "overview"), k.Pace, relabel(k.StepMode, "step mode off"), k.Quit)
}

// helpBox is the ? overlay: every key of the screen in front, grouped under headings, in as
// many columns as the window holds, and where exports go.
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
	gap := "\n\n"
	if m.c.height < 30 {
		gap = "\n"
	}
	body := strings.Join(rows, gap)
	extra := []string{""}
	if m.cfg.mode != "inspect" {
		dir := m.cfg.exportDir
		if abs, err := filepath.Abs(dir); err == nil {
			dir = abs
		}
		// As wide as the keys at most: a long folder does not widen the box, it loses its start.
		room := max(lipgloss.Width(body), 40)
		lead, tail := "e/E write reports to ", " (--export-dir)"
		if over := len(lead) + len(tail) + len(dir) - room; over > 0 && over+1 < len(dir) {
			dir = "…" + dir[over+1:]
		}
		extra = append(extra, s.Muted.Render(lead)+dir+s.Muted.Render(tail))
	}
	extra = append(extra,
		s.Muted.Render("Mouse: click hops, tabs and rows; the wheel scrolls; m to select text."),
		s.Muted.Render("Paste a token at any time to inspect it.")+s.Faint.Render("   esc closes"))
	head := []string{s.Title.Render("Keys"), ""}
	if m.c.height < 30 {
		head = head[:1]
	}
	content := lipgloss.JoinVertical(lipgloss.Left, append(append(head, body), extra...)...)
	return s.FocusBox.Render(content)
}
