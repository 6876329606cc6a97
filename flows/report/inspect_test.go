package report

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/oboscope/oboscope/inspect"
)

// Set OBOSCOPE_UPDATE_GOLDEN=1 to rewrite the golden files of these tests.
var updateInspectGolden = os.Getenv("OBOSCOPE_UPDATE_GOLDEN") == "1"

const inspTenant = "11111111-2222-3333-4444-555555555555"

var inspNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

func inspSeg(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func inspToken(t *testing.T, claims map[string]any) string {
	return inspSeg(t, map[string]any{"typ": "JWT", "alg": "RS256", "kid": "k1"}) + "." + inspSeg(t, claims) + ".c2ln"
}

func inspClaims(exp time.Time) map[string]any {
	return map[string]any{"aud": "api://contoso-agent", "iss": "https://login.microsoftonline.com/" + inspTenant + "/v2.0", "tid": inspTenant,
		"azp": "04b07795-8ddb-461a-bbee-02f9e1bf7b46", "azpacr": "0", "scp": "access_as_user", "sub": "s", "oid": "o", "name": "Alice",
		"preferred_username": "alice@contoso.example", "iat": exp.Add(-time.Hour).Unix(), "nbf": exp.Add(-time.Hour).Unix(), "exp": exp.Unix(), "ver": "2.0"}
}

func runInspect(t *testing.T, opts InspectOptions) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	code = RunInspect(opts, &out, &errb)
	return code, out.String(), errb.String()
}

// realWorldNow is an instant inside each real-world token's validity, so that the golden output
// shows the findings a token has when it is fresh.
var realWorldNow = map[string]string{
	"learn-access-v1":           "2018-09-18T01:30:00Z",
	"learn-access-v2":           "2018-09-18T01:00:00Z",
	"learn-id-v1":               "2018-09-06T23:30:00Z",
	"learn-id-v2":               "2018-09-07T00:00:00Z",
	"pyoidc-entra-id-v2":        "2015-08-18T19:00:00Z",
	"learn-agent-autonomous-v1": "2025-07-24T22:00:00Z",
}

// TestInspectGoldenRealWorld runs `oboscope inspect --json --now T` on every real-world token and
// compares the whole document with its golden file.
func TestInspectGoldenRealWorld(t *testing.T) {
	files, err := filepath.Glob("../../inspect/testdata/realworld/*.jwt")
	if err != nil || len(files) != len(realWorldNow) {
		t.Fatalf("real-world tokens %v (%v); want %d", files, err, len(realWorldNow))
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".jwt")
		t.Run(name, func(t *testing.T) {
			code, out, errOut := runInspect(t, InspectOptions{File: f, JSON: true, Now: realWorldNow[name]})
			var doc InspectJSON
			if err := json.Unmarshal([]byte(out), &doc); err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, f := range doc.Findings {
				ids = append(ids, f.ID)
			}
			// Microsoft's v1 access token sample has a truncated tenant GUID in iss (…-29f29522229/)
			// while tid is …-29f2956fd429: a validator would reject it, and so does oboscope.
			wantIDs, wantCode := []string(nil), 0
			if name == "learn-access-v1" {
				wantIDs, wantCode = []string{"token.issuer-tenant-mismatch"}, 1
			}
			if code != wantCode || errOut != "" || !reflect.DeepEqual(ids, wantIDs) {
				t.Errorf("exit %d stderr %q findings %v; want %d %v", code, errOut, ids, wantCode, wantIDs)
			}
			for _, c := range doc.Token.Explained {
				if !c.Known || strings.HasPrefix(c.Meaning, "Not a claim") {
					t.Errorf("claim %s is not explained", c.Claim)
				}
			}
			if len(doc.Token.Explained) != len(doc.Token.Claims) {
				t.Errorf("%d explained for %d claims", len(doc.Token.Explained), len(doc.Token.Claims))
			}
			golden := filepath.Join("testdata", "inspect", name+".json")
			if updateInspectGolden {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with OBOSCOPE_UPDATE_GOLDEN=1 to create it)", err)
			}
			if string(want) != out {
				t.Errorf("output differs from %s (OBOSCOPE_UPDATE_GOLDEN=1 refreshes it):\n%s", golden, out)
			}
		})
	}
}

