package ui

import (
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/oboscope/oboscope/flows"
	"github.com/oboscope/oboscope/inspect"
)

// overviewScreen is the chain as a rail of hops with their live status and, between two hops,
// the token that travelled; below it the first error, or the device code while signing in.
type overviewScreen struct {
	c       *common
	sandbox bool // the scenario picker is available
	list    scroller
	width   int
	height  int
}

// newOverviewScreen builds the overview; sandbox says the scenario picker is available.
func newOverviewScreen(c *common, sandbox bool) overviewScreen {
	return overviewScreen{c: c, sandbox: sandbox}
}

// setHops sizes the rail for a chain of n hops.
func (o *overviewScreen) setHops(n int) {
	if o.list.n != n {
		o.list.setLen(n)
		o.list.setHeight(n)
	}
}

func (o *overviewScreen) setSize(w, h int) { o.width, o.height = w, h }

// selected is the index of the hop selected on the rail.
func (o overviewScreen) selected() int { return o.list.cursor }

// selectHop moves the rail's selection to hop i.
func (o *overviewScreen) selectHop(i int) { o.list.to(i) }

// click handles a click at line y of the screen: a hop's row selects it, and a click on the
// hop already selected names it to open.
func (o *overviewScreen) click(y int) (hop int, open bool) {
	i, ok := o.hopAt(y)
	switch {
	case !ok:
		return 0, false
	case i == o.list.cursor:
		return i, true
	}
	o.list.to(i)
	return 0, false
}

// railTop is the first line of the rail inside the screen.
const railTop = 1

// hopAt maps a mouse row (relative to the screen) to a hop.
func (o overviewScreen) hopAt(y int) (int, bool) {
	y -= railTop
	if y < 0 || y%2 != 0 || y/2 >= o.list.n {
		return 0, false
	}
	return y / 2, true
}

// Update moves the selection.
func (o overviewScreen) Update(msg tea.Msg) (overviewScreen, tea.Cmd) {
	if km, ok := msg.(tea.KeyPressMsg); ok {
		o.list.handleKey(o.c.keys, km)
	}
	return o, nil
}

// statusGlyph is the symbol and word of a hop status.
func statusGlyph(s *Styles, st flows.HopStatus, spin string) (string, string) {
	switch st {
	case flows.StatusOK:
		return s.OK.Render("✓"), s.OK.Render("ok")
	case flows.StatusWarning:
		return s.Warning.Render("!"), s.Warning.Render("warning")
	case flows.StatusFailed:
		return s.Error.Render("✗"), s.Error.Render("failed")
	case flows.StatusSkipped:
		return s.Skipped.Render("–"), s.Skipped.Render("skipped")
	case flows.StatusRunning:
		return s.Running.Render(spin), s.Running.Render("running")
	}
	return s.Pending.Render("·"), s.Pending.Render("pending")
}

// hopDuration is how long a finished hop took.
func hopDuration(h flows.HopResult) time.Duration {
	if h.Started.IsZero() || h.Finished.IsZero() {
		return 0
	}
	return h.Finished.Sub(h.Started)
}

// hopLine is what the rail says about hop i next to its status: while it runs, the request in
// flight and for how long.
func hopLine(c *common, ws *walkState, i int) string {
	s, h := c.styles, ws.hops[i]
	switch {
	case ws.isHeld(i):
		return s.Warning.Render("waits for you to send " + ws.heldLabel)
	case h.Status == flows.StatusRunning:
		if x, ok := ws.inFlight(i); ok {
			line := x.Method + " " + x.Label + " …"
			if d := c.now().Sub(x.Started); d >= time.Second/10 {
				line += " " + durationText(d)
			}
			return s.Running.Render(line)
		}
		if n := len(h.Exchanges); n > 0 {
			return s.Running.Render(h.Exchanges[n-1].Label + " …")
		}
		return s.Running.Render("…")
	case h.Err != "" && !h.StoryTellsError():
		return s.Error.Render(h.Err)
	case h.Story != "" && h.Err != "":
		return s.Error.Render(h.Story)
	case h.Status == flows.StatusFailed && len(h.Findings) > 0:
		// A hop that failed on what a rule found (no transport error): the rail names the
		// finding, which the story may only reach at its end.
		fs := append([]inspect.Finding(nil), h.Findings...)
		inspect.SortFindings(fs)
		line := s.Error.Render(fs[0].Title)
		if h.Story != "" {
			line += s.Muted.Render(" · ") + h.Story
		}
		return line
	case h.Story != "":
		return h.Story
	case len(h.Findings) > 0:
		return h.Findings[0].Title
	}
	return ""
}

