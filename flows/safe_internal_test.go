package flows

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestTermSafe(t *testing.T) {
	tests := []struct{ in, want, lines string }{
		{"plain text, ünïcode ✓", "plain text, ünïcode ✓", "plain text, ünïcode ✓"},
		{"hi \x1b[31mRED\x1b[0m", `hi \x1b[31mRED\x1b[0m`, `hi \x1b[31mRED\x1b[0m`},
		{"\x1b]0;pwned\a", `\x1b]0;pwned\x07`, `\x1b]0;pwned\x07`},
		{"a\nb\tc\r", `a\x0ab\x09c\x0d`, "a\nb\tc\\x0d"},
		{"\u202eevil\u2066", `\u202eevil\u2066`, `\u202eevil\u2066`},
		{"c1 \u009b2J del \x7f", `c1 \u009b2J del \x7f`, `c1 \u009b2J del \x7f`},
		{"\ufffd stays", "\ufffd stays", "\ufffd stays"},
	}
	for _, tt := range tests {
		if got := termSafe(tt.in); got != tt.want {
			t.Errorf("termSafe(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := termSafeLines(tt.in); got != tt.lines {
			t.Errorf("termSafeLines(%q) = %q, want %q", tt.in, got, tt.lines)
		}
	}
}

func TestJSONTermSafe(t *testing.T) {
	in := "{\n\t\"name\": \"\u202eevil\u0085\"\n}"
	got := jsonTermSafe(in)
	if want := "{\n\t\"name\": \"\\u202eevil\\u0085\"\n}"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

// TestRequestLabel: MSAL's discovery GETs are named for what they are, not for the step.
func TestRequestLabel(t *testing.T) {
	tests := []struct{ step, method, url, want string }{
		{"device code", "GET", "https://login.example/t/v2.0/.well-known/openid-configuration?", "authority discovery (OpenID configuration)"},
		{"OBO (jwt-bearer)", "GET", "https://login.example/common/discovery/instance?api-version=1.1", "instance discovery"},
		{"OBO (jwt-bearer)", "POST", "https://login.example/t/oauth2/v2.0/token", "OBO (jwt-bearer)"},
		{"issuer metadata", "GET", "https://login.example/t/v2.0/.well-known/openid-configuration", "issuer metadata"},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest(tt.method, tt.url, nil)
		if got := requestLabel(tt.step, req); got != tt.want {
			t.Errorf("%s %s (%s): %q, want %q", tt.method, tt.url, tt.step, got, tt.want)
		}
	}
}

// TestTraceURLNoStrayQuestionMark: a URL with an empty query is recorded without its "?".
func TestTraceURLNoStrayQuestionMark(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	rec := newRecorder(time.Now, nil, nil)
	req, _ := http.NewRequest("GET", srv.URL+"/x/.well-known/openid-configuration?", nil)
	resp, err := rec.client(srv.Client()).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	xs := rec.flush()
	if len(xs) != 1 || xs[0].URL != srv.URL+"/x/.well-known/openid-configuration" || xs[0].Status != 200 {
		t.Fatalf("recorded %+v", xs)
	}
}