// TestInspectRealWorldFindings runs the same tokens at one fixed instant, long after most of
// them expired.
func TestInspectRealWorldFindings(t *testing.T) {
	want := map[string]struct {
		kind, version string
		principal     inspect.Principal
		findings      []string
	}{
		"learn-access-v1":           {"access", "1.0", inspect.PrincipalUser, []string{"token.expired", "token.issuer-tenant-mismatch"}},
		"learn-access-v2":           {"access", "2.0", inspect.PrincipalUser, []string{"token.expired"}},
		"learn-id-v1":               {"id", "1.0", inspect.PrincipalUser, []string{"token.expired"}},
		"learn-id-v2":               {"id", "2.0", inspect.PrincipalUser, []string{"token.expired"}},
		"pyoidc-entra-id-v2":        {"id", "2.0", inspect.PrincipalUser, []string{"token.expired"}},
		"learn-agent-autonomous-v1": {"access", "1.0", inspect.PrincipalAgentIdentity, []string{"token.not-yet-valid"}},
	}
	for name, w := range want {
		code, out, _ := runInspect(t, InspectOptions{File: "../../inspect/testdata/realworld/" + name + ".jwt", JSON: true, Now: "2025-06-01T12:00:00Z"})
		var doc InspectJSON
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var ids []string
		for _, f := range doc.Findings {
			ids = append(ids, f.ID)
		}
		if code != 1 || string(doc.Token.Kind) != w.kind || doc.Token.Version != w.version || doc.Token.Principal != w.principal || !reflect.DeepEqual(ids, w.findings) {
			t.Errorf("%s: exit %d kind %s v%s %s findings %v; want %+v", name, code, doc.Token.Kind, doc.Token.Version, doc.Token.Principal, ids, w)
		}
	}
	// An ID token presented where an access token is expected is an error.
	_, out, _ := runInspect(t, InspectOptions{File: "../../inspect/testdata/realworld/learn-id-v2.jwt", JSON: true, Now: "2018-09-07T00:00:00Z",
		ExpectAud: "6cb04018-a3f5-46a7-b995-940c78f5aef3"})
	if !strings.Contains(out, `"id": "token.id-token-as-access"`) {
		t.Errorf("ID token with --expect-aud: %s", out)
	}
}

func TestInspectExitCodesAndErrors(t *testing.T) {
	fresh := inspToken(t, inspClaims(inspNow.Add(time.Hour)))
	expired := inspToken(t, inspClaims(inspNow.Add(-time.Hour)))
	tests := []struct {
		name     string
		opts     InspectOptions
		code     int
		stderr   string // exact stderr ("" = none)
		contains string // in stdout
	}{
		{"healthy", InspectOptions{Token: fresh, Now: "2025-06-01T12:00:00Z"}, 0, "", "No findings"},
		{"expired", InspectOptions{Token: expired, Now: "2025-06-01T12:00:00Z"}, 1, "", "token.expired"},
		{"expect aud ok", InspectOptions{Token: fresh, Now: "2025-06-01T12:00:00Z", ExpectAud: "api://contoso-agent", ExpectScopes: []string{"access_as_user"}, ExpectTenant: inspTenant}, 0, "", "No findings"},
		{"expect aud wrong", InspectOptions{Token: fresh, Now: "2025-06-01T12:00:00Z", JSON: true, ExpectAud: "api://other"}, 1, "", `"id": "token.unexpected-audience"`},
		{"expect scope and tenant wrong", InspectOptions{Token: fresh, Now: "2025-06-01T12:00:00Z", JSON: true, ExpectScopes: []string{"Mail.Send"}, ExpectTenant: "99999999-2222-3333-4444-555555555555"}, 1, "", `"id": "token.unexpected-tenant"`},
		{"malformed", InspectOptions{Token: "not-a.token"}, 2, "oboscope: inspect: a JWT has 3 segments (header.payload.signature), this one has 2, and the token's header (segment 1 of 2) is not base64url: illegal base64 data at input byte 4\n", ""},
		{"malformed json", InspectOptions{Token: "a.b.c.d", JSON: true}, 2, "oboscope: inspect: token has 4 dot-separated segments; a JWT has 3 (header.payload.signature) and an encrypted one 5\n", `"id": "token.malformed"`},
		{"bad --now", InspectOptions{Token: fresh, Now: "yesterday"}, 2, "oboscope: inspect: --now must be an RFC 3339 time such as 2025-01-02T15:04:05Z, not \"yesterday\"\n", ""},
		{"bad --expect-tenant", InspectOptions{Token: fresh, ExpectTenant: "contoso.com"}, 2, "oboscope: inspect: --expect-tenant must be a tenant ID (GUID), not \"contoso.com\"\n", ""},
		{"empty stdin", InspectOptions{Token: "-", Stdin: strings.NewReader("\n"), JSON: true}, 2, "oboscope: inspect: token is empty\n", `"id": "token.malformed"`},
		{"no token", InspectOptions{}, 2, "oboscope: inspect: no token given: pass it as an argument, '-' to read standard input, --file FILE or --clipboard\n", ""},
		{"two sources", InspectOptions{Token: fresh, File: "x"}, 2, "oboscope: inspect: give the token one way only: an argument, '-', --file or --clipboard\n", ""},
		{"clock injected", InspectOptions{Token: expired, Clock: func() time.Time { return inspNow.Add(-2 * time.Hour) }}, 0, "", "No findings"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runInspect(t, tc.opts)
			if code != tc.code || errOut != tc.stderr || !strings.Contains(out, tc.contains) {
				t.Errorf("exit %d stderr %q; want %d %q; stdout:\n%s", code, errOut, tc.code, tc.stderr, out)
			}
		})
	}
}

