package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/oboscope/oboscope/flows"
	"github.com/oboscope/oboscope/inspect"
)

// tabComponent is one tab of a screen, the way soft-serve mounts a TabComponent on a page: it
// names itself on the tab line, lists the keys it adds to the screen's hint line (help.KeyMap),
// takes its size, loads what it shows from the screen's tabData, handles the keys that reach it
// and renders itself. Tabs are pointers held in a tabBar's slice, so Update changes the tab in
// place. Adding a tab is a row in a screen's newTabBar call and a file that implements this.
type tabComponent interface {
	help.KeyMap
	TabName() string
	SetSize(width, height int)
	load(d tabData)
	Update(msg tea.Msg) tea.Cmd
	View() string
}

// Optional capabilities of a tab. The screen asks the tab in front for them, so the root model
// never needs to know which tab that is.
type (
	// tabBadge is a tab with a note after its name on the tab line, such as a count.
	tabBadge interface{ badge() string }
	// rowClicker selects what is under a click at (x, y), relative to the tab's top left.
	rowClicker interface{ click(x, y int) }
	// wheeler scrolls on the mouse wheel at line y of the tab itself and reports whether it
	// did; a tab that does not leaves the wheel to the ↑/↓ keys.
	wheeler interface{ wheel(delta, y int) bool }
	// valueCopier has a selected value that y copies.
	valueCopier interface {
		copyValue() (what, text string, ok bool)
	}
	// findingSelector has a selected finding that enter and x explain.
	findingSelector interface {
		selectedFinding() (inspect.Finding, bool)
	}
	// textCapturer takes every key while text is typed into it (a filter).
	textCapturer interface{ capturing() bool }
	// keyTaker takes some keys before the screen does (n and N while a search is on).
	keyTaker interface {
		takesKey(msg tea.KeyPressMsg) bool
	}
	// backHandler uses esc itself (to clear a filter) instead of leaving the screen.
	backHandler interface{ handlesBack() bool }
	// tokenTab is about the hop's tokens: on it the hop screen offers t (next token).
	tokenTab interface{ tokenTab() }
	// rebuilder pre-renders its lines, and renders them again when the colours change.
	rebuilder interface{ rebuild() }
)

// tabData is what a screen hands its tabs when what they show changes: the token in front with
// its findings and, on the hop screen, the hop and the walk around it.
type tabData struct {
	tok      *inspect.Token // the token in front; nil when there is none
	name     string         // its name ("OBO token")
	findings []inspect.Finding
	note     string           // what was (not) checked about tok's signature
	names    inspect.AppNames // app names the config knows ("Contoso MCP", "the MCP server")

	ws     *walkState // nil on the token screen
	other  *walkState // the other run (the previous one, or the latest while the previous shows)
	hop    int
	tokIdx int
	res    flows.HopResult
}

// tabBar holds a screen's tabs in order and which one is in front; it switches tabs on tab,
// shift+tab and the number keys, draws the tab line, and passes everything else to the tab in
// front. The hop and token screens embed one.
type tabBar struct {
	c      *common
	tabs   []tabComponent
	active int
	spans  []tabSpan // where each label sat on the last tab line drawn, for clicks
}

func newTabBar(c *common, tabs ...tabComponent) tabBar {
	return tabBar{c: c, tabs: tabs}
}

// front is the tab in front.
func (b tabBar) front() tabComponent { return b.tabs[b.active] }

// activeTab is the name of the tab in front.
func (b tabBar) activeTab() string { return b.front().TabName() }

// focus brings tab t to the front.
func (b *tabBar) focus(t tabComponent) {
	for i, o := range b.tabs {
		if o == t {
			b.active = i
		}
	}
}

// showTab brings tab i to the front when there is one.
func (b *tabBar) showTab(i int) {
	if i >= 0 && i < len(b.tabs) {
		b.active = i
	}
}

// switchKey changes tabs on tab, shift+tab and the number keys (1 is the first tab) and
// reports whether msg was one of them; a number with no tab is left to the tab in front.
func (b *tabBar) switchKey(msg tea.KeyPressMsg) bool {
	k := b.c.keys
	n := len(b.tabs)
	switch {
	case key.Matches(msg, k.NextTab):
		b.active = (b.active + 1) % n
	case key.Matches(msg, k.PrevTab):
		b.active = (b.active + n - 1) % n
	default:
		i, ok := k.tabNumber(msg)
		if !ok || i >= n {
			return false
		}
		b.active = i
	}
	return true
}

