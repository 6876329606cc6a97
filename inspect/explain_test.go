package inspect

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestExplainOrderAndValues(t *testing.T) {
	h := segment(t, v2Header())
	payload := `{"ver":"2.0","aud":"00000003-0000-0000-c000-000000000000","azpacr":"1","appidacr":"0","idtyp":"app","amr":["pwd","mfa"],` +
		`"wids":["62e90394-69f5-4237-9190-012177145e10"],"xms_sub_fct":"13 99","acct":1,"iat":1748779200,"groups":["a","b"],"custom_claim":true,"xms_zzz":"q","extension_abc_dept":"x"}`
	tok := mustDecode(t, h+"."+b64(payload)+".sig")
	got := tok.Explain()
	var names []string
	byName := map[string]ExplainedClaim{}
	for _, c := range got {
		names = append(names, c.Claim)
		byName[c.Claim] = c
	}
	wantOrder := []string{"ver", "aud", "azpacr", "appidacr", "idtyp", "amr", "wids", "xms_sub_fct", "acct", "iat", "groups", "custom_claim", "xms_zzz", "extension_abc_dept"}
	if !reflect.DeepEqual(names, wantOrder) {
		t.Errorf("order %v", names)
	}
	wantValue := map[string]string{
		"ver": "v2.0 token: iss https://login.microsoftonline.com/{tid}/v2.0, azp/azpacr, aud is the client ID", "aud": "Microsoft Graph",
		"azpacr": "the client authenticated with a client secret", "appidacr": "public client: no client credential was used",
		"idtyp": "an application's token (app-only, client credentials)", "amr": "pwd = password, mfa = multi-factor authentication",
		"wids": "Global Administrator", "xms_sub_fct": "13 = agent user, 99 = (meaning not known to oboscope)", "acct": "a guest in the tenant",
		"iat": "2025-06-01T12:00:00Z", "groups": "2 groups",
	}
	for n, v := range wantValue {
		if byName[n].ValueMeaning != v {
			t.Errorf("%s value meaning %q; want %q", n, byName[n].ValueMeaning, v)
		}
	}
	if c := byName["custom_claim"]; c.Known || !strings.HasPrefix(c.Meaning, "Not a claim oboscope knows") {
		t.Errorf("unknown claim must say so: %+v", c)
	}
	if c := byName["xms_zzz"]; c.Known || !strings.Contains(c.Meaning, "does not document") {
		t.Errorf("unknown xms claim: %+v", c)
	}
	if c := byName["extension_abc_dept"]; !c.Known {
		t.Errorf("extension attribute: %+v", c)
	}
	if byName["iat"].Display != "1748779200" || byName["amr"].Display != "pwd, mfa" {
		t.Errorf("display iat %q amr %q", byName["iat"].Display, byName["amr"].Display)
	}
}

func b64(s string) string { return strings.TrimRight(encodeRaw(s), "=") }

// TestExplainRealWorld checks that every claim of every real-world token has a catalogue entry.
func TestExplainRealWorld(t *testing.T) {
	files, _ := filepath.Glob("testdata/realworld/*.jwt")
	if len(files) < 5 {
		t.Fatalf("only %d real-world tokens", len(files))
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		tok := mustDecode(t, string(raw))
		for _, c := range tok.Explain() {
			if !c.Known || c.Meaning == "" {
				t.Errorf("%s: claim %s has no explanation", filepath.Base(f), c.Claim)
			}
		}
		for _, c := range tok.ExplainHeader() {
			if !c.Known {
				t.Errorf("%s: header %s unknown", filepath.Base(f), c.Claim)
			}
		}
	}
}

func TestAppName(t *testing.T) {
	for id, want := range map[string]string{
		"00000003-0000-0000-c000-000000000000": "Microsoft Graph", "https://graph.microsoft.com/": "Microsoft Graph",
		"04B07795-8DDB-461A-BBEE-02F9E1BF7B46": "Azure CLI", "https://management.azure.com/.default": "Azure Resource Manager",
		"https://ai.azure.com": "Azure AI Foundry (Agent Service)", "api://AzureADTokenExchange": "Entra token exchange (federated identity credentials)",
		"1950a258-227b-4e31-a9cf-717495945fc2": "Azure PowerShell", "1fec8e78-bce4-4aaf-ab1b-5451cc387264": "Microsoft Teams",
		"c44b4083-3bb0-49c1-b47d-974e53cbdf3c": "Azure Portal", "d3590ed6-52b3-4102-aeff-aad2292ab01c": "Microsoft Office",
		"api://contoso": "",
	} {
		if got := (&Token{}).AppName(id); got != want {
			t.Errorf("AppName(%s) = %q; want %q", id, got, want)
		}
	}
}

func TestDiff(t *testing.T) {
	user := mustDecode(t, makeToken(t, v2Header(), with(v2Claims(), "aud", "api://contoso-agent", "scp", "access_as_user", "azp", "04b07795-8ddb-461a-bbee-02f9e1bf7b46")))
	obo := mustDecode(t, makeToken(t, v2Header(), with(v2Claims(), "aud", "44444444-0000-0000-0000-00000000000c", "scp", "tools.call",
		"azp", "22222222-aaaa-bbbb-cccc-000000000001", "sub", "other-pairwise", "azpacr", "1", "uti", "new", "xms_cc", "cp1")))
	changes := Diff(user, obo)
	var got []string
	for _, c := range changes {
		got = append(got, c.Kind+" "+c.Claim)
	}
	want := []string{"changed aud", "changed scp", "changed azp", "changed sub", "changed azpacr", "added xms_cc", "changed uti"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("changes %v; want %v", got, want)
	}
	meanings := map[string]string{}
	for _, c := range changes {
		meanings[c.Claim] = c.Meaning
	}
	for claim, sub := range map[string]string{
		"aud": "Audience changed from api://contoso-agent to 44444444-0000-0000-0000-00000000000c",
		"scp": "added tools.call; removed access_as_user",
		"azp": "from 04b07795-8ddb-461a-bbee-02f9e1bf7b46 (Azure CLI) to 22222222-aaaa-bbbb-cccc-000000000001: the middle tier is now the client",
		"sub": "sub is pairwise, different for every application",
		"uti": "differs for every token",
	} {
		if !strings.Contains(meanings[claim], sub) {
			t.Errorf("%s meaning %q lacks %q", claim, meanings[claim], sub)
		}
	}
	narrowed := Diff(mustDecode(t, makeToken(t, v2Header(), with(v2Claims(), "scp", "a b"))), mustDecode(t, makeToken(t, v2Header(), with(v2Claims(), "scp", "a"))))
	if len(narrowed) != 1 || narrowed[0].Meaning != "Scopes narrowed: b no longer granted." {
		t.Errorf("narrowed: %+v", narrowed)
	}
	widened := Diff(mustDecode(t, makeToken(t, v2Header(), with(v2Claims(), "scp", "a"))), mustDecode(t, makeToken(t, v2Header(), with(v2Claims(), "scp", "a b"))))
	if len(widened) != 1 || widened[0].Meaning != "Scopes widened: b added." {
		t.Errorf("widened: %+v", widened)
	}
	if Diff(user, user) != nil || Diff(nil, user) != nil {
		t.Error("no changes expected")
	}
}
