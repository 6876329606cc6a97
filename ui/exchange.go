package ui

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/oboscope/oboscope/flows"
)

// httpPane is the HTTP tab: every exchange of the hop in a list, and the selected one below with
// its request and response, headers and pretty JSON bodies (already redacted by flows), and timing.
type httpPane struct {
	c         *common
	hop       int // the hop shown: another hop starts afresh
	exchanges []flows.Exchange
	list      scroller
	detail    pager
	search    textSearch
	width     int
	height    int
}

func newHTTPPane(c *common) *httpPane {
	p := &httpPane{c: c, search: newTextSearch(c, "search every exchange of the hop")}
	p.detail.mark = func(i int, l string) string { return p.search.mark(p.list.cursor, i, l) }
	return p
}

// TabName is the tab's name on the tab line.
func (p *httpPane) TabName() string { return "HTTP" }

// ShortHelp is what the tab adds to the hint line (help.KeyMap): with exchanges, paging their
// detail, the search and y for the request as curl.
func (p *httpPane) ShortHelp() []key.Binding {
	if len(p.exchanges) == 0 {
		return nil
	}
	y := p.c.keys.CopyValue
	y.SetHelp("y", "copy as curl")
	return append([]key.Binding{p.c.keys.PageDown}, append(p.search.keys(), y)...)
}

// FullHelp groups the tab's keys (help.KeyMap).
func (p *httpPane) FullHelp() [][]key.Binding { return [][]key.Binding{p.ShortHelp()} }

// load shows the hop's exchanges. Another hop than the one shown starts afresh, on the first
// exchange that went wrong; the same hop keeps the selection and the scroll position.
func (p *httpPane) load(d tabData) {
	if d.hop != p.hop {
		p.hop, p.exchanges = d.hop, nil
		p.list, p.detail.offset = scroller{}, 0
	}
	p.setExchanges(d.res.Exchanges, d.res.Status == flows.StatusFailed)
}

// badge counts the exchanges after the tab's name.
func (p *httpPane) badge() string {
	if len(p.exchanges) == 0 {
		return ""
	}
	return p.c.styles.Faint.Render(fmt.Sprintf("(%d)", len(p.exchanges)))
}

// setExchanges shows xs; a hop that failed starts on its first exchange that went wrong (one
// that passed answered its probes' refusals as it should: it starts on the first).
func (p *httpPane) setExchanges(xs []flows.Exchange, failed bool) {
	fresh := len(p.exchanges) == 0 || len(xs) < len(p.exchanges)
	p.exchanges = xs
	p.list.setLen(len(xs))
	if fresh && failed {
		// Start on the first exchange that went wrong: that is what the person came for.
		for i, x := range xs {
			if x.Err != "" || x.Status >= 400 {
				p.list.to(i)
				p.detail.offset = 0
				break
			}
		}
	}
	p.SetSize(p.width, p.height)
	p.search.refind(p)
}

func (p *httpPane) listHeight() int {
	return max(min(len(p.exchanges), p.height/3), 1)
}

// SetSize gives the tab its room: a third for the list, the rest for the selected exchange.
func (p *httpPane) SetSize(w, h int) {
	p.width, p.height = w, h
	p.list.setHeight(p.listHeight())
	p.detail.setHeight(max(h-p.listHeight()-2, 1))
	p.rebuild()
}

func (p *httpPane) rebuild() {
	if len(p.exchanges) == 0 {
		p.detail.setLines(nil)
		return
	}
	p.detail.setLines(exchangeLines(p.c.styles, p.exchanges[p.list.cursor], p.width))
}

// Update searches (/, n, N), selects an exchange with ↑/↓ and scrolls its detail with page keys.
func (p *httpPane) Update(msg tea.Msg) tea.Cmd {
	if pm, ok := msg.(tea.PasteMsg); ok && p.search.editing {
		p.search.paste(p, pm.Content)
		return nil
	}
	km, ok := msg.(tea.KeyPressMsg)
	if !ok || len(p.exchanges) == 0 {
		return nil
	}
	if cmd, used := p.search.update(p, km); used {
		return cmd
	}
	k := p.c.keys
	prev := p.list.cursor
	// The page keys and home/end scroll the detail; ↑/↓ move through the exchanges.
	switch {
	case key.Matches(km, k.PageUp):
		p.detail.scroll(-p.detail.height + 1)
	case key.Matches(km, k.PageDown):
		p.detail.scroll(p.detail.height - 1)
	case key.Matches(km, k.Top):
		p.detail.offset = 0
	case key.Matches(km, k.Bottom):
		p.detail.scroll(len(p.detail.lines))
	default:
		p.list.handleKey(k, km)
	}
	if p.list.cursor != prev {
		p.detail.offset = 0
		p.rebuild()
	}
	return nil
}

