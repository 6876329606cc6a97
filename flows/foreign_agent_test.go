package flows_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/oboscope/oboscope/flows"
)

// msalNodeDescription is the errorMessage MSAL for Node (v3+) gives a ServerError: Entra's
// error_codes, timestamp and description run together.
const msalNodeDescription = `Error(s): 7000215 - Timestamp: 2026-11-26 01:37:39Z - Description: AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '0b05c0de-a9e1-4000-8000-000000000003'.\r\nTrace ID: 00ca65ce-5b69-41b4-ab1c-27b0df54ff21\r\nCorrelation ID: f4599d3f-3b82-4cf3-b88b-07642d489b78\r\nTimestamp: 2026-11-26 01:37:39Z - Correlation ID: f4599d3f-3b82-4cf3-b88b-07642d489b78 - Trace ID: 00ca65ce-5b69-41b4-ab1c-27b0df54ff21`

// TestForeignAgentRelaysItsOBOFailure: an Express agent API doing its own OBO with MSAL for Node
// and a wrong client secret answers 500 with the error the way apps commonly do. The agent hop
// says its own exchange failed, and the obo hop raises the finding of Entra's code, noting that
// oboscope's exchange with the configured credential worked. An answer that names no AADSTS code
// raises none.
func TestForeignAgentRelaysItsOBOFailure(t *testing.T) {
	for _, tt := range []struct {
		name, body string
		want       []string // obo finding IDs
		agentErr   string
	}{
		{"oauth-shaped", `{"error":"invalid_client","error_description":"` + msalNodeDescription + `","correlation_id":"75080c7d-f257-450f-a8d6-c8b58bc04d27"}`,
			[]string{"obo.invalid-client-secret"}, "agent: the agent API answered 500: its own token exchange failed (AADSTS7000215: Invalid client secret provided."},
		{"serialised ServerError", `{"correlationId":"75080c7d-f257-450f-a8d6-c8b58bc04d27","errorCode":"invalid_client","errorMessage":"` + msalNodeDescription + `","errorNo":7000215,"name":"ServerError","subError":""}`,
			[]string{"obo.invalid-client-secret"}, "agent: the agent API answered 500: its own token exchange failed (AADSTS7000215: Invalid client secret provided."},
		{"message only", `{"message":"Failed to acquire token on behalf of user","error":"invalid_client"}`,
			nil, "agent: 127.0.0.1:"},
		// res.status(500).send(err.message): plain text.
		{"plain text", "invalid_client: " + strings.ReplaceAll(msalNodeDescription, `\r\n`, "\r\n"),
			[]string{"obo.invalid-client-secret"}, "agent: the agent API answered 500: its own token exchange failed (AADSTS7000215: Invalid client secret provided."},
		// The agent runs as another app than obo.client_id: Entra refuses the assertion's audience
		// although the user token is for the configured middle tier.
		{"assertion audience", `{"error":"invalid_grant","error_description":"AADSTS500131: Assertion audience does not match the Client app presenting the assertion. The audience in the assertion was '0b05c0de-a9e1-4000-8000-000000000003' and the expected audience is '0b05c0de-3c90-4000-8000-000000000004'.\r\nTrace ID: x"}`,
			[]string{"obo.assertion-aud-mismatch"}, "agent: the agent API answered 500: its own token exchange failed (AADSTS500131: Assertion audience does not match"},
		// A hosted agent with no user token says so in words, with no Entra error.
		{"no user assertion", `{"error":{"code":"server_error","message":"ARA OBO token request failed"}}`,
			[]string{"obo.no-user-assertion"}, "agent: 127.0.0.1:"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := startSandbox(t, "healthy")
			srv := quietTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json; charset=utf-8")
				w.Header().Set("X-Powered-By", "Express")
				w.WriteHeader(500)
				w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			cfg := s.Config("")
			cfg.CAPEM = append(append([]byte{}, s.CAPEM()...), certPEM(srv)...)
			cfg.Agent.URL = srv.URL + "/api/chat"
			w := flows.NewWalk(cfg, flows.WalkOptions{})
			defer w.Close()
			collect(w.Run(context.Background()))
			rep := w.Report()
			a, o := rep.Hops[1], rep.Hops[2]
			if a.Status != flows.StatusFailed || !strings.HasPrefix(a.Err, tt.agentErr) {
				t.Fatalf("agent hop %s, error %q", a.Status, a.Err)
			}
			if got := findingIDs(o.Findings); strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Fatalf("obo findings %v, want %v (story %q)", got, tt.want, o.Story)
			}
			if len(tt.want) == 0 {
				return
			}
			f := o.Findings[0]
			if f.ID == "obo.no-user-assertion" {
				if !strings.Contains(f.Detail, "ARA OBO token request failed") || !strings.Contains(o.Story, "the agent API reports it had no user token to exchange") {
					t.Fatalf("detail %q, story %q", f.Detail, o.Story)
				}
				return
			}
			if f.ID == "obo.assertion-aud-mismatch" {
				if !strings.HasSuffix(f.Detail, " — the user token's aud "+testAgent+" is the configured middle tier, so the agent API does its exchange as another app (check its client id)") {
					t.Fatalf("detail %q", f.Detail)
				}
				return
			}
			if f.AADSTS != 7000215 || !strings.HasPrefix(f.Detail, "Entra (as the agent API reports) answered AADSTS7000215 (invalid_client): Invalid client secret provided.") ||
				!strings.HasSuffix(f.Detail, "oboscope's own exchange as obo.client_id, with the configured credential, worked: the agent API runs with another credential (or as another app)") {
				t.Fatalf("finding %+v", f)
			}
			if !strings.HasPrefix(o.Story, "oboscope's exchange as Contoso Agent API worked") || !strings.Contains(o.Story, "but the agent API reports its own exchange failed: AADSTS7000215") {
				t.Fatalf("obo story %q", o.Story)
			}
		})
	}
}

