package inspect

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// The fuzz targets below run their seed corpus (testdata/fuzz/Fuzz*) with every `go test`; run
// them for real one at a time, e.g.
//
//	go test -run='^$' -fuzz=FuzzDecodeUnverified -fuzztime=2m -parallel=1 ./inspect

func FuzzDecodeUnverified(f *testing.F) {
	for _, s := range []string{
		"", " ", "Bearer ", "a.b", "a.b.c", "a.b.c.d", "a.b.c.d.e", "eyJhbGciOiJub25lIn0.e30.",
		"eyJhbGciOiJSUzI1NiJ9.eyJleHAiOiIxNzAwMDAwMDAwIiwiYXVkIjpbImEiLDFdfQ.c2ln",
		"eyJhbGciOiJSUzI1NiJ9.W10.c2ln", "eyJhbGciOiJSUzI1NiJ9.eyJleHAiOjFlMzAwfQ.c2ln",
		"eyJhbGciOiJSUzI1NiJ9%2EeyJzdWIiOiJ4In0%2Ec2ln", "\x00\xff.\x01.\x02",
		"eyJhbGciOiJSUzI1NiJ9.eyJ4bXNfYWN0X2ZjdCI6IjMgOSAxMSIsInhtc19zdWJfZmN0IjpbMTMsIjkiXX0.(signature removed)",
	} {
		f.Add(s)
	}
	now := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, raw string) {
		tok, err := DecodeUnverified(raw)
		if err != nil {
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("error is not a *DecodeError: %T %v", err, err)
			}
			if strings.ContainsAny(err.Error(), "\r\n") {
				t.Fatalf("multi-line error %q", err.Error())
			}
			_ = de.Finding("token")
			return
		}
		_ = LintToken(tok, "token", Expectations{Now: now, Audiences: []string{"api://x"}, Scopes: []string{"s"}, TenantID: testTenant, Version: "2.0"})
		_ = tok.Explain()
		_ = tok.ExplainHeader()
		_ = Diff(tok, tok)
		_ = VerifySignature(tok, &JWKS{Keys: []JWK{{Kty: "RSA", Kid: tok.Kid(), N: "AQAB", E: "AQAB"}}}, nil)
		if tok.Format == FormatJWS {
			red := RedactToken(raw)
			if strings.HasPrefix(strings.TrimSpace(raw), "eyJ") && strings.Count(red, ".") == 2 {
				if _, err := DecodeUnverified(red); err != nil && !strings.Contains(raw, "%") && !strings.ContainsAny(raw, " \t\r\n\"'") {
					t.Fatalf("redacted form of a decodable token does not decode: %v", err)
				}
			}
		}
	})
}

func FuzzParseEntraError(f *testing.F) {
	for _, s := range []string{
		"", "{}", "<html>", `{"error":"invalid_grant","error_description":"AADSTS50013: x\r\nTrace ID: y","error_codes":[50013]}`,
		`{"error":{"code":"a","message":"b"}}`, "reply status code was 400:\n{\"error\":\"x\",\"error_codes\":[\"AADSTS1\"]}",
		`{"error_codes":[1e99, -1, "x", null]}`, `{"error_description":"AADSTS99999999999999"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		e, err := ParseEntraError(body)
		if err != nil {
			if !errors.Is(err, ErrNotEntraError) {
				t.Fatalf("error does not wrap ErrNotEntraError: %v", err)
			}
			return
		}
		if e.Error() == "" {
			t.Fatal("empty Error()")
		}
		for _, c := range e.Codes {
			_, _ = LookupAADSTS(c)
			_ = e.HasCode(c)
		}
	})
}

func FuzzParseWWWAuthenticate(f *testing.F) {
	for _, s := range []string{
		"", "Bearer", `Bearer realm="x", error="invalid_token"`, `Bearer resource_metadata="https://a/.well-known/oauth-protected-resource/mcp"`,
		`Negotiate abc==, Bearer error=insufficient_scope, scope="a b"`, `Basic realm="a\"b", Bearer`, `Bearer error="`, `,,,`, `Bearer a=1 b=2`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		cs, _ := ParseWWWAuthenticate(h)
		for _, c := range cs {
			if c.Scheme == "" {
				t.Fatalf("empty scheme in %q", h)
			}
			for k := range c.Params {
				if k != strings.ToLower(k) || k == "" {
					t.Fatalf("param name %q not lower-cased or empty", k)
				}
			}
		}
		_, _ = BearerChallenge(cs)
	})
}
