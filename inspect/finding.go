// Package inspect is oboscope's pure analysis: it decodes tokens, explains their claims, holds the
// catalogue of findings and AADSTS codes, parses WWW-Authenticate challenges and Entra errors, and
// applies the rules that turn observations into findings. It does no network I/O, reads no clock
// of its own (the time is passed in) and imports no other package of the project.
package inspect

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
