package inspect_test

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/oboscope/oboscope/inspect"
)

// explainCase is one pasted text, what explain must recognise in it and the findings it must name.
type explainCase struct {
	name       string
	text       string
	recognised []string
	codes      []int
	findings   []string
}

// explainFixtures are texts people pasted in public reports, verbatim (inspect/testdata/explain),
// with the report each came from.
var explainFixtures = []struct {
	file, source string
	recognised   []string
	codes        []int
	findings     []string
}{
	{"adal-dotnet-1234-graph-token-50013.txt", "https://github.com/AzureAD/azure-activedirectory-library-for-dotnet/issues/1234",
		[]string{"log-line"}, []int{50013}, []string{"obo.assertion-invalid"}},
	{"umi-request-299-9002326.json", "https://github.com/umijs/umi-request/issues/299",
		[]string{"entra-error"}, []int{9002326}, []string{"signin.redirect-platform-mismatch"}},
	{"msal-node-javascript-v2-18-7000218.txt", "https://github.com/Azure-Samples/ms-identity-javascript-v2/issues/18",
		[]string{"msal-node"}, []int{7000218}, []string{"obo.missing-client-credential"}},
	{"msal-node-8339-700027.txt", "https://github.com/AzureAD/microsoft-authentication-library-for-js/issues/8339",
		[]string{"msal-node"}, []int{700027}, []string{"obo.certificate-not-registered"}},
	{"adal-dotnet-azuretre-65-500131.txt", "https://github.com/microsoft/AzureTRE-Deployment/issues/65",
		[]string{"adal-dotnet"}, []int{500131}, []string{"obo.assertion-aud-mismatch"}},
	{"company-communicator-214-500131.txt", "https://github.com/OfficeDev/microsoft-teams-apps-company-communicator/issues/214",
		[]string{"log-line"}, []int{500131}, []string{"obo.assertion-aud-mismatch"}},
	{"msal-dotnet-2130-7000114.txt", "https://github.com/AzureAD/microsoft-authentication-library-for-dotnet/issues/2130",
		[]string{"log-line"}, []int{7000114}, []string{"obo.app-only-assertion"}},
	{"microsoft-mcp-2192-7000114.txt", "https://github.com/microsoft/mcp/issues/2192",
		[]string{"log-line"}, []int{7000114}, []string{"obo.app-only-assertion"}},
	{"tracecat-2466-9010010.txt", "https://github.com/TracecatHQ/tracecat/issues/2466",
		[]string{"log-line"}, []int{9010010}, []string{"mcp.prm-resource-scope-mismatch"}},
	{"appmodelv2-35-901002.txt", "https://github.com/AzureADQuickStarts/AppModelv2-WebApp-OpenIDConnect-nodejs/issues/35",
		[]string{"log-line"}, []int{901002}, []string{"mcp.prm-resource-scope-mismatch"}},
	{"agent365-230-82008.txt", "https://github.com/microsoft/Agent365-Samples/issues/230",
		[]string{"log-line"}, []int{82008}, []string{"agentid.fmi-path-missing"}},
	{"graph-docs-6430-7000216.txt", "https://github.com/microsoftgraph/microsoft-graph-docs-contrib/issues/6430",
		[]string{"log-line"}, []int{7000216}, []string{"obo.missing-client-credential"}},
	{"claude-code-89438-650053.txt", "https://github.com/anthropics/claude-code/issues/89438",
		[]string{"log-line"}, []int{650053}, []string{"signin.scope-unqualified"}},
	{"keycloak-19425-700027.txt", "https://github.com/keycloak/keycloak/issues/19425",
		[]string{"log-line"}, []int{700027}, []string{"obo.certificate-not-registered"}},
	{"webapi-onbehalfof-3-50013-audience.txt", "https://github.com/Azure-Samples/active-directory-dotnet-webapi-onbehalfof/issues/3",
		[]string{"log-line"}, []int{50013}, []string{"obo.assertion-aud-mismatch"}},
	{"adal-python-85-50076-claims.txt", "https://github.com/AzureAD/azure-activedirectory-library-for-python/issues/85",
		[]string{"log-line"}, []int{50076}, []string{"obo.claims-challenge"}},
	{"msal-dotnet-graph-2551-500133.txt", "https://github.com/microsoftgraph/msgraph-sdk-dotnet/issues/2551",
		[]string{"msal-dotnet"}, []int{500133}, []string{"token.expired"}},
	{"azure-sdk-python-46696-ara-obo.txt", "https://github.com/Azure/azure-sdk-for-python/issues/46696",
		[]string{"log-line"}, nil, []string{"obo.no-user-assertion"}},
	{"azure-dev-7704-530084.txt", "https://github.com/Azure/azure-dev/issues/7704",
		[]string{"log-line"}, []int{530084}, []string{"token.pop-bound-as-bearer"}},
	{"oauth2ms-19-700025.txt", "https://github.com/harishkrupo/oauth2ms/issues/19",
		[]string{"msal-python"}, []int{700025}, []string{"obo.public-client-secret"}},
	{"nuxt-auth-301-9002327.txt", "https://github.com/sidebase/nuxt-auth/issues/301",
		[]string{"log-line"}, []int{9002327}, []string{"signin.redirect-platform-mismatch"}},
	{"vscode-259251-prm-resource.txt", "https://github.com/microsoft/vscode/issues/259251",
		[]string{"log-line"}, nil, []string{"mcp.prm-resource-mismatch"}},
	{"python-sdk-1264-prm-resource.txt", "https://github.com/modelcontextprotocol/python-sdk/issues/1264",
		[]string{"log-line"}, nil, []string{"mcp.prm-resource-mismatch"}},
	{"mcp-remote-192-supabase-401.txt", "https://github.com/punkpeye/mcp-remote/issues/192",
		[]string{"http-response", "www-authenticate"}, nil, nil},
	{"msal-java-azure-tools-7395-50158.txt", "https://github.com/microsoft/azure-tools-for-java/issues/7395",
		[]string{"msal-java"}, []int{50158}, nil},
}

