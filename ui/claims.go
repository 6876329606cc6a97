package ui

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/oboscope/oboscope/inspect"
)

// appClaims hold an application's ID.
var appClaims = map[string]bool{"aud": true, "azp": true, "appid": true, "xms_par_app_azp": true}

// claimRow is one claim of the table, with its display text precomputed.
type claimRow struct {
	ex       inspect.ExplainedClaim
	short    string // the value column
	involved []string
}

// claimsPane is the Claims tab: every claim with its value and meaning, a `/` filter, and the
// selected claim in full below the table. Claims that a finding names are highlighted.
type claimsPane struct {
	c        *common
	tok      *inspect.Token
	all      []claimRow
	rows     []claimRow
	list     scroller
	filter   textinput.Model
	editing  bool
	width    int
	height   int
	emptyMsg string
	dated    bool // times show their dates (needsDate)
	// names resolves app IDs the config knows ("MCP server"), for aud, azp and appid.
	names inspect.AppNames
}

func newClaimsPane(c *common) *claimsPane {
	ti := textinput.New()
	ti.Prompt = "/ "
	ti.Placeholder = "filter claims by name, value or meaning"
	return &claimsPane{c: c, filter: ti, list: scroller{paged: true}, emptyMsg: "No token at this hop."}
}

// TabName is the tab's name on the tab line.
func (p *claimsPane) TabName() string { return "Claims" }

// ShortHelp is what the tab adds to the hint line (help.KeyMap).
func (p *claimsPane) ShortHelp() []key.Binding {
	if len(p.all) == 0 {
		return nil // no claims to filter or copy
	}
	return []key.Binding{p.c.keys.Filter, p.c.keys.CopyValue}
}

// FullHelp groups the tab's keys (help.KeyMap).
func (p *claimsPane) FullHelp() [][]key.Binding { return [][]key.Binding{p.ShortHelp()} }

// load shows the token in front; the findings mark the claims they name.
func (p *claimsPane) load(d tabData) {
	p.names = d.names
	p.setToken(d.tok, d.findings)
}

// tokenTab marks the Claims tab as showing the hop's selected token.
func (p *claimsPane) tokenTab() {}

// setToken shows tok; findings mark the claims they name.
func (p *claimsPane) setToken(tok *inspect.Token, findings []inspect.Finding) {
	p.tok = tok
	p.all = nil
	p.dated = needsDate(p.c.now(), p.c.loc, tok)
	if tok == nil {
		p.applyFilter()
		return
	}
	involved := map[string][]string{}
	for _, f := range findings {
		if cl := f.Evidence["claim"]; cl != "" {
			involved[cl] = append(involved[cl], f.ID)
		}
	}
	for _, ex := range tok.Explain() {
		// Claim names and values are the token's: shown, never interpreted by the terminal.
		ex.Claim, ex.Display = inspect.Printable(ex.Claim, false), inspect.Printable(ex.Display, false)
		ex.Value = safeValue(ex.Value)
		p.all = append(p.all, claimRow{ex: ex, short: p.shortValue(ex), involved: involved[ex.Claim]})
	}
	p.applyFilter()
}

// tick draws the relative times of the time claims again.
func (p *claimsPane) tick() {
	if p.tok == nil {
		return
	}
	p.dated = needsDate(p.c.now(), p.c.loc, p.tok)
	changed := false
	for i, r := range p.all {
		if _, ok := claimTime(r.ex); ok {
			p.all[i].short = p.shortValue(r.ex)
			changed = true
		}
	}
	if changed {
		p.applyFilter()
	}
}

// shortValue is the value as the table column shows it.
func (p *claimsPane) shortValue(ex inspect.ExplainedClaim) string {
	if t, ok := claimTime(ex); ok {
		return clockText(t, p.c.loc, p.dated) + " · " + relative(ex.Claim, t, p.c.now())
	}
	if list, ok := ex.Value.([]any); ok && len(list) > 3 {
		parts := make([]string, 0, 2)
		for _, v := range list[:2] {
			parts = append(parts, inspect.DisplayValue(v))
		}
		return fmt.Sprintf("[%d] %s, …", len(list), strings.Join(parts, ", "))
	}
	if ex.Display != "" {
		return ex.Display
	}
	return inspect.DisplayValue(ex.Value)
}

