package sandbox

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// This file holds what the sample agent does wrong in the scenarios of failures people report:
// exchanging a Microsoft Graph token it holds, and sending the Agent ID blueprint's leg 1 without
// a credential. The authority answers them as Entra does.

// graphTokenFor mints the Microsoft Graph token the agent "holds" for the user of userToken (as
// if from an earlier sign-in of its own): a Graph token, with the header nonce only Graph can
// validate.
func (c *components) graphTokenFor(userToken string) (string, error) {
	s := c.s
	p, err := s.parseVerified(userToken, false)
	if err != nil {
		return "", fmt.Errorf("the agent could not read the user token: %w", err)
	}
	u := s.dir.userByID(p.str("oid"))
	if u == nil {
		return "", fmt.Errorf("the agent could not find the user %s", p.str("oid"))
	}
	tok, _, err := s.mintAccess(accessGrant{user: u, client: s.dir.app(AgentAppID), clientACR: "1", resource: s.dir.app(GraphAppID),
		scopes: []string{"User.Read"}, amr: []string{"pwd"}})
	return tok, err
}

// leg1WithoutCredential sends the blueprint's leg 1 (client_credentials for
// api://AzureADTokenExchange/.default with fmi_path) with no secret or assertion, and records
// Entra's answer in leg.
func (c *components) leg1WithoutCredential(ctx context.Context, leg *downstreamReport, identity string) {
	c.postToken(ctx, leg, url.Values{"client_id": {BlueprintAppID}, "grant_type": {"client_credentials"},
		"scope": {TokenExchangeAudID + "/.default"}, "fmi_path": {identity}})
}

// agentIdentityDirect asks for an MCP server token as the agent identity itself (client
// credentials with no credential: it has none of its own) instead of through its blueprint's T1.
func (c *components) agentIdentityDirect(ctx context.Context) (*downstreamReport, string) {
	s := c.s
	rep := &downstreamReport{Kind: "agent_identity", GrantType: "client_credentials", TokenEndpoint: s.TokenURL()}
	form := url.Values{"client_id": {AgentIdentityID}, "grant_type": {"client_credentials"}, "scope": {MCPAppIDURI + "/.default"}}
	c.postToken(ctx, rep, form)
	return rep, ""
}

// postToken posts form to the token endpoint and records Entra's answer in rep.
func (c *components) postToken(ctx context.Context, rep *downstreamReport, form url.Values) {
	s := c.s
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.TokenURL(), strings.NewReader(form.Encode()))
	if err != nil {
		rep.Detail = err.Error()
		return
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := s.client.Do(req)
	if err != nil {
		rep.Detail = err.Error()
		return
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	rep.Status = resp.StatusCode
	rep.setBody(b)
}

// strayCertFile is the certificate (and key) the certificate-not-registered scenario's agent
// signs with: never uploaded to any app registration.
const strayCertFile = "oboscope-sandbox-unregistered-cert.pem"

// strayCertPEM makes a certificate credential no app has registered.
func strayCertPEM(now time.Time) ([]byte, error) {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("sandbox: RSA key: %w", err)
	}
	cc, err := newCredentialCert(k, "CN=Contoso Agent API (not uploaded)", now.Add(-time.Hour), now.AddDate(1, 0, 0))
	if err != nil {
		return nil, err
	}
	return cc.pem, nil
}
