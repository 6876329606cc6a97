package inspect

// This file answers what the engine asks of a finding — is it about the user, does it explain a
// rejection — from the properties its catalogue entry carries, so that no caller needs to know
// finding IDs.

// catalogued returns the catalogue entry of id, nil when id is not catalogued.
func catalogued(id string) *Rule {
	i, ok := ruleIndex[id]
	if !ok {
		return nil
	}
	return &ruleCatalogue[i]
}

// IsPerUser reports whether the finding id is about the signed-in user rather than about one
// token (Rule.PerUser): a walk reports it once, at the first hop that sees it.
func IsPerUser(id string) bool {
	r := catalogued(id)
	return r != nil && r.PerUser
}

// ExplainsRejection reports whether f explains why a server later rejected the token it is about:
// its catalogue entry says so (Rule.ExplainsRejection) and f is more than informational.
func ExplainsRejection(f Finding) bool {
	r := catalogued(f.ID)
	return r != nil && r.ExplainsRejection && f.Severity != SeverityInfo
}

// ExplainingIDs returns the IDs of the findings of fs that explain a rejection (ExplainsRejection),
// in the order of fs; nil when none does.
func ExplainingIDs(fs []Finding) []string {
	var ids []string
	for _, f := range fs {
		if ExplainsRejection(f) {
			ids = append(ids, f.ID)
		}
	}
	return ids
}

// ReportsAudience reports whether fs already reports the audience of the exchanged token
// (obo.downstream-aud), so that the MCP hop does not report the same audience again
// (MCPExpectations.AudienceReported).
func ReportsAudience(fs []Finding) bool {
	for _, f := range fs {
		if f.ID == "obo.downstream-aud" {
			return true
		}
	}
	return false
}

// IsClockSkew reports whether f is the clock-skew finding: one clock is reported once per walk,
// at the first hop whose server's Date shows it.
func IsClockSkew(f Finding) bool { return f.ID == "token.clock-skew" }
