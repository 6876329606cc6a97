package flows

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"

	"github.com/oboscope/oboscope/inspect"
)

// jsonReport is the `check --format json` shape of DESIGN.md (fields may be added, never renamed).
type jsonReport struct {
	Mode     string    `json:"mode"`
	Scenario string    `json:"scenario,omitempty"`
	Hops     []jsonHop `json:"hops"`
	Summary  Summary   `json:"summary"`
}

type jsonHop struct {
	ID        HopID             `json:"id"`
	Title     string            `json:"title"`
	Status    HopStatus         `json:"status"`
	Story     string            `json:"story,omitempty"`
	Error     string            `json:"error,omitempty"`
	Tokens    []jsonToken       `json:"tokens"`
	Exchanges []Exchange        `json:"exchanges"`
	Findings  []inspect.Finding `json:"findings"`
}

type jsonToken struct {
	Name        string         `json:"name"`
	RawRedacted string         `json:"raw_redacted"`
	Header      map[string]any `json:"header"`
	Claims      map[string]any `json:"claims"`
	Verified    bool           `json:"verified"`
	VerifyNote  string         `json:"verify_note,omitempty"`
}

// redactedRaw is a token's compact form with its signature removed.
func redactedRaw(nt NamedToken) string {
	raw := nt.Raw
	if raw == "" && nt.Token != nil {
		raw = nt.Token.Raw
	}
	if raw == "" {
		return ""
	}
	return inspect.RedactToken(raw)
}

func toJSONReport(r Report) jsonReport {
	out := jsonReport{Mode: r.Mode, Scenario: r.Scenario, Summary: r.Summary, Hops: []jsonHop{}}
	for _, h := range r.Hops {
		jh := jsonHop{ID: h.ID, Title: h.Title, Status: h.Status, Story: h.Story, Error: h.Err,
			Tokens: []jsonToken{}, Exchanges: []Exchange{}, Findings: []inspect.Finding{}}
		for _, t := range h.Tokens {
			jt := jsonToken{Name: t.Name, RawRedacted: redactedRaw(t), Verified: t.Verified, VerifyNote: t.VerifyErr}
			if t.Token != nil {
				jt.Header, jt.Claims = t.Token.Header, t.Token.Claims
			}
			jh.Tokens = append(jh.Tokens, jt)
		}
		jh.Exchanges = append(jh.Exchanges, h.Exchanges...)
		jh.Findings = append(jh.Findings, h.Findings...)
		out.Hops = append(out.Hops, jh)
	}
	return out
}

// WriteReport renders a finished walk as text, json or markdown. Every rendering is redacted:
// tokens appear without their signature, secrets never.
func WriteReport(w io.Writer, r Report, format string) error {
	return writeReport(w, r, format, false)
}

func writeReport(w io.Writer, r Report, format string, color bool) error {
	switch format {
	case "json":
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(toJSONReport(r)); err != nil {
			return err
		}
		_, err := io.WriteString(w, jsonTermSafe(buf.String()))
		return err
	case "markdown", "md":
		_, err := io.WriteString(w, markdownReport(r))
		return err
	case "text", "":
		_, err := io.WriteString(w, textReport(r, color))
		return err
	}
	return fmt.Errorf("flows: unknown report format %q (text, json or markdown)", format)
}

// ansi holds the plain ANSI sequences of the text report (flows never imports a styling library).
type ansi struct{ on bool }

