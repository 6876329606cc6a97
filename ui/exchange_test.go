package ui

import (
	"strings"
	"testing"
)

// TestHTTPLabelsKeepAGap: in the HTTP tab a label cut to fit still ends two spaces before the
// path (QA U9, at 80×24).
func TestHTTPLabelsKeepAGap(t *testing.T) {
	m := sandboxModel(t, "v1-mcp-tokens", 80, 24)
	d := runWalk(t, m)
	d.key("g", "down", "down", "down", "enter", "4")
	view := screen(m)
	mustContain(t, view,
		"  unauthenticated probe       /mcp",
		"  protected resource metada…  /.well-known/oauth-p…",
		"  authorization server meta…  /0b05c0de-7e4a-4000-…",
		"  passthrough probe (user t…  /mcp")
}

// TestAuthorizationHeaderSummarised: the HTTP tab shows a bearer token in the Authorization
// header as what it is (size, audience, scopes), like tokens in bodies, not as base64 lines.
func TestAuthorizationHeaderSummarised(t *testing.T) {
	m := sandboxModel(t, "healthy", 120, 36)
	d := runWalk(t, m)
	d.key("down", "enter", "4")
	view := screen(m)
	mustContain(t, view, "Authorization: Bearer <JWT, ", "signature removed>")
	if strings.Contains(view, "Authorization: Bearer eyJ") {
		t.Fatalf("the bearer token is printed as base64:\n%s", view)
	}
}
