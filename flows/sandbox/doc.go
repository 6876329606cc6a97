// Package sandbox is the tenant in a box: an Entra-compatible authority on loopback HTTPS with a
// directory model (users, app registrations, consents, credentials, policies), a Graph subset, a
// sample agent API and a sample MCP server, and the named scenarios that break them on purpose.
//
// The real MSAL Go (and msal-node, and other OAuth/OIDC clients) runs against it unmodified but for
// the authority URL, instance discovery off and trusting its CA. Every answer is decided from the
// Directory: a scenario changes the directory, a component's behaviour (the sample agent's grant,
// the MCP server's validation, the clock) or — where the mistake is the client's — the flows.Config
// the sandbox writes. Nothing is a scripted response.
//
// What it must not do: listen on anything but loopback; log request bodies, tokens or secrets
// (Options.Log gets method, path, status and duration only); sign tokens with Microsoft's issuer
// names (see tokens.go: the issuers keep Entra's shapes on the sandbox's own host so the discovery
// documents, the JWKS and every validator agree).
//
// Layout: sandbox.go (Start, options, accessors), keys.go (CA, TLS, signing keys made once per
// process), directory.go (the model), scopes.go, authority.go (routes, discovery, JWKS), login.go
// and authorize.go (device code, /devicelogin, /authorize), clientauth.go (secrets, certificate
// and federated assertions), token.go (grants), tokens.go (token shapes), verify.go (validation
// shared by the resource servers), graph.go, agent.go, mcpserver.go, components.go, scenarios.go,
// config.go (Config, WriteConfig), command.go (`oboscope sandbox`, `oboscope scenarios`).
package sandbox
