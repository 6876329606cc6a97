package ui

import (
	"fmt"
	"net/http"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/oboscope/oboscope/flows"
	"github.com/oboscope/oboscope/inspect"
)

// tapRequestTop is the first line of a request's tab content: the title bar, the request's line,
// the tab line.
const tapRequestTop = 3

// tapPanelHeight is the height of the box that shows the selected request under the list.
const tapPanelHeight = 9

// View renders the tap screen.
func (m *tapModel) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.WindowTitle = "oboscope tap"
	return v
}

// render is View's content, separate so tests can read it.
func (m *tapModel) render() string {
	w, h := m.c.width, m.c.height
	if w == 0 || h == 0 {
		return ""
	}
	if w < 80 || h < 20 {
		s := m.c.styles
		return lipgloss.Place(w, h, lipgloss.Center, lipgloss.Center, lipgloss.JoinVertical(lipgloss.Center,
			s.Title.Render("oboscope tap"), "", s.Warning.Render("Make the window larger"),
			fmt.Sprintf("the tap needs 80×20 or more; it is %d×%d now.", w, h), s.Muted.Render("q quits")))
	}
	var body string
	if m.open {
		body = m.requestView()
	} else {
		body = m.listView()
	}
	screen := strings.Join([]string{m.titleBar(), body, m.hintLine()}, "\n")
	if !m.help {
		return screen
	}
	box := m.helpBox()
	x, y := max((w-lipgloss.Width(box))/2, 0), max((h-lipgloss.Height(box))/2, 0)
	return lipgloss.NewCompositor(lipgloss.NewLayer(screen), lipgloss.NewLayer(box).X(x).Y(y).Z(1)).Render()
}

// titleBar names the tap and its upstream, and counts the requests.
func (m *tapModel) titleBar() string {
	s := m.c.styles
	left := s.StatusMode.Render("oboscope tap") + " " + s.Bold.Render(m.url) + s.Muted.Render(" → "+m.upstream+" (as "+m.as+")")
	right := s.Muted.Render(plural(len(m.entries)+m.dropped, "request"))
	if m.errors > 0 {
		right += "  " + s.Error.Render(fmt.Sprintf("✗ %d with errors", m.errors))
	}
	if lipgloss.Width(left)+lipgloss.Width(right)+2 > m.c.width {
		left = s.StatusMode.Render("oboscope tap") + " " + s.Bold.Render(m.url) + s.Muted.Render(" → "+m.as)
	}
	return joinLR(left, right+" ", m.c.width)
}

// listHeight is how many requests the list shows.
func (m *tapModel) listHeight() int { return max(m.c.height-3-tapPanelHeight, 1) }

// tapColumns are the list's column widths: #, time, method, status, caller, findings (the path
// takes the rest).
var tapColumns = struct{ seq, time, method, status, caller, findings int }{5, 8, 7, 4, 16, 9}

// listView is the header, the requests and the selected one's box.
func (m *tapModel) listView() string {
	s := m.c.styles
	w := m.c.width
	cols := tapColumns
	pathW := max(w-cols.seq-cols.time-cols.method-cols.status-cols.caller-cols.findings-7, 10)
	head := " " + fit("#", cols.seq) + " " + fit("time", cols.time) + " " + fit("method", cols.method) + " " + fit("path", pathW) + " " +
		fit("ans", cols.status) + " " + fit("caller", cols.caller) + " " + "findings"
	lines := []string{s.Muted.Render(trunc(head, w))}
	if len(m.entries) == 0 {
		lines = append(lines, "", "  "+s.Muted.Render("Waiting for requests. Point your client at ")+s.Bold.Render(m.url+"/…"),
			"  "+s.Muted.Render("(Foundry reaches it through a dev tunnel: see the README). Every request goes on to"),
			"  "+s.Muted.Render(m.upstream+" unchanged."))
	}
	from, to := m.list.window()
	for i := from; i < to; i++ {
		e := m.entries[i]
		row := m.row(e.ev, pathW)
		if i == m.list.cursor {
			row = s.Selected.Render(fit(ansi.Strip(row), w))
		}
		lines = append(lines, row)
	}
	top := block(lines, w, m.listHeight()+1)
	return top + "\n" + strings.Join(m.panel(w), "\n")
}

