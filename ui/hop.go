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

// Hop detail tabs.
const (
	hopTabSummary = iota
	hopTabClaims
	hopTabFindings
	hopTabHTTP
	hopTabDiff
	hopTabRaw
	hopTabCount
)

var hopTabNames = []string{"Summary", "Claims", "Findings", "HTTP", "Diff", "Raw"}

// hopScreen is one hop in detail: Summary, Claims, Findings, HTTP, Diff and Raw. t cycles through
// the hop's tokens; [ and ] move to the neighbouring hops.
type hopScreen struct {
	c         *common
	hop       int
	tab       int
	tokIdx    int
	res       flows.HopResult
	summary   pager
	claims    claimsPane
	finds     findingsPane
	http      httpPane
	diff      diffPane
	raw       rawPane
	tabSpans  []tabSpan
	hopSpans  []tabSpan
	width     int
	height    int
	loadedRes string // identity of what is loaded, to keep the scroll position across repaints
}

func newHopScreen(c *common) hopScreen {
	return hopScreen{c: c, claims: newClaimsPane(c), finds: newFindingsPane(c), http: newHTTPPane(c), diff: newDiffPane(c), raw: newRawPane(c)}
}

// paneTop is the first line of the tab content inside the screen.
const hopPaneTop = 3

func (h *hopScreen) setSize(w, hh int) {
	h.width, h.height = w, hh
	ph := max(hh-hopPaneTop, 1)
	h.summary.setHeight(ph)
	h.claims.setSize(w, ph)
	h.finds.setSize(w, ph)
	h.http.setSize(w, ph)
	h.diff.setSize(w, ph)
	h.raw.setSize(w, ph)
}

// open shows hop i, on the tab given (or the Summary tab when tab < 0).
func (h *hopScreen) open(ws *walkState, i, tab int) {
	if h.hop != i {
		h.http = newHTTPPane(h.c)
		h.setSize(h.width, h.height)
	}
	h.hop = i
	if tab >= 0 {
		h.tab = tab
	}
	h.tokIdx = -1
	h.loadedRes = ""
	h.load(ws)
}

// token returns the token selected in this hop.
func (h hopScreen) token() (flows.NamedToken, bool) {
	if h.tokIdx < 0 || h.tokIdx >= len(h.res.Tokens) {
		return flows.NamedToken{}, false
	}
	return h.res.Tokens[h.tokIdx], true
}

// load (re)builds the panes from the walk state; called whenever the hop's data changes.
func (h *hopScreen) load(ws *walkState) {
	h.res = ws.hops[h.hop]
	if h.tokIdx < 0 || h.tokIdx >= len(h.res.Tokens) {
		h.tokIdx = len(h.res.Tokens) - 1
	}
	id := fmt.Sprintf("%d/%s/%d/%d/%d/%d", h.hop, h.res.Status, len(h.res.Tokens), len(h.res.Exchanges), len(h.res.Findings), h.tokIdx)
	if id == h.loadedRes {
		return
	}
	h.loadedRes = id
	nt, ok := h.token()
	var tok *inspect.Token
	if ok {
		tok = nt.Token
	}
	h.claims.names = ws.names
	h.diff.names = ws.names
	h.claims.setToken(tok, h.res.Findings)
	h.finds.setFindings(h.res.Findings)
	h.http.setExchanges(h.res.Exchanges)
	h.raw.setToken(tok, verifyNote(ws, nt))
	h.diff.setTokens(previousToken(ws, h.hop, h.tokIdx), nt.Name, tok)
	h.summary.setLines(h.summaryLines(ws))
	h.setSize(h.width, h.height)
}

// verifyNote says whether the token's signature was checked, here or at another hop that held
// the very same token (the user token the agent call presents is the one sign-in verified).
func verifyNote(ws *walkState, nt flows.NamedToken) string {
	switch {
	case nt.Token == nil:
		return ""
	case nt.Verified:
		return "Signature verified against the issuer's published keys."
	case nt.Token.SignatureRemoved && isExchangeCredential(nt.Token):
		return "Not verified: T1 is a credential that only Entra checks, and oboscope keeps it only without its signature."
	case nt.VerifyErr != "":
		return "Signature not verified: " + nt.VerifyErr
	}
	for i, h := range ws.hops {
		for _, o := range h.Tokens {
			if o.Verified && o.Raw != "" && o.Raw == nt.Raw {
				return fmt.Sprintf("Signature verified at hop %d, where this token was obtained.", i+1)
			}
		}
	}
	return "Signature not verified (decoded only)."
}

