package flows_test

import (
	"encoding/base64"
	"net/http"
	"regexp"
	"strconv"
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
		// Entra's error_uri names an AADSTS number as code: no credential, kept; an authorization
		// code in text is redacted.
		{"error code link", flows.RedactBody("application/json", []byte(`{"error_uri":"https://login.microsoftonline.com/error?code=65001","url":"https://h/cb?code=0.AAAAcodecode&state=s"}`), nil),
			[]string{"0.AAAAcodecode"}, []string{"error?code=65001", "state=s"}},
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

// TestTokenResponseSummarised: a token endpoint's answer records its tokens as a
// one-line summary, like a request's assertion — never lines of base64; refresh tokens say only
// <redacted>.
func TestTokenResponseSummarised(t *testing.T) {
	b64 := base64.RawURLEncoding.EncodeToString
	at := b64([]byte(`{"alg":"RS256","typ":"JWT"}`)) + "." + b64([]byte(`{"aud":"api://contoso-mcp","scp":"tools.call tools.list","ver":"2.0"}`)) + ".c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU"
	app := b64([]byte(`{"alg":"RS256"}`)) + "." + b64([]byte(`{"aud":"api://contoso-agent","roles":["Agent.Invoke"]}`)) + ".c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU"
	body := `{"token_type":"Bearer","access_token":"` + at + `","id_token":"` + app + `","refresh_token":"0.AAAArefreshrefresh","expires_in":3599}`
	got := flows.RedactBody("application/json; charset=utf-8", []byte(body), nil)
	strippedAT := len(flows.StripSignature(at))
	strippedApp := len(flows.StripSignature(app))
	want := `{"access_token":"<JWT, ` + strconv.Itoa(strippedAT) + ` chars · aud api://contoso-mcp · scp tools.call tools.list · signature removed>","expires_in":3599,` +
		`"id_token":"<JWT, ` + strconv.Itoa(strippedApp) + ` chars · aud api://contoso-agent · roles Agent.Invoke · signature removed>",` +
		`"refresh_token":"<redacted>","token_type":"Bearer"}`
	if got != want {
		t.Fatalf("redacted token response\n got %s\nwant %s", got, want)
	}
	if s := flows.SummariseToken("EwBopaqueMSAtoken"); s != "<opaque token, 17 chars · redacted>" {
		t.Errorf("opaque token summary %q", s)
	}

	// The walk records the OBO exchange's answer that way.
	rep := sandboxWalkReport(t, "healthy")
	var resp string
	for _, x := range rep.Hops[2].Exchanges {
		if x.Status == 200 && strings.Contains(x.ResponseBody, "access_token") {
			resp = x.ResponseBody
		}
	}
	if !regexp.MustCompile(`"access_token":"<JWT, \d+ chars · aud [^"]+ · scp tools\.call · signature removed>"`).MatchString(resp) {
		t.Errorf("obo token response not summarised: %s", resp)
	}
	if regexp.MustCompile(`eyJ[A-Za-z0-9_-]*\.`).MatchString(resp) || !strings.Contains(resp, `"refresh_token":"<redacted>"`) {
		t.Errorf("obo token response still holds token text: %s", resp)
	}
}
