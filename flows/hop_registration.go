package flows

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/oauthex"

	"github.com/oboscope/oboscope/inspect"
)

// registrationOut is what the registration hop hands on: the client id the client signs in with
// (and the secret a dynamic registration gave), and how it got it.
type registrationOut struct {
	clientID, clientSecret string
	how                    string // "pre-registered", "dynamic registration", "client ID metadata document"
}

// registrationObs is what the registration hop observed.
type registrationObs struct {
	inspect.MCPRegistrationObservation
	ran bool
}

// observeRegistration settles the client id the way the MCP go-sdk's handler does
// (handleRegistration): a client ID metadata document when the authorization server supports them
// and the client has one, else the pre-registered client id, else dynamic registration
// (oauthex.RegisterClient, recorded) when the server offers it.
func observeRegistration(ctx context.Context, h *hopRun, meta metadataOut) (registrationObs, registrationOut) {
	var obs registrationObs
	var out registrationOut
	if meta.as == nil {
		h.skip("skipped: no authorization server metadata (see the metadata hop)")
		return obs, out
	}
	as, mc := meta.as, h.cfg.mcpClient()
	obs.ran = true
	obs.ASFound, obs.RegistrationEndpoint, obs.CIMDSupported, obs.ClientID = true, as.RegistrationEndpoint, as.ClientIDMetadataDocumentSupported, mc.clientID
	offers := registrationOffers(as)
	isCIMD := strings.HasPrefix(mc.clientID, "https://")
	if isCIMD && !as.ClientIDMetadataDocumentSupported {
		obs.ClientID = "" // a metadata document URL is no client id where documents are not supported
	}
	switch {
	case mc.clientID != "" && isCIMD && as.ClientIDMetadataDocumentSupported:
		out = registrationOut{clientID: mc.clientID, how: "client ID metadata document"}
	case mc.clientID != "" && !isCIMD:
		out = registrationOut{clientID: mc.clientID, how: "pre-registered"}
	case as.RegistrationEndpoint != "":
		out = registerDynamically(ctx, h, as.RegistrationEndpoint, mc.redirectURI)
		obs.Registered = out.clientID
	case isCIMD:
		h.fail("registration: the client's id is a client ID metadata document URL, which the authorization server does not support, and it offers no other way to get one")
		h.res.Story = "the authorization server " + offers
		return obs, out
	default:
		h.fail("registration: the client has no client id (mcp.client.client_id), and the authorization server offers no way to get one")
		h.res.Story = "the authorization server " + offers
		return obs, out
	}
	if out.clientID == "" {
		return obs, out
	}
	h.res.Story = fmt.Sprintf("the authorization server %s; the client signs in as %s (%s)", offers, h.names.Name(nil, out.clientID), out.how)
	return obs, out
}

// registrationOffers says what client registration the authorization server's metadata offers.
func registrationOffers(as *inspect.ASMetadata) string {
	var ways []string
	if as.ClientIDMetadataDocumentSupported {
		ways = append(ways, "client ID metadata documents")
	}
	if as.RegistrationEndpoint != "" {
		ways = append(ways, "dynamic registration at "+prmPath(as.RegistrationEndpoint))
	}
	if len(ways) == 0 {
		return "offers no client registration (no registration_endpoint, no client ID metadata documents): only a pre-registered client id works"
	}
	return "offers " + strings.Join(ways, " and ")
}

// registerDynamically registers a native public client with the MCP go-sdk's RFC 7591 client.
func registerDynamically(ctx context.Context, h *hopRun, endpoint, redirectURI string) registrationOut {
	if u, err := url.Parse(endpoint); err != nil || !sendable(endpoint) || u.Host == "" {
		h.fail(fmt.Sprintf("registration: refusing to register at %s (not https)", endpoint))
		return registrationOut{}
	}
	h.rec.setLabel("dynamic client registration")
	resp, err := oauthex.RegisterClient(ctx, endpoint, &oauthex.ClientRegistrationMetadata{
		RedirectURIs: []string{redirectURI}, ClientName: "oboscope", ApplicationType: "native",
		GrantTypes: []string{"authorization_code", "refresh_token"}, ResponseTypes: []string{"code"}, TokenEndpointAuthMethod: "none",
	}, h.client)
	if err != nil {
		h.fail(describeFailure("registration", err, h.rec.snapshot()))
		return registrationOut{}
	}
	return registrationOut{clientID: resp.ClientID, clientSecret: resp.ClientSecret, how: "dynamic registration"}
}

// analyzeRegistration applies the registration rule.
func analyzeRegistration(obs registrationObs) []inspect.Finding {
	if !obs.ran {
		return nil
	}
	return inspect.AnalyzeMCPRegistration(obs.MCPRegistrationObservation)
}

// aboutRegistration says what the registration hop does, for the step-by-step view.
func aboutRegistration(Config) string {
	return "The client makes itself known to the authorization server, in the SDK's order: a client ID metadata document, a pre-registered client id, or dynamic registration. Entra offers only the pre-registered client."
}
