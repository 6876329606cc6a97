// Package sandbox is the tenant in a box: an Entra-compatible authority on loopback HTTPS with a
// directory model (users, app registrations, consents, credentials, policies), a Graph subset, a
// sample agent API and a sample MCP server, and the named scenarios that break them on purpose.
package sandbox
