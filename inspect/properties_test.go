package inspect

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestRuleProperties holds the catalogue's properties against the sets the engine relies on.
func TestRuleProperties(t *testing.T) {
	perUser := map[string]bool{"token.groups-overage": true}
	aboutSignature := map[string]bool{"token.unsigned": true, "token.signature-invalid": true, "token.kid-unknown": true}
	explains := map[string]bool{"obo.scope-missing": true, "obo.downstream-aud": true}
	for _, r := range Rules() {
		if strings.HasPrefix(r.ID, "token.") && r.ID != "token.clock-skew" {
			explains[r.ID] = true
		}
	}
	for _, r := range Rules() {
		if r.PerUser != perUser[r.ID] {
			t.Errorf("%s PerUser = %v", r.ID, r.PerUser)
		}
		if r.AboutSignature != aboutSignature[r.ID] {
			t.Errorf("%s AboutSignature = %v", r.ID, r.AboutSignature)
		}
		if r.ExplainsRejection != explains[r.ID] {
			t.Errorf("%s ExplainsRejection = %v", r.ID, r.ExplainsRejection)
		}
	}
}

func TestIsPerUser(t *testing.T) {
	tests := []struct {
		id   string
		want bool
	}{
		{"token.groups-overage", true},
		{"token.expired", false},
		{"agent.aud-mismatch", false},
		{"no.such-rule", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := IsPerUser(tt.id); got != tt.want {
			t.Errorf("IsPerUser(%q) = %v, want %v", tt.id, got, tt.want)
		}
	}
}

func TestExplainsRejection(t *testing.T) {
	info := func(id string) Finding {
		f := NewFinding(id, "signin", "", nil)
		f.Severity = SeverityInfo
		return f
	}
	warning := func(id string) Finding {
		f := NewFinding(id, "signin", "", nil)
		f.Severity = SeverityWarning
		return f
	}
	tests := []struct {
		name string
		f    Finding
		want bool
	}{
		{"expired token", NewFinding("token.expired", "signin", "", nil), true},
		{"version mismatch (warning)", NewFinding("token.version-mismatch", "mcp", "", nil), true},
		{"groups overage presented (warning)", warning("token.groups-overage"), true},
		{"groups overage only inspected (info)", NewFinding("token.groups-overage", "token", "", nil), false},
		{"near expiry (info)", NewFinding("token.near-expiry", "signin", "", nil), false},
		{"graph token (info)", info("token.graph-token"), false},
		{"clock skew", NewFinding("token.clock-skew", "signin", "", nil), false},
		{"scope missing after exchange", NewFinding("obo.scope-missing", "obo", "", nil), true},
		{"exchanged token for another API", NewFinding("obo.downstream-aud", "obo", "", nil), true},
		{"consent at the exchange", NewFinding("obo.consent-required", "obo", "", nil), false},
		{"agent refused", NewFinding("agent.rejected", "agent", "", nil), false},
		{"uncatalogued", Finding{ID: "token.no-such-rule", Severity: SeverityError}, false},
	}
	for _, tt := range tests {
		if got := ExplainsRejection(tt.f); got != tt.want {
			t.Errorf("%s: ExplainsRejection(%s, %s) = %v, want %v", tt.name, tt.f.ID, tt.f.Severity, got, tt.want)
		}
	}
}

func TestExplainingIDs(t *testing.T) {
	tests := []struct {
		name string
		fs   []Finding
		want []string
	}{
		{"none", nil, nil},
		{"nothing explains", []Finding{NewFinding("token.near-expiry", "obo", "", nil), NewFinding("token.clock-skew", "obo", "", nil), NewFinding("obo.consent-required", "obo", "", nil)}, nil},
		{"in order", []Finding{
			NewFinding("obo.scope-missing", "obo", "", nil),
			NewFinding("token.clock-skew", "obo", "", nil),
			NewFinding("token.expired", "obo", "", nil),
			NewFinding("token.near-expiry", "obo", "", nil),
			NewFinding("obo.downstream-aud", "obo", "", nil),
		}, []string{"obo.scope-missing", "token.expired", "obo.downstream-aud"}},
	}
	for _, tt := range tests {
		if got := ExplainingIDs(tt.fs); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: ExplainingIDs = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestReportsAudience(t *testing.T) {
	tests := []struct {
		name string
		fs   []Finding
		want bool
	}{
		{"none", nil, false},
		{"other findings", []Finding{NewFinding("obo.scope-missing", "obo", "", nil), NewFinding("token.expired", "obo", "", nil)}, false},
		{"exchanged token for another API", []Finding{NewFinding("obo.scope-missing", "obo", "", nil), NewFinding("obo.downstream-aud", "obo", "", nil)}, true},
	}
	for _, tt := range tests {
		if got := ReportsAudience(tt.fs); got != tt.want {
			t.Errorf("%s: ReportsAudience = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestLintTokenReported checks that a reported token (signature removed by design) is linted for
// what its claims show only.
func TestLintTokenReported(t *testing.T) {
	none := map[string]any{"alg": "none"}
	hs := map[string]any{"typ": "JWT", "alg": "HS256"}
	expired := with(v2Claims(), "exp", fixedNow.Add(-time.Hour).Unix())
	tests := []struct {
		name     string
		raw      string
		reported bool
		want     []string
	}{
		{"alg none presented", makeToken(t, none, v2Claims()), false, []string{"token.unsigned"}},
		{"alg none reported", makeToken(t, none, v2Claims()), true, nil},
		{"HS256 from Entra reported", makeToken(t, hs, v2Claims()), true, nil},
		{"expired and unsigned, reported", makeToken(t, none, expired), true, []string{"token.expired"}},
		{"expired and unsigned, presented", makeToken(t, none, expired), false, []string{"token.unsigned", "token.expired"}},
		{"healthy reported", makeToken(t, v2Header(), v2Claims()), true, nil},
	}
	for _, tt := range tests {
		fs := LintToken(mustDecode(t, tt.raw), "downstream", Expectations{Now: fixedNow, Reported: tt.reported})
		if got := findingIDs(fs); !reflect.DeepEqual(got, tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
			t.Errorf("%s: LintToken = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestCheckVersion(t *testing.T) {
	v1 := with(v2Claims(), "iss", "https://sts.windows.net/"+testTenant+"/", "ver", "1.0")
	expired := with(v2Claims(), "exp", fixedNow.Add(-time.Hour).Unix(), "ver", "1.0")
	tests := []struct {
		name    string
		tok     *Token
		version string
		want    []string
	}{
		{"v2 expected, v2 token", mustDecode(t, makeToken(t, v2Header(), v2Claims())), "2.0", nil},
		{"v2 expected, v1 token", mustDecode(t, makeToken(t, v2Header(), v1)), "2.0", []string{"token.version-mismatch"}},
		{"nothing expected", mustDecode(t, makeToken(t, v2Header(), v1)), "", nil},
		{"only the version, not the expiry", mustDecode(t, makeToken(t, v2Header(), expired)), "2.0", []string{"token.version-mismatch"}},
		{"encrypted token", mustDecode(t, segment(t, map[string]any{"alg": "RSA-OAEP", "enc": "A256GCM"})+".a.b.c.d"), "2.0", nil},
		{"no token", nil, "2.0", nil},
	}
	for _, tt := range tests {
		got := CheckVersion(tt.tok, tt.version, "mcp", fixedNow)
		if ids := findingIDs(got); !reflect.DeepEqual(ids, tt.want) && !(len(ids) == 0 && len(tt.want) == 0) {
			t.Errorf("%s: CheckVersion = %v, want %v", tt.name, ids, tt.want)
		}
		if tt.tok == nil {
			continue
		}
		// It is exactly what LintToken says about the version.
		var lint []Finding
		for _, f := range LintToken(tt.tok, "mcp", Expectations{Version: tt.version, Now: fixedNow}) {
			if f.ID == "token.version-mismatch" {
				lint = append(lint, f)
			}
		}
		if !reflect.DeepEqual(got, lint) {
			t.Errorf("%s: CheckVersion = %+v, LintToken says %+v", tt.name, got, lint)
		}
	}
}

func TestVerifyErrorKidUnknown(t *testing.T) {
	tests := []struct {
		name string
		err  *VerifyError
		want bool
	}{
		{"unknown kid", &VerifyError{FindingID: "token.kid-unknown"}, true},
		{"bad signature", &VerifyError{FindingID: "token.signature-invalid"}, false},
		{"unverifiable", &VerifyError{}, false},
		{"nil", nil, false},
	}
	for _, tt := range tests {
		if got := tt.err.KidUnknown(); got != tt.want {
			t.Errorf("%s: KidUnknown = %v, want %v", tt.name, got, tt.want)
		}
	}
	// Through VerifySignature: an empty key set knows no kid.
	err := VerifySignature(mustDecode(t, makeToken(t, v2Header(), v2Claims())), &JWKS{}, nil)
	var ve *VerifyError
	if !errors.As(err, &ve) || !ve.KidUnknown() {
		t.Errorf("VerifySignature with no keys = %v, want a kid-unknown VerifyError", err)
	}
}

func TestMalformedTokenFinding(t *testing.T) {
	_, decodeErr := DecodeUnverified("a.b")
	var de *DecodeError
	if !errors.As(decodeErr, &de) {
		t.Fatalf("DecodeUnverified(a.b) = %v, want a DecodeError", decodeErr)
	}
	tests := []struct {
		name string
		err  error
		want Finding
	}{
		{"decode error", decodeErr, de.Finding("token")},
		{"wrapped decode error", fmt.Errorf("reading: %w", decodeErr), de.Finding("token")},
		{"other error", errors.New("token too long"), NewFinding("token.malformed", "token", "token too long", nil)},
	}
	for _, tt := range tests {
		got := MalformedTokenFinding("token", tt.err)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: MalformedTokenFinding = %+v, want %+v", tt.name, got, tt.want)
		}
		if got.ID != "token.malformed" || got.Severity != SeverityError {
			t.Errorf("%s: MalformedTokenFinding = %s %s", tt.name, got.ID, got.Severity)
		}
	}
}
