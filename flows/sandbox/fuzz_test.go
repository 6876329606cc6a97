package sandbox

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// maxFuzzBody bounds the form bodies FuzzTokenEndpoint sends (what a mutation adds past it is cut).
//
// Without it the fuzzer stalls at 0 execs/s for up to a minute at a time: every new interesting
// input is minimized first (for up to -fuzzminimizetime, 60 s by default, with an O(n²) pass
// that removes every range of bytes), and the token endpoint's coverage hangs on the exact layout
// of a long body (the lengths of the keys before an invalid %-escape, the number of '&' parts),
// so almost no smaller candidate keeps the new bits. At ~150 µs an execution (this test binary
// instruments MSAL, the MCP SDK and the standard library) a 400-byte input took 12 s to
// minimize, a 4 KB one the whole minute. Bodies of 256 bytes cover every grant and parameter of
// the endpoint and keep a minimization under a few seconds; long values (assertions, tokens) are
// fuzzed by inspect's FuzzDecodeUnverified.
const maxFuzzBody = 256

// FuzzTokenEndpoint feeds arbitrary form bodies to the token endpoint (in process, no TLS): the
// answer is always JSON with a status below 500 — Entra's error shape or a token. The seed corpus
// runs with every `go test`; `go test -fuzz FuzzTokenEndpoint ./flows/sandbox` explores further.
func FuzzTokenEndpoint(f *testing.F) {
	s := startSandbox(f, "healthy")
	for _, seed := range []string{
		"", "grant_type=client_credentials", "grant_type=device_code&device_code=x&client_id=" + ClientAppID,
		"grant_type=" + url.QueryEscape(grantJWTBearer) + "&client_id=" + AgentAppID + "&client_secret=" + url.QueryEscape(s.Secret("agent")) + "&assertion=a.b.c&requested_token_use=on_behalf_of&scope=x",
		"grant_type=client_credentials&client_id=" + AgentAppID + "&client_assertion_type=" + url.QueryEscape(clientAssertionType) + "&client_assertion=eyJhbGciOiJQUzI1NiJ9.e30.x",
		"grant_type=refresh_token&refresh_token=%00&client_id=" + ClientAppID, "%%%", "a=b&a=c", "grant_type=authorization_code&code=&client_id=" + ClientAppID,
	} {
		f.Add(seed)
	}
	handler := s.middleware(s.routes())
	f.Fuzz(func(t *testing.T, body string) {
		if len(body) > maxFuzzBody {
			body = body[:maxFuzzBody]
		}
		req := httptest.NewRequest(http.MethodPost, "/"+TenantID+"/oauth2/v2.0/token", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("status %d for %q: %s", rec.Code, body, rec.Body.String())
		}
		var m map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
			t.Fatalf("not JSON for %q: %s", body, rec.Body.String())
		}
	})
}