// copyValue is the selected exchange's request as a curl command, redacted as recorded, as y
// copies it.
func (p *httpPane) copyValue() (what, text string, ok bool) {
	if len(p.exchanges) == 0 {
		return "", "", false
	}
	x := p.exchanges[p.list.cursor]
	return "the request of " + x.Label + " as curl (redacted)", curlCommand(x), true
}

// searchDocs are the documents the search looks through: every exchange, as its detail shows it.
func (p *httpPane) searchDocs() [][]string {
	docs := make([][]string, len(p.exchanges))
	for i, x := range p.exchanges {
		if i == p.list.cursor {
			docs[i] = p.detail.lines
			continue
		}
		docs[i] = exchangeLines(p.c.styles, x, p.width)
	}
	return docs
}

// showMatch selects the exchange of a match and scrolls its line into view.
func (p *httpPane) showMatch(doc, line int) {
	if doc != p.list.cursor {
		p.list.to(doc)
		p.detail.offset = 0
		p.rebuild()
	}
	p.detail.reveal(line)
}

// capturing reports whether the search field takes every key.
func (p *httpPane) capturing() bool { return p.search.editing }

// takesKey reports whether the search takes msg (n, N, esc) before the screen does.
func (p *httpPane) takesKey(msg tea.KeyPressMsg) bool { return p.search.takesKey(msg) }

// handlesBack reports whether esc ends the search rather than leave the screen.
func (p *httpPane) handlesBack() bool { return p.search.on() }

// click selects the exchange under a click at line y of the tab, its detail from the top.
func (p *httpPane) click(_, y int) {
	if i, ok := p.rowAt(y); ok {
		p.list.to(i)
		p.detail.offset = 0
		p.rebuild()
	}
}

// wheel scrolls the selected exchange's detail, three lines a notch, when the wheel turns over
// it (line y of the tab); over the list it leaves the wheel to ↑/↓.
func (p *httpPane) wheel(delta, y int) bool {
	if y < p.listHeight()+2 {
		return false
	}
	p.detail.scroll(3 * delta)
	return true
}

// statusStyle colours an HTTP status by class.
func statusText(s *Styles, x flows.Exchange) string {
	switch {
	case x.Err != "":
		return s.Error.Render("ERR")
	case x.Status >= 500:
		return s.Error.Render(fmt.Sprint(x.Status))
	case x.Status >= 400:
		return s.Warning.Render(fmt.Sprint(x.Status))
	case x.Status >= 200:
		return s.OK.Render(fmt.Sprint(x.Status))
	}
	return fmt.Sprint(x.Status)
}

// exchangeDuration prefers the recorded duration and falls back to the JSON milliseconds.
func exchangeDuration(x flows.Exchange) string {
	if x.Duration > 0 {
		return durationText(x.Duration)
	}
	if x.DurationMS > 0 {
		return fmt.Sprintf("%.1f ms", x.DurationMS)
	}
	return ""
}

// View renders the list and the selected exchange.
func (p *httpPane) View() string {
	s := p.c.styles
	w := p.width
	if len(p.exchanges) == 0 {
		return block([]string{"", "  " + s.Muted.Render("No HTTP exchange at this hop.")}, w, p.height)
	}
	lines := []string{s.Faint.Render(fit(fmt.Sprintf(" %3s  %-6s %-6s %9s  %s", "#", "METHOD", "STATUS", "TIME", "WHAT"), w))}
	labelW := 0
	for _, x := range p.exchanges {
		labelW = max(labelW, len(x.Label))
	}
	// The label column ends in two spaces before the path, also when a long label is cut.
	labelW = min(labelW, max(w/3, 24)) + 2
	label := func(x flows.Exchange) string { return fit(trunc(x.Label, labelW-2), labelW) }
	from, to := p.list.window()
	for i := from; i < to; i++ {
		x := p.exchanges[i]
		row := fmt.Sprintf(" %3d  %-6s ", i+1, x.Method) + fit(statusText(s, x), 6) + fmt.Sprintf(" %9s  ", exchangeDuration(x))
		rest := label(x) + s.Muted.Render(urlPath(x.URL))
		if i == p.list.cursor {
			plain := fmt.Sprintf(" ▸%2d  %-6s %-6s %9s  ", i+1, x.Method, statusPlain(x), exchangeDuration(x))
			lines = append(lines, s.Selected.Render(fit(plain+label(x)+urlPath(x.URL), w)))
			continue
		}
		lines = append(lines, fit(row+rest, w))
	}
	for len(lines) < p.listHeight()+1 {
		lines = append(lines, "")
	}
	if p.search.on() {
		lines = append(lines, p.search.bar(w))
	} else {
		lines = append(lines, s.Rule.Render(strings.Repeat("─", w)))
	}
	return block(lines, w, p.listHeight()+2) + "\n" + p.detail.view(p.c, w)
}

