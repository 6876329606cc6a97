package flows_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/oboscope/oboscope/flows"
)

// The seed corpora of these fuzzers are in testdata/fuzz/FuzzRedactBody and
// testdata/fuzz/FuzzRedactHeaders (plus the f.Add seeds); plain `go test` runs them. Explore with
//
//	go test -run='^$' -fuzz=FuzzRedactBody -fuzztime=10m -parallel=1 ./flows

// FuzzRedactBody checks that neither the configured secret (as is, in another case, URL-encoded
// or base64-encoded) nor a token's signature survives redaction, whatever the body holds around
// them and whatever its content type says.
func FuzzRedactBody(f *testing.F) {
	f.Add("application/json", `{"access_token":"`+jwt+`","x":["`+jwt+`"]}`)
	f.Add("application/x-www-form-urlencoded", "assertion="+jwt+"&client_secret=Sup3rSecret!")
	f.Add("text/html", "<p>"+jwt+" Sup3rSecret!</p>")
	f.Add("text/event-stream", "data: {\"result\":{\"token\":\""+jwt+"\"}}\n\n")
	f.Add("application/x-www-form-urlencoded", "a=1;client_secret=x;b=%zz")
	f.Add("text/plain", "refresh_token=0.AAA&client_secret=x&code=y")
	f.Add("application/json", `{"refreshToken":"0.AAA","ClientSecret":"x","deviceCode":"y"}`)
	f.Fuzz(func(t *testing.T, ct, body string) {
		full := body + " " + jwt + " " + strings.Join(secretEchoes(canarySecret), " ")
		out := flows.RedactBody(ct, []byte(full), []string{canarySecret})
		if w := leaked(out); w != "" && !strings.Contains(body, jwtSig) {
			t.Fatalf("redaction of %q (%s) left %s: %q", full, ct, w, out)
		}
		if m := fullJWT.FindString(out); m != "" {
			t.Fatalf("redaction of %q (%s) left a whole token %q", full, ct, m)
		}
	})
}

// FuzzRedactHeaders checks the same for headers: whatever a header's name and value, no secret
// echo and no token signature survives, and credential headers are redacted whole.
func FuzzRedactHeaders(f *testing.F) {
	f.Add("X-Echo", "you sent Sup3rSecret!")
	f.Add("Authorization", "Bearer "+jwt)
	f.Add("authorization", jwt)
	f.Add("Ocp-Apim-Subscription-Key", "0123456789")
	f.Add("Location", "https://app/cb?code=abc&state=s")
	f.Add("Set-Cookie", "session=abc; HttpOnly")
	f.Fuzz(func(t *testing.T, name, value string) {
		h := http.Header{}
		h[name] = []string{value, value + " " + canarySecret, "Bearer " + jwt, strings.Join(secretEchoes(canarySecret), ",")}
		h["Authorization"] = append(h["Authorization"], "Bearer "+jwt+"."+canarySecret)
		h["X-Api-Key"] = []string{value + canarySecret}
		out := flows.RedactHeaders(h, []string{canarySecret})
		for k, vs := range out {
			all := k + "\n" + strings.Join(vs, "\n")
			if w := leaked(all); w != "" && !strings.Contains(name+value, jwtSig) {
				t.Fatalf("header %q: %q → %q left %s", name, value, all, w)
			}
			if m := fullJWT.FindString(all); m != "" {
				t.Fatalf("header %q: %q → %q left a whole token", name, value, all)
			}
		}
		if got := out.Get("X-Api-Key"); got != flows.Redacted {
			t.Fatalf("X-Api-Key = %q", got)
		}
	})
}