func (a ansi) wrap(code, s string) string {
	if !a.on {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}
func (a ansi) bold(s string) string  { return a.wrap("1", s) }
func (a ansi) dim(s string) string   { return a.wrap("2", s) }
func (a ansi) red(s string) string   { return a.wrap("31", s) }
func (a ansi) green(s string) string { return a.wrap("32", s) }
func (a ansi) amber(s string) string { return a.wrap("33", s) }
func (a ansi) blue(s string) string  { return a.wrap("34", s) }

func (a ansi) status(s HopStatus) string {
	switch s {
	case StatusOK:
		return a.green("✓ ok     ")
	case StatusWarning:
		return a.amber("! warning")
	case StatusFailed:
		return a.red("✗ failed ")
	case StatusSkipped:
		return a.dim("- skipped")
	}
	return string(s)
}

func (a ansi) severity(s inspect.Severity) string {
	switch s {
	case inspect.SeverityError:
		return a.red("error  ")
	case inspect.SeverityWarning:
		return a.amber("warning")
	}
	return a.blue("info   ")
}

func textReport(r Report, color bool) string {
	a := ansi{on: color}
	var b strings.Builder
	head := "oboscope check — " + r.Mode
	if r.Scenario != "" {
		head += ", scenario " + r.Scenario
	}
	b.WriteString(a.bold(head) + "\n\n")
	for i, h := range r.Hops {
		fmt.Fprintf(&b, "%d. %s  %-10s %s%s\n", i+1, a.status(h.Status), h.ID, a.bold(h.Title), a.dim(exchangeSummary(h.Exchanges)))
		if h.Story != "" {
			fmt.Fprintf(&b, "   %s\n", termSafe(h.Story))
		}
		if h.Err != "" && !h.StoryTellsError() {
			fmt.Fprintf(&b, "   %s %s\n", a.red("error:"), termSafe(h.Err))
		}
		for _, t := range h.Tokens {
			if t.Token == nil {
				continue
			}
			fmt.Fprintf(&b, "   %s %s\n", a.dim("token:"), termSafe(t.Name+" — "+tokenSummary(t.Token, r.AppNames)+verifyNote(t)))
		}
		for _, f := range h.Findings {
			fmt.Fprintf(&b, "   %s %s — %s\n", a.severity(f.Severity), a.bold(f.ID), termSafe(f.Title))
			if f.Detail != "" {
				fmt.Fprintf(&b, "           %s\n", termSafe(f.Detail))
			}
			if f.Fix != "" {
				fmt.Fprintf(&b, "           %s %s\n", a.dim("fix:"), termSafe(f.Fix))
			}
			if f.Docs != "" {
				fmt.Fprintf(&b, "           %s %s\n", a.dim("docs:"), termSafe(f.Docs))
			}
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "%s %s\n", a.bold("summary:"), r.Summary.String())
	return b.String()
}

func verifyNote(t NamedToken) string {
	if t.Verified {
		return " (signature verified)"
	}
	return ""
}

func mdEscape(s string) string {
	s = strings.ReplaceAll(mdText(s), "|", "\\|")
	s = strings.ReplaceAll(s, "\n", " ")
	return s
}

// mdText makes server- and claim-controlled text inert in Markdown: HTML tags become text and
// emphasis, code and link markup is escaped.
func mdText(s string) string {
	return mdReplacer.Replace(s)
}

var mdReplacer = strings.NewReplacer(`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`, "<", "&lt;", ">", "&gt;", "&", "&amp;")

// StoryTellsError reports whether a hop's story already tells its error (the same text, or the
// same AADSTS code): reports and the TUI then do not show the error line again.
func (h HopResult) StoryTellsError() bool {
	if h.Story == "" || h.Err == "" {
		return false
	}
	e := strings.TrimPrefix(h.Err, string(h.ID)+": ")
	if strings.Contains(h.Story, e) || strings.Contains(h.Story, clip(e, 60)) {
		return true
	}
	if len(e) > 60 && strings.Contains(h.Story, strings.TrimSuffix(clip(e, 60), "…")) {
		return true
	}
	for _, code := range aadstsRe.FindAllString(e, -1) {
		if strings.Contains(h.Story, code) {
			return true
		}
	}
	return false
}

var aadstsRe = regexp.MustCompile(`AADSTS\d+`)

// markdownReport is the Markdown report, made terminal-safe as a whole (it is often cat'ed).
func markdownReport(r Report) string { return termSafeLines(markdownBody(r)) }

func markdownBody(r Report) string {
	var b strings.Builder
	b.WriteString("# oboscope report\n\n")
	fmt.Fprintf(&b, "- **Mode:** %s\n", r.Mode)
	if r.Scenario != "" {
		fmt.Fprintf(&b, "- **Scenario:** %s\n", r.Scenario)
	}
	fmt.Fprintf(&b, "- **Result:** %s\n\n", r.Summary.String())
	b.WriteString("Tokens below are decoded with their signatures removed; secrets, codes and refresh tokens are redacted.\n\n")
	b.WriteString("| # | Hop | Status | What happened |\n|---|---|---|---|\n")
	for i, h := range r.Hops {
		story := h.Story
		if h.Err != "" {
			story = h.Err
		}
		fmt.Fprintf(&b, "| %d | %s | %s | %s |\n", i+1, h.ID, h.Status, mdEscape(story))
	}
	b.WriteString("\n")
	for i, h := range r.Hops {
		fmt.Fprintf(&b, "## %d. %s — %s (%s)\n\n", i+1, h.ID, h.Title, h.Status)
		if h.Story != "" {
			b.WriteString(mdText(h.Story) + "\n\n")
		}
		if h.Err != "" && !h.StoryTellsError() {
			fmt.Fprintf(&b, "**Error:** %s\n\n", mdText(h.Err))
		}
		if len(h.Findings) > 0 {
			b.WriteString("### Findings\n\n")
			for _, f := range h.Findings {
				fmt.Fprintf(&b, "- **%s** `%s` — %s", f.Severity, f.ID, f.Title)
				if f.AADSTS != 0 {
					fmt.Fprintf(&b, " (AADSTS%d)", f.AADSTS)
				}
				b.WriteString("\n")
				if f.Detail != "" {
					fmt.Fprintf(&b, "  - Observed: %s\n", mdText(f.Detail))
				}
				if f.Fix != "" {
					fmt.Fprintf(&b, "  - Fix: %s\n", f.Fix)
				}
				if f.Docs != "" {
					fmt.Fprintf(&b, "  - Docs: %s\n", f.Docs)
				}
			}
			b.WriteString("\n")
		}
		for _, t := range h.Tokens {
			if t.Token == nil {
				continue
			}
			fmt.Fprintf(&b, "### Token: %s\n\n%s%s\n\n", mdText(t.Name), mdText(tokenSummary(t.Token, r.AppNames)), mdText(verifyNote(t)))
			doc := map[string]any{"header": t.Token.Header, "claims": t.Token.Claims}
			js, _ := json.MarshalIndent(doc, "", "  ")
			fmt.Fprintf(&b, "<details><summary>Decoded (signature removed)</summary>\n\n```json\n%s\n```\n\n</details>\n\n", js)
		}
		if len(h.Exchanges) > 0 {
			b.WriteString("### HTTP exchanges\n\n| # | What | Request | Status | ms |\n|---|---|---|---|---|\n")
			for j, x := range h.Exchanges {
				st := fmt.Sprint(x.Status)
				if x.Err != "" {
					st = "— " + x.Err
				}
				fmt.Fprintf(&b, "| %d | %s | %s %s | %s | %.1f |\n", j+1, mdEscape(x.Label), x.Method, mdEscape(x.URL), mdEscape(st), x.DurationMS)
			}
			b.WriteString("\n")
		}
	}
	all := r.Findings()
	if len(all) > 0 {
		ids := map[string]bool{}
		for _, f := range all {
			ids[f.ID] = true
		}
		var list []string
		for id := range ids {
			list = append(list, "`"+id+"`")
		}
		sort.Strings(list)
		fmt.Fprintf(&b, "Finding IDs: %s — `oboscope explain ID` prints the full explanation.\n", strings.Join(list, ", "))
	}
	return b.String()
}

// String says "1 error, 2 warnings, 0 info".
func (s Summary) String() string {
	plural := func(n int, one, many string) string {
		if n == 1 {
			return fmt.Sprintf("%d %s", n, one)
		}
		return fmt.Sprintf("%d %s", n, many)
	}
	out := plural(s.Errors, "error", "errors") + ", " + plural(s.Warnings, "warning", "warnings") + ", " + fmt.Sprintf("%d info", s.Infos)
	if len(s.FailedHops) > 0 {
		names := make([]string, len(s.FailedHops))
		for i, id := range s.FailedHops {
			names[i] = string(id)
		}
		out += "; " + plural(len(names), "hop", "hops") + " failed: " + strings.Join(names, ", ")
	}
	return out
}

// exchangeSummary says how many HTTP exchanges a hop made and how long they took.
func exchangeSummary(xs []Exchange) string {
	if len(xs) == 0 {
		return ""
	}
	var ms float64
	for _, x := range xs {
		ms += x.DurationMS
	}
	noun := "requests"
	if len(xs) == 1 {
		noun = "request"
	}
	return fmt.Sprintf("  (%d HTTP %s, %.0f ms)", len(xs), noun, ms)
}