// claimTime returns the time of a time claim.
func claimTime(ex inspect.ExplainedClaim) (time.Time, bool) {
	if !inspect.IsTimeClaim(ex.Claim) {
		return time.Time{}, false
	}
	switch v := ex.Value.(type) {
	case float64:
		return time.Unix(int64(v), 0), true
	case int64:
		return time.Unix(v, 0), true
	case int:
		return time.Unix(int64(v), 0), true
	}
	return time.Time{}, false
}

func (p *claimsPane) applyFilter() {
	defer func() { p.list.setHeight(p.tableHeight()) }()
	q := strings.ToLower(strings.TrimSpace(p.filter.Value()))
	p.rows = p.rows[:0]
	for _, r := range p.all {
		if q == "" || strings.Contains(strings.ToLower(r.ex.Claim+"\x00"+r.short+"\x00"+r.ex.Meaning+"\x00"+r.ex.Display), q) {
			p.rows = append(p.rows, r)
		}
	}
	p.list.setLen(len(p.rows))
}

// capturing reports whether the pane takes every key (the filter is being typed).
func (p *claimsPane) capturing() bool { return p.editing }

// selected returns the selected claim, if any.
func (p *claimsPane) selected() (claimRow, bool) {
	if len(p.rows) == 0 {
		return claimRow{}, false
	}
	return p.rows[p.list.cursor], true
}

// detailHeight is the number of lines below the table for the selected claim.
func (p *claimsPane) detailHeight() int {
	if p.height >= 30 {
		return 8
	}
	return 6
}

// SetSize gives the tab its room.
func (p *claimsPane) SetSize(w, h int) {
	p.width, p.height = w, h
	p.filter.SetWidth(max(w-30, 10))
	p.list.setHeight(p.tableHeight())
}

func (p *claimsPane) filterShown() bool { return p.editing || p.filter.Value() != "" }

func (p *claimsPane) tableHeight() int {
	h := p.height - p.detailHeight() - 2 // header and separator
	if p.filterShown() {
		h--
	}
	return max(min(h, max(len(p.rows), 1)), 1)
}

// Update handles the table's keys and the filter.
func (p *claimsPane) Update(msg tea.Msg) tea.Cmd {
	k := p.c.keys
	km, isKey := msg.(tea.KeyPressMsg)
	if p.editing {
		if isKey {
			switch km.String() {
			case "enter":
				p.editing = false
				p.filter.Blur()
				p.list.setHeight(p.tableHeight())
				return nil
			case "esc":
				p.editing = false
				p.filter.Blur()
				p.filter.SetValue("")
				p.applyFilter()
				p.list.setHeight(p.tableHeight())
				return nil
			case "up", "down", "pgup", "pgdown":
				p.editing = false
				p.filter.Blur()
				return p.Update(msg)
			}
		}
		var cmd tea.Cmd
		p.filter, cmd = p.filter.Update(msg)
		p.applyFilter()
		return cmd
	}
	if !isKey {
		return nil
	}
	switch {
	case key.Matches(km, k.Filter):
		p.editing = true
		p.list.setHeight(p.tableHeight())
		return p.filter.Focus()
	case key.Matches(km, k.Back) && p.filter.Value() != "":
		p.filter.SetValue("")
		p.applyFilter()
		p.list.setHeight(p.tableHeight())
	default:
		p.list.handleKey(k, km)
	}
	return nil
}

// handlesBack reports whether esc would clear the filter rather than leave the screen.
func (p *claimsPane) handlesBack() bool { return p.editing || p.filter.Value() != "" }