func TestInspectMalformedJSONDocument(t *testing.T) {
	_, out, _ := runInspect(t, InspectOptions{Token: "eyJhbGciOiJSUzI1NiJ9.W10.c2ln", JSON: true})
	var doc InspectJSON
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Token != nil || len(doc.Findings) != 1 || doc.Findings[0].ID != "token.malformed" || doc.Findings[0].Severity != inspect.SeverityError ||
		doc.Findings[0].Detail != "the token's payload (segment 2 of 3) is a JSON array, not a JSON object" || doc.Findings[0].Evidence["segment"] != "payload" {
		t.Errorf("document: %s", out)
	}
}

func TestReadTokenInput(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "tok")
	if err := os.WriteFile(file, []byte("  eyJfile.x.y\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, bytes.Repeat([]byte("a"), inspect.MaxTokenLength+1), 0o600); err != nil {
		t.Fatal(err)
	}
	clip := func(s string, err error) func() (string, error) { return func() (string, error) { return s, err } }
	tests := []struct {
		name string
		opts InspectOptions
		want string
		err  string
	}{
		{"argument", InspectOptions{Token: "eyJarg"}, "eyJarg", ""},
		{"stdin", InspectOptions{Token: "-", Stdin: strings.NewReader("eyJstdin\n")}, "eyJstdin\n", ""},
		{"empty stdin", InspectOptions{Token: "-", Stdin: strings.NewReader(" \n")}, " \n", ""},
		{"file", InspectOptions{File: file}, "  eyJfile.x.y\n", ""},
		{"missing file", InspectOptions{File: filepath.Join(dir, "nope")}, "", "inspect: --file: open"},
		{"huge file stops reading after the limit", InspectOptions{File: big}, strings.Repeat("a", inspect.MaxTokenLength+1), ""},
		{"clipboard", InspectOptions{Clipboard: true, ReadClipboard: clip("eyJclip", nil)}, "eyJclip", ""},
		{"clipboard empty", InspectOptions{Clipboard: true, ReadClipboard: clip("", nil)}, "", ""},
		{"clipboard unavailable", InspectOptions{Clipboard: true, ReadClipboard: clip("", errors.New("no xclip"))}, "", "cannot read the clipboard"},
		{"no clipboard tool", InspectOptions{Clipboard: true, ReadClipboard: clip("", errors.New("No clipboard utilities available. Please install xsel, xclip, wl-clipboard or Termux:API add-on for termux-clipboard-get/set."))}, "", "inspect: --clipboard: no clipboard tool found: install xclip, xsel or wl-clipboard, or pipe the token in (… | oboscope inspect -)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReadTokenInput(tc.opts)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v; want %q", err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestInspectTextOutput(t *testing.T) {
	raw := inspToken(t, inspClaims(inspNow.Add(-time.Hour)))
	code, plain, _ := runInspect(t, InspectOptions{Token: raw, Now: "2025-06-01T12:00:00Z"})
	if code != 1 {
		t.Errorf("exit %d", code)
	}
	for _, want := range []string{
		"Access token v2.0 · for a user · audience api://contoso-agent\n",
		"  subject    Alice <alice@contoso.example> · oid o\n",
		"  client     04b07795-8ddb-461a-bbee-02f9e1bf7b46 (Azure CLI)\n",
		"  expires    2025-06-01 11:00:00 UTC (1h ago)\n",
		"  azpacr              0  → public client: no client credential was used\n",
		"  exp                 1748775600  2025-06-01 11:00:00 UTC (1h ago)\n",
		"Findings: 1 error, 0 warnings, 0 info\n",
		"  error    token.expired  Token has expired\n",
		"             fix: Acquire a new token",
		"             Entra code: AADSTS500133\n",
	} {
		if !strings.Contains(plain, want) {
			t.Errorf("text output lacks %q:\n%s", want, plain)
		}
	}
	if strings.Contains(plain, "\x1b[") {
		t.Error("colour codes without Color")
	}
	_, coloured, _ := runInspect(t, InspectOptions{Token: raw, Now: "2025-06-01T12:00:00Z", Color: true})
	if !strings.Contains(coloured, "\x1b[31m\x1b[1merror  \x1b[0m") {
		t.Errorf("no colour with Color:\n%q", coloured)
	}
}

// TestInspectTextIsTerminalSafe: claim values are attacker-controlled text; escape sequences,
// control characters and bidi overrides in them must reach the terminal as visible escapes, and
// an opaque token shows no empty header.
func TestInspectTextIsTerminalSafe(t *testing.T) {
	claims := inspClaims(inspNow.Add(time.Hour))
	claims["name"] = "\u202eevil\a\x1b[31mred\x1b]52;c;aGk=\a"
	claims["aud"] = "api://x\x1b[2J"
	_, plain, _ := runInspect(t, InspectOptions{Token: inspToken(t, claims), Now: "2025-06-01T12:00:00Z", Color: true})
	for _, bad := range []string{"\x1b[31mred", "\x1b]52", "\x1b[2J", "\a", "\u202e"} {
		if strings.Contains(plain, bad) {
			t.Errorf("output passes %q to the terminal:\n%q", bad, plain)
		}
	}
	for _, want := range []string{
		"  subject    \\u202eevil\\x07\\x1b[31mred\\x1b]52;c;aGk=\\x07 <alice@contoso.example> · oid o\n",
		"audience api://x\\x1b[2J",
	} {
		if !strings.Contains(plain, want) {
			t.Errorf("output lacks %q:\n%q", want, plain)
		}
	}
	_, opaque, _ := runInspect(t, InspectOptions{Token: "EwBwA8l6BAAURSN/FHlDW5xN74t6GzbtsBBeBUYAAQ", Now: "2025-06-01T12:00:00Z"})
	if want := "Opaque token — not a JWT\n\nFindings: 0 errors, 0 warnings, 1 info\n"; !strings.HasPrefix(opaque, want) {
		t.Errorf("opaque output starts %q; want %q", opaque, want)
	}
}

// TestInspectTokenResponse: `az account get-access-token | oboscope inspect -` (the JSON, not
// -o tsv) inspects the access token inside; raw_redacted is that token, never the document.
func TestInspectTokenResponse(t *testing.T) {
	raw := inspToken(t, inspClaims(inspNow.Add(time.Hour)))
	doc := "{\n  \"accessToken\": \"" + raw + "\",\n  \"expiresOn\": \"2025-06-01 13:00:00.000000\",\n  \"refreshToken\": \"0.secret\"\n}\n"
	code, out, errs := runInspect(t, InspectOptions{Token: doc, Now: "2025-06-01T12:00:00Z", JSON: true})
	if code != 0 || errs != "" {
		t.Fatalf("exit %d stderr %q", code, errs)
	}
	var got struct {
		Token struct {
			Kind        string `json:"kind"`
			RawRedacted string `json:"raw_redacted"`
		} `json:"token"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if want := inspect.RedactToken(raw); got.Token.Kind != "access" || got.Token.RawRedacted != want {
		t.Errorf("kind %q raw_redacted %q; want access %q", got.Token.Kind, got.Token.RawRedacted, want)
	}
	if strings.Contains(out, "0.secret") {
		t.Error("the token response's refresh token reached the output")
	}
}

// TestInspectTextWrapsLists: a long list claim wraps in the value column within the width.
func TestInspectTextWrapsLists(t *testing.T) {
	claims := inspClaims(inspNow.Add(time.Hour))
	var groups []any
	for i := 0; i < 12; i++ {
		groups = append(groups, strings.Repeat(string(rune('a'+i)), 8)+"-1111-2222-3333-444444444444")
	}
	claims["groups"] = groups
	_, out, _ := runInspect(t, InspectOptions{Token: inspToken(t, claims), Now: "2025-06-01T12:00:00Z"})
	want := "  groups              aaaaaaaa-1111-2222-3333-444444444444, bbbbbbbb-1111-2222-3333-444444444444,\n" +
		"                      cccccccc-1111-2222-3333-444444444444, dddddddd-1111-2222-3333-444444444444,\n"
	if !strings.Contains(out, want) {
		t.Errorf("groups not wrapped as %q:\n%s", want, out)
	}
	if !strings.Contains(out, "jjjjjjjj-1111-2222-3333-444444444444 … (+2 more)") {
		t.Errorf("no count of the groups left out:\n%s", out)
	}
}

func TestRunExplain(t *testing.T) {
	tests := []struct {
		id       string
		code     int
		contains []string
		stderr   string
	}{
		{"obo.assertion-aud-mismatch", 0, []string{"obo.assertion-aud-mismatch — OBO assertion is not for the middle tier\nseverity: error\n",
			"What it means and why it happens\n", "Fix\n  The middle tier (the OBO client) must be the assertion's audience",
			"  AADSTS50013 InvalidAssertion: ", "  AADSTS500131 AssertionAudienceDoesNotMatch: ",
			"Docs\n  https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-on-behalf-of-flow\n"}, ""},
		{"signin.public-client-disabled", 0, []string{"AADSTS7000218 InvalidClient (credential missing): ", "(community-observed, not documented by Microsoft)"}, ""},
		{"AADSTS50013", 0, []string{"AADSTS50013 — InvalidAssertion\n", "Findings\n  obo.assertion-invalid (oboscope explain obo.assertion-invalid)\n  obo.assertion-aud-mismatch (oboscope explain obo.assertion-aud-mismatch)\n  agentid.assertion-aud-not-blueprint (oboscope explain agentid.assertion-aud-not-blueprint)\n", "https://login.microsoftonline.com/error?code=50013"}, ""},
		{"650053", 0, []string{"AADSTS650053\ncommunity-observed, not documented by Microsoft\n"}, ""},
		{"obo", 0, []string{"obo findings (oboscope explain ID for one):\n", "  obo.wrong-grant "}, ""},
		{"obo.aud-mismatch", 2, nil, "oboscope: explain: no finding \"obo.aud-mismatch\"; did you mean mcp.aud-mismatch, agent.aud-mismatch, obo.assertion-aud-mismatch?\n"},
		{"token.expird", 2, nil, "oboscope: explain: no finding \"token.expird\"; did you mean token.expired, token.encrypted, token.near-expiry?\n"},
		{"zzzzzzzzzzzzzzzzzzzzzzzz", 2, nil, "oboscope: explain: no finding \"zzzzzzzzzzzzzzzzzzzzzzzz\"; sections are authority, token, signin, agent, obo, agentid, mcp and foundry\n"},
		{"OBO", 0, []string{"obo findings (oboscope explain ID for one):\n"}, ""},
		{"token.EXPIRED", 0, []string{"token.expired — "}, ""},
		{"AADSTS1", 2, nil, "oboscope: explain: AADSTS1 is not in oboscope's catalogue; Microsoft's lookup: https://login.microsoftonline.com/error?code=1\n"},
	}
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := RunExplain(tc.id, &out, &errb)
			if code != tc.code || errb.String() != tc.stderr {
				t.Errorf("exit %d stderr %q; want %d %q", code, errb.String(), tc.code, tc.stderr)
			}
			for _, c := range tc.contains {
				if !strings.Contains(out.String(), c) {
					t.Errorf("output lacks %q:\n%s", c, out.String())
				}
			}
		})
	}
	// Every catalogue entry explains itself.
	for _, r := range inspect.Rules() {
		var out, errb bytes.Buffer
		if code := RunExplain(r.ID, &out, &errb); code != 0 || !strings.Contains(out.String(), r.Explanation[:20]) {
			t.Errorf("%s: exit %d", r.ID, code)
		}
	}
}