// travelled describes the token that went from one hop to the next.
func travelled(c *common, hops []flows.HopResult, i int, names inspect.AppNames) string {
	s := c.styles
	nt, ok := handedOn(hops, i)
	if !ok {
		return ""
	}
	sum := inspect.Summarize(nt.Token, names)
	parts := []string{s.Accent.Render(nt.Name)}
	if sum.Audience != "" {
		aud := sum.Audience
		if sum.AudienceKnown != "" {
			aud = s.Bold.Render(sum.AudienceKnown)
		}
		parts = append(parts, s.Muted.Render("aud ")+aud)
	}
	if len(sum.Scopes) > 0 {
		parts = append(parts, s.Muted.Render("scp ")+strings.Join(sum.Scopes, " "))
	} else if len(sum.Roles) > 0 {
		parts = append(parts, s.Muted.Render("roles ")+strings.Join(sum.Roles, " "))
	}
	p := principalText(sum)
	if p == string(inspect.PrincipalApp) && sum.Client != "" {
		// An app-only token speaks for its client: name it.
		who := sum.Client
		if name := names.Known(nt.Token, who); name != "" {
			who = name
		}
		p += " " + who
	}
	if p != "" {
		parts = append(parts, p)
	}
	if !sum.ExpiresAt.IsZero() {
		// The token's life, counted down: it ticks with the clock.
		if left := sum.ExpiresAt.Sub(c.now()); left > 0 {
			parts = append(parts, clockDuration(left)+s.Muted.Render(" left"))
		} else {
			parts = append(parts, s.Error.Render("expired "+clockDuration(left)+" ago"))
		}
	}
	return strings.Join(parts, s.Faint.Render(" · "))
}

// View renders the rail and the panel below it.
func (o overviewScreen) View(ws *walkState, spin string) string {
	s := o.c.styles
	w := o.width
	lines := []string{" " + s.Header.Render("The chain") + s.Muted.Render("  who called whom, with which token")}
	titleW := 16
	for i, h := range ws.hops {
		glyph, word, plainGlyph := ws.glyphOf(s, i, spin)
		dur := durationText(hopDuration(h))
		if ws.stale(i) && h.Status != flows.StatusPending && h.Status != flows.StatusRunning {
			dur = "earlier" // from the run before an earlier hop ran again
		}
		left := fmt.Sprintf(" %s %s %d %s%s", " ", glyph, i+1, fit(h.Short, titleW), fit(word, 9))
		rest := w - lipgloss.Width(left) - 10
		line := hopLine(o.c, ws, i)
		row := left + fitWords(line, rest) + " " + s.Faint.Render(fmt.Sprintf("%9s", dur))
		if i == o.list.cursor {
			plainWord := string(h.Status)
			if ws.isHeld(i) {
				plainWord = "waiting"
			}
			plain := fmt.Sprintf(" ▸ %s %d %s%s", plainGlyph, i+1, fit(h.Short, titleW), fit(plainWord, 9))
			row = s.Selected.Render(fit(plain, lipgloss.Width(left))) + fitWords(line, rest) + " " + s.Faint.Render(fmt.Sprintf("%9s", dur))
		}
		lines = append(lines, row)
		if i < len(ws.hops)-1 {
			conn := "     " + s.Faint.Render("│")
			if tok := travelled(o.c, ws.hops, i, ws.names); tok != "" {
				conn = "     " + s.Faint.Render("└─▶ ") + tok
			}
			lines = append(lines, truncWords(conn, w))
		}
	}
	lines = append(lines, "")
	panelH := o.height - len(lines)
	lines = append(lines, o.panel(ws, w, panelH)...)
	// The selected hop's story fills the room that is left.
	if room := o.height - len(lines) - 1; room >= 5 && !ws.starting && ws.err == "" {
		h := ws.hopAt(o.list.cursor)
		if h.Status != flows.StatusPending {
			_, secs := hopSummarySections(o.c, ws, h, w-4)
			title := s.Header.Render(fmt.Sprintf("Hop %d · %s", o.list.cursor+1, h.Title)) + s.Muted.Render(" · enter for claims, HTTP, diff")
			lines = append(lines, boxLines(s.Box, w, title, fitSections(s, secs, room-2, w-4))...)
		}
	}
	return block(lines, w, o.height)
}

