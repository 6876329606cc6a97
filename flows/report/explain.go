package report

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/oboscope/oboscope/inspect"
)

// RunExplain runs `oboscope explain ID`. ID is a finding ID (obo.assertion-aud-mismatch), a
// section (obo, token …) to list its findings, or an Entra code (AADSTS50013 or 50013). It
// returns 0, or 2 with a one-line suggestion on stderr when nothing matches.
func RunExplain(id string, stdout, stderr io.Writer) int {
	return runExplain(id, stdout, stderr, Style{})
}

func runExplain(id string, stdout, stderr io.Writer, st Style) int {
	q := strings.TrimSpace(id)
	w := bufio.NewWriter(stdout)
	defer w.Flush()
	// "401" is an HTTP status (no AADSTS code has three digits): the agent's and MCP server's
	// refusals, not Entra's.
	if status, ok := httpStatusQuery(q); ok {
		return explainHTTPStatus(w, stderr, status)
	}
	if code, ok := parseAADSTS(q); ok {
		entry, found := inspect.LookupAADSTS(code)
		if !found {
			fmt.Fprintf(stderr, "oboscope: explain: AADSTS%d is not in oboscope's catalogue; Microsoft's lookup: https://login.microsoftonline.com/error?code=%d\n", code, code)
			return 2
		}
		writeAADSTS(w, entry, st)
		return 0
	}
	// Finding IDs are lower case; accept any case a person types ("token.EXPIRED", "OBO").
	if r, ok := inspect.LookupRule(strings.ToLower(q)); ok {
		writeRule(w, r, st)
		return 0
	}
	if rules := rulesInSection(q); len(rules) > 0 {
		fmt.Fprintf(w, "%s findings (oboscope explain ID for one):\n", strings.TrimSuffix(strings.ToLower(q), "."))
		for _, r := range rules {
			fmt.Fprintf(w, "  %-38s %-7s  %s\n", r.ID, r.Severity, r.Title)
		}
		return 0
	}
	if s := closestRuleIDs(q, 3); len(s) > 0 {
		fmt.Fprintf(stderr, "oboscope: explain: no finding %q; did you mean %s?\n", q, strings.Join(s, ", "))
	} else {
		fmt.Fprintf(stderr, "oboscope: explain: no finding %q; sections are authority, token, signin, agent, obo, agentid, mcp and foundry\n", q)
	}
	return 2
}