// describeJWT summarises a token found in a request body or Authorization header (already
// redacted by flows) as flows does in recorded token answers, instead of printing its base64.
// Copy (c) still gives the whole token, and the Raw tab decodes it.
func describeJWT(v string) (string, bool) {
	if !strings.HasPrefix(v, "eyJ") || !strings.Contains(v, ".") {
		return "", false
	}
	d := flows.SummariseToken(v)
	return d, strings.HasPrefix(d, "<JWT")
}

// urlPath is a URL without its scheme and host, for the list; the detail shows it whole.
func urlPath(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Path == "" {
		return raw
	}
	p := u.EscapedPath()
	if u.RawQuery != "" {
		p += "?" + u.RawQuery
	}
	return p
}

func statusPlain(x flows.Exchange) string {
	if x.Err != "" {
		return "ERR"
	}
	return fmt.Sprint(x.Status)
}

// exchangeLines renders one exchange: the request line and body, then its headers; the
// response status, its challenge, body and headers; timing. Bodies are shown as pretty JSON or
// as form fields when they are either; tokens in them are summarised.
func exchangeLines(s *Styles, x flows.Exchange, w int) []string {
	var out []string
	title := s.Bold.Render(x.Method+" ") + x.URL
	out = append(out, wrap(" "+s.Accent.Render("REQUEST ")+title, w)...)
	out = append(out, bodyLines(s, x.RequestBody, x.RequestHeaders.Get("Content-Type"), w)...)
	out = append(out, headerLines(s, x.RequestHeaders, w, nil)...)
	out = append(out, "")
	if x.Err != "" {
		out = append(out, " "+s.Accent.Render("RESPONSE ")+s.Error.Render("no response: "+x.Err))
		return out
	}
	out = append(out, " "+s.Accent.Render("RESPONSE ")+statusText(s, x)+" "+http.StatusText(x.Status)+s.Muted.Render("  after "+exchangeDuration(x)))
	for _, v := range x.ResponseHeaders.Values("Www-Authenticate") {
		for _, l := range wrap(s.Warning.Render("WWW-Authenticate: ")+v, w-4) {
			out = append(out, "   "+l)
		}
	}
	out = append(out, bodyLines(s, x.ResponseBody, x.ResponseHeaders.Get("Content-Type"), w)...)
	out = append(out, headerLines(s, x.ResponseHeaders, w, map[string]bool{"Www-Authenticate": true})...)
	return out
}

// headerLines lists headers (but skip) under a muted "headers" line.
func headerLines(s *Styles, h http.Header, w int, skip map[string]bool) []string {
	names := make([]string, 0, len(h))
	for k := range h {
		if !skip[http.CanonicalHeaderKey(k)] {
			names = append(names, k)
		}
	}
	if len(names) == 0 {
		return nil
	}
	sort.Strings(names)
	out := []string{"", "   " + s.Faint.Render("headers")}
	for _, k := range names {
		for _, v := range h[k] {
			if scheme, tok, ok := strings.Cut(v, " "); ok && strings.EqualFold(scheme, "Bearer") {
				if d, ok := describeJWT(tok); ok {
					v = scheme + " " + d // as body tokens: what it is, not lines of base64
				}
			}
			for i, l := range wrap(s.Muted.Render(k+": ")+v, w-6) {
				if i > 0 {
					l = "  " + l
				}
				out = append(out, "   "+l)
			}
		}
	}
	return out
}

func bodyLines(s *Styles, body, contentType string, w int) []string {
	body = strings.TrimSpace(body)
	if body == "" {
		return nil
	}
	out := []string{""}
	if lines, ok := prettyJSON(s, []byte(body)); ok {
		for _, l := range lines {
			for _, wl := range wrapAll([]string{l}, w-4) {
				out = append(out, "   "+wl)
			}
		}
		return out
	}
	if strings.Contains(contentType, "x-www-form-urlencoded") || (!strings.ContainsAny(body, " <{\n") && strings.Contains(body, "=")) {
		if vals, err := url.ParseQuery(body); err == nil && len(vals) > 0 {
			keys := make([]string, 0, len(vals))
			for k := range vals {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				for _, v := range vals[k] {
					if desc, ok := describeJWT(v); ok {
						out = append(out, trunc("   "+s.JSONKey.Render(k)+" = "+s.Muted.Render(desc), w))
						continue
					}
					for i, l := range wrap(s.JSONKey.Render(k)+" = "+s.JSONString.Render(v), w-6) {
						if i > 0 {
							l = "  " + l
						}
						out = append(out, "   "+l)
					}
				}
			}
			return out
		}
	}
	for _, wl := range wrapAll(strings.Split(body, "\n"), w-4) {
		out = append(out, "   "+wl)
	}
	return out
}

// rowAt maps a mouse row (relative to the pane) to an exchange.
func (p *httpPane) rowAt(y int) (int, bool) {
	return p.list.rowAt(y - 1) // under the column heads
}