// ansiStripGlyph is the status symbol without colour, for the selected (reverse video) row.
func ansiStripGlyph(st flows.HopStatus, spin string) string {
	switch st {
	case flows.StatusOK:
		return "✓"
	case flows.StatusWarning:
		return "!"
	case flows.StatusFailed:
		return "✗"
	case flows.StatusSkipped:
		return "–"
	case flows.StatusRunning:
		return spin
	}
	return "·"
}

// panel is the box under the rail: the device code while signing in, then the first error or
// the all-clear.
func (o overviewScreen) panel(ws *walkState, w, h int) []string {
	s := o.c.styles
	signin := ws.hops[0]
	switch {
	case ws.err != "":
		return boxLines(s.FocusBox, w, s.Error.Render("Could not run the walk"), wrap(ws.err, w-6))
	case ws.device != nil && (signin.Status == flows.StatusRunning || signin.Status == flows.StatusPending):
		return deviceCodePanel(o.c, ws, w)
	case ws.starting:
		return []string{"  " + s.Muted.Render("Starting the sandbox tenant …")}
	case ws.consentPending():
		return consentPanel(o.c, ws, w)
	}
	if f, hop, bad := ws.firstError(); bad {
		return firstErrorBox(o.c, ws, f, hop, w, h)
	}
	all := ws.findings()
	if ws.report == nil && ws.running {
		return []string{"  " + s.Muted.Render("Walking the chain … keys work while hops run.")}
	}
	if ws.report == nil && len(all) == 0 {
		return nil
	}
	e, wn, in := inspect.CountBySeverity(all)
	title := s.OK.Render("✓ No error")
	var body []string
	if e+wn+in == 0 {
		body = append(body, "Every hop passed and nothing needs fixing.")
	} else {
		body = append(body, fmt.Sprintf("%s and %s:", severityCount(wn, inspect.SeverityWarning), severityCount(in, inspect.SeverityInfo)))
		for _, f := range all {
			body = append(body, findingRow(s, "", f, w-6))
		}
	}
	return boxLines(s.Box, w, title, clip(append(claimsNote(s, ws), body...), h-3))
}

// claimsNote offers to answer a claims challenge when Entra sent one.
func claimsNote(s *Styles, ws *walkState) []string {
	if ws.claims == "" || ws.running {
		return nil
	}
	return []string{s.Warning.Render("Entra sent a claims challenge: press a to sign in again with it."), ""}
}

// clip keeps at most n lines of one text, saying how many lines were left out, indented like
// the text it continues: the body under a heading line, or the one line kept.
func clip(lines []string, n int) []string {
	if n < 1 {
		return nil
	}
	if len(lines) <= n {
		return lines
	}
	out := append([]string(nil), lines[:n-1]...)
	body := out
	if len(out) > 1 {
		body = out[1:]
	}
	lead := -1
	for _, l := range body {
		plain := ansi.Strip(l)
		if strings.TrimSpace(plain) == "" {
			continue
		}
		if in := len(plain) - len(strings.TrimLeft(plain, " ")); lead < 0 || in < lead {
			lead = in
		}
	}
	return append(out, strings.Repeat(" ", max(lead, 0))+"… "+plural(len(lines)-n+1, "more line"))
}

// boxLines draws a rounded box of width w with a title in its top border.
func boxLines(style lipgloss.Style, w int, title string, body []string) []string {
	inner := w - 4
	for i, l := range body {
		body[i] = fit(l, inner)
	}
	box := style.Width(w).Render(strings.Join(body, "\n"))
	out := strings.Split(box, "\n")
	if len(out) > 0 && title != "" {
		bc := lipgloss.NewStyle().Foreground(style.GetBorderTopForeground())
		t := " " + title + " "
		rest := w - 3 - lipgloss.Width(t)
		if rest > 0 {
			out[0] = bc.Render("╭─") + t + bc.Render(strings.Repeat("─", rest)+"╮")
		}
	}
	return out
}