// row is one request on one line.
func (m *tapModel) row(ev flows.TapEvent, pathW int) string {
	s := m.c.styles
	cols := tapColumns
	path := ev.Path
	if ev.RPC != "" {
		path += " (" + ev.RPC + ")"
	}
	status := fmt.Sprint(ev.Status)
	st := s.OK
	switch {
	case ev.Status == 0:
		status, st = "---", s.Error
	case ev.Status >= 400:
		st = s.Error
	case ev.Status >= 300:
		st = s.Warning
	}
	return " " + s.Faint.Render(fit(fmt.Sprint(ev.Seq), cols.seq)) + " " + s.Muted.Render(fit(ev.Time.In(m.c.loc).Format("15:04:05"), cols.time)) + " " +
		fit(ev.Method, cols.method) + " " + fit(path, pathW) + " " + st.Render(fit(status, cols.status)) + " " +
		m.callerStyle(ev.Caller).Render(fit(callerWord(ev.Caller), cols.caller)) + " " + findingCounts(s, ev.Findings)
}

// callerWord names a caller kind for the list.
func callerWord(k inspect.CallerKind) string {
	switch k {
	case inspect.CallerAgentIdentity:
		return "agent identity"
	case inspect.CallerManagedIdentity:
		return "managed identity"
	}
	return string(k)
}

func (m *tapModel) callerStyle(k inspect.CallerKind) lipgloss.Style {
	s := m.c.styles
	switch k {
	case inspect.CallerUser:
		return s.Info
	case inspect.CallerAgentIdentity, inspect.CallerManagedIdentity, inspect.CallerApp:
		return s.Accent
	case inspect.CallerAnonymous:
		return s.Faint
	}
	return s.Value
}

// findingCounts says how many findings of each severity a request raised ("✓" for none).
func findingCounts(s *Styles, fs []inspect.Finding) string {
	e, wn, in := inspect.CountBySeverity(fs)
	if e+wn+in == 0 {
		return s.OK.Render("✓")
	}
	var parts []string
	if e > 0 {
		parts = append(parts, s.Error.Render(fmt.Sprintf("✗%d", e)))
	}
	if wn > 0 {
		parts = append(parts, s.Warning.Render(fmt.Sprintf("!%d", wn)))
	}
	if in > 0 {
		parts = append(parts, s.Info.Render(fmt.Sprintf("i%d", in)))
	}
	return strings.Join(parts, " ")
}

// panel is the box that shows the selected request: the answer, who called, the token, the
// challenge and the first finding.
func (m *tapModel) panel(w int) []string {
	s := m.c.styles
	sel, ok := m.selected()
	if !ok {
		return strings.Split(strings.Repeat("\n", tapPanelHeight-1), "\n")
	}
	ev := sel.ev
	title := s.Bold.Render(fmt.Sprintf("#%d %s %s", ev.Seq, ev.Method, trunc(ev.Path, 40))) + s.Muted.Render(" → "+answerText(ev)+" · "+durationText(ev.Duration))
	label := func(l string) string { return s.Muted.Render(fit(l, 10)) }
	inner := w - 4
	who, room := " · "+inspect.CallerDescription(ev.Caller), inner-11-len(callerWord(ev.Caller))
	if m.as == flows.TapAsMCP {
		// In front of an MCP server the Foundry authentication matters most: it stays whole.
		if full := who + " · Foundry: " + inspect.FoundryAuthMode(ev.Caller); ansi.StringWidth(full) <= room {
			who = full
		} else {
			who = " · Foundry: " + inspect.FoundryAuthMode(ev.Caller)
		}
	}
	body := []string{label("caller") + " " + m.callerStyle(ev.Caller).Render(callerWord(ev.Caller)) + s.Muted.Render(trunc(who, room))}
	if ev.Token != nil && ev.Token.Token != nil {
		body = append(body, label("token")+" "+truncWords(strings.TrimSpace(tokenSummary(m.c, ev.Token.Token, m.names)), inner-11))
	}
	switch {
	case ev.Challenge != "":
		body = append(body, label("challenge")+" "+trunc(inspect.Printable(ev.Challenge, false), inner-11))
	case ev.Err != "":
		body = append(body, label("error")+" "+s.Error.Render(trunc(ev.Err, inner-11)))
	}
	if len(ev.Findings) > 0 {
		fs := append([]inspect.Finding(nil), ev.Findings...)
		inspect.SortFindings(fs)
		body = append(body, findingRow(s, "", fs[0], inner))
		for _, l := range wrap(fs[0].Detail, inner-3) {
			body = append(body, "   "+s.Muted.Render(l))
		}
		if len(fs) > 1 {
			body = append(body, s.Faint.Render(fmt.Sprintf("   … and %s: enter opens the request", plural(len(fs)-1, "more finding"))))
		}
	} else {
		body = append(body, s.OK.Render("✓ nothing to report about this request"))
	}
	body = clip(body, tapPanelHeight-2)
	for len(body) < tapPanelHeight-2 {
		body = append(body, "")
	}
	return boxLines(s.Box, w, title, body)
}

