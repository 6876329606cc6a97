package ui

import (
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/oboscope/oboscope/flows/report"
	"github.com/oboscope/oboscope/inspect"
)

// tokenScreen is the one-token view of `oboscope inspect`, on the tabs of its tabBar: Claims,
// Findings and Raw. A pasted token replaces the one shown.
type tokenScreen struct {
	c *common
	tabBar
	// finds is the Findings tab, which a token with an error opens on.
	finds    *findingsPane
	overWalk bool // shown over the walk: esc returns to it
	opts     report.InspectOptions
	tok      *inspect.Token
	// decoded is the token as decoded, which the lint reads; tok is its copy for the screen.
	decoded *inspect.Token
	// clockIDs are the findings the clock raised at the last lint (expired, near expiry …).
	clockIDs []string
	err      error
	// pasteErr is why the last paste was not a token, while the token before it stays shown.
	pasteErr error
	findings []inspect.Finding
	width    int
	height   int
}

// newTokenScreen builds the token screen with its tabs, in the order of the tab line and the
// number keys; overWalk says it is shown over the walk, which esc returns to.
func newTokenScreen(c *common, opts report.InspectOptions, overWalk bool) tokenScreen {
	finds := newFindingsPane(c)
	finds.noCopyHint = true
	return tokenScreen{c: c, opts: opts, overWalk: overWalk, finds: finds, tabBar: newTabBar(c,
		newClaimsPane(c),
		finds,
		newRawPane(c),
	)}
}

// expectations are the --expect-* flags and the clock the lint runs with.
func (t tokenScreen) expectations() inspect.Expectations {
	exp := inspect.Expectations{Scopes: t.opts.ExpectScopes, TenantID: t.opts.ExpectTenant, Now: t.c.now()}
	if t.opts.ExpectAud != "" {
		exp.Audiences = []string{t.opts.ExpectAud}
	}
	if t.opts.Now != "" {
		if at, err := time.Parse(time.RFC3339, t.opts.Now); err == nil {
			exp.Now = at
		}
	}
	return exp
}

// load decodes raw (unverified) and lints it; a token that cannot be decoded shows its error,
// unless a token is shown already: that one stays, and pasteErr says why the paste was refused.
func (t *tokenScreen) load(raw string) {
	// A pasted JSON token response (az account get-access-token) holds the token to inspect.
	tok, err := inspect.DecodeUnverified(inspect.UnwrapTokenResponse(raw))
	if err != nil && t.tok != nil && t.err == nil {
		t.pasteErr = err
		return
	}
	t.pasteErr = nil
	t.tok, t.err, t.decoded = tok, err, nil
	if err == nil {
		// Lint the token as it is; show a copy whose values cannot drive the terminal.
		t.decoded, t.tok = tok, displayToken(tok)
	}
	t.lint()
	if len(t.findings) > 0 && (t.findings[0].Severity == inspect.SeverityError || len(t.tok.Claims) == 0) {
		t.focus(t.finds)
	} else {
		t.showTab(firstTab)
	}
	t.setSize(t.width, t.height)
}

// lint holds the decoded token against the expectations and the clock, and hands the tabs what
// they show.
func (t *tokenScreen) lint() {
	t.findings, t.clockIDs = nil, nil
	if t.decoded != nil {
		exp := t.expectations()
		t.findings = mapSlice(inspect.LintToken(t.decoded, "token", exp), displayFinding)
		t.clockIDs = clockIDs(t.decoded, exp)
	}
	t.loadTabs(tabData{tok: t.tok, findings: t.findings,
		note: "Decoded without verifying the signature: inspect has no key set to check it against."})
}

// hasErrors reports whether the token has an error finding (or could not be decoded).
func (t tokenScreen) hasErrors() bool {
	if t.err != nil {
		return true
	}
	for _, f := range t.findings {
		if f.Severity == inspect.SeverityError {
			return true
		}
	}
	return false
}

// shown is the token on screen (nil when none is).
func (t tokenScreen) shown() *inspect.Token { return t.tok }

// tokenFindings are the findings of the token on screen.
func (t tokenScreen) tokenFindings() []inspect.Finding { return t.findings }

// loadErrors say what the last load did not show: why a paste was refused while the token
// before it stays shown, and why the token shown could not be decoded.
func (t tokenScreen) loadErrors() (refused, undecodable error) { return t.pasteErr, t.err }

// status is the status line's state for the token on screen, and a shorter form of it for
// when a toast needs the room ("" when there is none).
func (t tokenScreen) status() (state, compact string) {
	s := t.c.styles
	switch {
	case t.err != nil:
		state = s.StatusErr.Render(" ✗ not a token")
	case t.pasteErr != nil:
		state = s.StatusErr.Render(" ✗ the paste was not a token") + s.StatusBar.Render(" · still showing the previous token")
		compact = s.StatusErr.Render(" ✗ the paste was not a token")
	case t.tok != nil && t.tok.SignatureRemoved:
		state = s.StatusBar.Render(" decoded; its signature was removed, so there is nothing to verify · paste another token")
	case t.tok != nil && t.tok.Format == inspect.FormatJWE:
		state = s.StatusBar.Render(" encrypted: only its audience can decrypt it · paste another token")
	case t.tok != nil && t.tok.Format != inspect.FormatJWS:
		state = s.StatusBar.Render(" not a JWT: nothing to decode · paste another token to inspect it")
	default:
		state = s.StatusBar.Render(" decoded, signature not verified · paste another token to inspect it")
	}
	return state, compact
}

