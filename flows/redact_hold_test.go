package flows_test

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/oboscope/oboscope/flows"
)

// canarySecret stands for a configured client secret.
const canarySecret = "Sup3r-S3cret!value"

// jwtSig is the signature of jwt (redact_test.go), which must never survive.
const jwtSig = "c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU"

// secretEchoes are the forms a server may echo a configured secret in.
func secretEchoes(s string) []string {
	b := []byte(s)
	return []string{
		s, strings.ToUpper(s), strings.ToLower(s), url.QueryEscape(s), url.PathEscape(s),
		base64.StdEncoding.EncodeToString(b), base64.RawStdEncoding.EncodeToString(b),
		base64.URLEncoding.EncodeToString(b), base64.RawURLEncoding.EncodeToString(b),
	}
}

// leaked returns the form of the canary secret or the token signature that survives in out, or "".
func leaked(out string) string {
	if strings.Contains(out, jwtSig) {
		return "the token signature"
	}
	for _, e := range secretEchoes(canarySecret) {
		if strings.Contains(strings.ToLower(out), strings.ToLower(e)) {
			return e
		}
	}
	return ""
}

// TestRedactionHolds: every way a secret or token slipped through before is closed.
func TestRedactionHolds(t *testing.T) {
	extra := []string{canarySecret}
	echo := "refresh_token=0.AAAArefreshtoken&client_secret=" + url.QueryEscape(canarySecret) + "&code=AUTHCODE-1234&state=ok"
	basic := base64.StdEncoding.EncodeToString([]byte("0b05c0de-a9e1:" + canarySecret))
	tests := []struct {
		name, got string
		absent    []string
		present   []string
	}{
		{"text/html echoing a form", flows.RedactBody("text/html; charset=utf-8", []byte("<p>You sent "+echo+"</p>"), nil),
			[]string{"0.AAAArefreshtoken", "Sup3r", "AUTHCODE-1234"}, []string{"state=ok", "refresh_token=[redacted]", "code=[redacted]"}},
		{"text/plain echoing a form", flows.RedactBody("text/plain", []byte(echo), nil),
			[]string{"0.AAAArefreshtoken", "Sup3r", "AUTHCODE-1234"}, []string{"state=ok"}},
		{"JSON text in a text body", flows.RedactBody("text/plain", []byte(`{"refreshToken": "0.AAAArefreshtoken", "deviceCode":"DC-123456"`), nil),
			[]string{"0.AAAArefreshtoken", "DC-123456"}, []string{`"refreshToken": "[redacted]"`}},
		{"secret URL-encoded", flows.RedactText("echo: "+url.QueryEscape(canarySecret), extra), []string{"S3cret%21"}, nil},
		{"secret upper-cased", flows.RedactText("echo: "+strings.ToUpper(canarySecret), extra), []string{"SUP3R"}, nil},
		{"secret base64", flows.RedactText("echo: "+base64.StdEncoding.EncodeToString([]byte(canarySecret)), extra),
			[]string{base64.RawStdEncoding.EncodeToString([]byte(canarySecret))[:16]}, nil},
		{"secret base64url unpadded", flows.RedactText("echo: "+base64.RawURLEncoding.EncodeToString([]byte(canarySecret)), extra),
			[]string{base64.RawURLEncoding.EncodeToString([]byte(canarySecret))[:16]}, nil},
		{"secret inside a longer base64 (client:secret)", flows.RedactText("Basic-ish "+basic, extra),
			[]string{basic}, nil},
		{"JSON keys in any casing", flows.RedactBody("application/json", []byte(`{"refreshToken":"0.AAAArefreshtoken","accessToken":"`+jwt+`","deviceCode":"DC-123456","ClientSecret":"plain-secret-1","client-secret":"plain-secret-2","nested":{"Password":"hunter2hunter2"}}`), nil),
			[]string{"0.AAAArefreshtoken", jwtSig, "DC-123456", "plain-secret-1", "plain-secret-2", "hunter2hunter2"},
			[]string{`"refreshToken":"<redacted>"`, `"deviceCode":"[redacted]"`, `"ClientSecret":"[redacted]"`}},
		{"form with ';'", flows.RedactBody("application/x-www-form-urlencoded", []byte("grant_type=client_credentials;client_secret="+canarySecret+";scope=x"), nil),
			[]string{"Sup3r"}, []string{"client_secret=%5Bredacted%5D", "scope=x"}},
		{"form with a bad escape", flows.RedactBody("application/x-www-form-urlencoded", []byte("client_secret=abc%zzdef&x=%"), nil),
			[]string{"abc%zzdef"}, nil},
		{"form keys in any casing", flows.RedactBody("application/x-www-form-urlencoded", []byte("Client_Secret=abcdefgh1&REFRESH_TOKEN=0.AAAArt"), nil),
			[]string{"abcdefgh1", "0.AAAArt"}, nil},
		{"URL with a code in camelCase", flows.RedactURL("https://h/cb?authCode=x&deviceCode=DEVCODE123&state=s", nil), []string{"DEVCODE123"}, []string{"state=s"}},
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
	// Words that only look like names stay: an error code, a grant type, prose.
	for _, keep := range []string{"error_code=50013", "grant_type=authorization_code", "the status code: 401", "token_type=Bearer"} {
		if got := flows.RedactText(keep, extra); got != keep {
			t.Errorf("RedactText(%q) = %q; nothing there is a secret", keep, got)
		}
	}
}

// TestRedactHeadersHolds: API-key and token headers are redacted whole, the challenge is kept,
// a Location's code is removed.
func TestRedactHeadersHolds(t *testing.T) {
	h := http.Header{
		"Ocp-Apim-Subscription-Key": {"0123456789abcdef"}, "Api-Key": {"k-123456"}, "X-Api-Key": {"k-234567"},
		"X-Functions-Key": {"k-345678"}, "X-Ms-Token-Aad-Id-Token": {jwt}, "X-Ms-Client-Secret": {canarySecret},
		"Www-Authenticate": {`Bearer resource_metadata="https://mcp/.well-known/oauth-protected-resource"`},
		"Location":         {"https://app/cb?code=AUTHCODE-1234&state=s"},
		"Authorization":    {jwt}, // no scheme: the whole value is the credential
		"X-Echo":           {"you sent " + strings.ToUpper(canarySecret)},
	}
	out := flows.RedactHeaders(h, []string{canarySecret})
	for _, k := range []string{"Ocp-Apim-Subscription-Key", "Api-Key", "X-Api-Key", "X-Functions-Key", "X-Ms-Token-Aad-Id-Token", "X-Ms-Client-Secret", "Authorization"} {
		if got := out.Get(k); got != flows.Redacted {
			t.Errorf("%s = %q, want %s", k, got, flows.Redacted)
		}
	}
	if out.Get("Www-Authenticate") != h.Get("Www-Authenticate") {
		t.Errorf("the challenge changed: %q", out.Get("Www-Authenticate"))
	}
	if l := out.Get("Location"); strings.Contains(l, "AUTHCODE") || !strings.Contains(l, "state=s") {
		t.Errorf("Location %q", l)
	}
	for k, vs := range out {
		if w := leaked(k + strings.Join(vs, " ")); w != "" {
			t.Errorf("%s leaks %s: %q", k, w, vs)
		}
	}
}
