package sandbox

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/confidential"
)

// consentRequest is a consent link the project sent out and nobody followed yet.
type consentRequest struct {
	user    string // the user's oid
	upn     string
	agent   string
	created time.Time
}

// connectionName names the passthrough connection in the consent store.
const connectionName = "contoso-mcp-oauth"

// toolToken obtains the credential of the agent's MCP tool as Foundry does for its
// authentication. When it cannot (a consent to ask, a token request refused) it adds the items
// that say so and returns false: the run is over.
func (r *foundryRun) toolToken(ctx context.Context) (string, bool) {
	s := r.s
	switch r.agent.Auth {
	case "agent_identity":
		identity := FoundryAgentIdentityID
		if s.beh.foundry.projectIdentity {
			identity = FoundryProjectIdentityID
		}
		tok, err := s.agentIdentityToken(ctx, identity, MCPAppIDURI+"/.default")
		if err != nil {
			r.toolFailed("Failed to fetch access token for the agent identity: " + oneLineErr(err))
			return "", false
		}
		return tok, true
	case "managed_identity":
		mi, mcp := s.dir.app(FoundryManagedIdentityID), s.dir.app(MCPAppID)
		// The managed identity endpoint (not the authority's /token) issues its tokens.
		tok, _, err := s.mintAccess(accessGrant{client: mi, clientACR: "2", resource: mcp, roles: s.dir.rolesFor(mi, mcp),
			extra: map[string]string{"xms_mirid": foundryMIResourceID}})
		if err != nil {
			r.toolFailed("Failed to fetch access token for the project managed identity: " + err.Error())
			return "", false
		}
		return tok, true
	case "passthrough":
		return r.passthroughToken()
	}
	return s.Secret("mcp-key"), true
}

// toolFailed ends the run on a tool whose credential could not be obtained.
func (r *foundryRun) toolFailed(msg string) {
	r.add(map[string]any{"type": "mcp_list_tools", "id": "mcpl_" + strings.ToLower(randomID(24)), "server_label": FoundryServerLabel, "tools": []any{}, "error": msg})
	r.message("I could not use the " + FoundryServerLabel + " tool.")
}

// agentIdentityToken obtains an app-only token of an agent identity, as Foundry's agent service
// does: the blueprint's client credentials with fmi_path (T1), then the agent identity's client
// credentials with T1 as its client assertion — both from the sandbox's authority.
func (s *Sandbox) agentIdentityToken(ctx context.Context, identity, scope string) (string, error) {
	t1, err := s.blueprintT1(ctx, identity)
	if err != nil {
		return "", err
	}
	cred := confidential.NewCredFromAssertionCallback(func(context.Context, confidential.AssertionRequestOptions) (string, error) { return t1, nil })
	agent, err := confidential.New(s.AuthorityURL(), identity, cred, confidential.WithInstanceDiscovery(false), confidential.WithHTTPClient(s.client))
	if err != nil {
		return "", err
	}
	res, err := agent.AcquireTokenByCredential(ctx, []string{scope})
	if err != nil {
		return "", err
	}
	return res.AccessToken, nil
}

// blueprintT1 is leg 1: the project blueprint's token for the agent identity (fmi_path).
func (s *Sandbox) blueprintT1(ctx context.Context, identity string) (string, error) {
	cred, err := confidential.NewCredFromSecret(s.Secret("foundry-blueprint"))
	if err != nil {
		return "", err
	}
	// A client per request: MSAL's cache must not hand one agent identity's T1 to another.
	bp, err := confidential.New(s.AuthorityURL(), FoundryBlueprintAppID, cred, confidential.WithInstanceDiscovery(false), confidential.WithHTTPClient(s.client))
	if err != nil {
		return "", err
	}
	res, err := bp.AcquireTokenByCredential(ctx, []string{TokenExchangeAudID + "/.default"}, confidential.WithFMIPath(identity))
	if err != nil {
		return "", err
	}
	return res.AccessToken, nil
}