// resizeTabs gives every tab the room under the screen's head.
func (b *tabBar) resizeTabs(w, h int) {
	for _, t := range b.tabs {
		t.SetSize(w, h)
	}
}

// loadTabs hands every tab what it shows.
func (b *tabBar) loadTabs(d tabData) {
	for _, t := range b.tabs {
		t.load(d)
	}
}

// rebuildTabs renders again what the tabs pre-rendered, after a change of colours.
func (b *tabBar) rebuildTabs() {
	for _, t := range b.tabs {
		if r, ok := t.(rebuilder); ok {
			r.rebuild()
		}
	}
}

// updateFront passes msg to the tab in front.
func (b *tabBar) updateFront(msg tea.Msg) tea.Cmd { return b.front().Update(msg) }

// frontKeys are the keys the tab in front adds to the screen's hint line.
func (b tabBar) frontKeys() []key.Binding { return b.front().ShortHelp() }

// tabLine draws the tab line ("1 Summary  2 Claims  …") with the tab in front marked and each
// tab's badge after its name, and records where each label is for clicks.
func (b *tabBar) tabLine() string {
	labels := make([]string, len(b.tabs))
	badges := make([]string, len(b.tabs))
	for i, t := range b.tabs {
		labels[i] = t.TabName()
		if tb, ok := t.(tabBadge); ok {
			badges[i] = tb.badge()
		}
	}
	line, spans := renderTabs(b.c.styles, labels, badges, b.active)
	b.spans = spans
	return line
}

// clickTab brings the tab under column x of the tab line to the front.
func (b *tabBar) clickTab(x int) {
	if i, ok := tabAt(b.spans, x); ok {
		b.active = i
	}
}

// clickRow passes a click at (x, y), relative to the tab, to the tab in front.
func (b *tabBar) clickRow(x, y int) {
	if rc, ok := b.front().(rowClicker); ok {
		rc.click(x, y)
	}
}

// wheelFront offers the wheel at line y of the tab to the tab in front.
func (b *tabBar) wheelFront(delta, y int) bool {
	w, ok := b.front().(wheeler)
	return ok && w.wheel(delta, y)
}

// capturing reports whether the tab in front is taking typed text.
func (b tabBar) capturing() bool {
	tc, ok := b.front().(textCapturer)
	return ok && tc.capturing()
}

// takesKey reports whether the tab in front takes msg before the screen does.
func (b tabBar) takesKey(msg tea.KeyPressMsg) bool {
	kt, ok := b.front().(keyTaker)
	return ok && kt.takesKey(msg)
}

// handlesBack reports whether esc is used inside the tab in front.
func (b tabBar) handlesBack() bool {
	bh, ok := b.front().(backHandler)
	return ok && bh.handlesBack()
}

// copyValue is the selected value of the tab in front, as y copies it.
func (b tabBar) copyValue() (what, text string, ok bool) {
	if vc, is := b.front().(valueCopier); is {
		return vc.copyValue()
	}
	return "", "", false
}

// selectedFinding is the finding selected on the tab in front, when it lists findings.
func (b tabBar) selectedFinding() (inspect.Finding, bool) {
	if fs, ok := b.front().(findingSelector); ok {
		return fs.selectedFinding()
	}
	return inspect.Finding{}, false
}

// tabSpan is where a label sits on a line of labels (tabs, the hop strip), for mouse clicks.
type tabSpan struct{ from, to int }

// renderTabs draws a tab line ("1 Summary  2 Claims  …") with the active tab marked, and returns
// where each label is. badges adds a count after a label (e.g. findings) when non-empty.
func renderTabs(s *Styles, labels []string, badges []string, active int) (string, []tabSpan) {
	var b strings.Builder
	spans := make([]tabSpan, len(labels))
	x := 1
	b.WriteString(" ")
	for i, l := range labels {
		text := fmt.Sprintf("%d %s", i+1, l)
		if i < len(badges) && badges[i] != "" {
			text += " " + badges[i]
		}
		var r string
		if i == active {
			r = s.TabActive.Render(" " + text + " ")
		} else {
			r = s.TabInactive.Render(" " + text + " ")
		}
		w := lipgloss.Width(r)
		spans[i] = tabSpan{x, x + w}
		b.WriteString(r)
		x += w
		if i < len(labels)-1 {
			b.WriteString(s.Faint.Render("│"))
			x++
		}
	}
	return b.String(), spans
}

// tabAt returns the label under column x.
func tabAt(spans []tabSpan, x int) (int, bool) {
	for i, sp := range spans {
		if x >= sp.from && x < sp.to {
			return i, true
		}
	}
	return 0, false
}
