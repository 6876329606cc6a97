package inspect

// ruleCatalogue is every finding rule, in catalogue order. It is read-only after package
// initialisation; Rules and LookupRule hand out copies.
var ruleCatalogue = concatRules(tokenRules, tokenLifetimeRules, signinRules, agentRules, oboRules, mcpRules, authorityRules)

// ruleIndex maps a finding ID to its position in ruleCatalogue. Read-only.
var ruleIndex = indexRules(ruleCatalogue)

func concatRules(groups ...[]Rule) []Rule {
	var out []Rule
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

func indexRules(rs []Rule) map[string]int {
	m := make(map[string]int, len(rs))
	for i, r := range rs {
		m[r.ID] = i
	}
	return m
}
