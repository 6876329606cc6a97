package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestUnknownScenario: every command taking --scenario refuses an unknown one before
// starting anything, with the nearest name, and exits 2.
func TestUnknownScenario(t *testing.T) {
	tests := []struct{ args, want string }{
		{"check --sandbox --scenario wrong-audiance", "oboscope: check: unknown scenario \"wrong-audiance\"; did you mean wrong-audience? (see `oboscope scenarios`)\n"},
		{"sandbox --scenario passtrough", "oboscope: sandbox: unknown scenario \"passtrough\"; did you mean passthrough? (see `oboscope scenarios`)\n"},
		{"--scenario helthy", "oboscope: unknown scenario \"helthy\"; did you mean healthy? (see `oboscope scenarios`)\n"},
		{"check --sandbox --scenario zzzzzzzz", "oboscope: check: unknown scenario \"zzzzzzzz\" (see `oboscope scenarios`)\n"},
	}
	for _, tt := range tests {
		var out, errb bytes.Buffer
		code := run(context.Background(), strings.Fields(tt.args), strings.NewReader(""), &out, &errb)
		if code != 2 || errb.String() != tt.want || out.Len() != 0 {
			t.Errorf("oboscope %s: exit %d stdout %q stderr %q; want 2 and %q", tt.args, code, out.String(), errb.String(), tt.want)
		}
	}
}
