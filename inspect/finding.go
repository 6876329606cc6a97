// Package inspect is oboscope's pure analysis: it decodes tokens, explains their claims, holds the
// catalogue of findings and AADSTS codes, parses WWW-Authenticate challenges and Entra errors, and
// applies the rules that turn observations into findings. It does no network I/O, reads no clock
// of its own (the time is passed in) and imports no other package of the project.
package inspect

import "sort"

// Severity ranks a finding. The values are part of the JSON contract.
type Severity string

// Severities, most severe first.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
	SeverityInfo    Severity = "info"
)

// Finding is one problem observed at one hop, with its cause and its fix. Its JSON shape is fixed
// by DESIGN.md: fields may be added, never renamed.
type Finding struct {
	ID       string            `json:"id"`
	Severity Severity          `json:"severity"`
	Hop      string            `json:"hop"`
	Title    string            `json:"title"`
	Detail   string            `json:"detail"`
	Fix      string            `json:"fix"`
	Evidence map[string]string `json:"evidence,omitempty"`
	AADSTS   int               `json:"aadsts,omitempty"`
	Docs     string            `json:"docs,omitempty"`
}

// Rule is the catalogue entry of one finding ID: what `oboscope explain` prints and what NewFinding
// fills in. Every ID of FINDINGS.md is in the catalogue.
type Rule struct {
	ID          string
	Severity    Severity
	Title       string
	Fix         string
	Docs        string
	Explanation string // what it means and why it happens, in a few sentences
	AADSTS      []int  // Entra error codes that raise it, most specific first
	Community   bool   // some of the AADSTS codes are community-observed, not documented (CommunityCodes)
	// CommunityCodes are the codes of AADSTS whose link to this finding is community-observed,
	// not documented by Microsoft; explain says so for each of them.
	CommunityCodes []int

	// PerUser marks a finding about the signed-in user rather than about one token (too many
	// groups): every later token for the same user repeats it, so a walk reports it once, at the
	// first hop that sees it.
	PerUser bool
	// ExplainsRejection marks a finding about a token that explains why a server later rejected
	// that token (an expired token, a wrong audience, a missing scope): a rejection it explains
	// is not reported again as an unexplained one.
	ExplainsRejection bool
	// AboutSignature marks a finding about a token's signature. It means nothing for a token a
	// server reported without its signature, which LintToken skips (Expectations.Reported).
	AboutSignature bool
}

// Rules returns a copy of the whole finding catalogue, in catalogue order.
func Rules() []Rule {
	out := make([]Rule, len(ruleCatalogue))
	copy(out, ruleCatalogue)
	for i := range out {
		out[i].AADSTS = append([]int(nil), out[i].AADSTS...)
		out[i].CommunityCodes = append([]int(nil), out[i].CommunityCodes...)
	}
	return out
}

// LookupRule returns the catalogue entry of id.
func LookupRule(id string) (Rule, bool) {
	i, ok := ruleIndex[id]
	if !ok {
		return Rule{}, false
	}
	r := ruleCatalogue[i]
	r.AADSTS = append([]int(nil), r.AADSTS...)
	r.CommunityCodes = append([]int(nil), r.CommunityCodes...)
	return r, true
}

// NewFinding builds a finding of catalogue rule id observed at hop: severity, title, fix, docs and
// the first AADSTS code come from the catalogue; detail and evidence describe what was observed.
// An id missing from the catalogue still yields a finding (severity error, title = id) so that a
// typo is visible rather than silent; tests assert every raised ID is catalogued.
func NewFinding(id, hop, detail string, evidence map[string]string) Finding {
	f := Finding{ID: id, Hop: hop, Detail: detail, Evidence: evidence}
	i, ok := ruleIndex[id]
	if !ok {
		f.Severity, f.Title = SeverityError, id
		return f
	}
	r := &ruleCatalogue[i]
	f.Severity, f.Title, f.Fix, f.Docs = r.Severity, r.Title, r.Fix, r.Docs
	if len(r.AADSTS) > 0 {
		f.AADSTS = r.AADSTS[0]
	}
	return f
}

// SortFindings orders findings by severity (error, warning, info), then by hop in walk order
// (token, probe, metadata, registration, signin, agent, obo, mcp, refresh, downstream, then any
// other hop by name), then by ID. The sort is stable, so findings that compare equal keep their
// order.
func SortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if ra, rb := severityRank(a.Severity), severityRank(b.Severity); ra != rb {
			return ra < rb
		}
		if ha, hb := hopRank(a.Hop), hopRank(b.Hop); ha != hb {
			return ha < hb
		}
		if a.Hop != b.Hop {
			return a.Hop < b.Hop
		}
		return a.ID < b.ID
	})
}

func severityRank(s Severity) int {
	switch s {
	case SeverityError:
		return 0
	case SeverityWarning:
		return 1
	case SeverityInfo:
		return 2
	}
	return 3
}

func hopRank(h string) int {
	// Both chains' hops in one order: agent-obo's signin → agent → obo → mcp → downstream and
	// mcp-client's probe → metadata → registration → signin → mcp → refresh → downstream.
	for i, id := range []string{"token", "probe", "metadata", "registration", "signin", "agent", "obo", "mcp", "refresh", "downstream"} {
		if h == id {
			return i
		}
	}
	return 10
}

// CountBySeverity returns how many findings of each severity fs holds.
func CountBySeverity(fs []Finding) (errors, warnings, infos int) {
	for _, f := range fs {
		switch f.Severity {
		case SeverityError:
			errors++
		case SeverityWarning:
			warnings++
		case SeverityInfo:
			infos++
		}
	}
	return errors, warnings, infos
}
