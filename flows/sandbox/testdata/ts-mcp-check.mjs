// An independent MCP client against the sandbox's MCP server: the TypeScript MCP SDK discovers the
// protected resource metadata (RFC 9728) and the authorization server metadata from the 401
// challenge, then calls `whoami` with a token obtained by @azure/msal-node (device code + OBO).
//
//   oboscope sandbox --addr 127.0.0.1:8443 --auto-approve --write-config /tmp/sbx/oboscope.json &
//   npm install @modelcontextprotocol/sdk @azure/msal-node   (scratch folder; never commit node_modules)
//   NODE_EXTRA_CA_CERTS=/tmp/sbx/oboscope-sandbox-ca.pem node ts-mcp-check.mjs /tmp/sbx/oboscope.json
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(process.cwd() + "/");
const msal = require("@azure/msal-node");
const { Client } = require("@modelcontextprotocol/sdk/client/index.js");
const { StreamableHTTPClientTransport } = require("@modelcontextprotocol/sdk/client/streamableHttp.js");
const auth = require("@modelcontextprotocol/sdk/client/auth.js");

const cfg = JSON.parse(readFileSync(process.argv[2], "utf8"));
const authority = `${cfg.authority_host}/${cfg.tenant_id}`;
const knownAuthorities = [new URL(cfg.authority_host).host];

// 1. Unauthenticated: 401 with a Bearer challenge naming the metadata.
const probe = await fetch(cfg.mcp.url, { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream" }, body: "{}" });
const prmURL = auth.extractResourceMetadataUrl(probe);
console.log("unauthenticated:", probe.status, "resource_metadata", prmURL?.href);
const prm = await auth.discoverOAuthProtectedResourceMetadata(cfg.mcp.url);
console.log("PRM:", prm.resource, prm.authorization_servers, prm.scopes_supported);
const asMeta = await auth.discoverAuthorizationServerMetadata(prm.authorization_servers[0]);
console.log("AS metadata: issuer", asMeta?.issuer, "token_endpoint", asMeta?.token_endpoint);

// 2. A token for the MCP server: device code (client) then OBO (middle tier), with msal-node.
const pca = new msal.PublicClientApplication({ auth: { clientId: cfg.signin.client_id, authority, knownAuthorities } });
const user = await pca.acquireTokenByDeviceCode({ scopes: cfg.signin.scopes, deviceCodeCallback: () => {} });
const cca = new msal.ConfidentialClientApplication({ auth: { clientId: cfg.obo.client_id, authority, knownAuthorities, clientSecret: cfg.obo.client_secret } });
const obo = await cca.acquireTokenOnBehalfOf({ oboAssertion: user.accessToken, scopes: prm.scopes_supported });

// 3. The MCP session with the bearer token.
const client = new Client({ name: "ts-mcp-check", version: "1.0.0" });
await client.connect(new StreamableHTTPClientTransport(new URL(cfg.mcp.url), { requestInit: { headers: { Authorization: `Bearer ${obo.accessToken}` } } }));
const tools = await client.listTools();
console.log("tools:", tools.tools.map((t) => t.name).join(", "));
const who = await client.callTool({ name: "whoami", arguments: {} });
console.log("whoami:", JSON.stringify(who.structuredContent));
const me = await client.callTool({ name: "graph_me", arguments: {} });
console.log("graph_me:", me.structuredContent?.me?.userPrincipalName, "downstream", me.structuredContent?.downstream?.kind, me.structuredContent?.downstream?.status);
await client.close();
