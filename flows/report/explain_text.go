package report

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/oboscope/oboscope/inspect"
)

// ExplainOptions are the inputs of `oboscope explain`.
type ExplainOptions struct {
	// Query is a finding ID, a section, an AADSTS code, an HTTP status, "-" (read Stdin) or
	// anything pasted: a log line, an Entra error body, an MSAL exception, an HTTP response or a
	// WWW-Authenticate value, a token, PRM or authorization server metadata.
	Query string
	JSON  bool
	Stdin io.Reader
	Now   time.Time // judges a pasted token's times; zero: time.Now()
}

// explainJSON is the --json shape: what was recognised, the AADSTS codes named, the findings.
type explainJSON struct {
	Recognised []string             `json:"recognised"`
	AADSTS     []int                `json:"aadsts"`
	Findings   []explainJSONFinding `json:"findings"`
}

type explainJSONFinding struct {
	ID       string           `json:"id"`
	Severity inspect.Severity `json:"severity"`
	Title    string           `json:"title"`
	Detail   string           `json:"detail"`
	Fix      string           `json:"fix"`
}

// maxExplainInput bounds what explain reads from stdin.
const maxExplainInput = 1 << 20

// RunExplainQuery runs `oboscope explain [ID | CODE | TEXT | -] [--json]`. It returns 0 when it
// recognised something, 2 when it did not (with a one-line reason on stderr).
func RunExplainQuery(opts ExplainOptions, stdout, stderr io.Writer) int {
	q := opts.Query
	if strings.TrimSpace(q) == "-" {
		in := opts.Stdin
		if in == nil {
			fmt.Fprintln(stderr, "oboscope: explain: - reads standard input, and there is none")
			return 2
		}
		b, err := io.ReadAll(io.LimitReader(in, maxExplainInput))
		if err != nil {
			fmt.Fprintf(stderr, "oboscope: explain: reading standard input: %v\n", err)
			return 2
		}
		q = string(b)
	}
	q = strings.TrimSpace(q)
	if q == "" {
		fmt.Fprintln(stderr, "oboscope: explain: nothing to explain (see oboscope explain --help for what it accepts)")
		return 2
	}
	if !strings.ContainsAny(q, " \t\r\n{") {
		if x, ok := explainName(q); ok {
			return writeExplanation(x, opts.JSON, q, stdout, stderr)
		}
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	x := inspect.ExplainText(q, now)
	if len(x.Recognised) == 0 && !strings.ContainsAny(q, " \t\r\n{") {
		// A single word that is no ID, code, status or token: say what it may have meant.
		return runExplain(q, io.Discard, stderr, Style{})
	}
	if len(x.Recognised) == 0 {
		fmt.Fprintln(stderr, "oboscope: explain: recognised nothing in the text (no AADSTS code, Entra error, MSAL exception, WWW-Authenticate, token or metadata)")
		return 2
	}
	return writeExplanation(x, opts.JSON, "", stdout, stderr)
}

// explainName explains a finding ID, a section, an AADSTS code or an HTTP status as a
// TextExplanation (the --json shape); ok is false when q is none of them.
func explainName(q string) (inspect.TextExplanation, bool) {
	var x inspect.TextExplanation
	rule := func(r inspect.Rule, detail string) inspect.Finding {
		return inspect.Finding{ID: r.ID, Severity: r.Severity, Title: r.Title, Detail: detail, Fix: r.Fix}
	}
	if status, ok := httpStatusQuery(q); ok {
		x.Recognised = []string{"http-status"}
		for _, r := range rulesAboutStatus(status) {
			x.Findings = append(x.Findings, rule(r, r.Explanation))
		}
		return x, len(x.Findings) > 0
	}
	if code, ok := parseAADSTS(q); ok {
		a, found := inspect.LookupAADSTS(code)
		if !found {
			return x, false
		}
		x.Recognised, x.AADSTS = []string{"aadsts-code"}, []int{code}
		for _, id := range findingsForCode(a) {
			if r, ok := inspect.LookupRule(id); ok {
				x.Findings = append(x.Findings, rule(r, a.Meaning))
			}
		}
		return x, true
	}
	if r, ok := inspect.LookupRule(strings.ToLower(q)); ok {
		x.Recognised, x.AADSTS = []string{"finding-id"}, r.AADSTS
		x.Findings = []inspect.Finding{rule(r, r.Explanation)}
		return x, true
	}
	if rules := rulesInSection(q); len(rules) > 0 {
		x.Recognised = []string{"section"}
		for _, r := range rules {
			x.Findings = append(x.Findings, rule(r, r.Explanation))
		}
		return x, true
	}
	return x, false
}

// writeExplanation prints x as JSON, or for a name the long explanation explain always printed,
// or for a pasted text what was recognised and the findings that explain it.
func writeExplanation(x inspect.TextExplanation, asJSON bool, name string, stdout, stderr io.Writer) int {
	if asJSON {
		out := explainJSON{Recognised: x.Recognised, AADSTS: x.AADSTS, Findings: []explainJSONFinding{}}
		if out.Recognised == nil {
			out.Recognised = []string{}
		}
		if out.AADSTS == nil {
			out.AADSTS = []int{}
		}
		for _, f := range x.Findings {
			out.Findings = append(out.Findings, explainJSONFinding{ID: f.ID, Severity: f.Severity, Title: f.Title, Detail: f.Detail, Fix: f.Fix})
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(out); err != nil {
			fmt.Fprintf(stderr, "oboscope: explain: %v\n", err)
			return 2
		}
		return 0
	}
	if name != "" {
		return runExplain(name, stdout, stderr, Style{})
	}
	writeTextExplanation(stdout, x, Style{})
	return 0
}

// writeTextExplanation prints what a pasted text was recognised as, the AADSTS codes it names
// with their meaning, and each finding with its detail and fix.
func writeTextExplanation(out io.Writer, x inspect.TextExplanation, st Style) {
	w := bufio.NewWriter(out)
	defer w.Flush()
	fmt.Fprintf(w, "%s %s\n", st.paint(sgrBold, "Recognised:"), strings.Join(x.Recognised, ", "))
	for _, c := range x.AADSTS {
		writeHanging(w, codeLine(c, false), st)
	}
	fmt.Fprintln(w)
	if len(x.Findings) == 0 {
		fmt.Fprintln(w, "No finding of oboscope's catalogue explains it; the meaning above is what is known.")
		return
	}
	for _, f := range x.Findings {
		fmt.Fprintf(w, "%s %s — %s\n", strings.TrimSpace(st.severity(f.Severity)), st.paint(sgrBold, f.ID), f.Title)
		for _, l := range wrap(f.Detail, st.width()-2) {
			fmt.Fprintf(w, "  %s\n", l)
		}
		for i, l := range wrap("fix: "+f.Fix, st.width()-2) {
			if i == 0 {
				fmt.Fprintf(w, "  %s\n", l)
			} else {
				fmt.Fprintf(w, "       %s\n", l)
			}
		}
		fmt.Fprintf(w, "  (oboscope explain %s for more)\n\n", f.ID)
	}
}
