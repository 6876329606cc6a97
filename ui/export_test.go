package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExportReport writes the finished walk's report with e and E, redacted by flows.
func TestExportReport(t *testing.T) {
	m := sandboxModel(t, "wrong-audience", 120, 36)
	m.cfg.exportDir = t.TempDir()
	d := runWalk(t, m)
	for _, k := range []string{"e", "E"} {
		d.key(k)
		d.until(func() bool { return strings.HasPrefix(m.toast.text, "Report written to ") })
		mustContain(t, screen(m), "Report written to")
		path := strings.TrimPrefix(m.toast.text, "Report written to ")
		if filepath.Dir(path) != m.cfg.exportDir {
			t.Fatalf("report at %s, want it in %s", path, m.cfg.exportDir)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), "agent.aud-mismatch") {
			t.Fatalf("report %s lacks the walk's finding", path)
		}
		for _, h := range m.walk.hops {
			for _, nt := range h.Tokens {
				if sig := nt.Raw[strings.LastIndex(nt.Raw, ".")+1:]; len(sig) > 20 && strings.Contains(string(b), sig) {
					t.Fatalf("report %s holds a token signature", path)
				}
			}
		}
		m.Update(toastExpiredMsg{id: m.toast.id})
	}
}
