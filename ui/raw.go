package ui

import (
	"encoding/base64"
	"regexp"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/oboscope/oboscope/inspect"
)

// rawPane is the Raw tab: the token's header and payload as coloured JSON in their original key
// order. The signature is never shown; `c` copies the whole token when the person asks.
type rawPane struct {
	c      *common
	tok    *inspect.Token
	note   string // what was (not) checked about the signature
	pager  pager
	search textSearch
	width  int
	height int
}

func newRawPane(c *common) *rawPane {
	p := &rawPane{c: c, search: newTextSearch(c, "search the token's header and claims")}
	p.pager.mark = func(i int, l string) string { return p.search.mark(0, i, l) }
	return p
}

// TabName is the tab's name on the tab line.
func (p *rawPane) TabName() string { return "Raw" }

// ShortHelp is what the tab adds to the hint line (help.KeyMap): the search.
func (p *rawPane) ShortHelp() []key.Binding {
	if p.tok == nil {
		return nil
	}
	return p.search.keys()
}

// FullHelp groups the tab's keys (help.KeyMap).
func (p *rawPane) FullHelp() [][]key.Binding { return nil }

// load shows the token in front and what was (not) checked about its signature.
func (p *rawPane) load(d tabData) { p.setToken(d.tok, d.note) }

// tokenTab marks the Raw tab as showing the hop's selected token.
func (p *rawPane) tokenTab() {}

func (p *rawPane) setToken(tok *inspect.Token, note string) {
	if tok != p.tok {
		p.pager.offset = 0
	}
	p.tok, p.note = tok, note
	p.rebuild()
}

// SetSize gives the tab its room, less the search's line while there is a search.
func (p *rawPane) SetSize(w, h int) {
	p.width, p.height = w, h
	if p.search.on() {
		h--
	}
	p.pager.setHeight(h)
	p.rebuild()
}

// tick draws the relative times again.
func (p *rawPane) tick() { p.rebuild() }

// searchDocs is the one document the Raw tab searches: its lines.
func (p *rawPane) searchDocs() [][]string { return [][]string{p.pager.lines} }

// showMatch scrolls a matching line into view.
func (p *rawPane) showMatch(_, line int) { p.pager.reveal(line) }

// capturing reports whether the search field takes every key.
func (p *rawPane) capturing() bool { return p.search.editing }

// takesKey reports whether the search takes msg (n, N, esc) before the screen does.
func (p *rawPane) takesKey(msg tea.KeyPressMsg) bool { return p.search.takesKey(msg) }

// handlesBack reports whether esc ends the search rather than leave the screen.
func (p *rawPane) handlesBack() bool { return p.search.on() }

func (p *rawPane) rebuild() {
	s := p.c.styles
	if p.tok == nil {
		p.pager.setLines([]string{"", "  " + s.Muted.Render("No token at this hop.")})
		return
	}
	if p.tok.Format == inspect.FormatJWE {
		p.pager.setLines(wrapAll(p.jweLines(), p.width))
		return
	}
	var lines []string
	lines = append(lines, " "+s.Accent.Render("HEADER")+s.Muted.Render("  alg, kid and typ: how the token was signed"))
	lines = append(lines, indent(segmentJSON(s, p.tok.Raw, 0, p.tok.Header, nil), "   ")...)
	lines = append(lines, "")
	lines = append(lines, " "+s.Accent.Render("PAYLOAD")+s.Muted.Render("  the claims"))
	lines = append(lines, indent(segmentJSON(s, p.tok.Raw, 1, p.tok.Claims, p.timeNote), "   ")...)
	lines = append(lines, "")
	lines = append(lines, " "+s.Accent.Render("SIGNATURE")+s.Muted.Render("  not shown; c copies the whole token"))
	if p.note != "" {
		for _, l := range wrap(p.note, p.width-4) {
			lines = append(lines, "   "+s.Muted.Render(l))
		}
	}
	p.pager.setLines(wrapAll(lines, p.width))
	p.search.refind(p)
}

