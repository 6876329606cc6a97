package ui

import (
	"fmt"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/oboscope/oboscope/inspect"
)

// scenarioInfo is a sandbox scenario as the picker lists it (from sandbox.Scenarios).
type scenarioInfo struct {
	Name, Change string
	Expect       []string
}

// scenarioPicker is the overlay that lists the sandbox scenarios: what each one breaks and the
// findings it is expected to raise. Choosing one restarts the sandbox on it and walks again.
//
// Typing filters the list (by name and by what the scenario changes); ↑/↓ move, enter walks the
// scenario under the cursor, esc clears the filter, then closes.
type scenarioPicker struct {
	c       *common
	all     []scenarioInfo
	current string
	// filter is what was typed; scenarios are those it matches, in the list's order.
	filter    string
	scenarios []scenarioInfo
	list      scroller
}

func newScenarioPicker(c *common, scenarios []scenarioInfo, current string) scenarioPicker {
	p := scenarioPicker{c: c, all: scenarios, scenarios: scenarios, current: current, list: scroller{paged: true}}
	p.list.setLen(len(scenarios))
	for i, sc := range scenarios {
		if sc.Name == current {
			p.list.to(i)
		}
	}
	p.setSize()
	return p
}

// setFilter keeps the scenarios that match f, the cursor on the first one.
func (p *scenarioPicker) setFilter(f string) {
	p.filter = f
	q := strings.ToLower(strings.TrimSpace(f))
	p.scenarios = nil
	for _, sc := range p.all {
		if q == "" || strings.Contains(strings.ToLower(sc.Name+"\x00"+sc.Change), q) {
			p.scenarios = append(p.scenarios, sc)
		}
	}
	p.list.setLen(len(p.scenarios))
	p.list.to(0)
}

// closes reports whether msg closes the picker: esc with nothing typed.
func (p scenarioPicker) closes(msg tea.KeyPressMsg) bool {
	return msg.Code == tea.KeyEscape && p.filter == ""
}

// boxSize is the picker's size on the current window.
func (p scenarioPicker) boxSize() (int, int) {
	return min(p.c.width-4, 96), p.c.height - 4
}

func (p *scenarioPicker) setSize() {
	_, bh := p.boxSize()
	p.list.setHeight(bh - 10)
}

// scenarioChosenMsg asks the root model to restart the walk on a scenario.
type scenarioChosenMsg struct{ name string }

// Update filters on what is typed (or pasted), moves the selection with the arrow and page keys;
// enter chooses.
func (p scenarioPicker) Update(msg tea.Msg) (scenarioPicker, tea.Cmd) {
	if pm, ok := msg.(tea.PasteMsg); ok {
		p.setFilter(p.filter + strings.TrimSpace(pm.Content))
		return p, nil
	}
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return p, nil
	}
	switch {
	case km.Code == tea.KeyEnter:
		if len(p.scenarios) > 0 {
			name := p.scenarios[p.list.cursor].Name
			return p, func() tea.Msg { return scenarioChosenMsg{name: name} }
		}
	case km.Code == tea.KeyEscape:
		p.setFilter("")
	case km.Code == tea.KeyBackspace:
		if r := []rune(p.filter); len(r) > 0 {
			p.setFilter(string(r[:len(r)-1]))
		}
	case km.Text != "" && km.Mod&^tea.ModShift == 0:
		p.setFilter(p.filter + km.Text)
	default:
		p.list.handleKey(p.c.keys, km)
	}
	return p, nil
}

// click handles a click at line y of the box: a scenario's row selects it, and a click on the
// scenario already selected chooses it.
func (p *scenarioPicker) click(y int) tea.Cmd {
	i, ok := p.rowAt(y)
	switch {
	case !ok:
		return nil
	case i == p.list.cursor:
		name := p.scenarios[i].Name
		return func() tea.Msg { return scenarioChosenMsg{name: name} }
	}
	p.list.to(i)
	return nil
}

// rowAt maps a mouse row relative to the box's top to a scenario.
func (p scenarioPicker) rowAt(y int) (int, bool) {
	return p.list.rowAt(y - 3) // under the border, the title and the line above the list
}

