package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// scenarioInfo is a sandbox scenario as the picker lists it (from sandbox.Scenarios).
type scenarioInfo struct {
	Name, Change string
	Expect       []string
}

// scenarioPicker is the overlay that lists the sandbox scenarios: what each one breaks and the
// findings it is expected to raise. Choosing one restarts the sandbox on it and walks again.
type scenarioPicker struct {
	c         *common
	scenarios []scenarioInfo
	current   string
	list      scroller
}

func newScenarioPicker(c *common, scenarios []scenarioInfo, current string) scenarioPicker {
	p := scenarioPicker{c: c, scenarios: scenarios, current: current, list: scroller{paged: true}}
	p.list.setLen(len(scenarios))
	for i, sc := range scenarios {
		if sc.Name == current {
			p.list.to(i)
		}
	}
	p.setSize()
	return p
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

// Update moves the selection; enter chooses.
func (p scenarioPicker) Update(msg tea.Msg) (scenarioPicker, tea.Cmd) {
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return p, nil
	}
	k := p.c.keys
	if key.Matches(km, k.Open) && len(p.scenarios) > 0 {
		name := p.scenarios[p.list.cursor].Name
		return p, func() tea.Msg { return scenarioChosenMsg{name: name} }
	}
	p.list.handleKey(k, km)
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
	lines := []string{s.Title.Render("Sandbox scenarios") + s.Muted.Render("  each breaks one thing on purpose; enter walks it"), ""}
	nameW := 0
	for _, sc := range p.scenarios {
		nameW = max(nameW, len(sc.Name))
	}
	nameW += 2
	from, to := p.list.window()
	// The line under the title says how many scenarios are scrolled away above, the rule under
	// the list how many below, so a scrolled list never hides rows silently.
	if from > 0 {
		lines[1] = s.Faint.Render(fmt.Sprintf("  ↑ %d more", from))
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
	if len(p.scenarios) > 0 {
		sc := p.scenarios[p.list.cursor]
		expect := "no error, no warning"
		if len(sc.Expect) > 0 {
			expect = strings.Join(sc.Expect, ", ")
		}
		detail = append(detail, clip(wrap(s.Bold.Render(sc.Name)+": "+sc.Change, iw), 2)...)
		detail = append(detail, clip(wrap(s.Muted.Render("must raise: ")+expect, iw), 2)...)
	}
	lines = append(lines, block(detail, iw, 4))
	lines = append(lines, s.Faint.Render("↑/↓ choose · enter walk it · esc close   ● running now"))
	return s.FocusBox.Width(bw).Render(block(strings.Split(strings.Join(lines, "\n"), "\n"), iw, bh-2))
}