// jweLines is the Raw tab of an encrypted token: its protected header says how it was
// encrypted; the rest is ciphertext only its audience can decrypt, and there is no signature.
func (p *rawPane) jweLines() []string {
	s := p.c.styles
	lines := []string{" " + s.Accent.Render("HEADER") + s.Muted.Render("  alg and enc: how the token was encrypted (the protected header)")}
	lines = append(lines, indent(segmentJSON(s, p.tok.Raw, 0, p.tok.Header, nil), "   ")...)
	lines = append(lines, "",
		" "+s.Accent.Render("PAYLOAD")+s.Muted.Render("  encrypted: only its audience can decrypt it"),
		"   "+s.Muted.Render("(encrypted key, IV, ciphertext and tag not shown; c copies the whole token)"),
		"",
		" "+s.Accent.Render("SIGNATURE")+s.Muted.Render("  none: a JWE is encrypted, not signed; whoever decrypts it checks its tag"))
	return lines
}

// segmentJSON decodes segment i of a compact JWS to keep the issuer's key order, and falls back
// to the decoded map when that is not possible.
func segmentJSON(s *Styles, raw string, i int, fallback map[string]any, note func(string) string) []string {
	if bare, err := inspect.NormalizeToken(raw); err == nil {
		raw = bare
	}
	parts := strings.Split(raw, ".")
	if len(parts) >= 2 && i < len(parts) {
		if b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[i], "=")); err == nil {
			if lines, ok := prettyJSONNote(s, b, note); ok {
				return lines
			}
		}
	}
	if fallback == nil {
		return []string{s.Muted.Render("(none)")}
	}
	return prettyValue(s, fallback)
}

// timeNote annotates a top-level Unix time claim with its local time and how far it is.
func (p *rawPane) timeNote(line string) string {
	m := timeLine.FindStringSubmatch(line)
	if m == nil || !inspect.IsTimeClaim(m[1]) {
		return ""
	}
	sec, err := strconv.ParseInt(m[2], 10, 64)
	if err != nil {
		return ""
	}
	t := time.Unix(sec, 0)
	return localTime(t, p.c.loc) + " · " + relative(m[1], t, p.c.now())
}

// timeLine matches a top-level numeric claim of the indented payload.
var timeLine = regexp.MustCompile(`^  "([a-z_]+)": (\d+),?$`)

func indent(lines []string, pre string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = pre + l
	}
	return out
}

// wrapAll wraps every line to w cells, keeping its indentation; continuation lines are indented
// by two more cells.
func wrapAll(lines []string, w int) []string {
	var out []string
	for _, l := range lines {
		if lipgloss.Width(l) <= w {
			out = append(out, l)
			continue
		}
		plain := ansi.Strip(l)
		lead := len(plain) - len(strings.TrimLeft(plain, " "))
		body := strings.TrimLeft(l, " ")
		for i, part := range wrap(body, max(w-lead-2, 10)) {
			pad := lead
			if i > 0 {
				pad += 2
			}
			out = append(out, strings.Repeat(" ", pad)+part)
		}
	}
	return out
}

// Update searches (/, n, N) and scrolls.
func (p *rawPane) Update(msg tea.Msg) tea.Cmd {
	if pm, ok := msg.(tea.PasteMsg); ok && p.search.editing {
		p.search.paste(p, pm.Content)
		return nil
	}
	km, ok := msg.(tea.KeyPressMsg)
	if !ok || p.tok == nil {
		return nil
	}
	was := p.search.on()
	cmd, used := p.search.update(p, km)
	if p.search.on() != was {
		p.SetSize(p.width, p.height)
	}
	if !used {
		p.pager.handleKey(p.c.keys, km)
	}
	return cmd
}

// View renders the search's line, when there is a search, and the visible lines.
func (p *rawPane) View() string {
	if p.search.on() {
		return p.search.bar(p.width) + "\n" + p.pager.view(p.c, p.width)
	}
	return p.pager.view(p.c, p.width)
}
