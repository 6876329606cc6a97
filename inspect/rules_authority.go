package inspect

import "fmt"

const docsOIDCDiscovery = "https://learn.microsoft.com/en-us/entra/identity-platform/v2-protocols-oidc#find-your-apps-openid-configuration-document-uri"

// authorityRules are the authority.* entries: what a discovery or metadata document makes a
// client do, whatever hop fetched it.
var authorityRules = []Rule{
	{
		ID: "authority.endpoint-off-host", Severity: SeverityError, Title: "A metadata document sends a token or secret to a host the configuration does not name",
		Fix: "Use the authority's own endpoints: check authority_host and tenant_id, and whatever sits in front of the authority (a proxy or gateway rewriting its OpenID configuration). " +
			"A token, assertion or secret goes only to the hosts of the configuration, over https (http only to loopback).",
		Docs: docsOIDCDiscovery,
		Explanation: "MSAL trusts the OpenID configuration of the authority it is given: when instance discovery is off (any authority that is not one of Microsoft's public clouds), " +
			"its token_endpoint and authorization_endpoint are used as they are. A document naming another host or plain http would have the client send the user's assertion, " +
			"a client secret, a device code or a refresh token there. oboscope refused to send the request: the hop stops here, and the document that pointed elsewhere is named.",
	},
}

// EndpointOffHostFinding is authority.endpoint-off-host at hop: a request carrying carrying (e.g.
// "a token request (grant_type jwt-bearer) with a client secret and the user's assertion") to
// target, a URL on a host or scheme the configuration does not name, was refused before it was
// sent; document says what pointed there ("the token_endpoint of the authority discovery (OpenID
// configuration) at https://…/v2.0/.well-known/openid-configuration"), "" when no recorded
// document named it.
func EndpointOffHostFinding(hop, target, carrying, document string) Finding {
	detail := fmt.Sprintf("oboscope refused to send %s to %s: the configuration names no such origin (scheme, host and port).", carrying, target)
	if document != "" {
		detail += " The address came from " + document + "."
	}
	ev := map[string]string{"url": target, "carrying": carrying}
	if document != "" {
		ev["document"] = document
	}
	return NewFinding("authority.endpoint-off-host", hop, detail, ev)
}