// View renders the picker box.
func (p scenarioPicker) View() string {
	s := p.c.styles
	bw, bh := p.boxSize()
	iw := bw - 4
	lines := []string{s.Title.Render("Sandbox scenarios") + s.Muted.Render("  each breaks one thing on purpose; enter walks it"), p.filterLine(iw)}
	nameW := 0
	for _, sc := range p.scenarios {
		nameW = max(nameW, len(sc.Name))
	}
	nameW += 2
	from, to := p.list.window()
	// The line under the title says how many scenarios are scrolled away above, the rule under
	// the list how many below, so a scrolled list never hides rows silently.
	if from > 0 {
		lines[1] = joinLR(lines[1], s.Faint.Render(fmt.Sprintf("↑ %d more", from)), iw)
	}
	for i := from; i < to; i++ {
		sc := p.scenarios[i]
		mark := "  "
		if sc.Name == p.current {
			mark = "● "
		}
		if i == p.list.cursor {
			// ▸ marks the cursor row without colour too (NO_COLOR, a captured pane).
			lines = append(lines, s.Selected.Render(fitWords("▸ "+mark+fit(sc.Name, nameW)+sc.Change, iw)))
		} else {
			lines = append(lines, fitWords("  "+s.Accent.Render(mark)+s.Bold.Render(fit(sc.Name, nameW))+s.Muted.Render(sc.Change), iw))
		}
	}
	for len(lines) < 2+p.list.height {
		lines = append(lines, "")
	}
	rule := s.Rule.Render(strings.Repeat("─", iw))
	if below := len(p.scenarios) - to; below > 0 {
		hint := fmt.Sprintf(" ↓ %d more ", below)
		rule = s.Rule.Render("──") + s.Faint.Render(hint) + s.Rule.Render(strings.Repeat("─", max(iw-2-lipgloss.Width(hint), 0)))
	}
	lines = append(lines, rule)
	var detail []string
	if len(p.scenarios) == 0 {
		detail = append(detail, p.noMatch(iw)...)
	} else {
		sc := p.scenarios[p.list.cursor]
		expect := "no error, no warning"
		if len(sc.Expect) > 0 {
			expect = strings.Join(sc.Expect, ", ")
		}
		detail = append(detail, clip(wrap(s.Bold.Render(sc.Name)+": "+sc.Change, iw), 2)...)
		detail = append(detail, clip(wrap(s.Muted.Render("must raise: ")+expect, iw), 2)...)
	}
	lines = append(lines, block(detail, iw, 4))
	foot := "type to filter · ↑/↓ choose · enter walk it · esc close   ● running now"
	if p.filter != "" {
		foot = "↑/↓ choose · enter walk it · esc clear the filter   ● running now"
	}
	lines = append(lines, s.Faint.Render(foot))
	return s.FocusBox.Width(bw).Render(block(strings.Split(strings.Join(lines, "\n"), "\n"), iw, bh-2))
}

// filterLine shows what was typed and how many scenarios it matches.
func (p scenarioPicker) filterLine(w int) string {
	s := p.c.styles
	if p.filter == "" {
		return s.Faint.Render("  type to filter")
	}
	count := s.Muted.Render(fmt.Sprintf("  %d of %d", len(p.scenarios), len(p.all)))
	return trunc(s.Accent.Render("  / ")+p.filter+s.Accent.Render("▏")+count, w)
}

// noMatch says that nothing matches the filter and names the nearest scenarios.
func (p scenarioPicker) noMatch(w int) []string {
	s := p.c.styles
	names := make([]string, len(p.all))
	for i, sc := range p.all {
		names[i] = sc.Name
	}
	line := fmt.Sprintf("No scenario matches %q.", p.filter)
	// What is typed is often the start of a name: compare it with the names' starts too.
	q := strings.ToLower(p.filter)
	near := inspect.Closest(q, names, 3)
	for _, n := range names {
		if start := n[:min(len(n), len(q))]; len(near) < 3 && !slices.Contains(near, n) && inspect.EditDistance(q, start) <= max(2, len(q)/3) {
			near = append(near, n)
		}
	}
	if len(near) > 0 {
		line += " Did you mean " + strings.Join(near, ", ") + "?"
	}
	return wrap(s.Warning.Render(line)+s.Muted.Render(" backspace or esc changes the filter."), w)
}
