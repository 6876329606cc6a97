package report

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/oboscope/oboscope/flows"
	"github.com/oboscope/oboscope/inspect"
)

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

// markdownReport is the Markdown report, made terminal-safe as a whole (it is often cat'ed).
func markdownReport(r flows.Report, meta Meta) string { return safeLines(markdownBody(r, meta)) }

func markdownBody(r flows.Report, meta Meta) string {
	var b strings.Builder
	b.WriteString("# oboscope report\n\n")
	markdownSummary(&b, r, meta)
	fmt.Fprintf(&b, "- **Mode:** %s\n", r.Mode)
	if r.Chain != "" {
		fmt.Fprintf(&b, "- **Chain:** %s\n", r.Chain)
	}
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
		markdownHop(&b, i, h, r.AppNames)
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

// markdownHop writes one hop's section: story, error, findings, tokens and exchanges.
func markdownHop(b *strings.Builder, i int, h flows.HopResult, names inspect.AppNames) {
	fmt.Fprintf(b, "## %d. %s — %s (%s)\n\n", i+1, h.ID, h.Title, h.Status)
	if h.Story != "" {
		b.WriteString(mdText(h.Story) + "\n\n")
	}
	if h.Err != "" && !h.StoryTellsError() {
		fmt.Fprintf(b, "**Error:** %s\n\n", mdText(h.Err))
	}
	if len(h.Findings) > 0 {
		b.WriteString("### Findings\n\n")
		for _, f := range h.Findings {
			fmt.Fprintf(b, "- **%s** `%s` — %s", f.Severity, f.ID, f.Title)
			if f.AADSTS != 0 {
				fmt.Fprintf(b, " (AADSTS%d)", f.AADSTS)
			}
			b.WriteString("\n")
			if f.Detail != "" {
				fmt.Fprintf(b, "  - Observed: %s\n", mdText(f.Detail))
			}
			if f.Fix != "" {
				fmt.Fprintf(b, "  - Fix: %s\n", mdText(f.Fix))
			}
			if f.Docs != "" {
				fmt.Fprintf(b, "  - Docs: %s\n", f.Docs)
			}
		}
		b.WriteString("\n")
	}
	for _, t := range h.Tokens {
		if t.Token == nil {
			continue
		}
		fmt.Fprintf(b, "### Token: %s\n\n%s%s\n\n", mdText(t.Name), mdText(inspect.Summarize(t.Token, names).Text()), mdText(verifyNote(t)))
		doc := map[string]any{"header": t.Token.Header, "claims": t.Token.Claims}
		js, err := json.MarshalIndent(doc, "", "  ")
		if err != nil {
			js = []byte(fmt.Sprintf("(the decoded token cannot be shown as JSON: %v)", err))
		}
		fmt.Fprintf(b, "<details><summary>Decoded (signature removed)</summary>\n\n```json\n%s\n```\n\n</details>\n\n", js)
	}
	if len(h.Exchanges) > 0 {
		b.WriteString("### HTTP exchanges\n\n| # | What | Request | Status | ms |\n|---|---|---|---|---|\n")
		for j, x := range h.Exchanges {
			st := fmt.Sprint(x.Status)
			if x.Err != "" {
				st = "— " + x.Err
			}
			fmt.Fprintf(b, "| %d | %s | %s %s | %s | %.1f |\n", j+1, mdEscape(x.Label), x.Method, mdEscape(x.URL), mdEscape(st), x.DurationMS)
		}
		b.WriteString("\n")
	}
}

// markdownSummary opens the report with what a reader of a support ticket needs first: which
// oboscope wrote it and when, then every finding with its fix, most severe first.
func markdownSummary(b *strings.Builder, r flows.Report, meta Meta) {
	var about []string
	if meta.Version != "" {
		about = append(about, "oboscope "+mdText(meta.Version))
	}
	if !meta.At.IsZero() {
		about = append(about, meta.At.Format("2006-01-02 15:04:05 MST"))
	}
	where := r.Mode
	if r.Scenario != "" {
		where += ", scenario " + mdText(r.Scenario)
	}
	about = append(about, where)
	fmt.Fprintf(b, "%s\n\n", strings.Join(about, " · "))
	b.WriteString("## Findings and fixes\n\n")
	all := r.Findings()
	if len(all) == 0 {
		fmt.Fprintf(b, "No findings: %s.\n\n", r.Summary.String())
		return
	}
	fmt.Fprintf(b, "**%s.**\n\n", r.Summary.String())
	for i, f := range all {
		fmt.Fprintf(b, "%d. **%s** `%s` at hop %s — %s\n", i+1, f.Severity, f.ID, mdText(f.Hop), mdText(f.Title))
		if f.Fix != "" {
			fmt.Fprintf(b, "   - **Fix:** %s\n", mdText(f.Fix))
		}
	}
	b.WriteString("\n")
}