// View renders the table and the selected claim.
func (p *claimsPane) View() string {
	s := p.c.styles
	w := p.width
	if p.tok == nil {
		return block([]string{"", "  " + s.Muted.Render(p.emptyMsg)}, w, p.height)
	}
	if len(p.all) == 0 {
		return block([]string{"", "  " + s.Muted.Render(noClaimsText(p.tok))}, w, p.height)
	}
	var lines []string
	if p.filterShown() {
		info := s.Muted.Render(fmt.Sprintf("%d of %d claims", len(p.rows), len(p.all)))
		lines = append(lines, joinLR(" "+p.filter.View(), info+" ", w))
	}
	nameW := 8
	for _, r := range p.all {
		nameW = max(nameW, len(r.ex.Claim))
	}
	nameW = min(nameW, 22) + 2
	rest := w - nameW - 3
	valW := rest * 45 / 100
	meanHead := "  MEANING"
	if w < 100 {
		// Narrow: the value gets the room; the meaning is in full below the table.
		valW, meanHead = rest, ""
	}
	meanW := max(rest-valW-2, 0)
	lines = append(lines, s.Faint.Render(fit("   "+fit("CLAIM", nameW)+fit("VALUE", valW)+meanHead, w)))
	from, to := p.list.window()
	for i := from; i < to; i++ {
		r := p.rows[i]
		mark := "  "
		name := s.Claim.Render(fit(r.ex.Claim, nameW))
		if len(r.involved) > 0 {
			mark = s.Highlight.Render("! ")
			name = s.Highlight.Render(fit(r.ex.Claim, nameW))
		}
		line := " " + mark + name + fit(r.short, valW)
		if meanW > 0 {
			line += "  " + s.Muted.Render(fit(r.ex.Meaning, meanW))
		}
		if i == p.list.cursor {
			sel := "▸ "
			if len(r.involved) > 0 {
				sel = "! "
			}
			plain := " " + sel + fit(r.ex.Claim, nameW) + fit(r.short, valW)
			if meanW > 0 {
				plain += "  " + fit(r.ex.Meaning, meanW)
			}
			line = s.Selected.Render(fit(plain, w))
		}
		lines = append(lines, line)
	}
	if len(p.rows) == 0 {
		lines = append(lines, "   "+s.Muted.Render("No claim matches the filter (esc clears it)."))
	}
	tableH := p.tableHeight()
	head := len(lines) - (to - from)
	if len(p.rows) == 0 {
		head--
	}
	for len(lines) < head+tableH {
		lines = append(lines, "")
	}
	if len(p.rows) > tableH {
		pos := s.Faint.Render(fmt.Sprintf(" %d/%d ", p.list.cursor+1, len(p.rows)))
		lines = append(lines, s.Rule.Render(strings.Repeat("─", max(w-lipgloss.Width(pos)-1, 0)))+pos)
	} else {
		lines = append(lines, s.Rule.Render(strings.Repeat("─", w)))
	}
	lines = append(lines, p.detail(w, p.height-len(lines))...)
	return block(lines, w, p.height)
}

