"""An independent client against `oboscope sandbox`: MSAL for Python (Debian's python3-msal)
runs device code, On-Behalf-Of and client credentials unmodified but for the authority and the CA.

    oboscope sandbox --addr 127.0.0.1:8443 --auto-approve --write-config /tmp/sbx/oboscope.json &
    REQUESTS_CA_BUNDLE=/tmp/sbx/oboscope-sandbox-ca.pem /usr/bin/python3 msal-python-check.py /tmp/sbx/oboscope.json
"""
import base64
import json
import sys

import msal

cfg = json.load(open(sys.argv[1]))
authority = "%s/%s" % (cfg["authority_host"], cfg["tenant_id"])


def claims(tok):
    payload = tok.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def must(result, what):
    if "access_token" not in result:
        print(what, "failed:", result.get("error"), result.get("error_codes"), result.get("error_description", "")[:80])
        sys.exit(1)
    return result["access_token"]


pca = msal.PublicClientApplication(cfg["signin"]["client_id"], authority=authority, validate_authority=False)
flow = pca.initiate_device_flow(scopes=cfg["signin"]["scopes"])
print("device code:", flow["user_code"], flow["verification_uri"])
user = must(pca.acquire_token_by_device_flow(flow), "device code")
u = claims(user)
print("device code  ok: aud", u["aud"], "scp", u["scp"], "user", u["preferred_username"])

cca = msal.ConfidentialClientApplication(cfg["obo"]["client_id"], client_credential=cfg["obo"]["client_secret"],
                                         authority=authority, validate_authority=False)
obo = must(cca.acquire_token_on_behalf_of(user, cfg["obo"]["scopes"]), "OBO")
o = claims(obo)
print("OBO          ok: aud", o["aud"], "azp", o["azp"], "scp", o["scp"])

app = must(cca.acquire_token_for_client([cfg["mcp"]["app_id_uri"] + "/.default"]), "client credentials")
print("client creds ok: aud", claims(app)["aud"], "idtyp", claims(app)["idtyp"])

bad = msal.ConfidentialClientApplication(cfg["obo"]["client_id"], client_credential="not-the-secret",
                                         authority=authority, validate_authority=False)
r = bad.acquire_token_on_behalf_of(user, cfg["obo"]["scopes"])
print("wrong secret refused as expected:", r.get("error"), r.get("error_codes"))
