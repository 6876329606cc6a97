package sandbox

import (
	"strings"
	"testing"
)

// diagnosisChecks are what a client observes in the scenarios of failures people report (issue
// 10): Entra's codes and shapes, the components' answers.
func diagnosisChecks() map[string]func(t *testing.T, s *Sandbox, o *observed) {
	return map[string]func(t *testing.T, s *Sandbox, o *observed){
		"prm-resource-url": func(t *testing.T, s *Sandbox, o *observed) {
			prm := fetchJSON(t, s, s.base+"/.well-known/oauth-protected-resource/mcp")
			if prm["resource"] != s.MCPURL() || !strings.HasPrefix(firstString(prm["scopes_supported"]), MCPAppIDURI+"/") {
				t.Errorf("PRM = %v", prm)
			}
			if o.mcpStatus != 200 {
				t.Errorf("the chain itself (no resource parameter) still works: mcp %d", o.mcpStatus)
			}
		},
		"prm-no-scopes": func(t *testing.T, s *Sandbox, o *observed) {
			if prm := fetchJSON(t, s, s.base+"/.well-known/oauth-protected-resource/mcp"); prm["scopes_supported"] != nil {
				t.Errorf("PRM = %v", prm)
			}
		},
		"multi-tenant-mcp": func(t *testing.T, s *Sandbox, o *observed) {
			prm := fetchJSON(t, s, s.base+"/.well-known/oauth-protected-resource/mcp")
			if firstString(prm["authorization_servers"]) != s.base+"/organizations/v2.0" || o.mcpStatus != 200 {
				t.Errorf("PRM = %v, mcp %d", prm, o.mcpStatus)
			}
		},
		"app-id-uri-case": func(t *testing.T, _ *Sandbox, o *observed) {
			if aud := claimsOf(o.userToken)["aud"]; aud != "api://Contoso-Agent" {
				t.Errorf("the v1 token's aud is %v; want the URI as the client wrote it", aud)
			}
			wantCode(t, "obo", o.oboErr, "invalid_grant", 500131)
			if d, _ := o.oboErr["error_description"].(string); !strings.Contains(d, "The audience in the assertion was 'api://Contoso-Agent'") {
				t.Errorf("description %q", d)
			}
		},
		"graph-token-assertion": func(t *testing.T, _ *Sandbox, o *observed) {
			e := downstreamErr(t, o)
			wantCode(t, "agent downstream", e, "invalid_grant", 50013)
			if d, _ := e["error_description"].(string); !strings.Contains(d, "Assertion contains an invalid signature") {
				t.Errorf("description %q", d)
			}
		},
		"no-user-assertion": func(t *testing.T, _ *Sandbox, o *observed) {
			h := o.agentHeader.Get("WWW-Authenticate")
			if o.agentStatus != 401 || !strings.HasPrefix(h, "Bearer resource_metadata=") || strings.Contains(h, "error=") {
				t.Errorf("agent %d %q: want a challenge naming no error (no token reached it)", o.agentStatus, h)
			}
		},
		"certificate-not-registered": func(t *testing.T, _ *Sandbox, o *observed) {
			if o.cfg.OBO.Mode != "certificate" || !strings.HasSuffix(o.cfg.OBO.CertificateFile, strayCertFile) {
				t.Errorf("obo config %+v", o.cfg.OBO)
			}
		},
		"pop-token": func(t *testing.T, _ *Sandbox, o *observed) {
			if claimsOf(o.userToken)["cnf"] == nil || o.agentStatus != 401 {
				t.Errorf("user token cnf %v, agent %d", claimsOf(o.userToken)["cnf"], o.agentStatus)
			}
		},
		"agent-identity-no-fmi-path": func(t *testing.T, _ *Sandbox, o *observed) {
			wantCode(t, "agent leg 1", downstreamErr(t, o), "invalid_request", 82008)
		},
		"agent-identity-no-credential": func(t *testing.T, _ *Sandbox, o *observed) {
			wantCode(t, "agent leg 1", downstreamErr(t, o), "invalid_client", 7000216)
		},
		"agent-identity-direct-token": func(t *testing.T, _ *Sandbox, o *observed) {
			wantCode(t, "agent downstream", downstreamErr(t, o), "invalid_request", 82001)
		},
		"agent-identity-wrong-identity": func(t *testing.T, _ *Sandbox, o *observed) {
			d, _ := o.agentBody["downstream"].(map[string]any)
			tok, _ := d["token"].(string)
			if c := claimsOf(tok + "x"); c["azp"] != OtherAgentIdentityID {
				t.Errorf("agent's token azp %v, want the other agent identity", c["azp"])
			}
		},
	}
}

func firstString(v any) string {
	list, _ := v.([]any)
	if len(list) == 0 {
		return ""
	}
	s, _ := list[0].(string)
	return s
}
