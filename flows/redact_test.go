package flows_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/oboscope/oboscope/flows"
)

const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJ4In0.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU"

func TestRedaction(t *testing.T) {
	tests := []struct {
		name, got string
		absent    []string
		present   []string
	}{
		{"form", flows.RedactBody("application/x-www-form-urlencoded",
			[]byte("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&client_secret=Sup3rSecret!&assertion="+jwt+"&client_assertion="+jwt+"&refresh_token=0.AAAArefresh&code_verifier=verifier123&scope=api%3A%2F%2Fx%2F.default&device_code=DCdevicecode1"), nil),
			[]string{"Sup3rSecret", "c2lnbmF0dXJl", "0.AAAArefresh", "verifier123", "DCdevicecode1"}, []string{"grant_type=urn", "scope=api", "client_secret=%5Bredacted%5D"}},
		{"json", flows.RedactBody("application/json; charset=utf-8",
			[]byte(`{"access_token":"`+jwt+`","refresh_token":"0.AAAArefresh","id_token":"`+jwt+`","token_type":"Bearer","nested":{"password":"hunter2hunter2"},"note":"see `+jwt+`"}`), nil),
			[]string{"c2lnbmF0dXJl", "0.AAAArefresh", "hunter2hunter2"}, []string{`"token_type":"Bearer"`, "eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJ4In0.(signature removed)"}},
		{"text with extra secret", flows.RedactText("error: bad secret Sup3rSecret! and token "+jwt, []string{"Sup3rSecret!"}),
			[]string{"Sup3rSecret", "c2lnbmF0dXJl"}, []string{"[redacted]", "(signature removed)"}},
		{"url", flows.RedactURL("https://h/cb?code=AUTHCODE123&state=abc&client_secret=zzzzzzzz", nil),
			[]string{"AUTHCODE123", "zzzzzzzz"}, []string{"state=abc"}},
		{"opaque token field", flows.StripSignature("opaque-refresh-token-value"), []string{"opaque"}, []string{"[redacted]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, a := range tt.absent {
				if strings.Contains(tt.got, a) {
					t.Errorf("%q still holds %q", tt.got, a)
				}
			}
			for _, p := range tt.present {
				if !strings.Contains(tt.got, p) {
					t.Errorf("%q lacks %q", tt.got, p)
				}
			}
		})
	}
	h := flows.RedactHeaders(http.Header{"Authorization": {"Bearer " + jwt}, "Cookie": {"a=b"}, "X-Other": {"ok"}}, nil)
	if h.Get("Authorization") != "Bearer eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJ4In0.(signature removed)" || h.Get("Cookie") != "[redacted]" || h.Get("X-Other") != "ok" {
		t.Fatalf("headers %v", h)
	}
	if b := flows.RedactHeaders(http.Header{"Authorization": {"Basic dXNlcjpwYXNz"}}, nil).Get("Authorization"); b != "Basic [redacted]" {
		t.Fatalf("basic auth %q", b)
	}
}

// FuzzRedactBody checks that no full JWT and no configured secret survives redaction, whatever
// the body and its content type. `go test -fuzz FuzzRedactBody ./flows` explores further.
func FuzzRedactBody(f *testing.F) {
	f.Add("application/json", `{"access_token":"`+jwt+`","x":["`+jwt+`"]}`)
	f.Add("application/x-www-form-urlencoded", "assertion="+jwt+"&client_secret=Sup3rSecret!")
	f.Add("text/html", "<p>"+jwt+" Sup3rSecret!</p>")
	f.Add("text/event-stream", "data: {\"result\":{\"token\":\""+jwt+"\"}}\n\n")
	f.Fuzz(func(t *testing.T, ct, body string) {
		full := body + " " + jwt
		out := flows.RedactBody(ct, []byte(full), []string{"Sup3rSecret!"})
		if m := fullJWT.FindString(out); m != "" || strings.Contains(out, "Sup3rSecret!") {
			t.Fatalf("redaction of %q (%s) left a secret: %q", full, ct, out)
		}
	})
}
