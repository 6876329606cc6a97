package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
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
	dated      bool   // times show their dates (needsDate)
	note       string // why there is nothing to compare, when there is a reason to give
	after      *inspect.Token
	names      inspect.AppNames
	width      int
	height     int
	// acrossRuns compares with the same hop's token in the other run (v) instead of the token
	// this one was exchanged for; hasOther says there is another run.
	acrossRuns bool
	hasOther   bool
	last       tabData
}

func newDiffPane(c *common) *diffPane { return &diffPane{c: c} }

// TabName is the tab's name on the tab line.
func (p *diffPane) TabName() string { return "Diff" }

// ShortHelp is what the tab adds to the hint line (help.KeyMap): v when there is another run.
func (p *diffPane) ShortHelp() []key.Binding {
	if !p.hasOther {
		return nil
	}
	b := p.c.keys.DiffRuns
	if p.acrossRuns {
		b.SetHelp("v", "diff along the chain")
	}
	return []key.Binding{b}
}

// FullHelp groups the tab's keys (help.KeyMap).
func (p *diffPane) FullHelp() [][]key.Binding { return nil }

// load compares the hop's selected token with the one before it in the chain, or with the same
// hop's token in the other run.
func (p *diffPane) load(d tabData) {
	p.names, p.last, p.hasOther = d.names, d, d.other != nil
	if p.acrossRuns && d.ws != nil && d.hop < len(d.ws.hops) && d.tokIdx >= 0 && d.tokIdx < len(d.res.Tokens) {
		var otherName string
		if d.other != nil {
			otherName = runName(d.other)
		}
		name := d.name + " (" + runName(d.ws) + ")"
		p.setTokens(acrossRuns(d.other, otherName, d.res.ID, d.res.Tokens[d.tokIdx]), name, d.tok)
		return
	}
	p.setTokens(previousToken(d.ws, d.hop, d.tokIdx), d.name, d.tok)
}

// tick draws the relative times again.
func (p *diffPane) tick() { p.rebuild() }

// tokenTab marks the Diff tab as showing the hop's selected token.
func (p *diffPane) tokenTab() {}

// setTokens compares before (the previous token in the chain) with after.
func (p *diffPane) setTokens(src diffSource, afterName string, after *inspect.Token) {
	before := src.tok
	p.beforeName, p.afterName, p.note = src.name, afterName, src.note
	p.has = before != nil && after != nil
	p.dated = needsDate(p.c.now(), p.c.loc, before, after)
	p.after = after
	p.changes = nil
	if p.has {
		p.changes = inspect.Diff(before, after)
	}
	p.pager.offset = 0
	p.rebuild()
}

// SetSize gives the tab its room.
func (p *diffPane) SetSize(w, h int) {
	p.width, p.height = w, h
	p.pager.setHeight(h)
	p.rebuild()
}

func (p *diffPane) rebuild() {
	s := p.c.styles
	w := p.width
	if !p.has && p.note != "" && p.after != nil {
		lines := []string{"", "  " + s.Accent.Render(p.afterName), ""}
		for _, l := range wrap(p.note, w-4) {
			lines = append(lines, "  "+l)
		}
		p.pager.setLines(lines)
		return
	}
	if !p.has {
		p.pager.setLines([]string{"", "  " + s.Muted.Render("Nothing to compare: no earlier, different token in the chain (or no token at this hop).")})
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
	var routine []string
	for _, ch := range p.changes {
		if inspect.IsVolatileClaim(ch.Claim) && ch.Kind == "changed" {
			routine = append(routine, ch.Claim)
			continue
		}
		mark, st := "~", s.Changed
		switch ch.Kind {
		case "added":
			mark, st = "+", s.Added
		case "removed":
			mark, st = "-", s.Removed
		}
		before, after := p.diffValue(ch.Claim, ch.Before), p.diffValue(ch.Claim, ch.After)
		lines = append(lines, " "+st.Render(mark)+" "+st.Render(fit(ch.Claim, nameW))+fit(before, valW)+s.Faint.Render(" → ")+trunc(after, w-nameW-valW-7))
		if ch.Meaning != "" {
			for _, l := range wrap(ch.Meaning, w-nameW-4) {
				lines = append(lines, strings.Repeat(" ", nameW+3)+s.Muted.Render(l))
			}
		}
	}
	if len(routine) > 0 {
		lines = append(lines, "")
		lines = append(lines, wrap(" "+s.Muted.Render("Also changed, as in every new token: ")+strings.Join(routine, ", "), w-2)...)
	}
	p.pager.setLines(lines)
}

// diffValue renders one side of a change; absent values read as "—", times as local times.
func (p *diffPane) diffValue(claim string, v any) string {
	if t, ok := claimTime(inspect.ExplainedClaim{Claim: claim, Value: v}); ok {
		return clockText(t, p.c.loc, p.dated) + " (" + relative(claim, t, p.c.now()) + ")"
	}
	if id, ok := v.(string); ok && appClaims[claim] {
		if name := p.names.Known(p.after, id); name != "" {
			return name + " (" + id + ")"
		}
	}
	switch x := v.(type) {
	case nil:
		return "—"
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = inspect.DisplayValue(e)
		}
		if len(parts) > 3 {
			return fmt.Sprintf("[%d] %s, …", len(parts), strings.Join(parts[:2], ", "))
		}
		return strings.Join(parts, " ")
	}
	return inspect.DisplayValue(v)
}

// Update scrolls; v switches between the chain and the other run.
func (p *diffPane) Update(msg tea.Msg) tea.Cmd {
	km, ok := msg.(tea.KeyPressMsg)
	switch {
	case !ok:
	case key.Matches(km, p.c.keys.DiffRuns) && p.hasOther:
		p.acrossRuns = !p.acrossRuns
		p.load(p.last)
	default:
		p.pager.handleKey(p.c.keys, km)
	}
	return nil
}

// View renders the visible lines.
func (p *diffPane) View() string { return p.pager.view(p.c, p.width) }
