package inspect

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseEntraError(t *testing.T) {
	tests := []struct {
		name string
		body string
		want *EntraError
		err  string
	}{
		{"obo audience", `{"error":"invalid_grant","error_description":"AADSTS50013: Assertion failed signature validation. [Reason - The key was not found.]\r\nTrace ID: 0000aaaa\r\nCorrelation ID: 1111bbbb\r\nTimestamp: 2025-06-01 12:00:00Z","error_codes":[50013],"timestamp":"2025-06-01 12:00:00Z","trace_id":"0000aaaa","correlation_id":"1111bbbb","error_uri":"https://login.microsoftonline.com/error?code=50013"}`,
			&EntraError{Err: "invalid_grant", Description: "AADSTS50013: Assertion failed signature validation. [Reason - The key was not found.]\r\nTrace ID: 0000aaaa\r\nCorrelation ID: 1111bbbb\r\nTimestamp: 2025-06-01 12:00:00Z",
				Codes: []int{50013}, Timestamp: "2025-06-01 12:00:00Z", TraceID: "0000aaaa", CorrelationID: "1111bbbb", ErrorURI: "https://login.microsoftonline.com/error?code=50013"}, ""},
		{"claims challenge", `{"error":"interaction_required","error_description":"AADSTS50076: Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication.","error_codes":[50076],"suberror":"basic_action","claims":"{\"access_token\":{\"capolids\":{\"essential\":true,\"values\":[\"1\"]}}}"}`,
			&EntraError{Err: "interaction_required", Description: "AADSTS50076: Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication.",
				Codes: []int{50076}, Suberror: "basic_action", Claims: `{"access_token":{"capolids":{"essential":true,"values":["1"]}}}`}, ""},
		{"msal device code prefix", "reply status code was 400:\n{\"error\":\"invalid_client\",\"error_description\":\"AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'.\"}",
			&EntraError{Err: "invalid_client", Description: "AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'.", Codes: []int{7000218}}, ""},
		{"codes as strings", `{"error":"x","error_codes":["AADSTS65001","700016"]}`, &EntraError{Err: "x", Codes: []int{65001, 700016}}, ""},
		{"graph style", `{"error":{"code":"InvalidAuthenticationToken","message":"Access token has expired or is not yet valid."}}`,
			&EntraError{Err: "InvalidAuthenticationToken", Description: "Access token has expired or is not yet valid."}, ""},
		{"html page", "<html><body>502 Bad Gateway</body></html>", nil, `body is not JSON (starts "<html><body>502 Bad Gateway</body></html…")`},
		{"empty", "", nil, "empty body"},
		{"truncated", `{"error":"invalid_gr`, nil, "not valid JSON"},
		{"unrelated json", `{"status":"ok"}`, nil, "no error, error_description or error_codes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseEntraError([]byte(tc.body))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) || !errors.Is(err, ErrNotEntraError) {
					t.Fatalf("err = %v; want %q wrapping ErrNotEntraError", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %#v\nwant %#v", got, tc.want)
			}
		})
	}
}

func TestEntraErrorMethods(t *testing.T) {
	e := &EntraError{Err: "invalid_grant", Description: "AADSTS65001: The user or administrator has not consented.\r\nTrace ID: x", Codes: []int{65001}}
	if e.Error() != "entra: invalid_grant: AADSTS65001: The user or administrator has not consented." || !e.HasCode(65001) || e.HasCode(1) || e.Code() != 65001 {
		t.Errorf("Error %q HasCode %v Code %d", e.Error(), e.HasCode(65001), e.Code())
	}
	if (&EntraError{Codes: []int{5}}).Error() != "entra: AADSTS5" || (&EntraError{}).Code() != 0 {
		t.Error("fallbacks")
	}
	if got := AADSTSCodesIn("AADSTS50076: x. AADSTS50076 again, AADSTS7000215; AADSTS"); !reflect.DeepEqual(got, []int{50076, 7000215}) {
		t.Errorf("AADSTSCodesIn = %v", got)
	}
}