func TestExplainTextFixtures(t *testing.T) {
	var cases []explainCase
	for _, f := range explainFixtures {
		b, err := os.ReadFile(filepath.Join("testdata", "explain", f.file))
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, explainCase{f.file + " (" + f.source + ")", string(b), f.recognised, f.codes, f.findings})
	}
	runExplainCases(t, cases)
}

// TestExplainTextShapes covers what no public report quoted whole: a WWW-Authenticate value, an
// HTTP response, metadata documents, Python's dict, MSAL Go's message shape (its source:
// "http call(%s)(%s) error: reply status code was %d:\n%s") and the descriptions that branch.
func TestExplainTextShapes(t *testing.T) {
	runExplainCases(t, []explainCase{
		{"claims challenge relayed", `WWW-Authenticate: Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", error="insufficient_claims", claims="eyJhY2Nlc3NfdG9rZW4iOnsiYWNycyI6eyJlc3NlbnRpYWwiOnRydWUsInZhbHVlIjoiYzEifX19"`,
			[]string{"www-authenticate"}, nil, []string{"obo.claims-challenge"}},
		{"challenge value alone, no resource_metadata", `Bearer error="invalid_token", error_description="The audience '0b05c0de-a9e1-4000-8000-000000000003' is invalid"`,
			[]string{"www-authenticate"}, nil, []string{"token.unexpected-audience", "mcp.no-www-authenticate"}},
		{"HTTP 401 with a challenge", "HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nWWW-Authenticate: Bearer resource_metadata=\"https://mcp.contoso.example/.well-known/oauth-protected-resource/mcp\", error=\"invalid_token\", error_description=\"The token expired at '06/20/2024 11:53:16'\"\r\n\r\n",
			[]string{"http-response", "www-authenticate"}, nil, []string{"token.expired"}},
		{"HTTP 401 without a challenge", "HTTP/2 401\ncontent-type: application/json\n\n{\"message\":\"Unauthorized\"}",
			[]string{"http-response"}, nil, []string{"agent.no-challenge", "mcp.no-www-authenticate"}},
		{"PRM whose resource does not own its scopes", `{"resource":"https://mcp.contoso.example/mcp","authorization_servers":["https://login.microsoftonline.com/contoso.example/v2.0"],"scopes_supported":["api://contoso-mcp/tools.call"],"bearer_methods_supported":["header"]}`,
			[]string{"prm"}, nil, []string{"mcp.prm-resource-scope-mismatch"}},
		{"PRM without scopes, authority without /v2.0", `{"resource":"https://mcp.contoso.example/mcp","authorization_servers":["https://login.microsoftonline.com/0b05c0de-7e4a-4000-8000-000000000001"]}`,
			[]string{"prm"}, nil, []string{"mcp.prm-no-scopes", "mcp.prm-issuer-mismatch"}},
		{"healthy multi-tenant PRM", `{"resource":"https://mcp.contoso.example/mcp","authorization_servers":["https://login.microsoftonline.com/organizations/v2.0"],"scopes_supported":["https://mcp.contoso.example/mcp/tools.call"]}`,
			[]string{"prm"}, nil, nil},
		{"Entra's OpenID configuration", `{"token_endpoint":"https://login.microsoftonline.com/x/oauth2/v2.0/token","issuer":"https://login.microsoftonline.com/x/v2.0","authorization_endpoint":"https://login.microsoftonline.com/x/oauth2/v2.0/authorize"}`,
			[]string{"as-metadata"}, nil, []string{"mcp.as-no-registration"}},
		{"MSAL Python's result dict", `{'error': 'invalid_grant', 'error_description': "AADSTS50076: Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '0b05c0de'. Trace ID: x", 'error_codes': [50076], 'suberror': 'basic_action', 'claims': '{"access_token":{"capolids":{"essential":true,"values":["p1"]}}}'}`,
			[]string{"msal-python"}, []int{50076}, []string{"obo.claims-challenge"}},
		{"MSAL Go's CallErr", "http call(https://login.microsoftonline.com/t/oauth2/v2.0/token)(POST) error: reply status code was 400:\n{\"error\":\"invalid_grant\",\"error_description\":\"AADSTS500131: Assertion audience does not match the Client app presenting the assertion. The audience in the assertion was 'api://Contoso-Agent' and the expected audience is 'api://contoso-agent' or one of the Application Uris of this application.\",\"error_codes\":[500131]}",
			[]string{"msal-go", "entra-error"}, []int{500131}, []string{"obo.assertion-aud-case-mismatch"}},
		{"7000218 on device code", "AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'. (device code sign-in)",
			[]string{"log-line"}, []int{7000218}, []string{"signin.public-client-disabled"}},
		{"hosted agent without a user", "agent run failed: ARA OBO token request failed",
			[]string{"log-line"}, nil, []string{"obo.no-user-assertion"}},
		{"nothing", "hello world", nil, nil, nil},
	})
}

func runExplainCases(t *testing.T, cases []explainCase) {
	t.Helper()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			x := inspect.ExplainText(tc.text, now)
			for _, k := range tc.recognised {
				if !slices.Contains(x.Recognised, k) {
					t.Errorf("recognised %v, want %s among them", x.Recognised, k)
				}
			}
			if len(tc.recognised) == 0 && len(x.Recognised) > 0 {
				t.Errorf("recognised %v in %q", x.Recognised, tc.text)
			}
			if !reflect.DeepEqual(x.AADSTS, tc.codes) && !(len(x.AADSTS) == 0 && len(tc.codes) == 0) {
				t.Errorf("codes %v, want %v", x.AADSTS, tc.codes)
			}
			var ids []string
			for _, f := range x.Findings {
				ids = append(ids, f.ID)
				if f.Title == "" || f.Fix == "" || f.Detail == "" {
					t.Errorf("%s incomplete: %+v", f.ID, f)
				}
			}
			if !reflect.DeepEqual(ids, tc.findings) && !(len(ids) == 0 && len(tc.findings) == 0) {
				t.Errorf("findings %v, want %v", ids, tc.findings)
			}
		})
	}
}
