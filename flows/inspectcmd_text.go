package flows

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/oboscope/oboscope/inspect"
)

// TextStyle controls the text rendering of inspect and explain.
type TextStyle struct {
	Color    bool           // ANSI colours (only on a terminal, NO_COLOR unset)
	Location *time.Location // time zone of times; nil = time.Local
	Width    int            // wrap width; 0 = 100
}

// ANSI SGR sequences; used only when TextStyle.Color is set.
const (
	inspAnsiReset  = "\x1b[0m"
	inspAnsiBold   = "\x1b[1m"
	inspAnsiDim    = "\x1b[2m"
	inspAnsiRed    = "\x1b[31m"
	inspAnsiYellow = "\x1b[33m"
	inspAnsiCyan   = "\x1b[36m"
	inspAnsiGreen  = "\x1b[32m"
)

func (s TextStyle) paint(code, text string) string {
	if !s.Color || text == "" {
		return text
	}
	return code + text + inspAnsiReset
}

func (s TextStyle) width() int {
	if s.Width <= 0 {
		return 100
	}
	return s.Width
}

func (s TextStyle) loc() *time.Location {
	if s.Location == nil {
		return time.Local
	}
	return s.Location
}

// severityMark renders a severity as a short coloured label.
func (s TextStyle) severityMark(sev inspect.Severity) string {
	switch sev {
	case inspect.SeverityError:
		return s.paint(inspAnsiRed+inspAnsiBold, "error  ")
	case inspect.SeverityWarning:
		return s.paint(inspAnsiYellow+inspAnsiBold, "warning")
	}
	return s.paint(inspAnsiCyan, "info   ")
}

// WriteInspectText writes the human-readable report of one inspected token.
func WriteInspectText(w io.Writer, res InspectResult, st TextStyle) error {
	bw := bufio.NewWriter(w)
	t := res.Token
	if t == nil {
		return fmt.Errorf("inspect: no token to render")
	}
	fmt.Fprintln(bw, st.paint(inspAnsiBold, inspSafe(inspHeadline(t))))
	inspWriteSummary(bw, t, res.Now, st)
	if len(t.Claims) > 0 {
		fmt.Fprintln(bw)
		fmt.Fprintln(bw, st.paint(inspAnsiBold, "Claims"))
		inspWriteClaims(bw, t, res.Now, st)
	}
	fmt.Fprintln(bw)
	inspWriteFindings(bw, res.Findings, st)
	return bw.Flush()
}

// headline is the one-line summary: kind, version, principal and audience.
func inspHeadline(t *inspect.Token) string {
	var kind string
	switch t.Format {
	case inspect.FormatJWE:
		return "Encrypted token (JWE) — only its audience can read it"
	case inspect.FormatOpaque:
		return "Opaque token — not a JWT"
	}
	switch t.Kind {
	case inspect.KindAccess:
		kind = "Access token"
	case inspect.KindID:
		kind = "ID token"
	default:
		kind = "Token of unknown kind"
	}
	if t.Version != "" {
		kind += " v" + t.Version
	}
	parts := []string{kind}
	if t.Principal != inspect.PrincipalUnknown {
		who := strings.ReplaceAll(string(t.Principal), "-", " ")
		article := "a "
		if who[0] == 'a' { // "an app", "an agent identity", "a user"
			article = "an "
		}
		parts = append(parts, "for "+article+who)
	}
	if len(t.Audiences) > 0 {
		aud := strings.Join(t.Audiences, " ")
		if n := inspect.AppName(t.Audiences[0]); n != "" {
			aud += " (" + n + ")"
		}
		parts = append(parts, "audience "+aud)
	}
	return strings.Join(parts, " · ")
}

func inspWriteSummary(w io.Writer, t *inspect.Token, now time.Time, st TextStyle) {
	row := func(label, value string) {
		if value != "" {
			fmt.Fprintf(w, "  %-10s %s\n", label, inspSafe(value))
		}
	}
	if t.Format != inspect.FormatJWS {
		// An opaque token has no header at all; a JWE's header is the only readable part.
		if len(t.Header) > 0 {
			row("header", inspect.DisplayValue(t.Header))
		}
		return
	}
	who := t.Name
	if t.Username != "" {
		who = strings.TrimSpace(who + " <" + t.Username + ">")
	}
	if t.ObjectID != "" {
		if who != "" {
			who += " · "
		}
		who += "oid " + t.ObjectID
	}
	row("subject", who)
	client := t.ClientAppID
	if n := inspect.AppName(client); n != "" {
		client += " (" + n + ")"
	}
	row("client", client)
	if t.ParentAppID != "" {
		row("blueprint", t.ParentAppID)
	}
	iss := t.Issuer
	if t.TenantID != "" {
		iss += "  tenant " + t.TenantID
		if n := inspect.TenantName(t.TenantID); n != "" {
			iss += " (" + n + ")"
		}
	}
	row("issuer", iss)
	if len(t.Scopes) > 0 {
		row("scopes", strings.Join(t.Scopes, " "))
	}
	if len(t.Roles) > 0 {
		row("roles", inspTruncateList(t.Roles, 10))
	}
	if !t.ExpiresAt.IsZero() {
		row("expires", st.when(t.ExpiresAt, now))
	}
	sig := "not verified: inspect only decodes (alg " + t.Alg() + ", kid " + t.Kid() + ")"
	if t.SignatureRemoved {
		sig = "removed from this copy of the token"
	}
	row("signature", st.paint(inspAnsiDim, sig))
}