// tokenPaneTop is the first line of the tab content inside the screen.
const tokenPaneTop = 2

func (t *tokenScreen) setSize(w, h int) {
	t.width, t.height = w, h
	t.resizeTabs(w, max(h-tokenPaneTop, 1))
}

// Update handles tab switching and passes the rest to the tab in front.
func (t tokenScreen) Update(msg tea.Msg) (tokenScreen, tea.Cmd) {
	if km, ok := msg.(tea.KeyPressMsg); ok && !t.capturing() && t.switchKey(km) {
		return t, nil
	}
	return t, t.updateFront(msg)
}

// click handles a click at (x, y) of the screen: on the tab line it brings a tab to the front;
// below, the tab in front takes it.
func (t *tokenScreen) click(x, y int) {
	switch {
	case y == 1:
		t.clickTab(x)
	case y >= tokenPaneTop:
		t.clickRow(x, y-tokenPaneTop)
	}
}

// wheel offers the mouse wheel at line y of the screen to the tab in front and reports whether
// it scrolled; otherwise the wheel works as ↑/↓.
func (t *tokenScreen) wheel(delta, y int) bool { return t.wheelFront(delta, y-tokenPaneTop) }

// View renders the summary line, the tabs and the active tab.
func (t *tokenScreen) View() string {
	s := t.c.styles
	w := t.width
	if t.err != nil {
		lines := []string{"", "  " + s.Error.Render("Could not decode this token"), ""}
		for _, l := range wrap(t.err.Error(), w-4) {
			lines = append(lines, "  "+l)
		}
		next := "or q to quit."
		if t.overWalk {
			next = "or esc to return to the walk."
		}
		lines = append(lines, "", "  "+s.Muted.Render("Paste a token (your terminal's paste) to inspect another one, "+next))
		return block(lines, w, t.height)
	}
	if t.tok == nil {
		lines := []string{"", "  " + s.Header.Render("Paste a token to inspect it"), ""}
		for _, l := range wrap("Use your terminal's paste (it arrives as one bracketed paste); a leading \"Bearer \" is fine. "+
			"The token is decoded here, never sent anywhere, and its signature is never shown.", w-4) {
			lines = append(lines, "  "+s.Muted.Render(l))
		}
		return block(lines, w, t.height)
	}
	lines := []string{tokenSummary(t.c, t.tok, nil), t.tabLine()}
	return block(lines, w, tokenPaneTop) + "\n" + t.front().View()
}

// ShortHelp is the token screen's key line for the tab in front (help.KeyMap).
func (t tokenScreen) ShortHelp() []key.Binding {
	k := t.c.keys
	if t.tok == nil {
		// Nothing decoded: no tabs, nothing to filter or copy.
		var short []key.Binding
		if t.overWalk {
			short = append(short, k.Back)
		}
		return append(short, k.Quit)
	}
	short := append([]key.Binding{k.NextTab}, t.frontKeys()...)
	short = append(short, k.CopyToken)
	if t.overWalk {
		short = append(short, k.Back)
	}
	return append(short, k.Quit)
}

// FullHelp groups the token screen's keys (help.KeyMap).
func (t tokenScreen) FullHelp() [][]key.Binding { return [][]key.Binding{t.ShortHelp()} }

// tokenSummary renders inspect's summary of a token on one line, styled: kind, version, a live
// expiry, audience, principal and scopes.
func tokenSummary(c *common, tok *inspect.Token, names inspect.AppNames) string {
	s := c.styles
	sum := inspect.Summarize(tok, names)
	switch sum.Format {
	case inspect.FormatOpaque:
		return " " + s.Bold.Render("opaque token") + s.Muted.Render(" · not a JWT, nothing to decode")
	case inspect.FormatJWE:
		return " " + s.Bold.Render("encrypted token (JWE)") + s.Muted.Render(" · only its audience can read it")
	}
	kind := "token"
	if sum.Kind != "" && sum.Kind != inspect.KindUnknown {
		kind = string(sum.Kind) + " token"
	}
	if sum.Version != "" {
		kind += " v" + sum.Version
	}
	parts := []string{s.Bold.Render(kind)}
	if !sum.ExpiresAt.IsZero() {
		rel := relative("exp", sum.ExpiresAt, c.now())
		if sum.ExpiresAt.Before(c.now()) {
			rel = s.Error.Render(rel)
		}
		parts = append(parts, rel)
	}
	if sum.Audience != "" {
		aud := sum.Audience
		if sum.AudienceKnown != "" {
			aud = sum.AudienceKnown + " (" + aud + ")"
		}
		parts = append(parts, s.Muted.Render("aud ")+aud)
	}
	if p := principalText(sum); p != "" {
		parts = append(parts, p)
	}
	if len(sum.Scopes) > 0 {
		parts = append(parts, s.Muted.Render("scp ")+strings.Join(sum.Scopes, " "))
	} else if len(sum.Roles) > 0 {
		parts = append(parts, s.Muted.Render("roles ")+strings.Join(sum.Roles, " "))
	}
	return " " + strings.Join(parts, s.Faint.Render(" · "))
}

// principalText names who the token speaks for: its principal kind and who.
func principalText(sum inspect.TokenSummary) string {
	switch sum.Principal {
	case "", inspect.PrincipalUnknown:
		return sum.Who
	}
	if sum.Who == "" {
		return string(sum.Principal)
	}
	return string(sum.Principal) + " " + sum.Who
}
