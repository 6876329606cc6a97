package report

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/oboscope/oboscope/flows"
	"github.com/oboscope/oboscope/inspect"
)

// Formats are the report formats `check --format` accepts, lower-case.
var formats = []string{"text", "json", "markdown"}

// Formats returns the report formats `check --format` accepts.
func Formats() []string { return append([]string(nil), formats...) }

// NormalizeFormat returns the canonical name of a report format given in any case ("JSON",
// "md"), or false when it is none.
func NormalizeFormat(f string) (string, bool) {
	switch strings.ToLower(strings.TrimSpace(f)) {
	case "", "text", "txt":
		return "text", true
	case "json":
		return "json", true
	case "markdown", "md":
		return "markdown", true
	}
	return "", false
}

// Meta is what a report says about itself: the version of oboscope that wrote it and when.
type Meta struct {
	Version string
	At      time.Time // zero: not said
}

// Write renders a finished walk as text, json or markdown. Every rendering is redacted: tokens
// appear without their signature, secrets never.
func Write(w io.Writer, r flows.Report, format string) error {
	return write(w, r, format, Style{}, Meta{})
}

// WriteWith is Write for a report that says which oboscope wrote it and when (the Markdown
// report opens with them).
func WriteWith(w io.Writer, r flows.Report, format string, meta Meta) error {
	return write(w, r, format, Style{}, meta)
}

func write(w io.Writer, r flows.Report, format string, st Style, meta Meta) error {
	f, ok := NormalizeFormat(format)
	if !ok {
		return fmt.Errorf("report: unknown format %q (text, json or markdown)", format)
	}
	switch f {
	case "json":
		return writeJSON(w, toJSONReport(r))
	case "markdown":
		_, err := io.WriteString(w, markdownReport(r, meta))
		return err
	}
	_, err := io.WriteString(w, textReport(r, st))
	return err
}

func textReport(r flows.Report, a Style) string {
	var b strings.Builder
	head := "oboscope check — " + r.Mode
	if r.Chain != "" && r.Chain != flows.ChainAgentOBO {
		head += ", chain " + r.Chain
	}
	if r.Scenario != "" {
		head += ", scenario " + r.Scenario
	}
	b.WriteString(a.bold(head) + "\n\n")
	for i, h := range r.Hops {
		fmt.Fprintf(&b, "%d. %s  %-10s %s%s\n", i+1, a.status(h.Status), h.ID, a.bold(h.Title), a.dim(exchangeSummary(h.Exchanges)))
		if h.Story != "" {
			fmt.Fprintf(&b, "   %s\n", safe(h.Story))
		}
		if h.Err != "" && !h.StoryTellsError() {
			fmt.Fprintf(&b, "   %s %s\n", a.red("error:"), safe(h.Err))
		}
		for _, t := range h.Tokens {
			if t.Token == nil {
				continue
			}
			fmt.Fprintf(&b, "   %s %s\n", a.dim("token:"), safe(t.Name+" — "+inspect.Summarize(t.Token, r.AppNames).Text()+verifyNote(t)))
		}
		for _, f := range h.Findings {
			fmt.Fprintf(&b, "   %s %s — %s\n", a.severity(f.Severity), a.bold(f.ID), safe(f.Title))
			if f.Detail != "" {
				fmt.Fprintf(&b, "           %s\n", safe(f.Detail))
			}
			if f.Fix != "" {
				fmt.Fprintf(&b, "           %s %s\n", a.dim("fix:"), safe(f.Fix))
			}
			if f.Docs != "" {
				fmt.Fprintf(&b, "           %s %s\n", a.dim("docs:"), safe(f.Docs))
			}
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "%s %s\n", a.bold("summary:"), r.Summary.String())
	return b.String()
}

func verifyNote(t flows.NamedToken) string {
	if t.Verified {
		return " (signature verified)"
	}
	return ""
}

// exchangeSummary says how many HTTP exchanges a hop made and how long they took.
func exchangeSummary(xs []flows.Exchange) string {
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