// TestForeignAgentValidatesAnotherAudience: an Express agent validating with jose against its App
// ID URI refuses the v2 token (aud = its client id) with `unexpected "aud" claim value`; the
// finding says the token is the agent's own and the validator must accept both identifiers.
func TestForeignAgentValidatesAnotherAudience(t *testing.T) {
	a := foreignAgentHop(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token", error_description="unexpected 'aud' claim value"`)
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(401)
		w.Write([]byte(`{"error":"invalid_token"}`))
	})
	if got := findingIDs(a.Findings); strings.Join(got, " ") != "agent.rejected" {
		t.Fatalf("agent findings %v", got)
	}
	if f := a.Findings[0]; !strings.HasPrefix(f.Fix, "Make the agent API's token validation accept "+testAgent+" as the audience") {
		t.Fatalf("fix %q", f.Fix)
	}
}

// TestForeignAgentAsksForAnotherScope: an agent answering 403 insufficient_scope with the scope it
// requires in its challenge gets agent.missing-scope naming that scope, not a generic rejection.
func TestForeignAgentAsksForAnotherScope(t *testing.T) {
	a := foreignAgentHop(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Bearer error="insufficient_scope", error_description="requires Agent.Invoke", scope="api://contoso-agent/Agent.Invoke"`)
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(403)
		w.Write([]byte(`{"error":"insufficient_scope"}`))
	})
	if got := findingIDs(a.Findings); strings.Join(got, " ") != "agent.missing-scope" {
		t.Fatalf("agent findings %v", got)
	}
	if f := a.Findings[0]; f.Detail != `the agent answered 403 asking for scope api://contoso-agent/Agent.Invoke (its challenge); the token's scp is "access_as_user"` {
		t.Fatalf("detail %q", f.Detail)
	}
}

// TestForeignAgentComparesFullScope: an agent that requires "api://contoso-agent/access_as_user"
// in scp refuses every token (scp holds "access_as_user"); the finding names the comparison.
func TestForeignAgentComparesFullScope(t *testing.T) {
	a := foreignAgentHop(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Bearer error="insufficient_scope", scope="api://contoso-agent/access_as_user"`)
		w.WriteHeader(403)
	})
	if got := findingIDs(a.Findings); strings.Join(got, " ") != "agent.rejected" {
		t.Fatalf("agent findings %v", got)
	}
	if f := a.Findings[0]; f.Fix != "Make the agent API require access_as_user (the names in scp), not api://contoso-agent/access_as_user." {
		t.Fatalf("fix %q (detail %q)", f.Fix, f.Detail)
	}
}

// TestForeignAgentChecksWithOtherKeys: an agent validating with a copied key set refuses the
// user token oboscope verified against the issuer's keys; the fix points at jwks_uri.
func TestForeignAgentChecksWithOtherKeys(t *testing.T) {
	a := foreignAgentHop(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token", error_description="no applicable key found in the JSON Web Key Set"`)
		w.WriteHeader(401)
	})
	if got := findingIDs(a.Findings); strings.Join(got, " ") != "agent.rejected" {
		t.Fatalf("agent findings %v", got)
	}
	if f := a.Findings[0]; !strings.HasPrefix(f.Fix, "Have the agent API take its signing keys from the issuer's jwks_uri (") || !strings.Contains(f.Detail, "oboscope verified this token's signature") {
		t.Fatalf("finding %+v", f)
	}
}

// foreignAgentHop walks the sandbox's healthy chain with the agent API replaced by handler and
// returns the agent hop.
func foreignAgentHop(t *testing.T, handler http.HandlerFunc) flows.HopResult {
	t.Helper()
	s := startSandbox(t, "healthy")
	srv := quietTLSServer(handler)
	defer srv.Close()
	cfg := s.Config("")
	cfg.CAPEM = append(append([]byte{}, s.CAPEM()...), certPEM(srv)...)
	cfg.Agent.URL = srv.URL + "/api/chat"
	w := flows.NewWalk(cfg, flows.WalkOptions{})
	defer w.Close()
	collect(w.Run(context.Background()))
	return w.Report().Hops[1]
}
