package report

import (
	"bytes"
	"encoding/json"
	"io"

	"github.com/oboscope/oboscope/flows"
	"github.com/oboscope/oboscope/inspect"
)

// jsonReport is the `check --format json` shape of DESIGN.md (fields may be added, never renamed).
type jsonReport struct {
	Mode     string        `json:"mode"`
	Chain    string        `json:"chain,omitempty"`
	Scenario string        `json:"scenario,omitempty"`
	Hops     []jsonHop     `json:"hops"`
	Summary  flows.Summary `json:"summary"`
}

type jsonHop struct {
	ID        flows.HopID       `json:"id"`
	Title     string            `json:"title"`
	Status    flows.HopStatus   `json:"status"`
	Story     string            `json:"story,omitempty"`
	Error     string            `json:"error,omitempty"`
	Tokens    []jsonToken       `json:"tokens"`
	Exchanges []flows.Exchange  `json:"exchanges"`
	Findings  []inspect.Finding `json:"findings"`
}

type jsonToken struct {
	Name        string          `json:"name"`
	Role        flows.TokenRole `json:"role,omitempty"`
	HandedOn    bool            `json:"handed_on,omitempty"`
	Origin      *flows.TokenRef `json:"origin,omitempty"`
	From        *flows.TokenRef `json:"from,omitempty"`
	RawRedacted string          `json:"raw_redacted"`
	Header      map[string]any  `json:"header"`
	Claims      map[string]any  `json:"claims"`
	Verified    bool            `json:"verified"`
	VerifyNote  string          `json:"verify_note,omitempty"`
}

func toJSONReport(r flows.Report) jsonReport {
	out := jsonReport{Mode: r.Mode, Chain: r.Chain, Scenario: r.Scenario, Summary: r.Summary, Hops: []jsonHop{}}
	for _, h := range r.Hops {
		jh := jsonHop{ID: h.ID, Title: h.Title, Status: h.Status, Story: h.Story, Error: h.Err,
			Tokens: []jsonToken{}, Exchanges: []flows.Exchange{}, Findings: []inspect.Finding{}}
		for _, t := range h.Tokens {
			jt := jsonToken{Name: t.Name, Role: t.Role, HandedOn: t.HandedOn, Origin: t.Origin, From: t.From,
				RawRedacted: t.Redacted(), Verified: t.Verified, VerifyNote: t.VerifyErr}
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

// writeJSON writes v as indented JSON without HTML escaping, terminal-safe.
func writeJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := io.WriteString(w, inspect.PrintableJSON(buf.String()))
	return err
}