// when renders a time in the local zone with its distance from now.
func (st TextStyle) when(ts, now time.Time) string {
	s := ts.In(st.loc()).Format("2006-01-02 15:04:05 MST")
	if now.IsZero() {
		return s
	}
	d := ts.Sub(now)
	switch {
	case d > 0:
		return s + " (in " + inspect.HumanDuration(d) + ")"
	case d < 0:
		return s + " (" + inspect.HumanDuration(-d) + " ago)"
	}
	return s + " (now)"
}

func inspTruncateList(xs []string, max int) string {
	if len(xs) <= max {
		return strings.Join(xs, ", ")
	}
	return strings.Join(xs[:max], ", ") + fmt.Sprintf(" … (+%d more)", len(xs)-max)
}

var inspTimeClaims = map[string]bool{"iat": true, "nbf": true, "exp": true, "auth_time": true}

func inspWriteClaims(w io.Writer, t *inspect.Token, now time.Time, st TextStyle) {
	explained := t.Explain()
	nameWidth := 0
	for _, c := range explained {
		if len(c.Claim) > nameWidth && len(c.Claim) <= 20 {
			nameWidth = len(c.Claim)
		}
	}
	indent := strings.Repeat(" ", nameWidth+4)
	for _, c := range explained {
		value := inspSafe(c.Display)
		if arr, ok := c.Value.([]any); ok && len(arr) > 1 {
			// Lists (groups, roles, wids) wrap in the value column instead of running off the
			// screen; more than 10 items are cut with a count.
			items := strings.Split(value, ", ")
			if len(arr) > 10 {
				items = strings.Split(inspTruncateList(items, 10), ", ")
			}
			value = inspWrapList(items, st.width()-len(indent), indent)
		}
		if inspTimeClaims[c.Claim] && c.ValueMeaning != "" {
			if ts, err := time.Parse(time.RFC3339, c.ValueMeaning); err == nil {
				value += "  " + st.when(ts, now)
			}
		} else if c.ValueMeaning != "" {
			value += "  " + st.paint(inspAnsiGreen, "→ "+inspSafe(c.ValueMeaning))
		}
		fmt.Fprintf(w, "  %s  %s\n", st.paint(inspAnsiCyan, inspPad(inspSafe(c.Claim), nameWidth)), value)
		meaning := c.Meaning
		for _, line := range inspWrap(meaning, st.width()-len(indent)) {
			fmt.Fprintf(w, "%s%s\n", indent, st.paint(inspAnsiDim, line))
		}
	}
}

// inspWrapList joins items with ", " into lines of at most width characters; continuation lines
// start with indent.
func inspWrapList(items []string, width int, indent string) string {
	var b strings.Builder
	lineLen := 0
	for i, it := range items {
		sep := ""
		if i > 0 {
			sep = ", "
		}
		if lineLen > 0 && lineLen+len(sep)+len(it) > width {
			b.WriteString(",\n" + indent)
			lineLen, sep = 0, ""
		}
		b.WriteString(sep + it)
		lineLen += len(sep) + len(it)
	}
	return b.String()
}

func inspPad(s string, n int) string {
	if len(s) >= n {
		return s
	}
	return s + strings.Repeat(" ", n-len(s))
}

// wrap splits text into lines of at most width runes, at spaces.
func inspWrap(text string, width int) []string {
	if width < 20 {
		width = 20
	}
	var lines []string
	var cur strings.Builder
	for _, word := range strings.Fields(text) {
		if cur.Len() > 0 && cur.Len()+1+len(word) > width {
			lines = append(lines, cur.String())
			cur.Reset()
		}
		if cur.Len() > 0 {
			cur.WriteByte(' ')
		}
		cur.WriteString(word)
	}
	if cur.Len() > 0 {
		lines = append(lines, cur.String())
	}
	return lines
}

func inspWriteFindings(w io.Writer, fs []inspect.Finding, st TextStyle) {
	e, wn, in := inspect.CountBySeverity(fs)
	if len(fs) == 0 {
		fmt.Fprintln(w, st.paint(inspAnsiGreen+inspAnsiBold, "No findings")+" — nothing wrong that the token alone can show (the signature was not checked).")
		return
	}
	fmt.Fprintln(w, st.paint(inspAnsiBold, fmt.Sprintf("Findings: %d error%s, %d warning%s, %d info", e, inspPlural(e), wn, inspPlural(wn), in)))
	for _, f := range fs {
		fmt.Fprintf(w, "  %s  %s  %s\n", st.severityMark(f.Severity), st.paint(inspAnsiBold, f.ID), f.Title)
		for _, line := range inspWrap(inspSafe(f.Detail), st.width()-13) {
			fmt.Fprintf(w, "             %s\n", line)
		}
		for i, line := range inspWrap("fix: "+f.Fix, st.width()-13) {
			if i == 0 {
				line = st.paint(inspAnsiGreen, line)
			}
			fmt.Fprintf(w, "             %s\n", line)
		}
		if f.AADSTS != 0 {
			fmt.Fprintf(w, "             Entra code: AADSTS%d\n", f.AADSTS)
		}
		if f.Docs != "" {
			fmt.Fprintf(w, "             docs: %s\n", st.paint(inspAnsiDim, f.Docs))
		}
	}
	fmt.Fprintln(w, st.paint(inspAnsiDim, "  oboscope explain ID shows the full explanation of a finding."))
}

func inspPlural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// inspSafe makes text taken from a token safe to print on a terminal: control characters (ESC,
// BEL, carriage return …), C1 controls and the bidirectional overrides that can disguise text are
// shown as Go escapes (\x1b, \u202e) instead of being interpreted by the terminal.
func inspSafe(s string) string { return inspect.Printable(s, false) }
