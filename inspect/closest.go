package inspect

import (
	"sort"
	"strings"
)

// Closest returns up to n of names nearest to q — those containing q (or contained in it)
// first, then by edit distance — for "did you mean" suggestions; none when nothing is near.
func Closest(q string, names []string, n int) []string {
	q = strings.ToLower(strings.TrimSpace(q))
	if q == "" {
		return nil
	}
	type scored struct {
		name  string
		score int
	}
	var all []scored
	for _, name := range names {
		l := strings.ToLower(name)
		d := EditDistance(q, l)
		if strings.Contains(l, q) || strings.Contains(q, l) {
			d -= 100
		}
		all = append(all, scored{name, d})
	}
	sort.SliceStable(all, func(i, j int) bool {
		if all[i].score != all[j].score {
			return all[i].score < all[j].score
		}
		return all[i].name < all[j].name
	})
	var out []string
	limit := max(2, len(q)/3)
	for _, s := range all {
		if len(out) == n || s.score > limit {
			break
		}
		out = append(out, s.name)
	}
	return out
}

// EditDistance is the Levenshtein distance between a and b, in bytes.
func EditDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
