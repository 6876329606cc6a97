package ui

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/oboscope/oboscope/flows"
)

// bigCode spaces out a user code and frames it so it reads from across a room.
func bigCode(s *Styles, code string) []string {
	spaced := strings.Join(strings.Split(code, ""), " ")
	frame := lipgloss.NewStyle().Border(lipgloss.ThickBorder()).BorderForeground(s.BorderColor).Padding(0, 2)
	return strings.Split(frame.Render(s.BigCode.Render(spaced)), "\n")
}

// countdown says how long the device code stays valid.
func countdown(c *common, dc *flows.DeviceCode) string {
	if dc.ExpiresAt.IsZero() {
		return ""
	}
	left := dc.ExpiresAt.Sub(c.now())
	if left <= 0 {
		return c.styles.Error.Render("expired")
	}
	return fmt.Sprintf("expires in %d:%02d", int(left.Minutes()), int(left.Seconds())%60)
}

// deviceCodePanel is the sign-in box: where to go, the code, the countdown, and whether the
// sandbox approved it already.
func deviceCodePanel(c *common, ws *walkState, w int) []string {
	s := c.styles
	dc := ws.device
	var body []string
	title := "Sign in with a device code"
	if ws.answering != nil {
		title = "Sign in again with a device code"
		body = append(wrap(s.Warning.Render(claimsSignInText(*ws.answering)), w-6), "")
	}
	body = append(body,
		"Open  "+s.Info.Render(dc.VerificationURL),
		"and enter the code:",
	)
	code := bigCode(s, dc.UserCode)
	cd := countdown(c, dc)
	for i, l := range code {
		if i == 1 {
			l += "   " + s.Muted.Render(cd)
		}
		body = append(body, "  "+l)
	}
	switch {
	case dc.AutoApproved:
		body = append(body, s.OK.Render("✓ auto-approved by the sandbox")+s.Muted.Render(" · c copies the code"))
	case ws.mode == "sandbox":
		body = append(body, s.Muted.Render("Approve it at the /devicelogin page above as a sandbox user · c copies the code"))
	default:
		body = append(body, s.Muted.Render("Waiting for you to sign in in a browser · c copies the code"))
	}
	return boxLines(s.FocusBox, w, s.Title.Render(title), body)
}

// deviceSummary is the device code as the sign-in hop's summary shows it: waiting for approval
// while the sign-in runs, approved once it succeeded.
func deviceSummary(c *common, ws *walkState) []string {
	if ws.device == nil {
		return nil
	}
	s := c.styles
	dc := ws.device
	var how string
	switch st := ws.hops[0].Status; {
	case dc.AutoApproved:
		how = "auto-approved by the sandbox"
	case st == flows.StatusOK || st == flows.StatusWarning:
		how = "approved by you"
	case st == flows.StatusFailed:
		how = "the sign-in did not complete"
	default:
		how = "waiting for approval"
	}
	return []string{
		s.Accent.Render("Device code"),
		fmt.Sprintf("  code %s at %s (%s)", s.Bold.Render(dc.UserCode), dc.VerificationURL, how),
	}
}

// claimsSignInText is the line the device-code box shows while signing in again to answer a
// claims challenge.
func claimsSignInText(requirement string) string {
	if requirement == "" {
		return "Sign in again, satisfying the claims challenge."
	}
	return "Sign in again, satisfying the claims challenge: " + requirement + "."
}