// diffSource is what the Diff tab compares a token with: an earlier token, or a note saying
// why there is none.
type diffSource struct {
	name string
	tok  *inspect.Token
	note string
}

// previousToken is the token this one should be compared with: the latest token handed on
// earlier in the chain (or obtained earlier in the same hop) that differs from it. Tokens a
// server only reported, and the Agent ID blueprint's credential (T1), are never the "before"
// side; T1 itself is compared with nothing, since no exchange of the user token made it. A token
// that only travelled on unchanged says where it came from.
func previousToken(ws *walkState, hop, idx int) diffSource {
	if hop < 0 || hop >= len(ws.hops) || idx < 0 || idx >= len(ws.hops[hop].Tokens) {
		return diffSource{}
	}
	cur := ws.hops[hop].Tokens[idx]
	if isAgentCredential(ws.hops[hop], cur) {
		note := "This is T1, the agent blueprint's own credential (client credentials with fmi_path): " +
			"it is not an exchange of the user token, so there is nothing to compare it with. "
		if _, ok := handedOn(ws.hops, hop); ok {
			note += "The token this exchange produced is compared with the user token (t selects it)."
		} else {
			note += "The exchange produced no token to compare with the user token."
		}
		return diffSource{note: note}
	}
	for j := idx - 1; j >= 0; j-- {
		if nt := ws.hops[hop].Tokens[j]; nt.Token != nil && !nt.Token.SignatureRemoved && nt.Raw != cur.Raw {
			return diffSource{name: fmt.Sprintf("%s (hop %d)", nt.Name, hop+1), tok: nt.Token}
		}
	}
	for i := hop - 1; i >= 0; i-- {
		if nt, ok := handedOn(ws.hops, i); ok && nt.Raw != cur.Raw {
			return diffSource{name: fmt.Sprintf("%s (hop %d)", nt.Name, i+1), tok: nt.Token}
		}
	}
	// Nothing different came before: where this very token first appeared.
	for i := 0; i < hop && cur.Raw != "" && cur.Token != nil; i++ {
		for _, nt := range ws.hops[i].Tokens {
			if nt.Raw != cur.Raw {
				continue
			}
			note := fmt.Sprintf("The same token as hop %d's %s, forwarded unchanged", i+1, nt.Name)
			if len(cur.Token.Audiences) > 0 {
				aud := cur.Token.Audiences[0]
				if name := appName(cur.Token, aud, ws.names); name != "" {
					aud = name
				}
				note += fmt.Sprintf(" (aud still %s)", aud)
			}
			return diffSource{note: note + "."}
		}
	}
	return diffSource{}
}

// isAgentCredential reports whether nt is the Agent ID blueprint's T1: a token for Entra's
// token exchange (api://AzureADTokenExchange) obtained at the OBO hop as the agent identity's
// client assertion.
func isAgentCredential(h flows.HopResult, nt flows.NamedToken) bool {
	return h.ID == flows.HopOBO && nt.Token != nil && isExchangeCredential(nt.Token)
}

// isExchangeCredential reports whether tok is for Entra's token exchange
// (api://AzureADTokenExchange): a credential, such as the Agent ID blueprint's T1.
func isExchangeCredential(tok *inspect.Token) bool {
	for _, aud := range tok.Audiences {
		if strings.HasPrefix(strings.ToLower(aud), "api://azureadtokenexchange") {
			return true
		}
	}
	return false
}

// summaryLines is the Summary tab: the hop's story, its findings first, then its tokens and
// exchanges.
func (h hopScreen) summaryLines(ws *walkState) []string {
	return hopSummaryLines(h.c, ws, h.res, h.width)
}

// capturing reports whether a text field takes every key.
func (h hopScreen) capturing() bool { return h.tab == hopTabClaims && h.claims.capturing() }

// handlesBack reports whether esc is used inside the screen (to clear the claims filter).
func (h hopScreen) handlesBack() bool { return h.tab == hopTabClaims && h.claims.handlesBack() }

