// An independent client against `oboscope sandbox`: @azure/msal-node (npm) runs device code,
// On-Behalf-Of and client credentials unmodified but for the authority and the CA.
//
//   oboscope sandbox --addr 127.0.0.1:8443 --auto-approve --write-config /tmp/sbx/oboscope.json &
//   npm install @azure/msal-node   (in a scratch folder; never commit node_modules)
//   NODE_EXTRA_CA_CERTS=/tmp/sbx/oboscope-sandbox-ca.pem node msal-node-check.mjs /tmp/sbx/oboscope.json
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(process.cwd() + "/");
const msal = require("@azure/msal-node");
const cfg = JSON.parse(readFileSync(process.argv[2], "utf8"));
const authority = `${cfg.authority_host}/${cfg.tenant_id}`;
const knownAuthorities = [new URL(cfg.authority_host).host];
const claims = (t) => JSON.parse(Buffer.from(t.split(".")[1], "base64url").toString());

const pca = new msal.PublicClientApplication({ auth: { clientId: cfg.signin.client_id, authority, knownAuthorities } });
const user = await pca.acquireTokenByDeviceCode({
  scopes: cfg.signin.scopes,
  deviceCodeCallback: (r) => console.log("device code:", r.userCode, r.verificationUri),
});
const u = claims(user.accessToken);
console.log("device code  ok: aud", u.aud, "scp", u.scp, "user", u.preferred_username);

const cca = new msal.ConfidentialClientApplication({
  auth: { clientId: cfg.obo.client_id, authority, knownAuthorities, clientSecret: cfg.obo.client_secret },
});
const obo = await cca.acquireTokenOnBehalfOf({ oboAssertion: user.accessToken, scopes: cfg.obo.scopes });
const o = claims(obo.accessToken);
console.log("OBO          ok: aud", o.aud, "azp", o.azp, "scp", o.scp);

const app = await cca.acquireTokenByClientCredential({ scopes: [`${cfg.mcp.app_id_uri}/.default`] });
const a = claims(app.accessToken);
console.log("client creds ok: aud", a.aud, "idtyp", a.idtyp);

try {
  await cca.acquireTokenOnBehalfOf({ oboAssertion: app.accessToken, scopes: cfg.obo.scopes });
  console.log("app-only OBO unexpectedly succeeded");
  process.exit(1);
} catch (e) {
  console.log("app-only OBO refused as expected:", e.errorCode, (e.errorMessage || "").split("\n")[0].slice(0, 60));
}
