package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/oboscope/oboscope/flows"
	"github.com/oboscope/oboscope/inspect"
)

// hopScreen is one hop in detail, on the tabs of its tabBar: Summary, Claims, Findings, HTTP,
// Diff and Raw. t cycles through the hop's tokens; [ and ] move to the neighbouring hops.
type hopScreen struct {
	c *common
	tabBar
	hop       int
	tokIdx    int
	res       flows.HopResult
	hopSpans  []tabSpan
	width     int
	height    int
	loadedRes string // identity of what is loaded, to keep the scroll position across repaints
}

// newHopScreen builds the hop screen with its tabs, in the order of the tab line and the
// number keys.
func newHopScreen(c *common) hopScreen {
	return hopScreen{c: c, tabBar: newTabBar(c,
		newSummaryTab(c),
		newClaimsPane(c),
		newFindingsPane(c),
		newHTTPPane(c),
		newDiffPane(c),
		newRawPane(c),
	)}
}

// hopPaneTop is the first line of the tab content inside the screen.
const hopPaneTop = 3

func (h *hopScreen) setSize(w, hh int) {
	h.width, h.height = w, hh
	h.resizeTabs(w, max(hh-hopPaneTop, 1))
}

// What open shows: the first tab, or the tab in front.
const (
	firstTab = 0
	keepTab  = -1
)

// open shows hop i of run ws, on tab (firstTab, or keepTab for the tab in front); other is the
// run the Diff tab can compare with (nil when there is none).
func (h *hopScreen) open(ws, other *walkState, i, tab int) {
	h.hop = i
	h.showTab(tab)
	h.tokIdx = -1
	h.loadedRes = ""
	h.load(ws, other)
}

// shown is the index of the hop on screen.
func (h hopScreen) shown() int { return h.hop }

// invalidate makes the next load rebuild the tabs even when the hop looks unchanged.
func (h *hopScreen) invalidate() { h.loadedRes = "" }

// token returns the token selected in this hop.
func (h hopScreen) token() (flows.NamedToken, bool) {
	if h.tokIdx < 0 || h.tokIdx >= len(h.res.Tokens) {
		return flows.NamedToken{}, false
	}
	return h.res.Tokens[h.tokIdx], true
}

// load (re)builds the panes from the run on screen (and the other run, for the Diff tab); called
// whenever the hop's data changes.
func (h *hopScreen) load(ws, other *walkState) {
	if h.hop >= len(ws.hops) {
		return
	}
	h.res = ws.hopAt(h.hop)
	if h.tokIdx < 0 || h.tokIdx >= len(h.res.Tokens) {
		h.tokIdx = len(h.res.Tokens) - 1
	}
	id := fmt.Sprintf("%p/%p/%d/%s/%d/%d/%d/%d", ws, other, h.hop, h.res.Status, len(h.res.Tokens), len(h.res.Exchanges), len(h.res.Findings), h.tokIdx)
	if id == h.loadedRes {
		return
	}
	h.loadedRes = id
	nt, ok := h.token()
	var tok *inspect.Token
	if ok {
		tok = nt.Token
	}
	h.loadTabs(tabData{
		tok: tok, name: nt.Name, findings: h.res.Findings, note: verifyNote(ws, nt), names: ws.names,
		ws: ws, other: other, hop: h.hop, tokIdx: h.tokIdx, res: h.res,
	})
	h.setSize(h.width, h.height)
}

// Update handles tabs and the tab in front's keys. Moving between hops and tokens is the root
// model's job, since it owns the walk state.
func (h hopScreen) Update(msg tea.Msg) (hopScreen, tea.Cmd) {
	if km, ok := msg.(tea.KeyPressMsg); ok && !h.capturing() && h.switchKey(km) {
		return h, nil
	}
	return h, h.updateFront(msg)
}

// click handles a click at (x, y) of the screen: on the hop strip it names the hop to open; on
// the tab line it brings a tab to the front; below, the tab in front takes it.
func (h *hopScreen) click(x, y int) (hop int, open bool) {
	switch {
	case y == 0:
		return tabAt(h.hopSpans, x)
	case y == 1:
		h.clickTab(x)
	case y >= hopPaneTop:
		h.clickRow(x, y-hopPaneTop)
	}
	return 0, false
}

// wheel offers the mouse wheel at line y of the screen to the tab in front and reports whether
// it scrolled; otherwise the wheel works as ↑/↓.
func (h *hopScreen) wheel(delta, y int) bool { return h.wheelFront(delta, y-hopPaneTop) }

// View renders the hop strip, the tabs, the context line and the active tab.
func (h *hopScreen) View(ws *walkState, spin string) string {
	s := h.c.styles
	w := h.width
	var strip string
	strip, h.hopSpans = hopStrip(s, ws, h.hop, spin)
	tabs := h.tabLine()
	var context string
	if nt, ok := h.token(); ok && nt.Token != nil {
		sel := ""
		if len(h.res.Tokens) > 1 {
			sel = s.Faint.Render(fmt.Sprintf("  (%d/%d, t: next)", h.tokIdx+1, len(h.res.Tokens)))
		}
		context = " " + s.Accent.Render(nt.Name) + s.Faint.Render(" · ") + strings.TrimSpace(tokenSummary(h.c, nt.Token, ws.names)) + sel
	} else {
		context = " " + s.Muted.Render("no token at this hop")
	}
	head := block([]string{trunc(strip, w), tabs, truncWords(context, w)}, w, hopPaneTop)
	return head + "\n" + h.front().View()
}

// ShortHelp is the hop screen's key line: its own keys around those of the tab in front, with t
// on the tabs about the hop's tokens (help.KeyMap).
func (h hopScreen) ShortHelp() []key.Binding {
	k := h.c.keys
	short := append([]key.Binding{k.NextTab, k.NextHop, k.Back}, h.frontKeys()...)
	if _, ok := h.front().(tokenTab); ok && len(h.res.Tokens) > 1 {
		short = append(short, k.NextToken)
	}
	if nt, ok := h.token(); ok && nt.Token != nil {
		short = append(short, k.CopyToken) // or says why this one cannot be copied
	}
	return append(short, k.RerunHop)
}

// FullHelp groups the hop screen's keys (help.KeyMap).
func (h hopScreen) FullHelp() [][]key.Binding { return [][]key.Binding{h.ShortHelp()} }

// nextToken selects the hop's next token.
func (h *hopScreen) nextToken(ws, other *walkState) {
	if len(h.res.Tokens) < 2 {
		return
	}
	h.tokIdx = (h.tokIdx + 1) % len(h.res.Tokens)
	h.load(ws, other)
}

// hopStrip is the line of hops with their status, hop cur highlighted, and where each sits.
func hopStrip(s *Styles, ws *walkState, cur int, spin string) (string, []tabSpan) {
	var strip strings.Builder
	spans := make([]tabSpan, len(ws.hops))
	x := 1
	strip.WriteString(" ")
	for i, hr := range ws.hops {
		glyph, _, g := ws.glyphOf(s, i, spin)
		label := fmt.Sprintf(" %s %s ", g, hr.Short)
		var r string
		if i == cur {
			r = s.Selected.Render(label)
		} else {
			r = " " + glyph + " " + s.Muted.Render(hr.Short) + " "
		}
		lw := lipgloss.Width(r)
		spans[i] = tabSpan{x, x + lw}
		strip.WriteString(r)
		x += lw
		if i < len(ws.hops)-1 {
			strip.WriteString(s.Faint.Render("›"))
			x++
		}
	}
	return strip.String(), spans
}
