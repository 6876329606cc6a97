package inspect

import (
	"encoding/base64"
	"encoding/json"
	"testing"
	"time"
)

// fixedNow is the clock of the tests: 2025-06-01T12:00:00Z.
var fixedNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

const testTenant = "11111111-2222-3333-4444-555555555555"

// segment base64url-encodes v as JSON.
func segment(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// makeToken builds an unsigned compact JWS with the given header and claims and a dummy
// signature (the signature is not checked by the decoder).
func makeToken(t testing.TB, header, claims map[string]any) string {
	t.Helper()
	return segment(t, header) + "." + segment(t, claims) + ".c2lnbmF0dXJl"
}

// v2Claims are the claims of a healthy v2 delegated access token for api://contoso-agent.
func v2Claims() map[string]any {
	return map[string]any{
		"aud": "22222222-aaaa-bbbb-cccc-000000000001", "iss": "https://login.microsoftonline.com/" + testTenant + "/v2.0",
		"iat": fixedNow.Add(-10 * time.Minute).Unix(), "nbf": fixedNow.Add(-10 * time.Minute).Unix(), "exp": fixedNow.Add(50 * time.Minute).Unix(),
		"aio": "opaque", "azp": "04b07795-8ddb-461a-bbee-02f9e1bf7b46", "azpacr": "0", "idtyp": "user",
		"name": "Alice Example", "oid": "33333333-0000-0000-0000-000000000001", "preferred_username": "alice@contoso.example",
		"rh": "0.opaque", "scp": "access_as_user Files.Read", "sub": "pairwise-sub", "tid": testTenant, "uti": "uti", "ver": "2.0",
	}
}

func v2Header() map[string]any { return map[string]any{"typ": "JWT", "alg": "RS256", "kid": "key1"} }

func mustDecode(t testing.TB, raw string) *Token {
	t.Helper()
	tok, err := DecodeUnverified(raw)
	if err != nil {
		t.Fatalf("DecodeUnverified: %v", err)
	}
	return tok
}

func findingIDs(fs []Finding) []string {
	ids := make([]string, len(fs))
	for i, f := range fs {
		ids[i] = f.ID
	}
	return ids
}

func with(m map[string]any, kv ...any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		k := kv[i].(string)
		if kv[i+1] == nil {
			delete(out, k)
			continue
		}
		out[k] = kv[i+1]
	}
	return out
}

func encodeRaw(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
