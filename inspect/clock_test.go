package inspect_test

import (
	"slices"
	"testing"
	"time"

	"github.com/oboscope/oboscope/inspect"
)

// TestLintTokenTimes: as the clock passes a token's expiry, the clock's findings follow, the same
// LintToken raises at that moment; nothing else is judged.
func TestLintTokenTimes(t *testing.T) {
	tok := mkToken(t, map[string]any{"aud": "00000003-0000-0000-c000-000000000000"}) // a Graph token: LintToken says more
	issued := tok.IssuedAt
	for _, tt := range []struct {
		after time.Duration
		want  []string
	}{
		{0, []string{}},
		{56 * time.Minute, []string{"token.near-expiry"}},
		{64 * time.Minute, []string{"token.near-expiry"}}, // within the skew
		{66 * time.Minute, []string{"token.expired"}},
		{-10 * time.Minute, []string{"token.not-yet-valid"}},
	} {
		exp := inspect.Expectations{Now: issued.Add(tt.after)}
		got := ids(inspect.LintTokenTimes(tok, "agent", exp))
		if !slices.Equal(got, tt.want) {
			t.Errorf("%v after issue: %v, want %v", tt.after, got, tt.want)
		}
		var all []string
		for _, f := range inspect.LintToken(tok, "agent", exp) {
			if slices.Contains(tt.want, f.ID) {
				all = append(all, f.ID)
			}
		}
		if len(all) != len(tt.want) {
			t.Errorf("%v after issue: LintToken raises %v of %v", tt.after, all, tt.want)
		}
	}
	if fs := inspect.LintTokenTimes(tok, "agent", inspect.Expectations{}); fs != nil {
		t.Errorf("no clock, yet %v", ids(fs))
	}
}
