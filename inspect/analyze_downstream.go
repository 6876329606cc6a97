package inspect

import "strings"

// DownstreamObservation is what the downstream hop saw: the MCP server's report of its own
// exchange, and the token oboscope had sent to the server.
type DownstreamObservation struct {
	Report   *ExchangeReport
	Incoming *Token // the token oboscope presented to the MCP server
}

// AnalyzeDownstream applies mcp.downstream-passthrough, and the obo.* code rules to the errors
// the MCP server reports of its own exchange.
func AnalyzeDownstream(obs DownstreamObservation) []Finding {
	r := obs.Report
	if r == nil {
		return nil
	}
	var fs []Finding
	same := r.Token != nil && obs.Incoming != nil && anaSameToken(r.Token, obs.Incoming)
	if r.Passthrough || strings.EqualFold(r.Kind, "passthrough") || same {
		detail := "the MCP server reports it forwarded the incoming token downstream instead of exchanging it"
		if same {
			detail = "the token the MCP server sent downstream is the very token oboscope presented to it (same uti)"
		}
		fs = append(fs, NewFinding("mcp.downstream-passthrough", "downstream", detail, map[string]string{"kind": r.Kind}))
	}
	fs = anaAddOnce(fs, anaFromEntraError(r.Error, "downstream", oboCodes(), "Entra (as the MCP server reports)")...)
	return fs
}

func anaSameToken(a, b *Token) bool {
	ua, ub := a.ClaimString("uti"), b.ClaimString("uti")
	if ua != "" && ub != "" {
		return ua == ub
	}
	return a.ClaimString("aud") == b.ClaimString("aud") && a.ClaimString("iat") == b.ClaimString("iat") && a.Subject == b.Subject && a.Subject != ""
}
