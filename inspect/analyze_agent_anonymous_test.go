package inspect_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/oboscope/oboscope/inspect"
)

// TestAgentAcceptsAnonymous: the agent hop's call without a token raises agent.accepts-anonymous
// when the agent API answers it with success, and only then.
func TestAgentAcceptsAnonymous(t *testing.T) {
	exp := inspect.AgentExpectations{Audiences: []string{agentID}, RequiredScopes: []string{"access_as_user"}, TenantID: tid}
	url := "https://agent.contoso.example/api/chat"
	tests := []struct {
		name string
		obs  inspect.AgentObservation
		want []string
	}{
		{"refused without a token", inspect.AgentObservation{Token: mkToken(t, nil), Status: 200, URL: url, AnonymousProbeSent: true, AnonymousStatus: 401}, []string{}},
		{"answered without a token", inspect.AgentObservation{Token: mkToken(t, nil), Status: 200, URL: url, AnonymousProbeSent: true, AnonymousStatus: 200}, []string{"agent.accepts-anonymous"}},
		{"answered 204 without a token", inspect.AgentObservation{Token: mkToken(t, nil), Status: 200, URL: url, AnonymousProbeSent: true, AnonymousStatus: 204}, []string{"agent.accepts-anonymous"}},
		{"no answer to the probe", inspect.AgentObservation{Token: mkToken(t, nil), Status: 200, URL: url, AnonymousProbeSent: true}, []string{}},
		{"a server error is not acceptance", inspect.AgentObservation{Token: mkToken(t, nil), Status: 200, URL: url, AnonymousProbeSent: true, AnonymousStatus: 500}, []string{}},
		{"no probe sent", inspect.AgentObservation{Token: mkToken(t, nil), Status: 200, URL: url, AnonymousStatus: 200}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := inspect.AnalyzeAgent(tt.obs, exp)
			if got := ids(fs); !slices.Equal(got, tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for _, f := range fs {
				if !strings.Contains(f.Detail, url) || f.Severity != inspect.SeverityError || f.Fix == "" {
					t.Fatalf("finding %+v", f)
				}
			}
		})
	}
	if r, ok := inspect.LookupRule("agent.accepts-anonymous"); !ok || r.Explanation == "" || !strings.HasPrefix(r.Docs, "https://") {
		t.Fatalf("agent.accepts-anonymous is not catalogued in full: %+v", r)
	}
}