// hosted runs the hosted agent's code: it asks the agent runtime for an On-Behalf-Of token for its
// tool, but a hosted agent never receives the caller's token, so the runtime's OBO request to the
// authority carries no assertion and fails — as Foundry reports it ("ARA OBO token request failed").
func (r *foundryRun) hosted(ctx context.Context) {
	status := r.s.runtimeOBO(ctx, FoundryProjectIdentityID, mcpScope)
	word := strings.ReplaceAll(http.StatusText(status), " ", "")
	if status == 0 {
		word = "ServiceUnavailable"
	}
	msg := fmt.Sprintf("Failed to fetch access token. Status: %s. Details: \"ARA OBO token request failed with status %s\"", word, word)
	r.add(map[string]any{"type": "mcp_call", "id": "mcp_" + strings.ToLower(randomID(24)), "server_label": FoundryServerLabel, "name": r.agent.Tool,
		"arguments": "{}", "output": nil, "error": msg, "status": "failed"})
	r.fail("server_error", msg)
}

// runtimeOBO is the agent runtime's On-Behalf-Of request for a hosted agent: the agent identity
// authenticates with its T1, and there is no user assertion to send. It returns the authority's
// HTTP status (0 when it could not be asked).
func (s *Sandbox) runtimeOBO(ctx context.Context, identity, scope string) int {
	t1, err := s.blueprintT1(ctx, identity)
	if err != nil {
		return 0
	}
	form := url.Values{
		"grant_type":            {"urn:ietf:params:oauth:grant-type:jwt-bearer"},
		"client_id":             {identity},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
		"client_assertion":      {t1},
		"requested_token_use":   {"on_behalf_of"},
		"scope":                 {scope},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.TokenURL(), strings.NewReader(form.Encode()))
	if err != nil {
		return 0
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := s.client.Do(req)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode
}

// passthroughToken is the token the user consented to for the passthrough connection; without
// one, the run asks for consent (an oauth_consent_request with its consent_link).
func (r *foundryRun) passthroughToken() (string, bool) {
	s := r.s
	s.seedConsent()
	oid := r.caller.str("oid")
	if r.caller.isAppOnly() || oid == "" {
		r.toolFailed("OAuth identity passthrough needs a signed-in user: the caller's token is app-only")
		return "", false
	}
	s.foundry.mu.Lock()
	defer s.foundry.mu.Unlock()
	if tok := s.foundry.consents[oid]; tok != "" {
		return tok, true
	}
	if s.foundry.pending == nil {
		s.foundry.pending = map[string]*consentRequest{}
	}
	if len(s.foundry.pending) > 1024 {
		clear(s.foundry.pending)
	}
	id := "oauthreq_" + strings.ToLower(randomID(40))
	upn := r.caller.str("upn")
	if upn == "" {
		upn = r.caller.str("unique_name")
	}
	s.foundry.pending[id] = &consentRequest{user: oid, upn: upn, agent: r.agent.Name, created: s.now()}
	r.add(map[string]any{"type": "oauth_consent_request", "id": id, "server_label": FoundryServerLabel,
		"consent_link": s.base + "/foundry/consent?id=" + id})
	return "", false
}

// seedConsent stores, once, the consent the scenario says the user gave before the walk.
func (s *Sandbox) seedConsent() {
	s.foundry.mu.Lock()
	defer s.foundry.mu.Unlock()
	if s.foundry.seeded {
		return
	}
	s.foundry.seeded = true
	if !s.beh.foundry.consented {
		return
	}
	u := s.dir.userByName(s.beh.signinUser)
	if tok, err := s.connectionToken(u); err == nil && u != nil {
		s.foundry.consents = map[string]string{u.ID: tok}
	}
}

// connectionToken is what the passthrough connection obtains for a user who consented: the user's
// token for the connection's scope, under the directory's rules (consent, conditional access) —
// or, in the expired scenario, one whose lifetime has passed.
func (s *Sandbox) connectionToken(u *User) (string, error) {
	if u == nil {
		return "", fmt.Errorf("sandbox: no such user")
	}
	conn := s.dir.app(FoundryConnectionAppID)
	scope := s.beh.foundry.connectionScope
	if scope == "" {
		scope = mcpScope
	}
	q, e := s.resolveScopes(conn, scope, flowSignin)
	if e != nil {
		return "", e
	}
	if s.beh.foundry.expired {
		tok, _, err := s.mintAccess(accessGrant{user: u, client: conn, clientACR: "1", resource: q.resource, scopes: q.values,
			amr: []string{"pwd"}, start: s.now().Add(-2 * time.Hour), life: time.Hour})
		return tok, err
	}
	resp, e := s.issueDelegated(delegated{client: conn, clientACR: "1", user: u, scope: q, amr: []string{"pwd"}})
	if e != nil {
		return "", e
	}
	tok, _ := resp["access_token"].(string)
	return tok, nil
}

// oneLineErr is an error's message on one line.
func oneLineErr(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}
