package ui

import (
	"strings"
	"testing"
)

// TestCopyReportedToken: c on a token oboscope holds only without its signature says why it
// cannot be copied, naming who reported it, instead of "No token here to copy".
func TestCopyReportedToken(t *testing.T) {
	var copied []string
	m := sandboxModel(t, "healthy", 120, 36)
	m.cfg.clipboard = func(s string) error { copied = append(copied, s); return nil }
	d := runWalk(t, m)
	const downstream = "This token cannot be copied whole: the MCP server reported it without its signature"
	d.key("G", "c")
	if m.toast.text != downstream {
		t.Fatalf("c on the downstream hop's row: toast %q", m.toast.text)
	}
	d.key("enter", "c")
	if m.toast.text != downstream {
		t.Fatalf("c on the downstream hop: toast %q", m.toast.text)
	}
	if len(copied) != 0 {
		t.Fatalf("copied %d texts", len(copied))
	}

	m = sandboxModel(t, "agent-identity", 120, 36)
	d = runWalk(t, m)
	d.key("g", "down", "down", "enter")
	for !strings.HasPrefix(m.hop.res.Tokens[m.hop.tokIdx].Name, "T1 ") {
		d.key("t")
	}
	d.key("c")
	if want := "T1 cannot be copied: it is a credential, and oboscope never keeps it whole (only without its signature)"; m.toast.text != want {
		t.Fatalf("c on T1: toast %q, want %q", m.toast.text, want)
	}
}
