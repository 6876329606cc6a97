package flows

import (
	"strconv"
	"strings"
	"testing"
)

// TestShortBodyWhole: the message of an error body is quoted whole; only a plain-text
// body longer than maxTextBody is shortened, at a space, saying how long it was.
func TestShortBodyWhole(t *testing.T) {
	long := strings.Repeat("word ", 500) + "AADSTS50013 https://example.com/0b05c0de-a9e1-4000-8000-000000000003"
	msg := strings.Repeat("the server said something long ", 10) + "0b05c0de-a9e1-4000-8000-000000000003"
	tests := []struct{ name, body, want string }{
		{"json message", `{"error_description":"` + msg + `"}`, "— error_description: " + msg},
		{"entra", `{"error":"invalid_grant","error_description":"AADSTS50013: ` + msg + `\r\nTrace ID: 1","error_codes":[50013]}`, "— AADSTS50013: " + msg},
		{"short text", "plain " + msg, "— plain " + msg},
		{"long text", long, "— " + strings.TrimSpace(strings.Repeat("word ", 400)) + " … (" + strconv.Itoa(len(long)) + " bytes in all: the exchange holds the whole body)"},
		{"one long word", strings.Repeat("x", 2100), "— " + strings.Repeat("x", 2100)},
	}
	for _, tt := range tests {
		if got := shortBody(tt.body); got != tt.want {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, got, tt.want)
		}
	}
}