// httpStatusQuery reads an HTTP status a person may ask about ("401", "HTTP 401", "http401"):
// three digits from 100 to 599 without the AADSTS prefix (Entra's codes have more digits).
func httpStatusQuery(q string) (int, bool) {
	s := strings.TrimSpace(q)
	if len(s) >= 4 && strings.EqualFold(s[:4], "http") {
		s = strings.TrimSpace(s[4:])
	}
	if len(s) != 3 {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 100 || n > 599 {
		return 0, false
	}
	return n, true
}

// explainHTTPStatus lists the findings that speak of an HTTP status (agent.rejected, mcp.rejected,
// mcp.no-www-authenticate … for 401), read from the catalogue's titles, explanations and fixes.
func explainHTTPStatus(w io.Writer, stderr io.Writer, status int) int {
	rules := rulesAboutStatus(status)
	if len(rules) == 0 {
		fmt.Fprintf(stderr, "oboscope: explain: no finding is about HTTP %d answers; sections are authority, token, signin, agent, obo, agentid, mcp and foundry (for Entra's AADSTS%d: https://login.microsoftonline.com/error?code=%d)\n", status, status, status)
		return 2
	}
	fmt.Fprintf(w, "HTTP %d: findings that involve %d answers (oboscope explain ID for one):\n", status, status)
	for _, r := range rules {
		fmt.Fprintf(w, "  %-38s %-7s  %s\n", r.ID, r.Severity, r.Title)
	}
	return 0
}

// rulesAboutStatus are the findings whose title, explanation or fix speak of an HTTP status.
func rulesAboutStatus(status int) []inspect.Rule {
	re := regexp.MustCompile(`(^|[^0-9A-Za-z])` + strconv.Itoa(status) + `([^0-9]|$)`)
	var rules []inspect.Rule
	for _, r := range inspect.Rules() {
		if re.MatchString(r.Title + "\n" + r.Explanation + "\n" + r.Fix) {
			rules = append(rules, r)
		}
	}
	return rules
}

// parseAADSTS reads "AADSTS50013", "aadsts50013" or "50013".
func parseAADSTS(q string) (int, bool) {
	s := q
	if len(s) > 6 && strings.EqualFold(s[:6], "AADSTS") {
		s = s[6:]
	}
	if s == "" || len(s) > 9 {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		return 0, false
	}
	return n, true
}

func rulesInSection(q string) []inspect.Rule {
	prefix := strings.TrimSuffix(strings.ToLower(q), ".") + "."
	var out []inspect.Rule
	for _, r := range inspect.Rules() {
		if strings.HasPrefix(r.ID, prefix) {
			out = append(out, r)
		}
	}
	return out
}

func writeRule(w io.Writer, r inspect.Rule, st Style) {
	fmt.Fprintf(w, "%s — %s\n", st.paint(sgrBold, r.ID), r.Title)
	fmt.Fprintf(w, "severity: %s\n\n", strings.TrimSpace(st.severity(r.Severity)))
	section := func(title, body string) {
		fmt.Fprintln(w, st.paint(sgrBold, title))
		for _, line := range wrap(body, st.width()-2) {
			fmt.Fprintf(w, "  %s\n", line)
		}
		fmt.Fprintln(w)
	}
	section("What it means and why it happens", r.Explanation)
	section("Fix", r.Fix)
	if len(r.AADSTS) > 0 {
		fmt.Fprintln(w, st.paint(sgrBold, "Entra error codes"))
		for _, c := range r.AADSTS {
			writeHanging(w, codeLine(c, slices.Contains(r.CommunityCodes, c)), st)
		}
		fmt.Fprintln(w)
	}
	if r.Docs != "" {
		fmt.Fprintf(w, "%s\n  %s\n", st.paint(sgrBold, "Docs"), r.Docs)
	}
}

func writeAADSTS(w io.Writer, a inspect.AADSTS, st Style) {
	title := fmt.Sprintf("AADSTS%d", a.Code)
	if a.Name != "" {
		title += " — " + a.Name
	}
	fmt.Fprintln(w, st.paint(sgrBold, title))
	if a.Community {
		fmt.Fprintln(w, "community-observed, not documented by Microsoft")
	}
	fmt.Fprintln(w)
	for _, sec := range [][2]string{{"What it means", a.Meaning}, {"Fix", a.Fix}} {
		fmt.Fprintln(w, st.paint(sgrBold, sec[0]))
		for _, line := range wrap(sec[1], st.width()-2) {
			fmt.Fprintf(w, "  %s\n", line)
		}
		fmt.Fprintln(w)
	}
	if ids := findingsForCode(a); len(ids) > 0 {
		fmt.Fprintln(w, st.paint(sgrBold, "Findings"))
		for _, id := range ids {
			fmt.Fprintf(w, "  %s (oboscope explain %s)\n", id, id)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "%s\n  https://login.microsoftonline.com/error?code=%d\n  https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes\n",
		st.paint(sgrBold, "Docs"), a.Code)
}

// findingsForCode lists the findings an Entra code raises: its own first, then every rule that
// names the code.
func findingsForCode(a inspect.AADSTS) []string {
	var ids []string
	if a.FindingID != "" {
		ids = append(ids, a.FindingID)
	}
	for _, r := range inspect.Rules() {
		if r.ID == a.FindingID {
			continue
		}
		for _, c := range r.AADSTS {
			if c == a.Code {
				ids = append(ids, r.ID)
				break
			}
		}
	}
	return ids
}

// closestRuleIDs returns up to n catalogue IDs nearest to q: those containing q or its last
// part first, then by edit distance.
func closestRuleIDs(q string, n int) []string {
	q = strings.ToLower(q)
	tail := q
	if i := strings.LastIndexByte(q, '.'); i >= 0 {
		tail = q[i+1:]
	}
	type scored struct {
		id    string
		score int
	}
	var all []scored
	for _, r := range inspect.Rules() {
		d := inspect.EditDistance(q, r.ID)
		if tail != "" && strings.Contains(r.ID, tail) {
			d -= 100
		}
		for _, word := range strings.Split(tail, "-") {
			if len(word) > 2 && strings.Contains(r.ID, word) {
				d -= 3
			}
		}
		all = append(all, scored{r.ID, d})
	}
	sort.SliceStable(all, func(i, j int) bool {
		if all[i].score != all[j].score {
			return all[i].score < all[j].score
		}
		return all[i].id < all[j].id
	})
	var out []string
	limit := len(q)/2 + 2
	for _, s := range all {
		if len(out) == n {
			break
		}
		if s.score <= limit {
			out = append(out, s.id)
		}
	}
	return out
}

// writeHanging writes one list item wrapped to the style's width, its continuation lines indented
// under its first word (an Entra code and its meaning).
func writeHanging(w io.Writer, line string, st Style) {
	for i, l := range wrap(line, st.width()-4) {
		if i == 0 {
			fmt.Fprintf(w, "  %s\n", l)
		} else {
			fmt.Fprintf(w, "    %s\n", l)
		}
	}
}

// codeLine says an Entra code in one line: "AADSTS50013 Name: meaning", marked community-observed
// when the catalogue (or the finding's own entry, community) says its meaning is not documented
// by Microsoft, and pointing at Microsoft's lookup when oboscope's catalogue lacks it.
func codeLine(c int, community bool) string {
	line := fmt.Sprintf("AADSTS%d", c)
	a, ok := inspect.LookupAADSTS(c)
	if !ok {
		return line + fmt.Sprintf(": not in oboscope's catalogue (https://login.microsoftonline.com/error?code=%d)", c)
	}
	if a.Name != "" {
		line += " " + a.Name
	}
	line += ": " + a.Meaning
	if community || a.Community {
		line += " (community-observed, not documented by Microsoft)"
	}
	return line
}
