package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/oboscope/oboscope/inspect"
)

// WriteInspectText writes the human-readable report of one inspected token.
func WriteInspectText(w io.Writer, res InspectResult, st Style) error {
	bw := bufio.NewWriter(w)
	t := res.Token
	if t == nil {
		return fmt.Errorf("inspect: no token to render")
	}
	fmt.Fprintln(bw, st.paint(sgrBold, safe(headline(t))))
	writeTokenSummary(bw, t, res.Now, st)
	if len(t.Claims) > 0 {
		fmt.Fprintln(bw)
		fmt.Fprintln(bw, st.paint(sgrBold, "Claims"))
		writeClaims(bw, t, res.Now, st)
	}
	fmt.Fprintln(bw)
	writeFindings(bw, res.Findings, st)
	return bw.Flush()
}

// headline is the one-line summary: kind, version, principal and audience.
func headline(t *inspect.Token) string {
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

func writeTokenSummary(w io.Writer, t *inspect.Token, now time.Time, st Style) {
	row := func(label, value string) {
		if value != "" {
			fmt.Fprintf(w, "  %-10s %s\n", label, safe(value))
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
		row("roles", truncateList(t.Roles, 10))
	}
	if !t.ExpiresAt.IsZero() {
		row("expires", st.when(t.ExpiresAt, now))
	}
	sig := "not verified: inspect only decodes (alg " + t.Alg() + ", kid " + t.Kid() + ")"
	if t.SignatureRemoved {
		sig = "removed from this copy of the token"
	}
	row("signature", st.paint(sgrDim, sig))
}

// when renders a time in the local zone with its distance from now.
func (st Style) when(ts, now time.Time) string {
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

func truncateList(xs []string, max int) string {
	if len(xs) <= max {
		return strings.Join(xs, ", ")
	}
	return strings.Join(xs[:max], ", ") + fmt.Sprintf(" … (+%d more)", len(xs)-max)
}

func writeClaims(w io.Writer, t *inspect.Token, now time.Time, st Style) {
	explained := t.Explain()
	nameWidth := 0
	for _, c := range explained {
		if len(c.Claim) > nameWidth && len(c.Claim) <= 20 {
			nameWidth = len(c.Claim)
		}
	}
	indent := strings.Repeat(" ", nameWidth+4)
	for _, c := range explained {
		value := safe(c.Display)
		if arr, ok := c.Value.([]any); ok && len(arr) > 1 {
			// Lists (groups, roles, wids) wrap in the value column instead of running off the
			// screen; more than 10 items are cut with a count.
			items := strings.Split(value, ", ")
			if len(arr) > 10 {
				items = strings.Split(truncateList(items, 10), ", ")
			}
			value = wrapList(items, st.width()-len(indent), indent)
		}
		if inspect.IsTimeClaim(c.Claim) && c.ValueMeaning != "" {
			if ts, err := time.Parse(time.RFC3339, c.ValueMeaning); err == nil {
				value += "  " + st.when(ts, now)
			}
		} else if c.ValueMeaning != "" {
			value += "  " + st.paint(sgrGreen, "→ "+safe(c.ValueMeaning))
		}
		fmt.Fprintf(w, "  %s  %s\n", st.paint(sgrCyan, pad(safe(c.Claim), nameWidth)), value)
		meaning := c.Meaning
		for _, line := range wrap(meaning, st.width()-len(indent)) {
			fmt.Fprintf(w, "%s%s\n", indent, st.paint(sgrDim, line))
		}
	}
}

// wrapList joins items with ", " into lines of at most width characters; continuation lines
// start with indent.
func wrapList(items []string, width int, indent string) string {
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

func pad(s string, n int) string {
	if len(s) >= n {
		return s
	}
	return s + strings.Repeat(" ", n-len(s))
}

// wrap splits text into lines of at most width runes, at spaces.
func wrap(text string, width int) []string {
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

func writeFindings(w io.Writer, fs []inspect.Finding, st Style) {
	e, wn, in := inspect.CountBySeverity(fs)
	if len(fs) == 0 {
		fmt.Fprintln(w, st.paint(sgrGreen+sgrBold, "No findings")+" — nothing wrong that the token alone can show (the signature was not checked).")
		return
	}
	fmt.Fprintln(w, st.paint(sgrBold, fmt.Sprintf("Findings: %d error%s, %d warning%s, %d info", e, plural(e), wn, plural(wn), in)))
	for _, f := range fs {
		fmt.Fprintf(w, "  %s  %s  %s\n", st.severity(f.Severity), st.paint(sgrBold, f.ID), f.Title)
		for _, line := range wrap(safe(f.Detail), st.width()-13) {
			fmt.Fprintf(w, "             %s\n", line)
		}
		for i, line := range wrap("fix: "+f.Fix, st.width()-13) {
			if i == 0 {
				line = st.paint(sgrGreen, line)
			}
			fmt.Fprintf(w, "             %s\n", line)
		}
		if f.AADSTS != 0 {
			fmt.Fprintf(w, "             Entra code: AADSTS%d\n", f.AADSTS)
		}
		if f.Docs != "" {
			fmt.Fprintf(w, "             docs: %s\n", st.paint(sgrDim, f.Docs))
		}
	}
	fmt.Fprintln(w, st.paint(sgrDim, "  oboscope explain ID shows the full explanation of a finding."))
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
