package inspect

import (
	"reflect"
	"testing"
)

// TestDiffV2ToV1Names: azp ↔ appid and azpacr ↔ appidacr are one claim under its v2 and
// v1 names — compared as such, in either direction — never one removed and another added.
func TestDiffV2ToV1Names(t *testing.T) {
	v2 := with(v2Claims(), "azp", "22222222-aaaa-bbbb-cccc-000000000001", "azpacr", "1")
	toV1 := func(m map[string]any, appid string) map[string]any {
		return with(m, "azp", nil, "azpacr", nil, "appid", appid, "appidacr", "1", "ver", "1.0")
	}
	type row struct{ Kind, Claim, Meaning string }
	rows := func(cs []ClaimChange) []row {
		var out []row
		for _, c := range cs {
			if c.Claim == "aud" || c.Claim == "scp" || c.Claim == "ver" || c.Claim == "aio" || c.Claim == "uti" {
				continue
			}
			out = append(out, row{c.Kind, c.Claim, c.Meaning})
		}
		return out
	}
	tests := []struct {
		name          string
		before, after map[string]any
		want          []row
	}{
		{"v2 to v1, another client", v2, toV1(v2, "44444444-0000-0000-0000-00000000000c"), []row{
			{"changed", "azp → appid", "client: 22222222-aaaa-bbbb-cccc-000000000001 → 44444444-0000-0000-0000-00000000000c (azp in v2, appid in v1): the middle tier is now the client that holds the token."},
			{"renamed", "azpacr → appidacr", "How the client authenticated: 1 in both (azpacr in v2, appidacr in v1; 0 public, 1 secret, 2 certificate/assertion)."},
		}},
		{"v2 to v1, same client", v2, toV1(v2, "22222222-aaaa-bbbb-cccc-000000000001"), []row{
			{"renamed", "azp → appid", "client: 22222222-aaaa-bbbb-cccc-000000000001 in both (azp in v2, appid in v1): the same client; only the claim's name differs between token versions."},
			{"renamed", "azpacr → appidacr", "How the client authenticated: 1 in both (azpacr in v2, appidacr in v1; 0 public, 1 secret, 2 certificate/assertion)."},
		}},
		{"v1 to v2", toV1(v2, "04b07795-8ddb-461a-bbee-02f9e1bf7b46"), with(v2, "azpacr", "2"), []row{
			{"changed", "appid → azp", "client: 04b07795-8ddb-461a-bbee-02f9e1bf7b46 (Azure CLI) → 22222222-aaaa-bbbb-cccc-000000000001 (azp in v2, appid in v1): the middle tier is now the client that holds the token."},
			{"changed", "appidacr → azpacr", "How the client authenticated changed: 1 → 2 (azpacr in v2, appidacr in v1; 0 public, 1 secret, 2 certificate/assertion)."},
		}},
		{"acr only in one token", with(v2, "azpacr", nil), v2, []row{
			{"added", "azpacr", "How the client authenticated changed: absent → 1 (0 public, 1 secret, 2 certificate/assertion)."},
		}},
	}
	for _, tt := range tests {
		got := rows(Diff(mustDecode(t, makeToken(t, v2Header(), tt.before)), mustDecode(t, makeToken(t, v2Header(), tt.after))))
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, got, tt.want)
		}
	}
}