// detail renders the selected claim in full in the h lines left under the table.
func (p *claimsPane) detail(w, h int) []string {
	s := p.c.styles
	r, ok := p.selected()
	if !ok || h < 1 {
		return nil
	}
	var out []string
	if t, ok := claimTime(r.ex); ok {
		out = append(out, " "+s.Bold.Render(r.ex.Claim)+"  "+localTime(t, p.c.loc)+s.Muted.Render(" · "+relative(r.ex.Claim, t, p.c.now())+fmt.Sprintf(" · %v", r.ex.Display)))
	} else if list, ok := r.ex.Value.([]any); ok && len(list) > 1 {
		pre := " " + s.Bold.Render(r.ex.Claim) + "  "
		out = append(out, pre+s.Muted.Render(fmt.Sprintf("%d values", len(list))))
		// Lay out only the lines that can show; the rest is counted, not rendered.
		cw := 1
		for _, v := range list {
			cw = max(cw, len(inspect.DisplayValue(v)))
		}
		per := max((w-4)/(cw+2), 1)
		shown := min(len(list), per*max(h-2, 1))
		for _, l := range grid(list[:shown], w-4) {
			out = append(out, "   "+l)
		}
		if rest := len(list) - shown; rest > 0 {
			out = append(out, s.Faint.Render(fmt.Sprintf("   … %d more values (y copies them all)", rest)))
		}
	} else {
		for i, l := range wrap(fullValue(r.ex), w-len(r.ex.Claim)-4) {
			if i == 0 {
				out = append(out, " "+s.Bold.Render(r.ex.Claim)+"  "+l)
			} else {
				out = append(out, strings.Repeat(" ", len(r.ex.Claim)+3)+l)
			}
		}
	}
	if id, ok := r.ex.Value.(string); ok && appClaims[r.ex.Claim] {
		if name := p.names.Known(p.tok, id); name != "" && !strings.Contains(r.ex.ValueMeaning, name) {
			out = append(out, " "+s.Accent.Render("= ")+s.Bold.Render(name))
		}
	}
	if r.ex.ValueMeaning != "" {
		out = append(out, " "+s.Accent.Render("→ ")+r.ex.ValueMeaning)
	}
	if len(r.involved) > 0 {
		ids := append([]string(nil), r.involved...)
		sort.Strings(ids)
		out = append(out, " "+s.Highlight.Render("! named by "+strings.Join(ids, ", ")))
	}
	for _, l := range wrap(r.ex.Meaning, w-2) {
		out = append(out, " "+s.Muted.Render(l))
	}
	if len(out) > h {
		more := s.Faint.Render(fmt.Sprintf(" … %d more lines (y copies the value)", len(out)-h+1))
		out = append(out[:h-1], more)
	}
	return out
}

// grid lays list items out in aligned columns, as many per line as w holds.
func grid(list []any, w int) []string {
	items := make([]string, len(list))
	cw := 1
	for i, v := range list {
		items[i] = inspect.DisplayValue(v)
		cw = max(cw, ansi.StringWidth(items[i]))
	}
	cw += 2
	per := max(w/cw, 1)
	var out []string
	for i := 0; i < len(items); i += per {
		var b strings.Builder
		for j, it := range items[i:min(i+per, len(items))] {
			if j > 0 {
				b.WriteString("  ")
			}
			b.WriteString(it)
			if pad := cw - 2 - ansi.StringWidth(it); pad > 0 && j < per-1 {
				b.WriteString(strings.Repeat(" ", pad))
			}
		}
		out = append(out, b.String())
	}
	return out
}

// fullValue renders a claim value in full: lists one item after another.
func fullValue(ex inspect.ExplainedClaim) string {
	switch v := ex.Value.(type) {
	case []any:
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = inspect.DisplayValue(x)
		}
		return fmt.Sprintf("[%d] %s", len(v), strings.Join(parts, ", "))
	case string:
		return v
	}
	if ex.Display != "" {
		return ex.Display
	}
	return inspect.DisplayValue(ex.Value)
}

// copyValue is the selected claim's value, as `y` copies it.
func (p *claimsPane) copyValue() (what, text string, ok bool) {
	r, ok := p.selected()
	if !ok {
		return "", "", false
	}
	switch v := r.ex.Value.(type) {
	case []any:
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = inspect.DisplayValue(x)
		}
		return "claim " + r.ex.Claim, strings.Join(parts, "\n"), true
	}
	return "claim " + r.ex.Claim, inspect.DisplayValue(r.ex.Value), true
}

// click selects the claim under a click at line y of the tab.
func (p *claimsPane) click(_, y int) {
	if i, ok := p.rowAt(y); ok {
		p.list.to(i)
	}
}

// rowAt maps a mouse row (relative to the pane) to a table row.
func (p *claimsPane) rowAt(y int) (int, bool) {
	y-- // the column heads
	if p.filterShown() {
		y--
	}
	return p.list.rowAt(y)
}

// noClaimsText says why a token shows no claims.
func noClaimsText(tok *inspect.Token) string {
	switch tok.Format {
	case inspect.FormatOpaque:
		return "Not a JWT: an opaque token has no claims a client can read (see Findings)."
	case inspect.FormatJWE:
		return "An encrypted token (JWE): only the API it is for can decrypt it (see Findings)."
	}
	return "This token has no claims."
}
