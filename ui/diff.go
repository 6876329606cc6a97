package ui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/oboscope/oboscope/inspect"
)

// diffPane is the Diff tab: what changed between the previous hop's token and this one —
// audience, scopes, pairwise sub, … — as inspect.Diff reports it.
type diffPane struct {
	c          *common
	pager      pager
	changes    []inspect.ClaimChange
	beforeName string
	afterName  string
	has        bool
	width      int
	height     int
}

func newDiffPane(c *common) diffPane { return diffPane{c: c} }

// setTokens compares before (the previous token in the chain) with after.
func (p *diffPane) setTokens(beforeName string, before *inspect.Token, afterName string, after *inspect.Token) {
	p.beforeName, p.afterName = beforeName, afterName
	p.has = before != nil && after != nil
	p.changes = nil
	if p.has {
		p.changes = inspect.Diff(before, after)
	}
	p.pager.offset = 0
	p.rebuild()
}

func (p *diffPane) setSize(w, h int) {
	p.width, p.height = w, h
	p.pager.setHeight(h)
	p.rebuild()
}

func (p *diffPane) rebuild() {
	s := p.c.styles
	w := p.width
	if !p.has {
		p.pager.setLines([]string{"", "  " + s.Muted.Render("Nothing to compare: this is the first token of the chain, or the hop has no token.")})
		return
	}
	lines := []string{" " + s.Muted.Render("from ") + s.Accent.Render(p.beforeName) + s.Muted.Render("  to  ") + s.Accent.Render(p.afterName)}
	if len(p.changes) == 0 {
		p.pager.setLines(append(lines, "", "  "+s.Muted.Render("The two tokens carry the same claims.")))
		return
	}
	nameW := 6
	for _, ch := range p.changes {
		nameW = max(nameW, len(ch.Claim))
	}
	nameW = min(nameW, 22) + 2
	valW := max((w-nameW-8)/2, 10)
	lines = append(lines, s.Faint.Render(fit("   "+fit("CLAIM", nameW)+fit("BEFORE", valW)+"   AFTER", w)))
	for _, ch := range p.changes {
		mark, st := "~", s.Changed
		switch ch.Kind {
		case "added":
			mark, st = "+", s.Added
		case "removed":
			mark, st = "-", s.Removed
		}
		before, after := diffValue(ch.Before), diffValue(ch.After)
		lines = append(lines, " "+st.Render(mark)+" "+st.Render(fit(ch.Claim, nameW))+fit(before, valW)+s.Faint.Render(" → ")+trunc(after, w-nameW-valW-7))
		if ch.Meaning != "" {
			for _, l := range wrap(ch.Meaning, w-nameW-4) {
				lines = append(lines, strings.Repeat(" ", nameW+3)+s.Muted.Render(l))
			}
		}
	}
	p.pager.setLines(lines)
}

// diffValue renders one side of a change; absent values read as "—".
func diffValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "—"
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = fmt.Sprint(e)
		}
		if len(parts) > 3 {
			return fmt.Sprintf("[%d] %s, …", len(parts), strings.Join(parts[:2], ", "))
		}
		return strings.Join(parts, " ")
	case float64:
		if x == float64(int64(x)) {
			return fmt.Sprint(int64(x))
		}
	}
	return fmt.Sprint(v)
}

// Update scrolls.
func (p diffPane) Update(msg tea.Msg) (diffPane, tea.Cmd) {
	if km, ok := msg.(tea.KeyPressMsg); ok {
		p.pager.handleKey(p.c.keys, km)
	}
	return p, nil
}

// View renders the visible lines.
func (p diffPane) View() string { return p.pager.view(p.c, p.width) }