// Update handles tabs, token cycling and the active tab's keys. Moving between hops is the
// root model's job, since it owns the walk state.
func (h hopScreen) Update(msg tea.Msg) (hopScreen, tea.Cmd) {
	k := h.c.keys
	if km, ok := msg.(tea.KeyPressMsg); ok && !h.capturing() {
		switch {
		case key.Matches(km, k.NextTab):
			h.tab = (h.tab + 1) % hopTabCount
			return h, nil
		case key.Matches(km, k.PrevTab):
			h.tab = (h.tab + hopTabCount - 1) % hopTabCount
			return h, nil
		}
		for i, b := range k.tabKeys() {
			if key.Matches(km, b) {
				h.tab = i
				return h, nil
			}
		}
	}
	var cmd tea.Cmd
	switch h.tab {
	case hopTabSummary:
		if km, ok := msg.(tea.KeyPressMsg); ok {
			h.summary.handleKey(k, km)
		}
	case hopTabClaims:
		h.claims, cmd = h.claims.Update(msg)
	case hopTabFindings:
		h.finds, cmd = h.finds.Update(msg)
	case hopTabHTTP:
		h.http, cmd = h.http.Update(msg)
	case hopTabDiff:
		h.diff, cmd = h.diff.Update(msg)
	case hopTabRaw:
		h.raw, cmd = h.raw.Update(msg)
	}
	return h, cmd
}

// View renders the hop strip, the tabs, the context line and the active tab.
func (h *hopScreen) View(ws *walkState, spin string) string {
	s := h.c.styles
	w := h.width
	// The strip of hops, the current one highlighted.
	var strip strings.Builder
	h.hopSpans = make([]tabSpan, len(ws.hops))
	x := 1
	strip.WriteString(" ")
	for i, hr := range ws.hops {
		g := ansiStripGlyph(hr.Status, spin)
		label := fmt.Sprintf(" %s %s ", g, shortTitle(hr.ID))
		var r string
		if i == h.hop {
			r = s.Selected.Render(label)
		} else {
			glyph, _ := statusGlyph(s, hr.Status, spin)
			r = " " + glyph + " " + s.Muted.Render(shortTitle(hr.ID)) + " "
		}
		lw := lipgloss.Width(r)
		h.hopSpans[i] = tabSpan{x, x + lw}
		strip.WriteString(r)
		x += lw
		if i < len(ws.hops)-1 {
			strip.WriteString(s.Faint.Render("›"))
			x++
		}
	}
	badges := make([]string, hopTabCount)
	if n := len(h.res.Findings); n > 0 {
		e, _, _ := inspect.CountBySeverity(h.res.Findings)
		badges[hopTabFindings] = fmt.Sprintf("(%d)", n)
		if e > 0 {
			badges[hopTabFindings] = s.Error.Render(badges[hopTabFindings])
		}
	}
	if n := len(h.res.Exchanges); n > 0 {
		badges[hopTabHTTP] = s.Faint.Render(fmt.Sprintf("(%d)", n))
	}
	tabs, spans := renderTabs(s, hopTabNames, badges, h.tab)
	h.tabSpans = spans
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
	head := block([]string{trunc(strip.String(), w), tabs, truncWords(context, w)}, w, hopPaneTop)
	var body string
	switch h.tab {
	case hopTabSummary:
		body = h.summary.view(h.c, w)
	case hopTabClaims:
		body = h.claims.View()
	case hopTabFindings:
		body = h.finds.View()
	case hopTabHTTP:
		body = h.http.View()
	case hopTabDiff:
		body = h.diff.View()
	default:
		body = h.raw.View()
	}
	return head + "\n" + body
}

// ShortHelp is the hop screen's key line for the tab in front (help.KeyMap).
func (h hopScreen) ShortHelp() []key.Binding {
	k := h.c.keys
	short := []key.Binding{k.NextTab, k.NextHop, k.Back}
	switch h.tab {
	case hopTabClaims:
		short = append(short, k.Filter, k.CopyValue, k.NextToken)
	case hopTabFindings:
		short = append(short, k.Explain, k.CopyValue)
	case hopTabHTTP:
		short = append(short, k.PageDown, k.CopyValue)
	default:
		short = append(short, k.NextToken)
	}
	return append(short, k.CopyToken, k.RerunHop)
}

// FullHelp groups the hop screen's keys (help.KeyMap).
func (h hopScreen) FullHelp() [][]key.Binding { return [][]key.Binding{h.ShortHelp()} }

// nextToken selects the hop's next token.
func (h *hopScreen) nextToken(ws *walkState) {
	if len(h.res.Tokens) < 2 {
		return
	}
	h.tokIdx = (h.tokIdx + 1) % len(h.res.Tokens)
	h.load(ws)
}
