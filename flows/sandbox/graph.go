package sandbox

import (
	"encoding/hex"
	"net/http"
	"time"
)

// graphError answers in Microsoft Graph's error shape.
func (s *Sandbox) graphError(w http.ResponseWriter, r *http.Request, status int, code, msg string) {
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"`)
	}
	writeJSON(w, status, map[string]any{"error": map[string]any{
		"code": code, "message": msg,
		"innerError": map[string]string{
			"date": s.now().UTC().Format(time.RFC3339), "request-id": newGUID(), "client-request-id": r.Header.Get("client-request-id"),
		},
	}})
}

// graphCaller validates a Graph token the way only Graph can (hashing the header nonce first).
func (s *Sandbox) graphCaller(w http.ResponseWriter, r *http.Request) (*parsedToken, bool) {
	raw, ok := bearer(r)
	if !ok {
		s.graphError(w, r, http.StatusUnauthorized, "InvalidAuthenticationToken", "Access token is empty.")
		return nil, false
	}
	p, berr := s.validateBearer(raw, bearerCheck{
		audiences: []string{GraphAppID, GraphAppIDURI, GraphAppIDURI + "/"},
		issuers:   []string{s.issuerV1(), s.issuerV2()},
		asGraph:   true,
	})
	if berr != nil {
		msg := "Access token validation failure. " + berr.description
		if berr.status == http.StatusForbidden {
			s.graphError(w, r, http.StatusForbidden, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
			return nil, false
		}
		s.graphError(w, r, http.StatusUnauthorized, "InvalidAuthenticationToken", msg)
		return nil, false
	}
	return p, true
}

// handleGraphMe is GET /v1.0/me: the signed-in user (delegated token with User.Read).
func (s *Sandbox) handleGraphMe(w http.ResponseWriter, r *http.Request) {
	p, ok := s.graphCaller(w, r)
	if !ok {
		return
	}
	if p.isAppOnly() {
		s.graphError(w, r, http.StatusBadRequest, "BadRequest", "/me request is only valid with delegated authentication flow.")
		return
	}
	if !containsFold(p.scopes(), "User.Read") {
		s.graphError(w, r, http.StatusForbidden, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
		return
	}
	u := s.dir.userByID(p.str("oid"))
	if u == nil {
		s.graphError(w, r, http.StatusNotFound, "Request_ResourceNotFound", "Resource '"+p.str("oid")+"' does not exist or one of its queried reference-property objects are not present.")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"@odata.context":    "https://graph.microsoft.com/v1.0/$metadata#users/$entity",
		"businessPhones":    []string{},
		"displayName":       u.DisplayName,
		"givenName":         u.GivenName,
		"jobTitle":          nil,
		"mail":              u.UPN,
		"mobilePhone":       nil,
		"officeLocation":    nil,
		"preferredLanguage": nil,
		"surname":           u.Surname,
		"userPrincipalName": u.UPN,
		"id":                u.ID,
	})
}

// handleGraphApplications is GET /v1.0/applications: the app registrations in Graph's shape.
// Secret values are never listed (Graph shows only a hint), as in the real API.
func (s *Sandbox) handleGraphApplications(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.graphCaller(w, r); !ok {
		return
	}
	apps := []map[string]any{}
	for _, a := range s.dir.Apps {
		if a.Kind == "agent-identity" || a.Kind == "first-party" {
			continue
		}
		scopes := []map[string]any{}
		for _, sc := range a.Scopes {
			scopes = append(scopes, map[string]any{"id": sc.ID, "value": sc.Value, "type": "User", "isEnabled": true,
				"adminConsentDisplayName": sc.Value, "adminConsentDescription": "Allows the app to " + sc.Value + " on behalf of the signed-in user."})
		}
		roles := []map[string]any{}
		for _, ro := range a.AppRoles {
			roles = append(roles, map[string]any{"id": ro.ID, "value": ro.Value, "allowedMemberTypes": []string{"Application"}, "isEnabled": true, "displayName": ro.Value})
		}
		pre := []map[string]any{}
		for _, p := range a.PreAuthorized {
			var ids []string
			for _, v := range p.Scopes {
				for _, sc := range a.Scopes {
					if sc.Value == v {
						ids = append(ids, sc.ID)
					}
				}
			}
			pre = append(pre, map[string]any{"appId": p.AppID, "delegatedPermissionIds": ids})
		}
		pw := []map[string]any{}
		for _, c := range a.Secrets {
			pw = append(pw, map[string]any{"keyId": c.KeyID, "hint": c.Hint, "displayName": "sandbox", "endDateTime": c.End.UTC().Format(time.RFC3339), "secretText": nil})
		}
		keys := []map[string]any{}
		for _, c := range a.Certificates {
			thumb := ""
			if lc, err := c.load(); err == nil {
				thumb = hex.EncodeToString(sha1Sum(lc.cert.Raw))
			}
			keys = append(keys, map[string]any{"keyId": c.KeyID, "type": "AsymmetricX509Cert", "usage": "Verify", "customKeyIdentifier": thumb, "endDateTime": c.End.UTC().Format(time.RFC3339)})
		}
		rra := []map[string]any{}
		for res, vals := range a.RequiredAccess {
			access := []map[string]string{}
			if ra := s.dir.app(res); ra != nil {
				for _, v := range vals {
					if sc, ok := ra.hasScope(v); ok {
						for _, x := range ra.Scopes {
							if x.Value == sc {
								access = append(access, map[string]string{"id": x.ID, "type": "Scope"})
							}
						}
					}
				}
			}
			rra = append(rra, map[string]any{"resourceAppId": res, "resourceAccess": access})
		}
		var accepted any
		if a.AcceptedVersion == 2 {
			accepted = 2
		}
		apps = append(apps, map[string]any{
			"id": a.ObjectID, "appId": a.AppID, "displayName": a.DisplayName,
			"identifierUris": nonNil(a.IdentifierURIs), "signInAudience": "AzureADMyOrg",
			"isFallbackPublicClient": a.PublicClient,
			"groupMembershipClaims":  map[bool]any{true: "SecurityGroup", false: nil}[a.GroupClaims],
			"api": map[string]any{
				"requestedAccessTokenVersion": accepted, "knownClientApplications": nonNil(a.KnownClients),
				"oauth2PermissionScopes": scopes, "preAuthorizedApplications": pre,
			},
			"appRoles": roles, "passwordCredentials": pw, "keyCredentials": keys,
			"publicClient":           map[string]any{"redirectUris": nonNil(a.RedirectURIs)},
			"requiredResourceAccess": rra,
		})
	}
	writeJSON(w, http.StatusOK, map[string]any{"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#applications", "value": apps})
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// handleUserInfo is the OIDC UserInfo endpoint the discovery document names; like Entra's it
// takes a Graph token and answers the signed-in user's standard claims.
func (s *Sandbox) handleUserInfo(w http.ResponseWriter, r *http.Request) {
	p, ok := s.graphCaller(w, r)
	if !ok {
		return
	}
	u := s.dir.userByID(p.str("oid"))
	if u == nil || p.isAppOnly() {
		s.graphError(w, r, http.StatusUnauthorized, "InvalidAuthenticationToken", "The token carries no signed-in user.")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"sub": p.str("sub"), "name": u.DisplayName, "family_name": u.Surname, "given_name": u.GivenName, "email": u.UPN,
	})
}
