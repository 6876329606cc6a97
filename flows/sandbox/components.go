package sandbox

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/confidential"
	msalerrors "github.com/AzureAD/microsoft-authentication-library-for-go/apps/errors"
	"golang.org/x/oauth2"
)

// components holds the sample agent API's and the sample MCP server's state: their MSAL
// confidential clients (built once, safe for concurrent use, with MSAL's own token cache) and the
// MCP server.
type components struct {
	s *Sandbox

	once      sync.Once
	initErr   error
	agentCCA  confidential.Client // the agent API's app with the secret the agent holds
	mcpCCA    confidential.Client // the MCP server's app (its own OBO to Graph)
	blueprint confidential.Client // the Agent ID blueprint (leg 1)

	mcp http.Handler
}

func newComponents(s *Sandbox) *components {
	c := &components{s: s}
	c.mcp = c.buildMCP()
	return c
}

// close releases what the components hold (nothing long-lived today but idle connections).
func (c *components) close() {}

// clients builds the MSAL clients on first use: the authority is the sandbox itself, instance
// discovery is off and the HTTP client trusts the sandbox CA — the setup PROTOCOL.md describes.
func (c *components) clients() error {
	c.once.Do(func() {
		s := c.s
		opts := []confidential.Option{confidential.WithInstanceDiscovery(false), confidential.WithHTTPClient(s.client)}
		secret := s.beh.agentSecret
		if secret == "" {
			secret = s.Secret("agent")
		}
		cred, err := confidential.NewCredFromSecret(secret)
		if err == nil {
			c.agentCCA, err = confidential.New(s.AuthorityURL(), AgentAppID, cred, opts...)
		}
		if err == nil {
			cred, err = confidential.NewCredFromSecret(s.Secret("mcp"))
		}
		if err == nil {
			c.mcpCCA, err = confidential.New(s.AuthorityURL(), MCPAppID, cred, opts...)
		}
		if err == nil {
			cred, err = confidential.NewCredFromSecret(s.Secret("blueprint"))
		}
		if err == nil {
			c.blueprint, err = confidential.New(s.AuthorityURL(), BlueprintAppID, cred, opts...)
		}
		c.initErr = err
	})
	return c.initErr
}

// downstreamReport is what a component reports about its own exchange (CONTRACTS.md).
type downstreamReport struct {
	Kind          string `json:"kind"` // obo | token_exchange | agent_identity | passthrough
	GrantType     string `json:"grant_type,omitempty"`
	TokenEndpoint string `json:"token_endpoint,omitempty"`
	Status        int    `json:"status,omitempty"`
	Error         any    `json:"error,omitempty"` // the Entra error JSON as received
	Token         string `json:"token,omitempty"` // header.payload. (signature removed)
	Passthrough   bool   `json:"passthrough"`
	Detail        string `json:"detail,omitempty"` // a failure with no Entra body
	// Legs are the Agent ID legs (T1 request, agent identity OBO) when Kind is agent_identity.
	// They are held as any so the report's type has no cycle (the MCP tool schema needs that).
	Legs []any `json:"legs,omitempty"`
}

// fail records an error from MSAL or golang.org/x/oauth2: the status and the Entra JSON body as
// received when there is one.
func (d *downstreamReport) fail(err error) {
	var ce msalerrors.CallErr
	var re *oauth2.RetrieveError
	switch {
	case errors.As(err, &ce) && ce.Resp != nil:
		d.Status = ce.Resp.StatusCode
		if ce.Resp.Body != nil {
			b, _ := io.ReadAll(io.LimitReader(ce.Resp.Body, 1<<20))
			d.setBody(b)
		}
		if d.Error == nil {
			d.setBody(bodyFromMessage(err.Error()))
		}
	case errors.As(err, &re) && re.Response != nil:
		d.Status = re.Response.StatusCode
		d.setBody(re.Body)
	}
	if d.Error == nil {
		d.Detail = err.Error()
	}
}

// setBody keeps b if it is a JSON object.
func (d *downstreamReport) setBody(b []byte) {
	var m map[string]any
	if json.Unmarshal(b, &m) == nil && m != nil {
		d.Error = m
	}
}

// bodyFromMessage extracts the JSON MSAL puts after "reply status code was N:\n" in its error.
func bodyFromMessage(msg string) []byte {
	if i := strings.Index(msg, "{"); i >= 0 {
		return []byte(msg[i:])
	}
	return nil
}

// entraCode returns the first AADSTS code and the claims of a reported Entra error.
func (d *downstreamReport) entraCode() (int, string) {
	var body struct {
		Codes  []int  `json:"error_codes"`
		Claims string `json:"claims"`
	}
	raw, _ := json.Marshal(d.Error)
	if d.Error == nil || json.Unmarshal(raw, &body) != nil || len(body.Codes) == 0 {
		return 0, ""
	}
	return body.Codes[0], body.Claims
}

// legs renders Agent ID legs for Legs.
func legs(ls ...downstreamReport) []any {
	out := make([]any, 0, len(ls))
	for _, l := range ls {
		out = append(out, l)
	}
	return out
}

// redactToken drops a JWT's signature: "header.payload." stays decodable, never replayable.
func redactToken(raw string) string {
	parts := strings.Split(raw, ".")
	if len(parts) < 2 {
		return ""
	}
	return parts[0] + "." + parts[1] + "."
}
