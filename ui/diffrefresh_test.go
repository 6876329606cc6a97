package ui

import (
	"strings"
	"testing"
)

// TestDiffBeforeAndAfterRefresh: on the mcp-client chain, the refresh hop's Diff tab compares the
// refreshed token with the one the client signed in with (its lineage), and the rail shows the
// profile's hops.
func TestDiffBeforeAndAfterRefresh(t *testing.T) {
	m := sandboxModel(t, "mcp-client-healthy", 120, 36)
	d := runWalk(t, m)
	mustContain(t, screen(m), "1 Probe", "2 Metadata", "3 Registration", "4 Sign-in", "5 MCP call", "6 Refresh", "7 Downstream OBO")
	d.key("g", "down", "down", "down", "down", "down", "enter", "5")
	view := screen(m)
	mustContain(t, view, " from access token (MCP client sign-in) (hop 4)  to  refreshed access token")
	if strings.Contains(view, "Nothing to compare") {
		t.Fatalf("the refreshed token is compared with nothing:\n%s", view)
	}
}