// answerText is a request's answer in words: "401 Unauthorized", "no answer".
func answerText(ev flows.TapEvent) string {
	if ev.Status == 0 {
		return "no answer"
	}
	return fmt.Sprintf("%d %s", ev.Status, http.StatusText(ev.Status))
}

// requestView is an open request: its line, the tab line and the tab in front.
func (m *tapModel) requestView() string {
	s := m.c.styles
	sel, ok := m.selected()
	if !ok {
		return ""
	}
	ev := sel.ev
	line := " " + s.Bold.Render(fmt.Sprintf("#%d %s %s", ev.Seq, ev.Method, ev.Path)) + s.Muted.Render(" → "+answerText(ev)+" · ") +
		m.callerStyle(ev.Caller).Render(callerWord(ev.Caller))
	if ev.RPC != "" {
		line += s.Muted.Render(" · " + ev.RPC)
	}
	head := block([]string{trunc(line, m.c.width), m.tabs.tabLine()}, m.c.width, tapRequestTop-1)
	return head + "\n" + m.tabs.front().View()
}

// hintLine shows the keys of the screen in front, or the toast.
func (m *tapModel) hintLine() string {
	s := m.c.styles
	if m.toast.text != "" {
		st := s.Toast
		if m.toast.level == toastError {
			st = s.StatusErr
		}
		return st.Render(fit(" "+fitToast(m.toast, m.c.width-1), m.c.width))
	}
	var keys []key.Binding
	k := m.c.keys
	if m.open {
		next := k.NextHop
		next.SetHelp("]/[", "next/prev request")
		keys = append([]key.Binding{k.NextTab, next, k.Back}, m.tabs.frontKeys()...)
		keys = append(keys, k.Quit)
	} else {
		follow := tapFollowKey
		if m.follow {
			follow.SetHelp("f", "stop following")
		}
		move := key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑↓", "move"))
		keys = []key.Binding{move, k.Open, follow, k.CopyToken, k.Quit, k.Help}
	}
	var parts []string
	for _, b := range keys {
		parts = append(parts, s.HelpKey.Render(b.Help().Key)+" "+s.HelpDesc.Render(b.Help().Desc))
	}
	return trunc(" "+strings.Join(parts, s.Faint.Render(" · ")), m.c.width)
}

// helpBox lists every key of the tap screen.
func (m *tapModel) helpBox() string {
	s := m.c.styles
	k := m.c.keys
	rows := [][2]string{
		{"↑↓ / j k", "move in the list (pgup/pgdn, g/G)"},
		{"enter", "open the request: Claims, Findings, HTTP"},
		{"tab / 1-3", "change tab of an open request"},
		{"] / [", "next / previous request while one is open"},
		{"esc", "back to the list"},
		{"f", "follow the newest request, or stop following"},
		{k.CopyToken.Help().Key, "copy the token without its signature (oboscope inspect reads it)"},
		{k.CopyValue.Help().Key, "copy the selected value of a tab (claim, fix, URL)"},
		{"q", "quit (the tap stops)"},
	}
	lines := []string{s.Title.Render("oboscope tap · keys"), ""}
	for _, r := range rows {
		lines = append(lines, s.HelpKey.Render(fit(r[0], 11))+" "+s.HelpDesc.Render(r[1]))
	}
	lines = append(lines, "", s.Muted.Render("Tokens are shown without their signature; the tap never keeps one whole."), s.Faint.Render("any key closes"))
	return s.FocusBox.Render(strings.Join(lines, "\n"))
}
