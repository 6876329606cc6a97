package ui

import (
	"github.com/oboscope/oboscope/flows"
)

// consentPending reports whether the last walk ended with a Foundry agent waiting for the user's
// consent (OAuth identity passthrough): the overview then shows the link, and c copies it.
func (w *walkState) consentPending() bool {
	if w.consent == nil || w.running {
		return false
	}
	i := w.index(flows.HopOBO)
	return i < 0 || w.hops[i].Status == flows.StatusSkipped
}

// consentPanel is the box that asks the person to consent: the agent, the tool, the link (c copies
// it), and r to run the walk again once done.
func consentPanel(c *common, ws *walkState, w int) []string {
	s := c.styles
	cr := ws.consent
	tool := cr.ServerLabel
	if tool == "" {
		tool = "its MCP tool"
	}
	body := wrap("The Foundry agent "+s.Bold.Render(cr.Agent)+" uses "+tool+" with OAuth identity passthrough: it needs your consent once before it can call the tool with your identity.", w-6)
	body = append(body, "", "Open  "+s.Info.Render(cr.Link))
	body = append(body, "", s.Muted.Render("c copies the link · sign in and consent · then r runs the walk again"))
	return boxLines(s.FocusBox, w, s.Title.Render("Consent needed"), body)
}
